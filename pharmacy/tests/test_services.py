"""The pharmacy's rules: prescribing with warnings, dispensing FEFO and partially, the stock
ledger append-only and summed into each batch's on-hand, the bill following the dispensed drugs."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import DataError, IntegrityError, transaction
from django.db.models import Sum
from django.utils import timezone

from billing.models import Billing, BillItem
from billing.services import payment_record
from pharmacy import services
from pharmacy.models import Batch, Prescription, StockMove
from pharmacy.tests.factories import DrugFactory, batch_of, stock
from records.tests.factories import MedicalRecordFactory
from scheduling.models import Appointment
from scheduling.services import appointment_complete

pytestmark = pytest.mark.django_db

USE = {"times_per_day": 3, "dose": "1 tablet", "timing": "after", "route": "oral", "duration_days": 3}


def prescribe(appointment, drug, quantity, **extra):
    return services.prescription_line_add(
        appointment=appointment, drug=drug, data={**USE, "quantity": quantity, **extra}
    )


def sent(appointment) -> Prescription:
    return services.prescription_send(appointment=appointment)


def ledger_sum(batch) -> int:
    return StockMove.objects.filter(batch=batch).aggregate(s=Sum("quantity"))["s"] or 0


# --- prescribing ---------------------------------------------------------------------------------


def test_a_prescription_line_is_written_during_the_consultation_only(consult):
    drug = DrugFactory()
    stock(drug, 100)
    added = prescribe(consult, drug, 10)
    assert added.warnings == []
    assert added.line.usage == "3 × sehari 1 tablet sesudah makan"
    consult.status = Appointment.Status.SCHEDULED
    consult.save(update_fields=["status"])
    with pytest.raises(ValidationError):
        prescribe(consult, drug, 5)


def test_the_doctor_is_warned_not_blocked_of_an_allergy_and_of_short_stock(consult):
    MedicalRecordFactory(
        patient=consult.patient,
        appointment__patient=consult.patient,
        allergies="Alergi amoxicillin (ruam)",
    )
    drug = DrugFactory(name="Amoxsan", generic_name="Amoxicillin")
    stock(drug, 5)
    added = prescribe(consult, drug, 15)
    assert len(added.warnings) == 2
    assert "Amoxsan" in added.warnings[0] and "amoxicillin" in added.warnings[0]
    assert "5" in added.warnings[1] and "15" in added.warnings[1]
    assert added.line.pk  # written all the same


def test_a_compound_is_one_line_of_several_drugs(consult):
    paracetamol, ctm = DrugFactory(), DrugFactory()
    added = services.compound_line_add(
        appointment=consult,
        data={**USE, "quantity": 10, "compound_name": "Puyer batuk", "compound_form": "powder"},
        ingredients=[(paracetamol, 5), (ctm, 2)],
    )
    assert added.line.is_compound and added.line.ingredients.count() == 2
    assert len(added.warnings) == 2  # neither is in stock
    with pytest.raises(ValidationError):
        services.compound_line_add(
            appointment=consult,
            data={**USE, "quantity": 10, "compound_name": "X", "compound_form": "powder"},
            ingredients=[],
        )


def test_completing_the_visit_sends_the_prescription_in_the_order_written(consult, doctor_user):
    drug = DrugFactory()
    prescribe(consult, drug, 1)
    assert Prescription.objects.get().status == Prescription.Status.DRAFT
    appointment_complete(appointment=consult, by=doctor_user)
    prescription = Prescription.objects.get()
    assert prescription.status == Prescription.Status.OPEN and prescription.written_at is not None
    with pytest.raises(ValidationError):  # sent: no longer changed
        prescribe(consult, drug, 1)


# --- dispensing ----------------------------------------------------------------------------------


def test_dispensing_takes_the_earliest_expiry_first_and_never_an_expired_batch(consult):
    drug = DrugFactory(price=Decimal("700"))
    later = batch_of(drug, on_hand=10, days=300, number="LATE")
    sooner = batch_of(drug, on_hand=4, days=30, number="SOON")
    expired = batch_of(drug, on_hand=50, days=-1, number="OLD")
    line = prescribe(consult, drug, 10).line
    prescription = sent(consult)
    services.dispense(prescription=prescription, quantities={line.pk: 10}, by=None)
    for batch in (later, sooner, expired):
        batch.refresh_from_db()
    assert (sooner.on_hand, later.on_hand, expired.on_hand) == (0, 4, 50)
    moves = StockMove.objects.filter(kind="dispense").order_by("id")
    assert [(m.batch.batch_number, m.quantity) for m in moves] == [("SOON", -4), ("LATE", -6)]


def test_short_stock_dispenses_what_there_is_and_the_rest_stays_open(consult, doctor_user):
    drug = DrugFactory()
    stock(drug, 6)
    line = prescribe(consult, drug, 10).line
    appointment_complete(appointment=consult, by=doctor_user)
    prescription = Prescription.objects.get()
    [result] = services.dispense(prescription=prescription, quantities={line.pk: 10}, by=None)
    assert (result.quantity, result.short) == (6, True)
    prescription.refresh_from_db()
    line.refresh_from_db()
    assert prescription.status == Prescription.Status.PARTIAL and line.remaining == 4
    with pytest.raises(ValidationError):  # nothing left in stock
        services.dispense(prescription=prescription, quantities={line.pk: 4}, by=None)
    stock(drug, 10)
    services.dispense(prescription=prescription, quantities={line.pk: 4}, by=None)
    prescription.refresh_from_db()
    assert prescription.status == Prescription.Status.DISPENSED
    with pytest.raises(ValidationError):
        services.dispense(prescription=prescription, quantities={line.pk: 1}, by=None)


def test_a_compound_takes_each_of_its_drugs_or_nothing(consult):
    a, b = DrugFactory(price=Decimal("100")), DrugFactory(price=Decimal("250"))
    stock(a, 10)
    batch_b = stock(b, 1)
    line = services.compound_line_add(
        appointment=consult,
        data={**USE, "quantity": 10, "compound_name": "Puyer", "compound_form": "powder"},
        ingredients=[(a, 5), (b, 2)],
    ).line
    prescription = sent(consult)
    with pytest.raises(ValidationError):
        services.dispense(prescription=prescription, quantities={line.pk: 10}, by=None)
    assert StockMove.objects.filter(kind="dispense").count() == 0
    services.stock_receive(
        drug=b,
        batch_number=batch_b.batch_number,
        expiry_date=batch_b.expiry_date,
        quantity=5,
        purchase_price=Decimal("1"),
        supplier="PT",
        by=None,
    )
    services.dispense(prescription=prescription, quantities={line.pk: 10}, by=None)
    items = list(BillItem.objects.order_by("id").values_list("quantity", "unit_price"))
    assert items == [(5, Decimal("100.00")), (2, Decimal("250.00"))]


def test_the_bill_and_its_dispensed_lines_agree_before_and_after_it_is_issued(consult, doctor_user):
    drug = DrugFactory(price=Decimal("1500"))
    stock(drug, 100)
    line = prescribe(consult, drug, 10).line
    appointment_complete(appointment=consult, by=doctor_user)  # the bill: services only
    bill = Billing.objects.get(appointment=consult)
    services_total = bill.total_amount
    payment_record(bill=bill, amount=services_total, method="Cash", received_by=None)
    prescription = Prescription.objects.get()
    services.dispense(prescription=prescription, quantities={line.pk: 4}, by=None)
    bill.refresh_from_db()
    assert bill.total_amount == services_total + Decimal("6000")
    assert bill.status == Billing.Status.PARTIALLY_PAID  # paid for the services, not yet the drugs
    drug.price = Decimal("9999")  # a later price change leaves the line as it was charged
    drug.save()
    services.dispense(prescription=prescription, quantities={line.pk: 6}, by=None)
    bill.refresh_from_db()
    items = BillItem.objects.filter(appointment=consult)
    assert sum(i.line_total for i in items) == bill.total_amount - services_total
    assert [i.unit_price for i in items] == [Decimal("1500.00"), Decimal("9999.00")]


def test_a_void_bill_takes_no_drugs(consult, doctor_user):
    from billing.services import bill_void

    drug = DrugFactory()
    stock(drug, 10)
    line = prescribe(consult, drug, 2).line
    appointment_complete(appointment=consult, by=doctor_user)
    bill_void(bill=Billing.objects.get(appointment=consult), by=None)
    with pytest.raises(ValidationError):
        services.dispense(prescription=Prescription.objects.get(), quantities={line.pk: 2}, by=None)
    assert StockMove.objects.filter(kind="dispense").count() == 0


# --- the stock -----------------------------------------------------------------------------------


def test_receiving_counting_and_removing_keep_on_hand_equal_to_the_ledger(pharmacist):
    drug = DrugFactory()
    batch = stock(drug, 20, by=pharmacist)
    services.stock_count(batch=batch, counted=18, reason="Opname Desember: 2 pecah", by=pharmacist)
    assert services.stock_count(batch=batch, counted=18, reason="sama", by=pharmacist) is None
    services.stock_remove(batch=batch, quantity=3, kind=StockMove.Kind.RETURN, reason="Retur", by=pharmacist)
    with pytest.raises(ValidationError):
        services.stock_remove(batch=batch, quantity=99, kind=StockMove.Kind.WRITE_OFF, reason="x", by=pharmacist)
    with pytest.raises(ValidationError):
        services.stock_count(batch=batch, counted=5, reason="", by=pharmacist)
    batch.refresh_from_db()
    assert batch.on_hand == 15 == ledger_sum(batch)


def test_an_expired_batch_cannot_be_received():
    with pytest.raises(ValidationError):
        stock(DrugFactory(), 10, days=0)


def test_the_ledger_is_never_changed_nor_deleted():
    batch = stock(DrugFactory(), 5)
    move = StockMove.objects.get(batch=batch)
    move.quantity = 500
    with pytest.raises(PermissionError):
        move.save()
    with pytest.raises(PermissionError):
        move.delete()
    with pytest.raises(PermissionError):
        StockMove.objects.filter(pk=move.pk).update(quantity=1)
    with pytest.raises(PermissionError):
        StockMove.objects.all().delete()
    assert StockMove.objects.get().quantity == 5


def test_on_hand_never_goes_below_zero_in_the_database():
    # The CHECK constraint (PostgreSQL, SQLite); MariaDB's unsigned column refuses it first.
    batch = batch_of(DrugFactory(), on_hand=1)
    with pytest.raises((IntegrityError, DataError)), transaction.atomic():
        Batch.objects.filter(pk=batch.pk).update(on_hand=-1)


def test_a_kfa_code_is_validated():
    drug = DrugFactory.build(kfa_code="ABC")
    with pytest.raises(ValidationError) as error:
        drug.full_clean()
    assert "kfa_code" in error.value.error_dict
    DrugFactory.build(kfa_code="93000312").full_clean()


def test_available_leaves_out_expired_batches():
    drug = DrugFactory()
    batch_of(drug, on_hand=3, days=10)
    batch_of(drug, on_hand=7, days=-10)
    assert services.available_of([drug.pk]) == {drug.pk: 3}
    assert timezone.localdate() + datetime.timedelta(days=10) > timezone.localdate()
