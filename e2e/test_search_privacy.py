"""The live patient search in a real browser: typing a NIK finds the patient, the address bar
shows only `?s=<token>` (never the NIK), reload and back keep working."""

import re

from playwright.sync_api import expect

from e2e.test_visit import log_in
from patients.tests.factories import PatientFactory

NIK = "3273016509870001"


def test_the_live_search_keeps_the_nik_out_of_the_address_bar(clinic, open_browser, screenshot):
    PatientFactory(full_name="Siti Rahasia", nik=NIK)
    page = open_browser()
    page.goto("/")
    log_in(page, clinic.receptionist)
    page.goto("/patients/")
    page.locator("#id_q").fill(NIK)
    expect(page.locator("#search-results")).to_contain_text("Siti Rahasia")
    expect(page).to_have_url(re.compile(r"/patients/\?s=[\w-]+$"))
    assert NIK not in page.url
    screenshot(page, "search-by-nik")

    page.reload()  # the token's page: the same search, still no NIK in the address
    expect(page.locator("#search-results")).to_contain_text("Siti Rahasia")
    expect(page.locator("#id_q")).to_have_value(NIK)

    page.locator("#id_q").fill("zzzz-nobody")
    expect(page.locator("#search-results")).not_to_contain_text("Siti Rahasia")
    page.go_back()
    expect(page.locator("#search-results")).to_contain_text("Siti Rahasia")
    assert NIK not in page.url

    # The quick search in the navigation bar (Enter) lands on the same kind of address.
    page.goto("/appointments/")
    page.locator("#quick-search").fill(NIK)
    page.locator("#quick-search").press("Enter")
    expect(page.locator("#search-results")).to_contain_text("Siti Rahasia")
    assert NIK not in page.url and "?s=" in page.url
