"""Every staff page fits a 1366×768 screen (the most common clinic PC), for each role, in both
languages: nothing wider than the window, so nothing (the name, "Keluar", ID/EN) is pushed off.

The test logs in as each role of the sample data and walks the site as a person would: from the
home page it follows every link it finds on the pages it opens (one page per URL shape: the
numbers in a path are one shape), and on each page it measures the document's scrollWidth and
every element's right edge against the window's width.
"""

import re
from urllib.parse import urlsplit

import pytest
from django.core.management import call_command
from playwright.sync_api import Page, expect

from e2e.test_visit import log_in

SAMPLE_PASSWORD = "klinik-demo-2026"
WIDTH, HEIGHT = 1366, 768
ROLES = ["admin", "resepsionis", "dokter"]
# Pages that are not screens: downloads, the Django admin's own pages (its templates are
# Django's) apart from its index, the language switch and logging out.
NOT_SCREENS = re.compile(r"^/(admin/.+|i18n/|accounts/logout)|/(export|pdf|csv)(/|$)|\.(pdf|csv)$")
MAX_PAGES = 80  # per role and language: every shape the sample data links to fits well within

MEASURE = """() => {
  const width = window.innerWidth;
  const wide = [];
  for (const el of document.body.querySelectorAll('*')) {
    const box = el.getBoundingClientRect();
    if (box.width === 0 && box.height === 0) continue;
    if (Math.round(box.right) > width) {
      const classes = typeof el.className === 'string' ? el.className.trim().replace(/\\s+/g, '.') : '';
      wide.push(el.tagName.toLowerCase() + (el.id ? '#' + el.id : '') + (classes ? '.' + classes : '') +
                ' right=' + Math.round(box.right));
    }
  }
  return {scrollWidth: document.documentElement.scrollWidth, width: width, wide: wide.slice(0, 5)};
}"""

LINKS = """() => Array.from(document.querySelectorAll('a[href]')).map(a => a.getAttribute('href'))"""


def shape(path: str) -> str:
    return re.sub(r"/\d+(?=/|$)", "/N", path)


@pytest.fixture
def sample_data(transactional_db):
    call_command("loaddata", "users", "patients", "scheduling", "records", "billing", verbosity=0)
    call_command("shift_sample_data", verbosity=0)


def start_paths(username: str) -> list[str]:
    """The home page, and the pages that only a search or a typed address leads to: a patient of
    the user (a doctor's own patient), the patient search with results, the ICD-10 search."""
    from patients.models import Patient

    patients = Patient.objects.order_by("pk")
    if username.startswith("dokter"):
        patients = patients.filter(appointments__doctor__user__username=username)
    patient = patients.first()
    return [
        "/",
        f"/patients/?q={patient.full_name.split()[-1]}",
        f"/patients/{patient.pk}/",
        f"/patients/{patient.pk}/edit/",
        "/records/icd10/?q=demam",
    ]


def walk(page: Page, start: list[str]) -> dict[str, dict]:
    """Opens every page reachable by links from the start pages; returns the measurements of the
    pages that do not fit, by path."""
    seen, queue, misfits = set(), list(start), {}
    while queue and len(seen) < MAX_PAGES:
        path = queue.pop(0)
        key = shape(urlsplit(path).path) + ("?" if urlsplit(path).query else "")
        if key in seen:
            continue
        seen.add(key)
        response = page.goto(path)
        if response is None or "text/html" not in response.headers.get("content-type", ""):
            continue
        result = page.evaluate(MEASURE)
        if result["scrollWidth"] > WIDTH or result["wide"]:
            misfits[path] = result
        for href in page.evaluate(LINKS):
            parts = urlsplit(href)
            if parts.scheme or parts.netloc or not parts.path.startswith("/") or NOT_SCREENS.search(parts.path):
                continue
            if "format=csv" in parts.query:  # the pharmacy's reports as CSV: a download, not a screen
                continue
            queue.append(parts.path + (f"?{parts.query}" if parts.query else ""))
    assert len(seen) > 5, seen
    return misfits


@pytest.mark.parametrize("lang", ["id", "en"])
@pytest.mark.parametrize("username", ROLES)
def test_every_staff_page_fits_1366_pixels(sample_data, browser, browser_context_args, username, lang):
    context = browser.new_context(**{**browser_context_args, "viewport": {"width": WIDTH, "height": HEIGHT}})
    try:
        page = context.new_page()
        page.goto("/")
        if lang == "en":
            page.locator(".lang-switch").get_by_role("button", name="EN").click()
        user = type("SampleUser", (), {"username": username})
        log_in(page, user, lang=lang, password=SAMPLE_PASSWORD)
        page.wait_for_url(lambda url: "login" not in url)
        misfits = walk(page, start_paths(username))
        assert misfits == {}, misfits
        # The user's menu opens at that width and holds logging out.
        page.goto("/")
        page.locator("#user-menu").click()
        expect(page.get_by_role("button", name={"id": "Keluar", "en": "Log out"}[lang])).to_be_visible()
    finally:
        context.close()
