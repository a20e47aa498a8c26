"""Hypothesis: after any sequence of receiving, dispensing, counting and removing, each batch's
on-hand equals its ledger summed, and never goes below zero."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db.models import Sum
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.extra.django import TestCase

from pharmacy import services
from pharmacy.models import Batch, StockMove
from pharmacy.tests.factories import DrugFactory
from scheduling.models import Appointment
from scheduling.tests.factories import AppointmentFactory

USE = {"times_per_day": 1, "dose": "1 tablet", "timing": "after", "route": "oral"}

operation = st.one_of(
    st.tuples(st.just("receive"), st.integers(0, 2), st.integers(1, 30)),
    st.tuples(st.just("dispense"), st.integers(0, 2), st.integers(1, 40)),
    st.tuples(st.just("count"), st.integers(0, 2), st.integers(0, 40)),
    st.tuples(st.just("remove"), st.integers(0, 2), st.integers(1, 20)),
)


class LedgerProperties(TestCase):
    @settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
    @given(st.lists(operation, min_size=1, max_size=12))
    def test_on_hand_is_the_ledger_summed(self, operations):
        drug = DrugFactory()
        expiry = timezone.localdate() + datetime.timedelta(days=200)
        for kind, batch_index, quantity in operations:
            number = f"H{batch_index}"
            batch = Batch.objects.filter(drug=drug, batch_number=number).first()
            try:
                if kind == "receive":
                    services.stock_receive(
                        drug=drug,
                        batch_number=number,
                        expiry_date=expiry + datetime.timedelta(days=batch_index),
                        quantity=quantity,
                        purchase_price=Decimal("1"),
                        supplier="PT",
                        by=None,
                    )
                elif kind == "dispense":
                    appointment = AppointmentFactory(status=Appointment.Status.IN_CONSULTATION)
                    line = services.prescription_line_add(
                        appointment=appointment, drug=drug, data={**USE, "quantity": quantity}
                    ).line
                    prescription = services.prescription_send(appointment=appointment)
                    services.dispense(prescription=prescription, quantities={line.pk: quantity}, by=None)
                elif batch is not None and kind == "count":
                    services.stock_count(batch=batch, counted=quantity, reason="opname", by=None)
                elif batch is not None:
                    services.stock_remove(batch=batch, quantity=quantity, kind="write_off", reason="rusak", by=None)
            except ValidationError:
                pass  # refused (nothing in stock, more than on hand): nothing may have changed
            for each in Batch.objects.filter(drug=drug):
                ledger = StockMove.objects.filter(batch=each).aggregate(s=Sum("quantity"))["s"] or 0
                assert each.on_hand == ledger >= 0


pytestmark = pytest.mark.django_db
