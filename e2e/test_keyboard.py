"""The staff forms from the keyboard (issue 17): each page whose point is a form starts in its first
field, Tab walks the fields in the order a person reads them, and Enter in a field sends the form
(a textarea keeps its Enter for a new line; Enter that picks a suggestion only picks it). In an
English Chromium at 1366×768, with the keyboard only: no clicks, no fill().

Each form is checked twice: (a) filled by Tab and typing, sent by Enter in a field, and the
result read from the page and the database; (b) Tab walked from the first field to the end of
the form: the focused elements must be the form's visible controls in document order (no positive
tabindex, nothing hidden in between) and lie in reading order on the screen (top to bottom, left
to right within a row, a column at a time)."""

import datetime
import re
from decimal import Decimal

from django.utils import timezone
from playwright.sync_api import Locator, Page, expect

from accounts.models import User
from accounts.tests.factories import PASSWORD, UserFactory
from billing.models import Payment
from billing.tests.factories import BillingFactory
from e2e.test_visit import bookable_slot, messages
from patients.models import Patient
from patients.tests.factories import PatientFactory
from pharmacy import services as pharmacy_services
from pharmacy.models import Prescription
from pharmacy.tests.factories import DrugFactory, stock
from records.models import MedicalRecord
from scheduling.models import Appointment
from scheduling.tests.factories import AppointmentFactory, AppointmentServiceFactory

# A control's name in the lists below: its id, else its name, else its tag and text.
KEY_JS = """el => el.id || (el.name && el.tagName.toLowerCase() + "[name=" + el.name + "]")
    || el.tagName.toLowerCase() + ":" + el.textContent.trim().replace(/\\s+/g, " ")"""

# The focused element when it is inside the form: its name and its box on the page.
FOCUSED_JS = f"""form => {{
  const key = {KEY_JS};
  const el = document.activeElement;
  if (!el || el === form || !form.contains(el)) {{ return null; }}
  const box = el.getBoundingClientRect();
  return {{key: key(el), top: box.top + window.scrollY, bottom: box.bottom + window.scrollY,
           left: box.left + window.scrollX, right: box.right + window.scrollX}};
}}"""

# The form's controls that Tab can reach, in document order.
TABBABLE_JS = f"""form => {{
  const key = {KEY_JS};
  return [...form.querySelectorAll("a[href], button, input, select, textarea")]
    .filter(el => el.type !== "hidden" && !el.disabled && el.tabIndex >= 0 && el.getClientRects().length
                  && getComputedStyle(el).visibility !== "hidden")
    .map(key);
}}"""


def log_in_by_keyboard(page: Page, user) -> None:
    """The login form: the username has the focus, Tab to the password, Enter logs in."""
    page.goto("/")
    expect(page.locator("#id_username")).to_be_focused()
    page.keyboard.type(user.username)
    page.keyboard.press("Tab")
    expect(page.locator("#id_password")).to_be_focused()
    page.keyboard.type(PASSWORD)
    page.keyboard.press("Enter")
    expect(page.locator("#user-menu")).to_be_visible()


def tab_to(page: Page, element_id: str, *, most: int = 30) -> None:
    """Presses Tab until the element has the focus."""
    for _ in range(most):
        if page.evaluate("() => document.activeElement && document.activeElement.id") == element_id:
            return
        page.keyboard.press("Tab")
    raise AssertionError(f"Tab never reached #{element_id}")


def type_over(page: Page, text: str) -> None:
    """Replaces the focused field's value, as a person does: Ctrl+A, then type."""
    page.keyboard.press("Control+a")
    page.keyboard.type(text)


def tab_walk(page: Page, form: Locator) -> list[dict]:
    """From the focused control, Tab until the focus leaves the form: each stop's name and box."""
    stops = [form.evaluate(FOCUSED_JS)]
    assert stops[0] is not None, "the walk starts from a control of the form"
    for _ in range(80):
        page.keyboard.press("Tab")
        stop = form.evaluate(FOCUSED_JS)
        if stop is None:
            return stops
        stops.append(stop)
    raise AssertionError("Tab never left the form")


def assert_reading_order(stops: list[dict]) -> None:
    """Each stop comes after the one before as a person reads the form: to the right on the same
    row, or below it, or at the top of the next column (to the right of every stop of the column
    just finished)."""
    column = [stops[0]]
    for before, stop in zip(stops, stops[1:], strict=False):
        same_row = stop["top"] < before["bottom"] and stop["bottom"] > before["top"]
        if same_row:
            assert stop["left"] >= before["right"] - 1, f"{stop['key']} is left of {before['key']} on its row"
        elif stop["top"] < before["top"]:
            assert stop["left"] >= max(s["right"] for s in column) - 1, (
                f"{stop['key']} is above {before['key']} without starting a new column"
            )
            column = []
        column.append(stop)


def assert_tab_order(page: Page, form: Locator, first: str) -> list[str]:
    """The form starts in `first`; Tab walks all its controls in document and reading order."""
    expect(page.locator(f"#{first}")).to_be_focused()
    stops = tab_walk(page, form)
    keys = [stop["key"] for stop in stops]
    assert keys[0] == first
    assert keys == form.evaluate(TABBABLE_JS)
    assert_reading_order(stops)
    return keys


# --- registration ----------------------------------------------------------------------------


def test_registration_is_typed_and_sent_with_enter(clinic, open_browser, screenshot):
    page = open_browser()
    page.set_viewport_size({"width": 1366, "height": 768})
    log_in_by_keyboard(page, clinic.receptionist)
    page.goto("/patients/new/")

    expect(page.locator("#id_full_name")).to_be_focused()
    page.keyboard.type("Ratna Sari Dewi")
    page.keyboard.press("Tab")
    page.keyboard.type("3273016707670002")  # the NIK
    page.keyboard.press("Tab")
    expect(page.locator("#id_date_of_birth")).to_be_focused()
    page.keyboard.type("27-07-1967")
    page.keyboard.press("Tab")
    expect(page.locator("#id_gender")).to_be_focused()
    page.keyboard.type("Perempuan")  # a select picks the option its typed letters begin
    expect(page.locator("#id_gender")).to_have_value("F")
    tab_to(page, "id_phone")
    page.keyboard.type("0812-3109-0355")
    screenshot(page, "registration-typed")
    page.keyboard.press("Enter")

    expect(page.get_by_role("heading", name="Ratna Sari Dewi")).to_be_visible()
    patient = Patient.objects.get(full_name="Ratna Sari Dewi")
    expect(page).to_have_url(re.compile(rf"/patients/{patient.pk}/$"))
    assert patient.date_of_birth == datetime.date(1967, 7, 27)
    assert patient.gender == Patient.Gender.FEMALE
    assert patient.phone == "+6281231090355"


def test_registration_tabs_in_reading_order(clinic, open_browser):
    page = open_browser()
    page.set_viewport_size({"width": 1366, "height": 768})
    log_in_by_keyboard(page, clinic.receptionist)
    page.goto("/patients/new/")
    keys = assert_tab_order(page, page.locator("main form"), "id_full_name")
    # The identity column, then the contact column, then Save.
    assert keys[:4] == ["id_full_name", "id_nik", "id_date_of_birth", "id_gender"]
    assert keys.index("id_marital_status") < keys.index("id_phone") < keys.index("id_address")
    assert keys[-2:] == ["button:Simpan", "a:Batal"]


# --- booking ---------------------------------------------------------------------------------


def test_booking_is_typed_and_sent_with_enter(clinic, open_browser, screenshot):
    consultation, hemoglobin = clinic.services
    patient = PatientFactory(full_name="Dewi Tri Wijayanti")
    slot = bookable_slot()
    page = open_browser()
    page.set_viewport_size({"width": 1366, "height": 768})
    log_in_by_keyboard(page, clinic.receptionist)
    page.goto(f"/appointments/book/?patient={patient.pk}")

    expect(page.locator("#id_doctor")).to_be_focused()
    page.keyboard.type("dr. Budi")
    expect(page.locator("#id_doctor")).to_have_value(str(clinic.doctor.pk))
    expect(page.locator("#booking-free-starts")).to_be_visible()  # the doctor's services and times came
    page.keyboard.press("Tab")
    expect(page.locator("#id_date")).to_be_focused()
    type_over(page, slot.strftime("%d-%m-%Y"))
    page.keyboard.press("Tab")
    expect(page.locator("#id_time")).to_be_focused()
    type_over(page, slot.strftime("%H.%M"))
    page.keyboard.press("Tab")
    expect(page.locator(f"#service-{consultation.pk}")).to_be_focused()
    page.keyboard.press("Space")
    expect(page.locator("#booking-total")).to_have_text("Rp 150.000")
    tab_to(page, "id_reason")
    page.keyboard.type("Kontrol tekanan darah")
    screenshot(page, "booking-typed")
    page.keyboard.press("Enter")

    expect(page).to_have_url(re.compile(r"/appointments/\d+/$"))
    booked = Appointment.objects.get(patient=patient)
    assert timezone.localtime(booked.appointment_date) == slot
    assert booked.reason == "Kontrol tekanan darah"
    assert list(booked.services.values_list("name", flat=True)) == [consultation.name]
    assert hemoglobin.name not in page.locator("main").inner_text()


def test_booking_tabs_in_reading_order(clinic, open_browser):
    consultation, hemoglobin = clinic.services
    patient = PatientFactory(full_name="Dewi Tri Wijayanti")
    page = open_browser()
    page.set_viewport_size({"width": 1366, "height": 768})
    log_in_by_keyboard(page, clinic.receptionist)
    # No patient chosen yet: the page starts in the patient search, before the form.
    page.goto("/appointments/book/")
    expect(page.locator("main input[type=search][name=q]")).to_be_focused()
    page.goto(f"/appointments/book/?patient={patient.pk}&doctor={clinic.doctor.pk}")
    expect(page.locator("#booking-free-starts button").first).to_be_visible()
    keys = assert_tab_order(page, page.locator("#appointment-form"), "id_doctor")
    assert keys[:5] == [
        "id_doctor",
        "id_date",
        "id_time",
        f"service-{consultation.pk}",
        f"id_quantity_{consultation.pk}",
    ]
    assert keys.index(f"service-{hemoglobin.pk}") < keys.index("id_reason")
    assert keys[-2] == "button:Buat janji temu"


# --- payment ---------------------------------------------------------------------------------


def unpaid_bill(clinic):
    patient = PatientFactory(full_name="Sri Wahyuni")
    visit = AppointmentFactory(patient=patient, doctor=clinic.doctor, status=Appointment.Status.COMPLETED)
    return BillingFactory(appointment=visit, total_amount=Decimal("225000"))


def test_payment_is_typed_and_sent_with_enter(clinic, open_browser, screenshot):
    bill = unpaid_bill(clinic)
    page = open_browser()
    page.set_viewport_size({"width": 1366, "height": 768})
    log_in_by_keyboard(page, clinic.receptionist)
    page.goto(f"/billing/{bill.pk}/pay/")

    expect(page.locator("#id_amount")).to_be_focused()
    type_over(page, "100.000")
    page.keyboard.press("Tab")
    expect(page.locator("#id_method")).to_be_focused()
    page.keyboard.type("Transfer")
    expect(page.locator("#id_method")).to_have_value("Transfer")
    tab_to(page, "id_reference")
    page.keyboard.type("TRF-2707")
    screenshot(page, "payment-typed")
    page.keyboard.press("Enter")

    expect(messages(page)).to_contain_text("Status tagihan sekarang: Dibayar sebagian.")
    expect(page).to_have_url(re.compile(rf"/billing/{bill.pk}/$"))
    payment = Payment.objects.get(billing=bill)
    assert (payment.amount, payment.method, payment.reference) == (Decimal("100000"), "Transfer", "TRF-2707")


def test_payment_tabs_in_reading_order(clinic, open_browser):
    bill = unpaid_bill(clinic)
    page = open_browser()
    page.set_viewport_size({"width": 1366, "height": 768})
    log_in_by_keyboard(page, clinic.receptionist)
    page.goto(f"/billing/{bill.pk}/pay/")
    keys = assert_tab_order(page, page.locator("main form"), "id_amount")
    assert keys == ["id_amount", "id_method", "id_insurance", "id_reference", "button:Catat pembayaran"]


# --- the doctor's medical record -------------------------------------------------------------


def visit_in_consultation(clinic, name="Bambang Suryadi"):
    consultation, _hemoglobin = clinic.services
    visit = AppointmentFactory(
        patient=PatientFactory(full_name=name),
        doctor=clinic.doctor,
        appointment_date=timezone.now(),
        end_time=timezone.now() + datetime.timedelta(minutes=15),
        status=Appointment.Status.IN_CONSULTATION,
    )
    AppointmentServiceFactory(appointment=visit, service=consultation)
    return visit


def test_medical_record_is_typed_and_sent_with_enter(clinic, open_browser, screenshot):
    visit = visit_in_consultation(clinic)
    page = open_browser()
    page.set_viewport_size({"width": 1366, "height": 768})
    log_in_by_keyboard(page, clinic.doctor_user)
    page.goto(f"/records/visits/{visit.pk}/record/")

    expect(page.locator("#id_complaint")).to_be_focused()
    page.keyboard.type("Pusing sejak pagi")
    page.keyboard.press("Enter")  # in a textarea: a new line, the form stays
    page.keyboard.type("mual")
    expect(page.locator("#id_complaint")).to_have_value("Pusing sejak pagi\nmual")
    page.keyboard.press("Tab")
    expect(page.locator("#id_allergies")).to_be_focused()
    type_over(page, "tidak ada")
    page.keyboard.press("Tab")
    expect(page.locator("#id_systolic_bp")).to_be_focused()
    page.keyboard.type("150")
    page.keyboard.press("Tab")
    page.keyboard.type("95")
    page.keyboard.press("Tab")
    expect(page.locator("#id_heart_rate")).to_be_focused()
    page.keyboard.type("84")
    screenshot(page, "medical-record-typed")
    page.keyboard.press("Enter")

    expect(messages(page)).to_contain_text("Rekam medis berhasil disimpan.")
    expect(page).to_have_url(re.compile(rf"/records/visits/{visit.pk}/$"))
    record = MedicalRecord.objects.get(appointment=visit)
    assert record.complaint.splitlines() == ["Pusing sejak pagi", "mual"]
    assert (record.systolic_bp, record.diastolic_bp, record.heart_rate) == (150, 95, 84)


def test_medical_record_tabs_in_reading_order(clinic, open_browser):
    visit = visit_in_consultation(clinic)
    page = open_browser()
    page.set_viewport_size({"width": 1366, "height": 768})
    log_in_by_keyboard(page, clinic.doctor_user)
    page.goto(f"/records/visits/{visit.pk}/record/")
    keys = assert_tab_order(page, page.locator("#record-form"), "id_complaint")
    assert keys[:4] == ["id_complaint", "id_allergies", "id_systolic_bp", "id_diastolic_bp"]
    assert keys.index("id_height_cm") < keys.index("icd10-q") < keys.index("id_icd10_code") < keys.index("id_treatment")
    assert keys[-2:] == ["button:Simpan rekam medis", "a:Batal"]


def test_the_icd10_search_takes_its_own_enter(clinic, open_browser):
    """Enter in the ICD-10 search searches; it does not send the record."""
    visit = visit_in_consultation(clinic)
    page = open_browser()
    page.set_viewport_size({"width": 1366, "height": 768})
    log_in_by_keyboard(page, clinic.doctor_user)
    page.goto(f"/records/visits/{visit.pk}/record/")
    tab_to(page, "icd10-q")
    page.keyboard.type("J06.9")
    page.keyboard.press("Enter")
    expect(page.locator("#icd10-results button", has_text="J06.9")).to_be_visible()
    expect(page).to_have_url(re.compile(rf"/records/visits/{visit.pk}/record/$"))
    assert len(page.context.pages) == 1  # no new tab either
    assert not MedicalRecord.objects.filter(appointment=visit).exists()


# --- the pharmacy: the doctor's prescription, the pharmacist's dispensing --------------------

USE = {"times_per_day": 3, "dose": "1 tablet", "timing": "after", "route": "oral"}


def test_a_picked_drug_suggestion_does_not_send_the_line(clinic, open_browser, screenshot):
    visit = visit_in_consultation(clinic)
    sanmol = DrugFactory(name="Sanmol", generic_name="Paracetamol", strength="500 mg")
    DrugFactory(name="Salbutamol", generic_name="Salbutamol", strength="2 mg")
    stock(sanmol, 100)
    page = open_browser()
    page.set_viewport_size({"width": 1366, "height": 768})
    log_in_by_keyboard(page, clinic.doctor_user)
    page.goto(f"/pharmacy/visits/{visit.pk}/prescription/")

    expect(page.locator("#id_drug-drug")).to_be_focused()
    # Two suggestions for "sa": Enter waits for the person to choose (nothing is sent).
    page.keyboard.type("sa")
    expect(page.locator("#drug-names option")).to_have_count(2)
    page.keyboard.press("Enter")
    # One for "sanm": Enter takes it, and still sends nothing.
    page.keyboard.type("nm")
    expect(page.locator("#drug-names option")).to_have_count(1)
    page.keyboard.press("Enter")
    expect(page.locator("#id_drug-drug")).to_have_value("Sanmol")
    expect(page.locator("#id_drug-drug")).to_be_focused()
    expect(page.locator("#drug-line-form .invalid-feedback")).to_have_count(0)
    assert not Prescription.objects.filter(appointment=visit).exists()
    page.keyboard.press("Tab")
    expect(page.locator("#id_drug-times_per_day")).to_be_focused()
    page.keyboard.type("3")
    page.keyboard.press("Tab")
    page.keyboard.type("1 tablet")
    page.keyboard.press("Tab")
    expect(page.locator("#id_drug-quantity")).to_be_focused()
    page.keyboard.type("10")
    screenshot(page, "drug-line-typed")
    page.keyboard.press("Enter")

    expect(messages(page)).to_contain_text("Sanmol 500 mg ditambahkan ke resep.")
    line = Prescription.objects.get(appointment=visit).lines.get()
    assert (line.drug, line.quantity, line.times_per_day) == (sanmol, 10, 3)


def prescription_to_dispense(clinic):
    visit = visit_in_consultation(clinic, name="Dewi Lestari")
    sanmol = DrugFactory(name="Sanmol", strength="500 mg")
    amoxsan = DrugFactory(name="Amoxsan", strength="500 mg")
    for drug in (sanmol, amoxsan):
        stock(drug, 100)
        pharmacy_services.prescription_line_add(appointment=visit, drug=drug, data={**USE, "quantity": 10})
    return pharmacy_services.prescription_send(appointment=visit)


def pharmacist():
    return UserFactory(username="apoteker_e2e", first_name="Sari", last_name="Apoteker", role=User.Role.PHARMACIST)


def test_dispensing_is_typed_and_sent_with_enter(clinic, open_browser, screenshot):
    prescription = prescription_to_dispense(clinic)
    first, second = prescription.lines.order_by("pk")
    page = open_browser()
    page.set_viewport_size({"width": 1366, "height": 768})
    log_in_by_keyboard(page, pharmacist())
    page.goto(f"/pharmacy/prescriptions/{prescription.pk}/")

    expect(page.locator(f"#id_line_{first.pk}")).to_be_focused()
    type_over(page, "6")
    page.keyboard.press("Tab")
    expect(page.locator(f"#id_line_{second.pk}")).to_be_focused()
    screenshot(page, "dispense-typed")
    page.keyboard.press("Enter")

    expect(messages(page)).to_contain_text("Sudah diserahkan; obat masuk ke tagihan kunjungan.")
    expect(page.locator("#prescription-status")).to_have_text("Diserahkan sebagian")
    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.quantity_dispensed, second.quantity_dispensed) == (6, 10)


def test_dispensing_tabs_in_reading_order(clinic, open_browser):
    prescription = prescription_to_dispense(clinic)
    first, second = prescription.lines.order_by("pk")
    page = open_browser()
    page.set_viewport_size({"width": 1366, "height": 768})
    log_in_by_keyboard(page, pharmacist())
    page.goto(f"/pharmacy/prescriptions/{prescription.pk}/")
    keys = assert_tab_order(page, page.locator("#dispense-form"), f"id_line_{first.pk}")
    assert keys == [f"id_line_{first.pk}", f"id_line_{second.pk}", "button:Serahkan"]


def test_receiving_stock_is_typed_and_sent_with_enter(clinic, open_browser, screenshot):
    """The expiry date is dd-mm-yyyy text like every date (it was a browser date field, mm/dd/yyyy
    in an English Chromium, whose parts Tab stopped at one by one)."""
    sanmol = DrugFactory(name="Sanmol", strength="500 mg")
    page = open_browser()
    page.set_viewport_size({"width": 1366, "height": 768})
    log_in_by_keyboard(page, pharmacist())
    page.goto("/pharmacy/stock/receive/")

    expect(page.locator("#id_drug")).to_be_focused()
    page.keyboard.type("Sanmol")
    expect(page.locator("#id_drug")).to_have_value(str(sanmol.pk))
    page.keyboard.press("Tab")
    page.keyboard.type("SNM-2707")
    page.keyboard.press("Tab")
    expect(page.locator("#id_expiry_date")).to_have_attribute("placeholder", "dd-mm-yyyy")
    page.keyboard.type("27-07-2030")
    page.keyboard.press("Tab")
    expect(page.locator("#id_quantity")).to_be_focused()
    page.keyboard.type("100")
    page.keyboard.press("Tab")
    page.keyboard.type("1.500")
    page.keyboard.press("Tab")
    expect(page.locator("#id_supplier")).to_be_focused()
    page.keyboard.type("PT Enseval Putera Megatrading")
    screenshot(page, "receive-typed")
    page.keyboard.press("Enter")

    expect(page).to_have_url(re.compile(rf"/pharmacy/stock/drugs/{sanmol.pk}/$"))
    batch = sanmol.batches.get()
    assert (batch.batch_number, batch.expiry_date, batch.on_hand) == ("SNM-2707", datetime.date(2030, 7, 27), 100)


def test_receiving_stock_tabs_in_reading_order(clinic, open_browser):
    DrugFactory(name="Sanmol")
    page = open_browser()
    page.set_viewport_size({"width": 1366, "height": 768})
    log_in_by_keyboard(page, pharmacist())
    page.goto("/pharmacy/stock/receive/")
    keys = assert_tab_order(page, page.locator("main form"), "id_drug")
    assert keys == [
        "id_drug",
        "id_batch_number",
        "id_expiry_date",
        "id_quantity",
        "id_purchase_price",
        "id_supplier",
        "button:Simpan",
        "a:Batal",
    ]


# --- the doctor's lab result -----------------------------------------------------------------


def test_lab_result_is_typed_and_sent_with_enter(clinic, open_browser):
    visit = visit_in_consultation(clinic)
    page = open_browser()
    page.set_viewport_size({"width": 1366, "height": 768})
    log_in_by_keyboard(page, clinic.doctor_user)
    page.goto(f"/records/visits/{visit.pk}/lab-results/new/")
    form = page.locator("main form")
    keys = assert_tab_order(page, form, "id_test_name")
    assert keys[:3] == ["id_test_name", "id_value", "id_unit"]

    page.reload()
    expect(page.locator("#id_test_name")).to_be_focused()
    page.keyboard.type("Hemoglobin")
    page.keyboard.press("Tab")
    page.keyboard.type("13.5")
    page.keyboard.press("Tab")
    expect(page.locator("#id_unit")).to_be_focused()
    page.keyboard.type("g/dL")
    page.keyboard.press("Enter")

    expect(page).to_have_url(re.compile(rf"/records/visits/{visit.pk}/$"))
    result = MedicalRecord.objects.get(appointment=visit).lab_results.get()
    assert (result.test_name, result.value, result.unit) == ("Hemoglobin", Decimal("13.5"), "g/dL")
