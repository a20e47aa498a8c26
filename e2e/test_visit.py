"""One whole visit through the staff pages, in a real browser: the receptionist registers,
books and checks in a patient, the doctor writes the record and a lab result and completes
the visit, the receptionist takes two payments and prints the receipt. And the language switch.

The texts are what a person sees: Indonesian (the default language, whatever the browser asks
for), as worded in locale/id/LC_MESSAGES/django.po; English after the switch.
"""

import datetime
import re

from django.utils import timezone
from playwright.sync_api import Page, expect

from accounts.tests.factories import PASSWORD
from billing.models import Billing
from core.clock import SLOT, slot_floor
from patients.models import Patient

PATIENT = "Sri Wahyuni"


def log_in(page: Page, user, *, lang: str = "id", password: str = PASSWORD) -> None:
    labels = {"id": ("Masuk", "Nama pengguna", "Sandi"), "en": ("Log in", "Username", "Password")}[lang]
    heading, username, password_label = labels
    expect(page.get_by_role("heading", name=heading)).to_be_visible()
    page.get_by_label(username).fill(user.username)
    page.get_by_label(password_label).fill(password)
    page.get_by_role("button", name=heading).click()


def nav(page: Page, label: str) -> None:
    page.locator("#main-nav").get_by_role("link", name=label, exact=True).click()


def messages(page: Page):
    return page.locator(".messages")


def bookable_slot() -> datetime.datetime:
    """The next 15-minute slot of today (clinic time), or the current one in the day's last
    quarter hour: the booking form refuses slots that have passed."""
    current = slot_floor(timezone.now())
    following = current + SLOT
    return following if following.date() == current.date() else current


def register_patient(page: Page, *, heading: str, save: str) -> None:
    """Fills in the registration form and saves it."""
    expect(page.get_by_role("heading", name=heading)).to_be_visible()
    page.locator("#id_full_name").fill(PATIENT)
    page.locator("#id_nik").fill("3273014508900001")
    # Typed as digits, read dd-mm-yyyy whatever the browser's language (en-US here).
    page.locator("#id_date_of_birth").press_sequentially("05081990")
    page.locator("#id_date_of_birth").blur()
    expect(page.locator("#id_date_of_birth")).to_have_value("05-08-1990")
    page.locator("#id_gender").select_option("F")
    page.locator("#id_phone").fill("0812-3456-7890")
    page.locator("#id_address").fill("Jl. Merdeka No. 10, Bandung")
    page.get_by_role("button", name=save, exact=True).click()


def test_it_runs_a_whole_visit_from_registration_to_receipt(clinic, open_browser, screenshot):
    consultation, hemoglobin = clinic.services
    reception = open_browser()

    # --- 1. The receptionist: log in, register, book, check in ---------------------------
    reception.goto("/")
    expect(reception.locator("html")).to_have_attribute("lang", "id")
    screenshot(reception, "login")
    log_in(reception, clinic.receptionist)
    expect(reception.get_by_role("heading", name="Daftar kunjungan hari ini")).to_be_visible()
    expect(reception.locator("#user-menu + .dropdown-menu button")).to_have_text("Keluar")  # in the user menu

    nav(reception, "Pasien")
    expect(reception.get_by_role("heading", name="Pasien")).to_be_visible()
    reception.get_by_role("link", name="Daftarkan pasien baru").click()
    register_patient(reception, heading="Daftarkan pasien baru", save="Simpan")
    patient = Patient.objects.get(full_name=PATIENT)
    rm = patient.medical_record_number
    expect(reception.get_by_role("heading", name=PATIENT)).to_be_visible()
    expect(messages(reception)).to_contain_text(f"{PATIENT} berhasil didaftarkan dengan No. RM {rm}.")
    expect(reception.get_by_text(rm, exact=True)).to_be_visible()
    expect(reception.locator("main")).to_contain_text("Perempuan")
    expect(reception.locator("main")).to_contain_text(re.compile(r"05-08-1990 \(\d+ tahun\)"))  # with the age
    expect(reception.locator("main")).to_contain_text("+62 812-3456-7890")  # grouped as people read it
    screenshot(reception, "patient-registered")

    reception.get_by_role("main").get_by_role("link", name="Buat janji temu").click()
    expect(reception.get_by_role("heading", name="Buat janji temu")).to_be_visible()
    expect(reception.locator("#patient-heading + .card")).to_contain_text(f"{PATIENT} · {rm}")
    slot = bookable_slot()
    reception.locator("#id_doctor").select_option(label="dr. Budi Santoso — Dokter Umum")
    # The clinic's formats in an English browser: dd-mm-yyyy, 24-hour HH.MM (today prefilled).
    expect(reception.locator("#id_date")).to_have_value(re.compile(r"^\d{2}-\d{2}-\d{4}$"))
    reception.locator("#id_date").fill(slot.strftime("%d-%m-%Y"))
    reception.locator("#id_time").fill(slot.strftime("%H.%M"))
    reception.get_by_label(consultation.name).check()
    reception.get_by_label(hemoglobin.name).check()
    reception.locator("#id_reason").fill("Demam dan batuk 3 hari")
    screenshot(reception, "booking-form")
    reception.locator("#appointment-form").get_by_role("button", name="Buat janji temu", exact=True).click()

    when = slot.strftime("%d-%m-%Y %H.%M")
    expect(messages(reception)).to_contain_text(
        f"Janji temu {PATIENT} dengan dr. Budi Santoso pada {when} berhasil dibuat."
    )
    expect(reception.get_by_role("heading", name="Janji temu")).to_be_visible()
    details = reception.locator("main dl")
    expect(details).to_contain_text(f"{PATIENT} · {rm}")
    expect(details).to_contain_text(when)
    expect(details).to_contain_text("Terjadwal")
    lines = reception.locator("main table")
    expect(lines).to_contain_text(consultation.name)
    expect(lines).to_contain_text(hemoglobin.name)
    expect(lines.locator("tfoot")).to_contain_text("Rp 225.000")
    screenshot(reception, "appointment-booked")

    nav(reception, "Hari ini")
    row = reception.locator("#board-body tbody tr", has_text=PATIENT)
    expect(row).to_contain_text("Terjadwal")
    expect(row).to_contain_text(slot.strftime("%H.%M"))
    row.get_by_role("button", name="Check-in", exact=True).click()
    expect(messages(reception)).to_contain_text(f"{PATIENT} sudah check-in, nomor antrean 1.")
    row = reception.locator("#board-body tbody tr", has_text=PATIENT)
    expect(row).to_contain_text("Sudah check-in")
    expect(row.locator("td").nth(4)).to_have_text("1")  # the Queue column
    screenshot(reception, "checked-in")

    # --- 2. The doctor: queue, consultation, record, lab result, completion ----------------
    room = open_browser()
    room.goto("/")
    log_in(room, clinic.doctor_user)
    expect(room.get_by_role("heading", name="Antrean saya hari ini")).to_be_visible()
    row = room.locator("#queue-table tr.queue-row", has_text=PATIENT)
    expect(row.locator("td").first).to_have_text("1")
    expect(row).to_contain_text(rm)
    expect(row).to_contain_text("Sudah check-in")
    expect(row).to_contain_text("Demam dan batuk 3 hari")
    screenshot(room, "doctor-queue")
    row.get_by_role("link", name="Buka kunjungan").click()

    expect(room.get_by_role("heading", name=PATIENT, exact=True)).to_be_visible()
    expect(room.locator("main")).to_contain_text("Nomor antrean 1")
    expect(room.locator("#visit-services")).to_contain_text(consultation.name)
    room.locator("#visit-actions").get_by_role("button", name="Mulai pemeriksaan").click()
    expect(messages(room)).to_contain_text(f"Pemeriksaan {PATIENT} dimulai.")
    expect(room.locator("main")).to_contain_text("Sedang diperiksa")
    screenshot(room, "consultation-started")

    room.get_by_role("link", name="Tulis rekam medis").click()
    expect(room.get_by_role("heading", name="Tulis rekam medis")).to_be_visible()
    room.locator("#id_complaint").fill("Demam 3 hari, batuk, nyeri tenggorokan")
    room.locator("#id_systolic_bp").fill("130")
    room.locator("#id_diastolic_bp").fill("85")
    room.locator("#id_heart_rate").fill("88")
    # The ICD-10 search finds by Indonesian words ("demam tifoid" → A01.0, named in Indonesian).
    room.locator("#icd10-q").fill("demam tifoid")
    expect(room.locator("#icd10-results button").first).to_contain_text("A01.0 Demam tifoid")
    # The ICD-10 search (htmx): a match fills the code and the diagnosis.
    room.locator("#icd10-q").fill("J06.9")
    room.locator("#icd10-results button", has_text="J06.9").click()
    expect(room.locator("#id_icd10_code")).to_have_value("J06.9")
    expect(room.locator("#id_diagnosis")).to_have_value(re.compile(r"\S"))
    room.locator("#id_treatment").fill("Istirahat, banyak minum")
    room.locator("#id_prescription").fill("Paracetamol 500 mg 3x1")
    screenshot(room, "medical-record-form")
    room.get_by_role("button", name="Simpan rekam medis").click()

    expect(messages(room)).to_contain_text("Rekam medis berhasil disimpan.")
    record = room.locator("#current-record")
    expect(record).to_contain_text("Demam 3 hari, batuk, nyeri tenggorokan")
    expect(record).to_contain_text("130/85 mmHg")
    expect(record).to_contain_text("J06.9")
    expect(record).to_contain_text("Infeksi saluran pernapasan atas akut")
    expect(record).to_contain_text("Paracetamol 500 mg 3x1")

    room.get_by_role("link", name="Tambah hasil laboratorium").click()
    expect(room.get_by_role("heading", name="Tambah hasil laboratorium")).to_be_visible()
    room.locator("#id_test_name").fill("Hemoglobin")
    room.locator("#id_value").fill("9.5")
    room.locator("#id_unit").fill("g/dL")
    room.locator("#id_reference_low").fill("12")
    room.locator("#id_reference_high").fill("16")
    screenshot(room, "lab-result-form")
    room.get_by_role("button", name="Simpan hasil laboratorium").click()

    expect(messages(room)).to_contain_text("Hemoglobin tersimpan: hasilnya di luar nilai rujukan.")
    lab_row = room.locator("#current-record table.lab-results tbody tr", has_text="Hemoglobin")
    expect(lab_row).to_have_class(re.compile(r"\babnormal\b"))
    expect(lab_row.locator(".badge")).to_have_text("abnormal")
    expect(lab_row).to_contain_text("9,5")  # Indonesian decimal comma
    expect(lab_row).to_contain_text("g/dL")
    expect(lab_row).to_contain_text("12–16")
    screenshot(room, "lab-result-abnormal")

    confirms = []

    def accept(dialog):
        confirms.append(dialog.message)
        dialog.accept()

    room.once("dialog", accept)
    room.get_by_role("button", name="Selesaikan kunjungan").click()
    expect(messages(room)).to_contain_text(f"Kunjungan {PATIENT} telah selesai dan tagihan sudah diterbitkan.")
    assert confirms == ["Selesaikan kunjungan ini dan terbitkan tagihan?"]
    expect(room.locator("#queue-table tr.queue-row", has_text=PATIENT)).to_contain_text("Selesai")
    screenshot(room, "visit-completed")

    # --- 3. The receptionist: the bill, a partial and a full payment, the receipt ----------
    bill = Billing.objects.get(patient=patient)
    nav(reception, "Tagihan belum lunas")
    expect(reception.get_by_role("heading", name="Tagihan belum lunas")).to_be_visible()
    row = reception.locator("#unpaid-table tbody tr", has_text=PATIENT)
    expect(row).to_contain_text(rm)
    expect(row).to_contain_text("dr. Budi Santoso")
    expect(row).to_contain_text("Rp 225.000")
    expect(row).to_contain_text("Belum dibayar")
    screenshot(reception, "unpaid-bills")
    row.get_by_role("link", name=bill.number).click()

    document = reception.locator("article.receipt")
    expect(document).to_contain_text(bill.number)
    expect(document.locator(".receipt-patient")).to_have_text(PATIENT)
    expect(document.locator(".bill-status-unpaid")).to_have_text("Belum dibayar")
    reception.get_by_role("link", name="Catat pembayaran").click()

    expect(reception.get_by_role("heading", name=f"Catat pembayaran untuk {bill.number}")).to_be_visible()
    expect(reception.locator("#id_amount")).to_have_value("225000")  # the balance, to edit
    reception.locator("#id_amount").fill("100.000")
    reception.locator("#id_method").select_option(label="Tunai")
    screenshot(reception, "partial-payment-form")
    reception.get_by_role("button", name="Catat pembayaran").click()

    expect(messages(reception)).to_contain_text(
        "Pembayaran berhasil dicatat. Status tagihan sekarang: Dibayar sebagian."
    )
    expect(document.locator(".bill-status-partially_paid")).to_have_text("Dibayar sebagian")
    summary = document.locator(".receipt-summary")
    expect(summary).to_contain_text("Rp 100.000")
    expect(summary.locator(".receipt-balance")).to_contain_text("Rp 125.000")
    screenshot(reception, "partially-paid")

    reception.get_by_role("link", name="Catat pembayaran").click()
    expect(reception.locator("#id_amount")).to_have_value("125000")
    reception.get_by_role("button", name="Catat pembayaran").click()
    expect(messages(reception)).to_contain_text("Pembayaran berhasil dicatat. Status tagihan sekarang: Lunas.")
    expect(document.locator(".bill-status-paid")).to_have_text("Lunas")
    expect(summary.locator(".receipt-balance")).to_contain_text("Rp 0")
    expect(reception.get_by_role("link", name="Catat pembayaran")).to_have_count(0)
    screenshot(reception, "paid")

    reception.get_by_role("link", name="Cetak kuitansi").click()
    receipt = reception.locator("article.receipt")
    expect(receipt.locator(".receipt-patient")).to_have_text(PATIENT)
    expect(receipt.locator(".receipt-meta")).to_contain_text(rm)
    expect(receipt.locator(".bill-status-paid")).to_have_text("Lunas")
    lines = receipt.locator(".receipt-lines")
    for service, amount in ((consultation, "Rp 150.000"), (hemoglobin, "Rp 75.000")):
        line = lines.locator("tbody tr", has_text=service.name)
        expect(line).to_contain_text(service.code)
        expect(line.locator("td").last).to_have_text(amount)
    expect(lines.locator(".receipt-total")).to_contain_text("Rp 225.000")
    payments = receipt.locator(".receipt-payments tbody tr")
    expect(payments).to_have_count(2)
    expect(payments.nth(0)).to_contain_text("Rp 100.000")
    expect(payments.nth(1)).to_contain_text("Rp 125.000")
    expect(payments.nth(0)).to_contain_text("Tunai")
    screenshot(reception, "receipt")

    reception.get_by_role("link", name="Kembali ke tagihan").click()
    nav(reception, "Tagihan belum lunas")
    expect(reception.locator("#unpaid-table")).not_to_contain_text(PATIENT)
    expect(reception.locator("#unpaid-table")).to_contain_text("Semua tagihan sudah lunas.")
    screenshot(reception, "no-unpaid-bills")


def test_it_switches_the_pages_to_english_and_back(clinic, open_browser, screenshot):
    page = open_browser()
    page.goto("/")
    expect(page.get_by_role("heading", name="Masuk")).to_be_visible()
    screenshot(page, "login-indonesian")

    # The ID/EN switch in the navbar posts to set_language and comes back to the same page.
    page.locator("form.lang-switch").get_by_role("button", name="EN").click()
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.get_by_role("heading", name="Log in")).to_be_visible()
    expect(page.get_by_label("Username")).to_be_visible()
    expect(page.get_by_label("Password")).to_be_visible()
    screenshot(page, "login-english")
    log_in(page, clinic.receptionist, lang="en")

    expect(page.get_by_role("heading", name="Today's board")).to_be_visible()
    expect(page.get_by_text("No appointments today.")).to_be_visible()
    expect(page.locator("#user-menu + .dropdown-menu button")).to_have_text("Log out")  # in the user menu
    nav(page, "Patients")
    expect(page.get_by_role("heading", name="Patients")).to_be_visible()
    page.get_by_role("link", name="Register a new patient").click()
    form = page.locator("main form")
    for label in ("Full name *", "Date of birth *", "Gender *", "Phone", "Address"):
        expect(form.locator("label", has_text=label).first).to_be_visible()
    screenshot(page, "registration-english")
    register_patient(page, heading="Register a new patient", save="Save")

    rm = Patient.objects.get(full_name=PATIENT).medical_record_number
    expect(messages(page)).to_contain_text(f"{PATIENT} is registered as {rm}.")
    expect(page.get_by_role("heading", name="Patient details")).to_be_visible()
    expect(page.locator("main")).to_contain_text("Female")
    expect(page.get_by_role("main").get_by_role("link", name="Book appointment")).to_be_visible()
    screenshot(page, "patient-english")

    # And back: the same patient page in Indonesian.
    page.locator("form.lang-switch").get_by_role("button", name="ID").click()
    expect(page.locator("html")).to_have_attribute("lang", "id")
    expect(page.get_by_role("heading", name=PATIENT)).to_be_visible()
    expect(page.locator("main")).to_contain_text("Perempuan")
    expect(page.locator("#user-menu + .dropdown-menu button")).to_have_text("Keluar")  # in the user menu
    screenshot(page, "patient-indonesian")
