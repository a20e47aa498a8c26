"""The pharmacy in a real browser (issue 16): the doctor prescribes two drugs and a compound
(racikan) on the visit and completes it; the pharmacist dispenses, one drug only partly (its
stock is short), and prints the labels; the receptionist charges the drugs with the services and
the receipt lists them. Indonesian texts, as a person sees them."""

import datetime
from decimal import Decimal

from django.utils import timezone
from playwright.sync_api import Page, expect

from accounts.models import User
from accounts.tests.factories import UserFactory
from billing.models import Billing
from e2e.test_visit import log_in, messages
from patients.tests.factories import PatientFactory
from pharmacy.models import Prescription
from pharmacy.services import stock_receive
from pharmacy.tests.factories import DrugFactory
from scheduling.models import Appointment
from scheduling.tests.factories import AppointmentFactory, AppointmentServiceFactory

PATIENT = "Dewi Lestari"


def receive(drug, quantity, number):
    stock_receive(
        drug=drug,
        batch_number=number,
        expiry_date=timezone.localdate() + datetime.timedelta(days=365),
        quantity=quantity,
        purchase_price=Decimal("100"),
        supplier="PT Enseval Putera Megatrading",
        by=None,
    )


def add_drug(page: Page, name: str, quantity: int, dose: str = "1 tablet") -> None:
    form = page.locator("#drug-line-form")
    field = form.locator("#id_drug-drug")
    field.fill(name[:5])  # the catalogue is suggested as one types (htmx fills the datalist)
    expect(page.locator("#drug-names option", has_text=name)).to_have_count(1)
    field.fill(name)
    form.locator("#id_drug-times_per_day").fill("3")
    form.locator("#id_drug-dose").fill(dose)
    form.locator("#id_drug-duration_days").fill("5")
    form.locator("#id_drug-quantity").fill(str(quantity))
    form.get_by_role("button", name="Tambahkan ke resep").click()


def test_it_prescribes_dispenses_and_charges_the_drugs(clinic, open_browser, screenshot):
    consultation, _hemoglobin = clinic.services
    pharmacist = UserFactory(
        username="apoteker_e2e", first_name="Sari", last_name="Apoteker", role=User.Role.PHARMACIST
    )
    patient = PatientFactory(full_name=PATIENT)
    visit = AppointmentFactory(
        patient=patient,
        doctor=clinic.doctor,
        appointment_date=timezone.now(),
        end_time=timezone.now() + datetime.timedelta(minutes=15),
        status=Appointment.Status.IN_CONSULTATION,
    )
    AppointmentServiceFactory(appointment=visit, service=consultation)
    paracetamol = DrugFactory(name="Sanmol", generic_name="Paracetamol", strength="500 mg", price=Decimal("500"))
    amoxicillin = DrugFactory(name="Amoxsan", generic_name="Amoxicillin", strength="500 mg", price=Decimal("1200"))
    ctm = DrugFactory(name="Orphen", generic_name="Chlorphenamine", strength="4 mg", price=Decimal("200"))
    receive(paracetamol, 100, "SNM-01")
    receive(amoxicillin, 4, "AMX-01")  # short: 10 will be prescribed
    receive(ctm, 50, "CTM-01")

    # --- 1. The doctor prescribes on the visit and completes it ----------------------------------
    room = open_browser()
    room.goto("/")
    log_in(room, clinic.doctor_user)
    room.goto(f"/records/visits/{visit.pk}/")
    room.locator("#prescribe-link").click()
    expect(room.get_by_role("heading", name="Resep", exact=True)).to_be_visible()
    add_drug(room, "Sanmol", 10)
    expect(messages(room)).to_contain_text("Sanmol 500 mg ditambahkan ke resep.")
    add_drug(room, "Amoxsan", 10)
    expect(messages(room)).to_contain_text("Amoxsan 500 mg: stok hanya 4 tablet, diresepkan 10.")  # warned
    compound = room.locator("#compound-line-form")
    compound.locator("#id_compound-compound_name").fill("Puyer batuk anak")
    compound.locator("#id_compound-compound_form").select_option("powder")
    compound.locator("#id_compound-quantity").fill("10")
    compound.locator("#id_compound-times_per_day").fill("3")
    compound.locator("#id_compound-dose").fill("1 bungkus")
    compound.locator("#id_compound-ingredient_1").fill("Sanmol")
    compound.locator("#id_compound-ingredient_1_quantity").fill("5")
    compound.locator("#id_compound-ingredient_2").fill("Orphen")
    compound.locator("#id_compound-ingredient_2_quantity").fill("3")
    compound.get_by_role("button", name="Tambahkan racikan").click()
    expect(messages(room)).to_contain_text("Puyer batuk anak (10 puyer) ditambahkan ke resep.")
    lines = room.locator("#prescription-lines tbody tr")
    expect(lines).to_have_count(3)
    expect(lines.nth(0)).to_contain_text("3 × sehari 1 tablet sesudah makan")
    screenshot(room, "prescription")
    room.get_by_role("link", name="Kembali ke kunjungan").click()
    room.once("dialog", lambda dialog: dialog.accept())
    room.get_by_role("button", name="Selesaikan kunjungan").click()
    expect(messages(room)).to_contain_text(f"Kunjungan {PATIENT} telah selesai dan tagihan sudah diterbitkan.")
    prescription = Prescription.objects.get(appointment=visit)

    # --- 2. The pharmacist dispenses, one drug partly, and prints the labels ---------------------
    pharmacy = open_browser()
    pharmacy.goto("/")
    log_in(pharmacy, pharmacist)
    expect(pharmacy.get_by_role("heading", name="Resep yang perlu disiapkan")).to_be_visible()
    row = pharmacy.locator("#pharmacy-queue tbody tr", has_text=PATIENT)
    expect(row).to_contain_text("dr. Budi Santoso")
    screenshot(pharmacy, "pharmacy-queue")
    row.get_by_role("link", name=PATIENT).click()
    expect(pharmacy.locator("#known-allergies")).to_be_visible()
    form = pharmacy.locator("#dispense-form")
    expect(form.locator("input[type=number]")).to_have_count(3)
    screenshot(pharmacy, "dispense-form")
    form.get_by_role("button", name="Serahkan").click()
    expect(messages(pharmacy)).to_contain_text(
        "Amoxsan 500 mg: 4 dari 10 diserahkan, stok tidak cukup; sisanya tetap terbuka."
    )
    expect(messages(pharmacy)).to_contain_text("Sudah diserahkan; obat masuk ke tagihan kunjungan.")
    expect(pharmacy.locator("#prescription-status")).to_have_text("Diserahkan sebagian")
    expect(pharmacy.locator("#dispense-form input[type=number]")).to_have_count(1)  # the 6 still owed
    pharmacy.get_by_role("link", name="Cetak etiket").click()
    labels = pharmacy.locator("article.drug-label")
    expect(labels).to_have_count(3)
    expect(labels.nth(0)).to_contain_text(PATIENT)
    expect(labels.nth(0)).to_contain_text("3 × sehari 1 tablet sesudah makan")
    expect(labels.nth(1)).to_contain_text("Amoxsan 500 mg · 4")
    expect(labels.nth(2)).to_contain_text("3 × sehari 1 bungkus sesudah makan")
    screenshot(pharmacy, "labels")
    assert Prescription.objects.get(pk=prescription.pk).status == Prescription.Status.PARTIAL

    # --- 3. The receptionist charges the drugs with the services; the receipt lists them -----
    bill = Billing.objects.get(appointment=visit)
    # Services 150.000; Sanmol 10 × 500 + 5 × 500 (compound); Amoxsan 4 × 1.200; Orphen 3 × 200.
    assert bill.total_amount == Decimal("150000") + 5000 + 2500 + 4800 + 600
    reception = open_browser()
    reception.goto("/")
    log_in(reception, clinic.receptionist)
    reception.locator("#main-nav").get_by_role("link", name="Tagihan belum lunas", exact=True).click()
    reception.locator("#unpaid-table tbody tr", has_text=PATIENT).get_by_role("link", name=bill.number).click()
    reception.get_by_role("link", name="Catat pembayaran").click()
    expect(reception.locator("#id_amount")).to_have_value("162900")
    reception.locator("#id_method").select_option(label="Tunai")
    reception.get_by_role("button", name="Catat pembayaran").click()
    expect(messages(reception)).to_contain_text("Status tagihan sekarang: Lunas.")
    reception.get_by_role("link", name="Cetak kuitansi").click()
    receipt = reception.locator("article.receipt")
    expect(receipt.locator(".receipt-lines")).to_contain_text(consultation.name)
    items = receipt.locator(".receipt-items tr")
    expect(items.filter(has_text="Sanmol 500 mg").first).to_contain_text("Rp 5.000")
    expect(items.filter(has_text="Amoxsan 500 mg")).to_contain_text("Rp 4.800")
    expect(items.filter(has_text="Puyer batuk anak: Orphen 4 mg")).to_contain_text("Rp 600")
    expect(receipt.locator(".receipt-total")).to_contain_text("Rp 162.900")
    screenshot(reception, "receipt-with-drugs")
