"""Browser tests: Playwright drives Debian's Chromium against pytest-django's live server.

Run them with `make test-e2e` (or `.venv/bin/pytest e2e`). They are not in `make test`
(pytest.ini's testpaths), so a machine without Chromium still runs the suite. Never
`playwright install`: the browser is Debian's (`apt-get install chromium`).
Screenshots of every step: test-results/e2e/<test>/<NN-step>.png.
"""

import datetime
import os
import shutil
from decimal import Decimal
from pathlib import Path
from types import SimpleNamespace

# Playwright's sync API keeps an event loop running in the test's thread, and Django refuses
# database calls from a thread with a running loop. The test only touches the database while
# the browser waits (setting up data, reading a No. RM), so it is safe here. Set before any
# test runs; Django reads it at each call.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

import pytest  # noqa: E402
from playwright.sync_api import expect  # noqa: E402

from accounts.models import User  # noqa: E402
from accounts.tests.factories import UserFactory  # noqa: E402
from patients.models import WorkingHours  # noqa: E402
from patients.tests.factories import DoctorFactory, WorkingHoursFactory  # noqa: E402
from scheduling.tests.factories import ServiceFactory  # noqa: E402

CHROMIUM = os.environ.get("E2E_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    # No calls home, no updates, no sign-in: a clinic's intranet may have no internet.
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-gpu",
]
SCREENSHOTS = Path(__file__).resolve().parent.parent / "test-results" / "e2e"
# Generous: CI has 2 cores, and the first page of a run also starts the live server.
TIMEOUT_MS = 30_000

expect.set_options(timeout=TIMEOUT_MS)


@pytest.fixture(scope="session", autouse=True)
def delete_output_dir():
    """Replaces pytest-playwright's fixture of that name, which empties all of test-results/:
    only this suite's own folder starts over."""
    shutil.rmtree(SCREENSHOTS, ignore_errors=True)


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    if not os.access(CHROMIUM, os.X_OK):
        pytest.fail(
            f"Chromium not found at {CHROMIUM}: apt-get install chromium (Debian's), or set E2E_CHROMIUM to its path.",
            pytrace=False,
        )
    # As root, Playwright adds --no-sandbox by itself.
    return {**browser_type_launch_args, "executable_path": CHROMIUM, "args": CHROMIUM_ARGS}


@pytest.fixture(scope="session")
def base_url(live_server):
    """page.goto("/billing/") goes to the live server."""
    return live_server.url


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args):
    return {
        **browser_context_args,
        # A clinic PC as they often are: an English (en-US) browser, which must still get the
        # clinic's Indonesian. Jakarta time. Wide enough that the navbar is not collapsed
        # behind its toggler (Bootstrap's lg breakpoint).
        "locale": "en-US",
        "timezone_id": "Asia/Jakarta",
        "viewport": {"width": 1366, "height": 900},
    }


@pytest.fixture
def open_browser(browser, browser_context_args):
    """Opens a page in a browser context of its own (its own cookies: one person's session)."""
    contexts = []

    def open_page():
        context = browser.new_context(**browser_context_args)
        context.set_default_timeout(TIMEOUT_MS)
        context.set_default_navigation_timeout(TIMEOUT_MS)
        contexts.append(context)
        return context.new_page()

    yield open_page
    for context in contexts:
        context.close()


@pytest.fixture
def screenshot(request):
    """screenshot(page, "login") → test-results/e2e/<test>/01-login.png, 02-..., in order."""
    folder = SCREENSHOTS / request.node.originalname  # without "[chromium]"
    count = 0

    def take(page, step: str) -> Path:
        nonlocal count
        count += 1
        path = folder / f"{count:02d}-{step}.png"
        page.screenshot(path=str(path), full_page=True)
        return path

    return take


@pytest.fixture
def clinic(transactional_db):
    """A receptionist, a doctor who works every day around the clock (so booking works at
    whatever hour CI runs), and two priced services that fit one 15-minute slot together."""
    receptionist = UserFactory(
        username="resepsionis_e2e", first_name="Rina", last_name="Wulandari", role=User.Role.RECEPTIONIST
    )
    doctor_user = UserFactory(username="dokter_e2e", first_name="Budi", last_name="Santoso", role=User.Role.DOCTOR)
    doctor = DoctorFactory(user=doctor_user, full_name="dr. Budi Santoso", specialization="Dokter Umum")
    for weekday in WorkingHours.Weekday.values:
        WorkingHoursFactory(
            doctor=doctor, weekday=weekday, start_time=datetime.time(0, 0), end_time=datetime.time(23, 59, 59)
        )
    consultation = ServiceFactory(
        code="KONS-UM", name="Konsultasi Dokter Umum", price=Decimal("150000"), duration_minutes=10
    )
    hemoglobin = ServiceFactory(
        code="LAB-HB", name="Pemeriksaan Hemoglobin", price=Decimal("75000"), duration_minutes=5
    )
    return SimpleNamespace(
        receptionist=receptionist, doctor_user=doctor_user, doctor=doctor, services=[consultation, hemoglobin]
    )
