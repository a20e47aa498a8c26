"""Booking offers only the chosen doctor's services, with a running total and the doctor's next
free times to pick from (issue 17), in an English Chromium at 1366×768."""

import datetime
import re
from decimal import Decimal

from playwright.sync_api import expect

from e2e.test_visit import log_in
from patients.models import WorkingHours
from patients.tests.factories import DoctorFactory, PatientFactory, WorkingHoursFactory
from scheduling.models import Appointment
from scheduling.tests.factories import ServiceFactory


def test_booking_offers_only_the_doctors_services_with_the_total(clinic, open_browser, screenshot):
    gp = clinic.doctor
    consultation, hemoglobin = clinic.services  # the GP's consultation; the lab test is everyone's
    consultation.doctors.add(gp)
    obgyn = DoctorFactory(full_name="dr. Ratna Kusumawardani, Sp.OG", specialization="Spesialis Kandungan (Sp.OG)")
    for weekday in WorkingHours.Weekday.values:
        WorkingHoursFactory(
            doctor=obgyn, weekday=weekday, start_time=datetime.time(0, 0), end_time=datetime.time(23, 59, 59)
        )
    usg = ServiceFactory(code="TIND-USG", name="USG Kandungan", price=Decimal("250000"), duration_minutes=20)
    usg.doctors.add(obgyn)
    patient = PatientFactory(full_name="Dewi Lestari")

    page = open_browser()
    page.set_viewport_size({"width": 1366, "height": 768})
    page.goto("/")
    log_in(page, clinic.receptionist)
    expect(page.locator("#user-menu")).to_be_visible()
    page.goto(f"/appointments/book/?patient={patient.pk}")
    services = page.locator("#booking-services")

    # The GP: his consultation and the lab test, no "USG Kandungan".
    page.locator("#id_doctor").select_option(str(gp.pk))
    expect(services).not_to_contain_text("USG Kandungan")
    expect(services).to_contain_text("Konsultasi Dokter Umum")
    expect(services).to_contain_text("Pemeriksaan Hemoglobin")
    page.locator(f"#service-{consultation.pk}").check()
    expect(page.locator("#booking-total")).to_have_text("Rp 150.000")
    page.locator(f"#service-{hemoglobin.pk}").check()
    expect(page.locator("#booking-total")).to_have_text("Rp 225.000")
    expect(page.locator("#booking-minutes")).to_contain_text("15")
    expect(page.locator("#booking-free-starts button").first).to_be_visible()
    screenshot(page, "gp-services-and-total")

    # The obstetrician: the USG, the lab test, not the GP's consultation.
    page.locator("#id_doctor").select_option(str(obgyn.pk))
    expect(services).to_contain_text("USG Kandungan")
    expect(services).not_to_contain_text("Konsultasi Dokter Umum")
    page.locator(f"#service-{usg.pk}").check()
    page.locator(f"#service-{hemoglobin.pk}").check()
    expect(page.locator("#booking-total")).to_have_text("Rp 325.000")
    expect(page.locator("#booking-minutes")).to_contain_text("30")

    # A free time picked from the list fills the form's date and time.
    first_free = page.locator("#booking-free-starts button").first
    picked = first_free.get_attribute("data-slot-time")
    first_free.click()
    expect(page.locator("#id_time")).to_have_value(picked)
    expect(page.locator("#id_date")).to_have_value(re.compile(r"^\d{2}-\d{2}-\d{4}$"))
    # Nothing wider than the window at 1366 px.
    assert page.evaluate("document.documentElement.scrollWidth") <= 1366
    screenshot(page, "obgyn-services-and-free-times")
    page.locator("#appointment-form button[type=submit]").click()

    expect(page).to_have_url(re.compile(r"/appointments/\d+/$"))
    booked = Appointment.objects.get()
    assert booked.doctor == obgyn
    assert sorted(booked.services.values_list("name", flat=True)) == ["Pemeriksaan Hemoglobin", "USG Kandungan"]
