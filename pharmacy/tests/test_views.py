"""The pharmacy's pages: the doctor's prescription form, the pharmacist's queue, dispensing,
labels and stock pages; their query counts do not grow with the number of rows."""

import datetime
from decimal import Decimal

import pytest
from django.contrib.messages import get_messages
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape

from audit.models import AuditLog
from billing.models import Billing, BillItem
from pharmacy import services
from pharmacy.models import Dispense, Prescription, StockMove
from pharmacy.tests.factories import DrugFactory, batch_of, dispense_token, stock
from records.tests.factories import MedicalRecordFactory
from scheduling.models import Appointment
from scheduling.services import appointment_complete
from scheduling.tests.factories import AppointmentFactory

pytestmark = pytest.mark.django_db

USE = {"times_per_day": 3, "dose": "1 tablet", "timing": "after", "route": "oral"}


def drug_post(name, quantity, **extra):
    data = {
        "kind": "drug",
        "drug-drug": name,
        "drug-times_per_day": "3",
        "drug-dose": "1 tablet",
        "drug-route": "oral",
        "drug-timing": "after",
        "drug-duration_days": "5",
        "drug-quantity": str(quantity),
    }
    return {**data, **extra}


def open_prescriptions(count, drug):
    for _ in range(count):
        appointment = AppointmentFactory(status=Appointment.Status.IN_CONSULTATION)
        services.prescription_line_add(appointment=appointment, drug=drug, data={**USE, "quantity": 2})
        services.prescription_send(appointment=appointment)


def test_the_doctor_prescribes_is_warned_and_the_pharmacist_dispenses(
    client, consult, doctor_user, pharmacist, receptionist
):
    MedicalRecordFactory(patient=consult.patient, appointment__patient=consult.patient, allergies="Amoxicillin")
    amox = DrugFactory(name="Amoxsan", generic_name="Amoxicillin", price=Decimal("1200"))
    para = DrugFactory(name="Sanmol", generic_name="Paracetamol", price=Decimal("300"))
    stock(amox, 6)
    stock(para, 100)
    client.force_login(doctor_user)
    url = reverse("pharmacy:prescribe", args=[consult.pk])
    form_page = client.get(url).content.decode()
    assert 'id="drug-line-form"' in form_page and 'id="compound-line-form"' in form_page
    assert 'list="drug-names"' in form_page and reverse("pharmacy:drug_search") in form_page
    response = client.post(url, drug_post("amoxsan", 10))
    assert response.status_code == 302
    warnings = [m.message for m in get_messages(response.wsgi_request) if m.level_tag == "warning"]
    assert len(warnings) == 2  # the allergy, the stock
    response = client.post(url, drug_post("Obat yang tidak ada", 1))
    assert response.status_code == 200 and response.context["form"].errors
    compound = {
        "kind": "compound",
        "compound-compound_name": "Puyer demam anak",
        "compound-compound_form": "powder",
        "compound-quantity": "10",
        "compound-times_per_day": "3",
        "compound-dose": "1 bungkus",
        "compound-route": "oral",
        "compound-timing": "after",
        "compound-ingredient_1": "Sanmol",
        "compound-ingredient_1_quantity": "5",
    }
    assert client.post(url, compound).status_code == 302
    search = client.get(reverse("pharmacy:drug_search"), {"drug-drug": "sanm"}, HTTP_HX_REQUEST="true")
    assert b"Sanmol" in search.content and b"Amoxsan" not in search.content
    appointment_complete(appointment=consult, by=doctor_user)
    prescription = Prescription.objects.get(appointment=consult)
    assert prescription.status == Prescription.Status.OPEN

    client.force_login(pharmacist)
    assert escape(consult.patient.full_name) in client.get(reverse("pharmacy:queue")).content.decode()
    page = client.get(reverse("pharmacy:prescription", args=[prescription.pk]))
    assert page.status_code == 200 and "Amoxicillin" in page.content.decode()
    assert AuditLog.objects.filter(what="prescription and allergies", patient=consult.patient).exists()
    lines = list(prescription.lines.order_by("id"))
    sent = {f"line_{line.pk}": line.quantity for line in lines} | {"submit_token": dispense_token(prescription)}
    response = client.post(reverse("pharmacy:prescription", args=[prescription.pk]), sent)
    assert response.status_code == 302
    # The same form sent again (a double click, a retry): nothing dispensed or billed twice.
    dispensed = (Dispense.objects.count(), BillItem.objects.count(), StockMove.objects.count())
    assert client.post(reverse("pharmacy:prescription", args=[prescription.pk]), sent).status_code == 302
    assert (Dispense.objects.count(), BillItem.objects.count(), StockMove.objects.count()) == dispensed
    prescription.refresh_from_db()
    assert prescription.status == Prescription.Status.PARTIAL  # only 6 of 10 Amoxsan
    labels = client.get(reverse("pharmacy:labels", args=[prescription.pk])).content.decode()
    assert "3 × sehari 1 tablet sesudah makan" in labels and "Puyer demam anak" in labels
    copy = client.get(reverse("pharmacy:copy", args=[prescription.pk])).content.decode()
    assert "det 6" in copy

    client.force_login(receptionist)
    bill = Billing.objects.get(appointment=consult)
    receipt = client.get(reverse("billing:receipt", args=[bill.pk])).content.decode()
    assert "Amoxsan" in receipt and "Puyer demam anak: Sanmol" in receipt
    assert bill.total_amount == sum(line.line_total for line in consult.lines.all()) + 6 * 1200 + 5 * 300


def test_the_queue_costs_the_same_queries_for_few_and_many(client, pharmacist):
    drug = DrugFactory()
    client.force_login(pharmacist)
    url = reverse("pharmacy:queue")
    open_prescriptions(2, drug)
    client.get(url)  # warm caches (sessions, content types)
    with CaptureQueriesContext(connection) as few:
        client.get(url)
    open_prescriptions(20, drug)
    with CaptureQueriesContext(connection) as many:
        response = client.get(url)
    assert len(response.context["page"].object_list) == 22
    assert len(few) == len(many)


def test_the_stock_pages_cost_the_same_queries_for_few_and_many(client, pharmacist):
    client.force_login(pharmacist)
    pages = [
        reverse("pharmacy:stock"),
        reverse("pharmacy:near_expiry") + "?days=400",
        reverse("pharmacy:below_minimum"),
        reverse("pharmacy:movements"),
    ]
    for _ in range(2):
        stock(DrugFactory(minimum_stock=50), 10)
    counts = []
    for size in (2, 20):
        while StockMove.objects.count() < size:
            stock(DrugFactory(minimum_stock=50), 10)
        for url in pages:
            client.get(url)
        with CaptureQueriesContext(connection) as queries:
            for url in pages:
                assert client.get(url).status_code == 200
        counts.append(len(queries))
    assert counts[0] == counts[1]


def test_the_stock_reports_export_csv_without_formulas(client, pharmacist):
    drug = DrugFactory(name="=HYPERLINK(1)", minimum_stock=100)
    batch_of(drug, on_hand=5, days=20)
    batch_of(drug, on_hand=3, days=-2)
    client.force_login(pharmacist)
    content = client.get(reverse("pharmacy:stock"), {"format": "csv"}).content.decode()
    assert "'=HYPERLINK(1)" in content and ",5,3,100" in content
    near = client.get(reverse("pharmacy:near_expiry"), {"format": "csv", "days": "30"}).content.decode()
    assert near.count("'=HYPERLINK") == 2
    below = client.get(reverse("pharmacy:below_minimum"), {"format": "csv"}).content.decode()
    assert "'=HYPERLINK(1)" in below


def test_a_negative_purchase_price_is_refused_in_words_not_by_the_database(client, pharmacist):
    drug = DrugFactory()
    client.force_login(pharmacist)
    expiry = (timezone.localdate() + datetime.timedelta(days=300)).isoformat()
    data = {"drug": drug.pk, "batch_number": "A1", "expiry_date": expiry, "quantity": "40", "supplier": "PT Enseval"}
    response = client.post(reverse("pharmacy:receive"), {**data, "purchase_price": "-1.500"})
    assert response.status_code == 200
    assert response.context["form"].errors["purchase_price"] == ["Harga tidak boleh negatif."]
    assert not drug.batches.exists() and not StockMove.objects.exists()


def test_receiving_and_counting_through_the_pages(client, pharmacist):
    drug = DrugFactory()
    client.force_login(pharmacist)
    expiry = (timezone.localdate() + datetime.timedelta(days=300)).isoformat()
    data = {"drug": drug.pk, "batch_number": "A1", "expiry_date": expiry, "quantity": "40", "purchase_price": "1.500"}
    response = client.post(reverse("pharmacy:receive"), {**data, "supplier": "PT Enseval"})
    assert response.status_code == 302
    batch = drug.batches.get()
    assert batch.on_hand == 40 and batch.purchase_price == Decimal("1500")
    response = client.post(reverse("pharmacy:batch_count", args=[batch.pk]), {"counted": "38", "reason": ""})
    assert response.status_code == 200 and response.context["form"].errors  # the reason is required
    client.post(reverse("pharmacy:batch_count", args=[batch.pk]), {"counted": "38", "reason": "2 pecah"})
    response = client.post(
        reverse("pharmacy:batch_remove", args=[batch.pk]), {"kind": "write_off", "quantity": "99", "reason": "x"}
    )
    assert response.status_code == 200  # more than on hand: the form says so, nothing changes
    batch.refresh_from_db()
    assert batch.on_hand == 38
    assert list(batch.moves.values_list("kind", "quantity")) == [("receive", 40), ("count", -2)]
