"""The front desk's hands (issue 17), in an English Chromium at 1366×768: a patient found by a
word inside the name, "/" to the search, B on the patient page to book, dates dd-mm-yyyy."""

import re

from playwright.sync_api import expect

from e2e.test_visit import log_in
from patients.tests.factories import PatientFactory


def test_the_front_desk_finds_by_a_last_name_and_books_from_the_keyboard(clinic, open_browser, screenshot):
    patient = PatientFactory(full_name="Dewi Tri Wijayanti", phone="+6281231090355")
    page = open_browser()
    page.goto("/")
    log_in(page, clinic.receptionist)
    expect(page.locator("#user-menu")).to_be_visible()

    # "/" goes to the search from anywhere; a word inside the name finds her.
    page.locator("body").press("/")
    expect(page.locator("#quick-search")).to_be_focused()
    page.keyboard.type("wijayanti")
    page.keyboard.press("Enter")
    row = page.locator("main table tbody tr").filter(has_text="Dewi Tri Wijayanti")
    expect(row).to_have_count(1)
    expect(row).to_contain_text("+62 812-3109-0355")
    screenshot(page, "search-by-last-name")
    row.get_by_role("link", name="Dewi Tri Wijayanti").click()

    # The patient page: B books her.
    expect(page.get_by_role("heading", name="Dewi Tri Wijayanti")).to_be_visible()
    page.locator("body").press("b")
    expect(page).to_have_url(re.compile(rf"/appointments/book/\?patient={patient.pk}$"))
    expect(page.locator("#id_date")).to_have_value(re.compile(r"^\d{2}-\d{2}-\d{4}$"))
    expect(page.locator("#id_date")).to_have_attribute("placeholder", "dd-mm-yyyy")
    screenshot(page, "booking-from-the-keyboard")
