"""The dashboard's summary tables (clinic/summaries.py) always equal the raw aggregates.

A random sequence of registrations, deactivations, bills, payments and voids through the
services, at moments on both sides of midnight in Jakarta (17.00 UTC), must leave every summary
table equal to what `rebuild_all()` computes from the raw rows, and the dashboard's figures
equal to the aggregates it used to run over payments, bills and patients."""

import datetime
from decimal import Decimal
from unittest import mock

import pytest
from django.core.management import call_command
from django.db import transaction
from django.db.models import Count, DecimalField, F, Q, Sum
from django.db.models.functions import TruncDate
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from billing import services as billing_services
from billing.models import Billing, Payment, PaymentMethod
from billing.tests.factories import BillingFactory, PaymentFactory
from clinic import selectors
from clinic.models import BilledServiceDaily, OutstandingDaily, RegistrationDaily, RevenueDaily
from clinic.summaries import CLINIC_TZ, rebuild_all
from patients import services as patient_services
from patients.models import Patient
from scheduling.models import Appointment, AppointmentService
from scheduling.tests.factories import AppointmentFactory, AppointmentServiceFactory, ServiceFactory

pytestmark = pytest.mark.django_db

MIDNIGHT_WIB = datetime.datetime(2026, 3, 9, 17, 0, tzinfo=datetime.UTC)  # 00.00 on the 10th in Jakarta
FIRST, LAST = datetime.date(2026, 3, 8), datetime.date(2026, 3, 12)
SUMMARIES = {
    RevenueDaily: ("day", "method"), BilledServiceDaily: ("day", "service_id"),
    OutstandingDaily: ("day",), RegistrationDaily: ("day",),
}


def snapshot() -> dict:
    """Every summary row that is not all zeros, as plain values."""
    result = {}
    for model, key in SUMMARIES.items():
        counters = [f.attname for f in model._meta.concrete_fields if f.attname not in (*key, "id")]
        result[model.__name__] = {
            tuple(row[k] for k in key): tuple(row[c] for c in counters)
            for row in model.objects.values(*key, *counters) if any(row[c] for c in counters)}
    return result


def raw_figures(start: datetime.date, end: datetime.date) -> dict:
    """The dashboard's figures computed from the raw rows, as the selectors did before the
    summaries (Jakarta days by TruncDate in the database)."""
    low = datetime.datetime.combine(start, datetime.time.min, tzinfo=CLINIC_TZ)
    high = datetime.datetime.combine(end + datetime.timedelta(days=1), datetime.time.min, tzinfo=CLINIC_TZ)
    payments = Payment.objects.filter(paid_at__gte=low, paid_at__lt=high)
    per_day = {row["day"]: row["total"] for row in payments.annotate(day=TruncDate("paid_at", tzinfo=CLINIC_TZ))
               .values("day").annotate(total=Sum("amount")).order_by()}
    amount = Sum(F("quantity") * F("unit_price"), output_field=DecimalField(max_digits=16, decimal_places=2))
    unpaid = Billing.objects.filter(status__in=["unpaid", "partially_paid"]).aggregate(
        total=Sum(F("total_amount") - F("amount_paid")), count=Count("id"))
    return {
        "days": per_day,
        "methods": {row["method"]: (row["total"], row["count"]) for row in
                    payments.values("method").annotate(total=Sum("amount"), count=Count("id")).order_by()},
        "services": {row["service_id"]: (row["total"], row["quantity"]) for row in AppointmentService.objects
                     .filter(appointment__bill__issued_at__gte=low, appointment__bill__issued_at__lt=high)
                     .exclude(appointment__bill__status="void").values("service_id")
                     .annotate(total=amount, quantity=Sum("quantity")).order_by()},
        "patients": Patient.objects.aggregate(active=Count("id", filter=Q(is_active=True)),
                                              new=Count("id", filter=Q(created_at__gte=low, created_at__lt=high))),
        "unpaid": {"total": unpaid["total"] or Decimal(0), "count": unpaid["count"]},
    }


def summary_figures(start: datetime.date, end: datetime.date) -> dict:
    return {
        "days": {day: total for day, total in selectors.revenue_by_period(period="day", start=start, end=end)
                 if total},
        "methods": {row["method"]: (row["total"], row["count"])
                    for row in selectors.revenue_by_method(start=start, end=end)},
        "services": {row["service_id"]: (row["total"], row["quantity"])
                     for row in selectors.billed_by_service(start=start, end=end)},
        "patients": selectors.patient_counts(start=start, end=end),
        "unpaid": selectors.unpaid_summary(),
    }


class Clinic:
    """Applies one step of the random sequence through the services, at a chosen moment."""

    def __init__(self, admin):
        self.admin = admin
        self.services = [ServiceFactory(price=Decimal(price)) for price in ("150000", "75000.50", "0")]

    def register(self, n: int) -> None:
        patient_services.patient_register(data={
            "full_name": f"Pasien Acak {n}", "date_of_birth": datetime.date(1990, 1, 1 + n % 28), "gender": "F",
        }, by=self.admin, confirmed_not_duplicate=True)

    def deactivate(self, n: int) -> None:
        patients = list(Patient.objects.order_by("id"))
        if not patients:  # a sequence may start with this step
            return
        patient = patients[n % len(patients)]
        patient_services.patient_update(patient=patient, data={"is_active": not patient.is_active}, by=self.admin)

    def bill(self, n: int) -> None:
        appointment = AppointmentFactory(status=Appointment.Status.COMPLETED)
        for i in range(1 + n % 3):
            service = self.services[(n + i) % len(self.services)]
            AppointmentServiceFactory(appointment=appointment, service=service, quantity=1 + i,
                                      unit_price=service.price)
        billing_services.bill_issue_for(appointment=appointment)

    def _open_bill(self, n: int) -> Billing | None:
        bills = list(Billing.objects.filter(status__in=["unpaid", "partially_paid"]).order_by("id"))
        return bills[n % len(bills)] if bills else None

    def pay(self, n: int) -> None:
        bill = self._open_bill(n)
        if bill is not None:
            amount = bill.balance if n % 2 else max(Decimal("0.01"), (bill.balance / 3).quantize(Decimal("0.01")))
            methods = [PaymentMethod.CASH, PaymentMethod.TRANSFER, PaymentMethod.CREDIT_CARD]
            billing_services.payment_record(bill=bill, amount=amount, method=methods[n % 3], received_by=self.admin)

    def void(self, n: int) -> None:
        bill = self._open_bill(n)
        if bill is not None and not bill.payments.exists():
            billing_services.bill_void(bill=bill, by=self.admin)


STEPS = st.lists(st.tuples(st.sampled_from(["register", "deactivate", "bill", "pay", "void"]),
                           st.integers(0, 50), st.integers(-150, 150)), min_size=1, max_size=12)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                  HealthCheck.too_slow])
@given(steps=STEPS)
def test_it_keeps_the_summaries_equal_to_the_raw_aggregates(admin_user, steps):
    # Each example in a savepoint that is rolled back: the examples share the test's database,
    # and one that saw the rows of earlier ones could not be replayed when it fails.
    with transaction.atomic():
        clinic = Clinic(admin_user)
        for action, n, minutes in steps:
            moment = MIDNIGHT_WIB + datetime.timedelta(minutes=minutes)  # 21.30 to 02.30 in Jakarta
            with mock.patch("django.utils.timezone.now", return_value=moment):
                getattr(clinic, action)(n)
        assert summary_figures(FIRST, LAST) == raw_figures(FIRST, LAST)
        kept = snapshot()
        rebuild_all()
        assert snapshot() == kept
        transaction.set_rollback(True)


def test_it_follows_lines_added_after_the_bill_and_a_voided_bill(admin_user):
    """Lines saved after their bill count on the bill's day; voiding takes them out again."""
    bill = BillingFactory(issued_at=MIDNIGHT_WIB - datetime.timedelta(minutes=1))  # the 9th in Jakarta
    service = ServiceFactory()
    line = AppointmentServiceFactory(appointment=bill.appointment, service=service, quantity=2,
                                     unit_price=Decimal("1000"))
    row = BilledServiceDaily.objects.get(service=service)
    assert (row.day, row.amount, row.quantity, row.lines) == (datetime.date(2026, 3, 9), Decimal("2000"), 2, 1)
    line.quantity = 3
    line.save()
    assert BilledServiceDaily.objects.get(service=service).amount == Decimal("3000")
    billing_services.bill_void(bill=bill, by=admin_user)
    assert BilledServiceDaily.objects.get(service=service).lines == 0
    assert selectors.billed_by_service(start=FIRST, end=LAST) == []
    assert selectors.unpaid_summary() == {"total": Decimal(0), "count": 0}


def test_it_reads_a_deferred_row_again_before_it_changes():
    """A patient loaded with .only() still moves the active count by the right amount."""
    patient = Patient.objects.get(pk=patient_services.patient_register(data={
        "full_name": "Pasien Tunda", "date_of_birth": datetime.date(1990, 1, 1), "gender": "M"}, by=None).pk)
    deferred = Patient.objects.only("id", "full_name").get(pk=patient.pk)
    deferred.is_active = False
    deferred.save()
    assert RegistrationDaily.objects.aggregate(active=Sum("active"), registered=Sum("registered")) == {
        "active": 0, "registered": 1}


def test_it_recomputes_after_a_bulk_write_with_the_command():
    """QuerySet.update() bypasses the receivers; rebuild_summaries puts the figures right."""
    payment = PaymentFactory(amount=Decimal("5000"), paid_at=MIDNIGHT_WIB)
    Payment.objects.filter(pk=payment.pk).update(amount=Decimal("7000"))
    assert RevenueDaily.objects.get().amount == Decimal("5000")
    call_command("rebuild_summaries", stdout=open("/dev/null", "w"))  # noqa: SIM115
    assert RevenueDaily.objects.get().amount == Decimal("7000")
    assert OutstandingDaily.objects.get().amount == payment.billing.total_amount


def test_it_keeps_the_summaries_right_through_the_django_admin(client, admin_user):
    """The admin's add-payment form goes through payment_record, so the day's revenue follows."""
    bill = BillingFactory(total_amount=Decimal("300000"))
    client.force_login(admin_user)
    response = client.post(reverse("admin:billing_payment_add"), {
        "billing": bill.pk, "amount": "120000", "method": PaymentMethod.CASH, "reference": ""})
    assert response.status_code == 302, response.content[:2000]
    assert RevenueDaily.objects.get().amount == Decimal("120000")
    assert selectors.unpaid_summary() == {"total": Decimal("180000"), "count": 1}
    kept = snapshot()
    rebuild_all()
    assert snapshot() == kept
