"""The daily summary tables (kept by the services of patients, scheduling and billing) always
equal the raw aggregates.

A random sequence of registrations, deactivations, bookings, check-ins, cancellations,
reschedules, bills, payments and voids through the services, at moments on both sides of
midnight in Jakarta (17.00 UTC), must leave every summary table equal to what `rebuild_all()`
computes from the raw rows after every step, and the dashboard's figures equal to the aggregates
it used to run over payments, bills and patients."""

import contextlib
import datetime
from decimal import Decimal
from unittest import mock

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.db import transaction
from django.db.models import Count, DecimalField, F, Q, Sum
from django.db.models.functions import TruncDate
from django.urls import reverse
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from billing import services as billing_services
from billing.admin import ADMIN_PAYMENT_TOKEN_SCOPE
from billing.models import BilledServiceDaily, Billing, OutstandingDaily, Payment, PaymentMethod, RevenueDaily
from billing.selectors import unpaid_summary
from billing.tests.factories import BillingFactory, PaymentFactory
from core.clock import clinic_timezone, range_bounds
from core.forms import submit_token_new
from patients import services as patient_services
from patients.models import Patient, RegistrationDaily
from patients.tests.factories import DoctorFactory, PatientFactory, WorkingHoursFactory
from reports import selectors
from reports.summaries import rebuild_all
from scheduling import selectors as scheduling_selectors
from scheduling import services as scheduling_services
from scheduling.models import Appointment, AppointmentDaily, AppointmentService
from scheduling.tests.factories import AppointmentFactory, AppointmentServiceFactory, ServiceFactory

pytestmark = pytest.mark.django_db

MIDNIGHT_WIB = datetime.datetime(2026, 3, 9, 17, 0, tzinfo=datetime.UTC)  # 00.00 on the 10th in Jakarta
FIRST, LAST = datetime.date(2026, 3, 8), datetime.date(2026, 3, 12)
SUMMARIES = {
    RevenueDaily: ("day", "method"),
    BilledServiceDaily: ("day", "service_id"),
    OutstandingDaily: ("day",),
    RegistrationDaily: ("day",),
    AppointmentDaily: ("day", "doctor_id", "status"),
}


def snapshot() -> dict:
    """Every summary row that is not all zeros, as plain values."""
    result = {}
    for model, key in SUMMARIES.items():
        counters = [f.attname for f in model._meta.concrete_fields if f.attname not in (*key, "id")]
        result[model.__name__] = {
            tuple(row[k] for k in key): tuple(row[c] for c in counters)
            for row in model.objects.values(*key, *counters)
            if any(row[c] for c in counters)
        }
    return result


def assert_summaries_equal_a_rebuild() -> None:
    """Every summary table holds what a rebuild from the raw rows gives (the rebuild is undone)."""
    kept = snapshot()
    with transaction.atomic():
        rebuild_all()
        rebuilt = snapshot()
        transaction.set_rollback(True)
    assert kept == rebuilt


def raw_figures(start: datetime.date, end: datetime.date) -> dict:
    """The dashboard's figures computed from the raw rows, as the selectors did before the
    summaries (Jakarta days by TruncDate in the database)."""
    low, high = range_bounds(start, end)
    payments = Payment.objects.filter(paid_at__gte=low, paid_at__lt=high)
    per_day = {
        row["day"]: row["total"]
        for row in payments.annotate(day=TruncDate("paid_at", tzinfo=clinic_timezone()))
        .values("day")
        .annotate(total=Sum("amount"))
        .order_by()
    }
    amount = Sum(F("quantity") * F("unit_price"), output_field=DecimalField(max_digits=16, decimal_places=2))
    unpaid = Billing.objects.filter(status__in=["unpaid", "partially_paid"]).aggregate(
        total=Sum(F("total_amount") - F("amount_paid")), count=Count("id")
    )
    return {
        "days": per_day,
        "methods": {
            row["method"]: (row["total"], row["count"])
            for row in payments.values("method").annotate(total=Sum("amount"), count=Count("id")).order_by()
        },
        "services": {
            row["service_id"]: (row["total"], row["quantity"])
            for row in AppointmentService.objects.filter(
                appointment__bill__issued_at__gte=low, appointment__bill__issued_at__lt=high
            )
            .exclude(appointment__bill__status="void")
            .values("service_id")
            .annotate(total=amount, quantity=Sum("quantity"))
            .order_by()
        },
        "patients": Patient.objects.aggregate(
            active=Count("id", filter=Q(is_active=True)),
            new=Count("id", filter=Q(created_at__gte=low, created_at__lt=high)),
        ),
        "unpaid": {"total": unpaid["total"] or Decimal(0), "count": unpaid["count"]},
        "appointments": {
            (row["day"], row["status"]): row["n"]
            for row in Appointment.objects.annotate(day=TruncDate("appointment_date", tzinfo=clinic_timezone()))
            .filter(day__gte=start, day__lte=end)
            .values("day", "status")
            .annotate(n=Count("id"))
            .order_by()
        },
    }


def summary_figures(start: datetime.date, end: datetime.date) -> dict:
    return {
        "days": {day: total for day, total in selectors.revenue_by_period(period="day", start=start, end=end) if total},
        "methods": {
            row["method"]: (row["total"], row["count"]) for row in selectors.revenue_by_method(start=start, end=end)
        },
        "services": {
            row["service_id"]: (row["total"], row["quantity"])
            for row in selectors.billed_by_service(start=start, end=end)
        },
        "patients": selectors.patient_counts(start=start, end=end),
        "unpaid": unpaid_summary(),
        "appointments": {
            (day, row["status"]): row["count"]
            for day in (start + datetime.timedelta(days=n) for n in range((end - start).days + 1))
            for row in scheduling_selectors.board_status_counts(day=day)
            if row["count"]
        },
    }


class Clinic:
    """Applies one step of the random sequence through the services, at a chosen moment."""

    def __init__(self, admin):
        self.admin = admin
        self.services = [ServiceFactory(price=Decimal(price)) for price in ("150000", "75000.50", "0")]
        # A doctor who works every day from midnight to 23.45, so that a booking can move a day.
        self.doctor = DoctorFactory()
        for weekday in range(7):
            WorkingHoursFactory(
                doctor=self.doctor, weekday=weekday, start_time=datetime.time(0), end_time=datetime.time(23, 45)
            )
        self.booked = 0

    def register(self, n: int) -> None:
        patient_services.patient_register(
            data={
                "full_name": f"Pasien Acak {n}",
                "date_of_birth": datetime.date(1990, 1, 1 + n % 28),
                "gender": "F",
            },
            by=self.admin,
            confirmed_not_duplicate=True,
        )

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
            AppointmentServiceFactory(
                appointment=appointment, service=service, quantity=1 + i, unit_price=service.price
            )
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

    def book(self, n: int) -> None:
        self.booked += 1  # a start of its own: the minutes and seconds differ from every other booking's
        start = timezone.now() + datetime.timedelta(minutes=15 * (n % 8 + self.booked), seconds=self.booked)
        with contextlib.suppress(ValidationError):  # outside the working hours near midnight
            scheduling_services.appointment_book(
                patient=PatientFactory(),
                doctor=self.doctor,
                start=start,
                services=[self.services[n % 2]],
                booked_by=self.admin,
            )

    def _appointment(self, n: int, *statuses) -> Appointment | None:
        appointments = list(Appointment.objects.filter(status__in=statuses).order_by("id"))
        return appointments[n % len(appointments)] if appointments else None

    def check_in(self, n: int) -> None:
        if appointment := self._appointment(n, Appointment.Status.SCHEDULED):
            scheduling_services.appointment_check_in(appointment=appointment, by=self.admin)

    def cancel(self, n: int) -> None:
        if appointment := self._appointment(n, Appointment.Status.SCHEDULED, Appointment.Status.CHECKED_IN):
            scheduling_services.appointment_cancel(appointment=appointment, by=self.admin)

    def reschedule(self, n: int) -> None:
        """A day later or earlier, by the same code path as the booking page's; a slot the
        service refuses (working hours, a clash) leaves everything as it was."""
        if appointment := self._appointment(n, Appointment.Status.SCHEDULED):
            days = datetime.timedelta(days=1 if n % 2 else -1)
            with contextlib.suppress(ValidationError):
                scheduling_services.appointment_reschedule(
                    appointment=appointment, start=appointment.appointment_date + days, by=self.admin
                )

    def void(self, n: int) -> None:
        bill = self._open_bill(n)
        if bill is not None and not bill.payments.exists():
            billing_services.bill_void(bill=bill, by=self.admin)


STEPS = st.lists(
    st.tuples(
        st.sampled_from(["register", "deactivate", "bill", "pay", "void", "book", "check_in", "cancel", "reschedule"]),
        st.integers(0, 50),
        st.integers(-150, 150),
    ),
    min_size=1,
    max_size=12,
)


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow]
)
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
            assert_summaries_equal_a_rebuild()
        assert summary_figures(FIRST, LAST) == raw_figures(FIRST, LAST)
        transaction.set_rollback(True)


def test_it_counts_a_bills_lines_on_its_day_of_issue_until_it_is_voided(admin_user):
    """Issuing counts the lines on the bill's day; voiding takes them and the balance out again."""
    appointment = AppointmentFactory(status=Appointment.Status.COMPLETED)
    service = ServiceFactory()
    AppointmentServiceFactory(appointment=appointment, service=service, quantity=2, unit_price=Decimal("1000"))
    with mock.patch("django.utils.timezone.now", return_value=MIDNIGHT_WIB - datetime.timedelta(minutes=1)):
        bill = billing_services.bill_issue_for(appointment=appointment)  # the 9th in Jakarta
    row = BilledServiceDaily.objects.get(service=service)
    assert (row.day, row.amount, row.quantity, row.lines) == (datetime.date(2026, 3, 9), Decimal("2000"), 2, 1)
    assert unpaid_summary() == {"total": Decimal("2000"), "count": 1}
    billing_services.bill_void(bill=bill, by=admin_user)
    assert BilledServiceDaily.objects.get(service=service).lines == 0
    assert selectors.billed_by_service(start=FIRST, end=LAST) == []
    assert unpaid_summary() == {"total": Decimal(0), "count": 0}
    assert_summaries_equal_a_rebuild()


def registrations() -> dict:
    return RegistrationDaily.objects.aggregate(active=Sum("active"), registered=Sum("registered"))


def test_it_counts_a_patient_off_the_register_through_update_and_deactivation():
    data = {"full_name": "Pasien Tunda", "date_of_birth": datetime.date(1990, 1, 1), "gender": "M"}
    first = patient_services.patient_register(data=data, by=None)
    second = patient_services.patient_register(data={**data, "full_name": "Pasien Kedua"}, by=None)
    assert registrations() == {"active": 2, "registered": 2}
    patient_services.patient_update(patient=first, data={"is_active": False}, by=None)
    assert registrations() == {"active": 1, "registered": 2}
    patient_services.patient_deactivate(patient=second, by=None)
    patient_services.patient_deactivate(patient=second, by=None)  # a second time changes nothing
    assert registrations() == {"active": 0, "registered": 2}
    patient_services.patient_update(patient=first, data={"is_active": True}, by=None)
    assert registrations() == {"active": 1, "registered": 2}
    assert_summaries_equal_a_rebuild()


def test_the_admins_patient_pages_go_through_the_services(client, admin_user):
    """Adding a patient, unticking "active" and the deactivate action all move the registrations."""
    client.force_login(admin_user)
    response = client.post(
        reverse("admin:patients_patient_add"),
        {
            "full_name": "Pasien Admin",
            "date_of_birth": "1990-01-01",
            "gender": "F",
            "blood_type": "",
            "nik": "",
            "phone": "",
            "email": "",
            "address": "",
            "emergency_contact_name": "",
            "emergency_contact_phone": "",
            "is_active": "on",
            "insurances-TOTAL_FORMS": "0",
            "insurances-INITIAL_FORMS": "0",
        },
    )
    assert response.status_code == 302, response.content[:3000]
    assert registrations() == {"active": 1, "registered": 1}
    patient = Patient.objects.get(full_name="Pasien Admin")
    client.post(
        reverse("admin:patients_patient_changelist"), {"action": "deactivate", "_selected_action": [patient.pk]}
    )
    assert registrations() == {"active": 0, "registered": 1}
    assert_summaries_equal_a_rebuild()


def test_it_recomputes_after_a_bulk_write_with_the_command():
    """QuerySet.update() bypasses the services; rebuild_summaries puts the figures right."""
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
    response = client.post(
        reverse("admin:billing_payment_add"),
        {
            "billing": bill.pk,
            "amount": "120000",
            "method": PaymentMethod.CASH,
            "reference": "",
            "submit_token": submit_token_new(ADMIN_PAYMENT_TOKEN_SCOPE),  # the form's one-time token
        },
    )
    assert response.status_code == 302, response.content[:2000]
    assert RevenueDaily.objects.get().amount == Decimal("120000")
    assert unpaid_summary() == {"total": Decimal("180000"), "count": 1}
    assert_summaries_equal_a_rebuild()


def test_the_days_appointment_counts_follow_each_change(admin_user):
    """Booking, check-in, a move to another day and a cancellation, each seen at once in the
    board's counts for the whole clinic (read from AppointmentDaily)."""
    clinic = Clinic(admin_user)
    ninth, tenth = datetime.date(2026, 3, 9), datetime.date(2026, 3, 10)
    late = AppointmentFactory(
        doctor=clinic.doctor,
        appointment_date=MIDNIGHT_WIB - datetime.timedelta(minutes=30),
        end_time=MIDNIGHT_WIB - datetime.timedelta(minutes=15),
    )  # 23.30 on the 9th
    early = AppointmentFactory(
        doctor=clinic.doctor,
        appointment_date=MIDNIGHT_WIB + datetime.timedelta(hours=1),
        end_time=MIDNIGHT_WIB + datetime.timedelta(hours=1, minutes=15),
    )  # 01.00 on the 10th

    def counts(day):
        return {
            row["status"]: row["count"] for row in scheduling_selectors.board_status_counts(day=day) if row["count"]
        }

    assert counts(ninth) == {"scheduled": 1} and counts(tenth) == {"scheduled": 1}
    scheduling_services.appointment_check_in(appointment=early, by=admin_user)
    assert counts(tenth) == {"checked_in": 1}
    scheduling_services.appointment_reschedule(
        appointment=late, start=late.appointment_date + datetime.timedelta(days=1), by=admin_user
    )
    assert counts(ninth) == {} and counts(tenth) == {"scheduled": 1, "checked_in": 1}
    scheduling_services.appointment_cancel(appointment=late, by=admin_user)
    assert counts(tenth) == {"cancelled": 1, "checked_in": 1}
    assert_summaries_equal_a_rebuild()
