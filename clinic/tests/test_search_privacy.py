"""A patient's NIK, phone and email never appear in a URL: not in gunicorn's access log, not in the
login page's `next=` after a session timeout, not in the address the browser keeps (HX-Push-Url).

The gunicorn test drives the pages as a browser does: it reads each search form's method and
action from the page and submits it as written (a GET form would put its words in the URL, as the
patient search did before)."""

import html
import re
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.urls import reverse

from accounts import middleware
from accounts.tests.factories import PASSWORD
from clinic.tests import app_process, mariadb
from clinic.tests.browser import Browser
from patients.tests.factories import PatientFactory

NIK = "3273016509870001"
PHONE = "081299990001"
EMAIL = "siti.rahasia@example.com"
IDENTIFIERS = (NIK, PHONE, "+6281299990001", "6281299990001", EMAIL, EMAIL.replace("@", "%40"))

SETUP = f"""
import django
django.setup()
from accounts.models import User
from patients.models import Patient
import datetime
User.objects.create_user("loket", password={PASSWORD!r}, role=User.Role.RECEPTIONIST)
Patient.objects.create(full_name="Siti Rahasia", date_of_birth=datetime.date(1987, 9, 25), gender=Patient.Gender.FEMALE,
                       nik={NIK!r}, phone="+6281299990001", email={EMAIL!r})
"""

FORM = re.compile(r"<form\b([^>]*)>(.*?)</form>", re.S)
ATTR = re.compile(r'([\w-]+)="([^"]*)"')
INPUT = re.compile(r"<input\b([^>]*)>")


def search_forms(page: str) -> list[tuple[str, str, dict]]:
    """(method, action, hidden fields) of each form of `page` that has a `q` field."""
    found = []
    for attributes, body in FORM.findall(page):
        attrs = dict(ATTR.findall(attributes))
        fields = [dict(ATTR.findall(i)) for i in INPUT.findall(body)]
        if not any(f.get("name") == "q" for f in fields):
            continue
        hidden = {
            html.unescape(f["name"]): html.unescape(f.get("value", "")) for f in fields if f.get("type") == "hidden"
        }
        found.append((attrs.get("method", "get").lower(), html.unescape(attrs.get("action", "")), hidden))
    return found


def submit(browser: Browser, page_path: str, query: str, *, htmx: bool = False) -> list:
    """Submits every search form of the page at `page_path` with `query`, as the page wrote it;
    follows a redirect once. The responses."""
    page = browser.get(page_path)
    assert page.status == 200, (page_path, page.status)
    forms = search_forms(page.body)
    assert forms, f"no search form on {page_path}"
    responses = []
    for method, action, hidden in forms:
        action = action or page_path
        headers = {"HX-Request": "true", "HX-Current-URL": browser.base_url + page_path} if htmx else {}
        if method == "get":
            from urllib.parse import urlencode

            response = browser.get(f"{action}?{urlencode({**hidden, 'q': query})}", headers=headers)
        else:
            response = browser.post(action, {**hidden, "q": query}, headers=headers)
        responses.append(response)
        for header in ("Location", "HX-Push-Url"):
            target = response.headers.get(header)
            if target:
                responses.append(browser.get(target))
    return responses


@pytest.fixture
def gunicorn(tmp_path):
    """gunicorn (as in production) on a free port, with an access log, on a SQLite file of its own."""
    database = f"sqlite:///{tmp_path / 'clinic.sqlite3'}"
    app_process.manage("migrate", "--no-input", "-v", "0", DATABASE_URL=database)
    app_process.manage("shell", "-c", SETUP, DATABASE_URL=database)
    port = mariadb.free_port(["127.0.0.1"])
    access_log = tmp_path / "access.log"
    server_log = tmp_path / "gunicorn.log"
    with server_log.open("wb") as out:
        process = subprocess.Popen(
            [
                str(Path(sys.executable).with_name("gunicorn")),
                "clinic.wsgi:application",
                "--bind",
                f"127.0.0.1:{port}",
                "--workers",
                "1",
                "--access-logfile",
                str(access_log),
            ],
            cwd=app_process.BASE_DIR,
            env=app_process.environment(DATABASE_URL=database),
            stdin=subprocess.DEVNULL,
            stdout=out,
            stderr=out,
            preexec_fn=mariadb.die_with_parent,
        )
    try:
        deadline = time.monotonic() + app_process.READY_TIMEOUT
        while app_process.request(port, "/healthz").status != 200:
            if process.poll() is not None or time.monotonic() > deadline:
                raise AssertionError(f"gunicorn did not start:\n{mariadb.log_tail(server_log)}")
            time.sleep(0.2)
        yield f"http://127.0.0.1:{port}", access_log
    finally:
        mariadb.stop(process)


@pytest.mark.slow
def test_no_identifier_reaches_gunicorns_access_log(gunicorn):
    base_url, access_log = gunicorn
    browser = Browser(base_url)
    assert browser.log_in("loket", PASSWORD).status == 302
    pages = [
        reverse("patients:search"),
        reverse("scheduling:book"),
        reverse("scheduling:walk_in"),
        reverse("billing:unpaid"),
    ]
    found = 0
    for query in (NIK, PHONE, EMAIL):
        for page_path in pages:
            for htmx in (False, True):
                for response in submit(browser, page_path, query, htmx=htmx):
                    assert response.status in (200, 302), (page_path, query, response.status, response.body[:300])
                    found += "Siti Rahasia" in response.body
    assert found, "the searches found nothing: the test would prove nothing"

    log = access_log.read_text()
    assert "POST /patients/" in log and "GET /patients/?s=" in log  # the log does record the searches
    leaked = [line for line in log.splitlines() if any(value in line for value in IDENTIFIERS)]
    assert leaked == []


@pytest.mark.django_db
def test_the_login_page_after_a_timeout_carries_no_identifier(client, receptionist, monkeypatch):
    PatientFactory(full_name="Siti Rahasia", nik=NIK, phone="+6281299990001", email=EMAIL)
    client.force_login(receptionist)
    url = client.post(reverse("patients:search"), {"q": NIK}).url
    assert client.get(url).context["patients"]
    later = time.time() + 24 * 3600
    monkeypatch.setattr(middleware, "now", lambda: later)

    # An htmx search typed after the timeout, on the page whose URL is the token's.
    live = client.post(
        reverse("patients:search"),
        {"q": PHONE},
        headers={"HX-Request": "true", "HX-Current-URL": f"http://testserver{url}"},
    )
    assert reverse("accounts:login") in live["HX-Redirect"]
    # Reloading the page after the timeout.
    client.force_login(receptionist)
    monkeypatch.setattr(middleware, "now", lambda: later + 24 * 3600)
    reload = client.get(url)
    assert reload.status_code == 302 and reverse("accounts:login") in reload["Location"]
    for target in (live["HX-Redirect"], reload["Location"]):
        assert not any(value in target for value in IDENTIFIERS), target
        login_page = client.get(target).content.decode()
        assert not any(value in login_page for value in IDENTIFIERS)
