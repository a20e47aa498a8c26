"""The stock under real concurrent requests (issue 16): twenty pharmacists dispensing from one
batch of ten units at once take exactly ten, never below zero; a dispense and a stock count at
once leave the ledger and the on-hand in agreement. Real threads, so MariaDB and PostgreSQL only
(SQLite serialises all writes)."""

import threading

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.db.models import Sum
from django.utils.translation import gettext as _

from billing.models import BillItem
from pharmacy import services
from pharmacy.models import Batch, Prescription, PrescriptionLine, StockMove
from pharmacy.tests.factories import DrugFactory, stock
from scheduling.models import Appointment
from scheduling.tests.factories import AppointmentFactory, AppointmentServiceFactory

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor == "sqlite",
        reason="SQLite serialises all writes; this runs on MariaDB and PostgreSQL in .ci/run",
    ),
]

PHARMACISTS = 20
USE = {"times_per_day": 1, "dose": "1 tablet", "timing": "after", "route": "oral"}


def open_prescription(drug, quantity) -> PrescriptionLine:
    appointment = AppointmentFactory(status=Appointment.Status.IN_CONSULTATION)
    AppointmentServiceFactory(appointment=appointment)
    line = services.prescription_line_add(appointment=appointment, drug=drug, data={**USE, "quantity": quantity}).line
    services.prescription_send(appointment=appointment)
    return line


def together(calls):
    """Runs each call in its own thread, released at once; ("ok", result) or ("error", exc)."""
    barrier = threading.Barrier(len(calls))
    outcomes = [None] * len(calls)

    def worker(index, call):
        try:
            barrier.wait(timeout=30)
            outcomes[index] = ("ok", call())
        except BaseException as error:  # noqa: BLE001 - every outcome is inspected by the test
            outcomes[index] = ("error", error)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker, args=(i, call)) for i, call in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not any(thread.is_alive() for thread in threads), "a thread hung (lock wait?)"
    return outcomes


def test_twenty_pharmacists_take_exactly_the_ten_units_of_a_batch(figures):
    drug = DrugFactory()
    batch = stock(drug, 10)
    lines = [open_prescription(drug, 1) for _ in range(PHARMACISTS)]

    def dispense(line):
        return lambda: services.dispense(
            prescription=Prescription.objects.get(pk=line.prescription_id), quantities={line.pk: 1}, by=None
        )

    outcomes = together([dispense(line) for line in lines])
    errors = [o[1] for o in outcomes if o[0] == "error"]
    served = [o for o in outcomes if o[0] == "ok"]
    figures(f"{len(served)} dispensed, {len(errors)} refused")
    assert len(served) == 10
    out_of_stock = _("Nothing could be dispensed: these drugs are out of stock.")
    assert all(isinstance(e, ValidationError) and e.messages == [out_of_stock] for e in errors), errors
    batch.refresh_from_db()
    assert batch.on_hand == 0
    assert StockMove.objects.filter(batch=batch).aggregate(s=Sum("quantity"))["s"] == 0
    assert StockMove.objects.filter(batch=batch, kind="dispense").count() == 10
    assert BillItem.objects.count() == 10
    assert PrescriptionLine.objects.filter(quantity_dispensed=1).count() == 10


def test_a_dispense_and_a_count_at_once_leave_the_ledger_consistent(figures):
    drug = DrugFactory()
    batch = stock(drug, 30)
    lines = [open_prescription(drug, 2) for _ in range(5)]
    calls = [
        (
            lambda line=line: services.dispense(
                prescription=Prescription.objects.get(pk=line.prescription_id), quantities={line.pk: 2}, by=None
            )
        )
        for line in lines
    ]
    calls.append(
        lambda: services.stock_count(batch=Batch.objects.get(pk=batch.pk), counted=25, reason="Opname", by=None)
    )
    outcomes = together(calls)
    assert all(kind == "ok" for kind, _result in outcomes), outcomes
    batch.refresh_from_db()
    total = StockMove.objects.filter(batch=batch).aggregate(s=Sum("quantity"))["s"]
    figures(f"on hand {batch.on_hand}, ledger {total}")
    assert batch.on_hand == total >= 0


@pytest.mark.parametrize("clicks", [2, 4])
def test_a_dispensing_form_sent_at_once_several_times_dispenses_once(clicks):
    from core.forms import submit_token_key
    from pharmacy.forms import dispense_token_scope
    from pharmacy.models import Dispense
    from pharmacy.tests.factories import dispense_token

    drug = DrugFactory()
    stock(drug, 50)
    line = open_prescription(drug, 5)
    prescription = Prescription.objects.get(pk=line.prescription_id)
    key = submit_token_key(dispense_token(prescription), dispense_token_scope(prescription))

    def send():
        return services.dispense_once(key=key, prescription=prescription, quantities={line.pk: 2}, by=None)

    outcomes = together([send] * clicks)
    assert all(kind == "ok" for kind, _result in outcomes), outcomes
    assert sum(result is not None for _kind, result in outcomes) == 1  # the others saw the first
    line.refresh_from_db()
    assert line.quantity_dispensed == 2
    assert Dispense.objects.count() == 1 and BillItem.objects.count() == 1
