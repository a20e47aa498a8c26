"""Property tests of the money (issue 5): bill totals equal their lines after any edits, and any
sequence of payments leaves the bill consistent. Hypothesis draws the lines, edits, prices and
payments; every example runs in its own savepoint, rolled back at its end, so the examples do
not see each other. Runs on SQLite, MariaDB and PostgreSQL alike."""

import datetime
from decimal import ROUND_DOWN, Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from billing import services
from billing.models import Billing, Payment, PaymentMethod
from billing.tests.factories import BillingFactory
from patients.tests.factories import DoctorFactory, PatientFactory, WorkingHoursFactory
from scheduling import services as scheduling_services
from scheduling.models import AppointmentService
from scheduling.tests.factories import ServiceFactory

pytestmark = pytest.mark.django_db

MONDAY = datetime.date(2026, 12, 7)
CENT = Decimal("0.01")
PROPERTY_SETTINGS = settings(
    max_examples=50,
    deadline=None,
    database=None,  # no .hypothesis/ folder in the work tree
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)

# IDR prices up to Rp 10.000.000: whole rupiah, or with cents.
prices = st.one_of(
    st.integers(0, 10_000_000).map(Decimal),
    st.integers(0, 1_000_000_000).map(lambda cents: Decimal(cents) / 100),
)
quantities = st.integers(1, 20)
edits = st.lists(
    st.one_of(
        st.tuples(st.just("quantity"), st.integers(0, 99), quantities),
        st.tuples(st.just("add"), prices, quantities),
        st.tuples(st.just("remove"), st.integers(0, 99)),
        # The price list changes after the booking: the booked line keeps its price.
        st.tuples(st.just("reprice"), st.integers(0, 99), prices),
    ),
    max_size=8,
)


def rp(amount) -> str:
    """Rp 1.799.999.998,40 — whole rupiah without the cents."""
    return "Rp " + f"{amount:,.2f}".replace(",", " ").replace(".", ",").replace(" ", ".").removesuffix(",00")


class Counter:
    def __init__(self):
        self.examples = 0
        self.lines = 0
        self.edits = 0
        self.largest = Decimal("0")
        self.payments = 0
        self.accepted = 0
        self.statuses = {}


@pytest.fixture
def doctor():
    doctor = DoctorFactory()
    WorkingHoursFactory(
        doctor=doctor, weekday=MONDAY.weekday(), start_time=datetime.time(8), end_time=datetime.time(16)
    )
    return doctor


@pytest.fixture
def patient():
    return PatientFactory()


def test_it_bills_exactly_the_sum_of_the_lines_after_any_edits(doctor, patient, figures):  # noqa: F811
    seen = Counter()

    @PROPERTY_SETTINGS
    @given(booked=st.lists(st.tuples(prices, quantities), min_size=1, max_size=8), edits=edits)
    # The largest bill there can be (no cent lost in floating point on SQLite), and cents that
    # binary fractions cannot hold.
    @example(booked=[(Decimal("9999999.99"), 20)] * 8, edits=[("add", Decimal("10000000"), 20)])
    @example(
        booked=[(Decimal("0.10"), 3), (Decimal("0.20"), 7), (Decimal("1234567.89"), 17)],
        edits=[("quantity", 1, 19), ("reprice", 0, Decimal("0.30")), ("add", Decimal("0.01"), 1)],
    )
    @example(booked=[(Decimal("150000"), 1)], edits=[("remove", 0)])  # every line removed: Rp 0, paid
    def bill_matches_lines(booked, edits):
        with transaction.atomic():
            start = timezone.make_aware(datetime.datetime.combine(MONDAY, datetime.time(9)))
            services_booked = [(ServiceFactory(price=price), quantity) for price, quantity in booked]
            appointment = scheduling_services.appointment_book(
                patient=patient, doctor=doctor, start=start, services=services_booked, booked_by=None
            )
            # What the bill must say: (service, quantity, unit price) per line, kept in Python.
            expected = {service.pk: [service, quantity, service.price] for service, quantity in services_booked}
            for edit in edits:
                # Edits happen while the visit is open, the way the admin's inline makes them.
                pks = sorted(expected)
                if edit[0] == "add":
                    service = ServiceFactory(price=edit[1])
                    AppointmentService.objects.create(
                        appointment=appointment, service=service, quantity=edit[2], unit_price=service.price
                    )
                    expected[service.pk] = [service, edit[2], service.price]
                elif not pks:
                    continue
                elif edit[0] == "quantity":
                    pk = pks[edit[1] % len(pks)]
                    AppointmentService.objects.filter(appointment=appointment, service_id=pk).update(quantity=edit[2])
                    expected[pk][1] = edit[2]
                elif edit[0] == "remove":
                    pk = pks.pop(edit[1] % len(pks))
                    AppointmentService.objects.filter(appointment=appointment, service_id=pk).delete()
                    del expected[pk]
                else:  # reprice
                    service = expected[pks[edit[1] % len(pks)]][0]
                    service.price = edit[2]
                    service.save(update_fields=["price"])
            for step in (
                scheduling_services.appointment_check_in,
                scheduling_services.appointment_start_consultation,
                scheduling_services.appointment_complete,
            ):
                appointment = step(appointment=appointment, by=None)

            bill = Billing.objects.get(appointment=appointment)
            total = sum((quantity * unit_price for _service, quantity, unit_price in expected.values()), Decimal("0"))
            assert bill.total_amount == total
            assert bill.total_amount == sum(line.line_total for line in appointment.lines.all())
            assert bill.amount_paid == 0
            assert bill.status == (Billing.Status.UNPAID if total > 0 else Billing.Status.PAID)
            seen.examples += 1
            seen.lines += len(expected)
            seen.edits += len(edits)
            seen.largest = max(seen.largest, total)
            transaction.set_rollback(True)

    bill_matches_lines()
    figures(
        f"{seen.examples} examples: {seen.lines} lines billed after {seen.edits} edits, "
        f"largest bill {rp(seen.largest)}; every total equals the sum of quantity × unit price"
    )
    assert seen.examples > 0


# A payment asks for: a share of what is still owed, exactly the rest, the rest plus something
# (too much), or a fixed amount (zero, negative, three decimals, huge).
payment_requests = st.lists(
    st.one_of(
        st.tuples(st.just("share"), st.integers(1, 99)),
        st.tuples(st.just("rest")),
        st.tuples(st.just("over"), st.integers(1, 100_000_000).map(lambda cents: Decimal(cents) / 100)),
        st.tuples(
            st.just("fixed"),
            st.one_of(
                st.integers(-1_000_000, 100_000_000).map(lambda cents: Decimal(cents) / 100),
                st.integers(1, 10_000_000).map(lambda mills: Decimal(mills) / 1000),
                st.just(Decimal("1E+15")),
            ),
        ),
    ),
    max_size=10,
)


def expected_refusal(bill_status, balance, amount):
    """The service's answer by its rules, in their order: None when the payment is accepted."""
    if amount <= 0:
        return _("The amount must be more than zero.")
    if amount != amount.quantize(CENT):
        return _("The amount can have at most two decimals.")
    if bill_status == Billing.Status.PAID:
        return _("This bill is already paid in full.")
    if amount > balance:
        return _("The amount is more than what is owed (Rp %(balance)s).") % {
            "balance": f"{balance:,.0f}".replace(",", ".")
        }
    return None


def test_it_keeps_paid_equal_to_the_accepted_payments(figures):  # noqa: F811
    seen = Counter()

    @PROPERTY_SETTINGS
    @given(total=prices, requests=payment_requests)
    @example(total=Decimal("300000"), requests=[("share", 50), ("over", Decimal("0.01")), ("rest",), ("rest",)])
    @example(total=Decimal("0"), requests=[("fixed", Decimal("1000"))])
    @example(
        total=Decimal("10000000"),
        requests=[
            ("fixed", Decimal("0.005")),
            ("fixed", Decimal("-5")),
            ("fixed", Decimal("1E+15")),
            ("share", 99),
            ("rest",),
        ],
    )
    def payments_add_up(total, requests):
        with transaction.atomic():
            bill = BillingFactory(total_amount=total, status=Billing.status_for(total=total, paid=Decimal("0")))
            status, paid, accepted = bill.status, Decimal("0"), []
            for request in requests:
                balance = total - paid
                if request[0] == "share":
                    amount = (balance * request[1] / 100).quantize(CENT, rounding=ROUND_DOWN)
                elif request[0] == "rest":
                    amount = balance
                elif request[0] == "over":
                    amount = balance + request[1]
                else:
                    amount = request[1]
                refusal = expected_refusal(status, balance, amount)
                try:
                    payment = services.payment_record(
                        bill=bill, amount=amount, method=PaymentMethod.CASH, received_by=None
                    )
                except ValidationError as error:
                    assert error.messages == [refusal], (amount, balance)
                else:
                    assert refusal is None, (amount, balance)
                    accepted.append(payment)
                    paid += amount
                    status = Billing.status_for(total=total, paid=paid)
                bill.refresh_from_db()
                assert bill.amount_paid == paid <= bill.total_amount
                assert bill.status == status
            rows = list(Payment.objects.filter(billing=bill).order_by("pk"))
            assert [p.pk for p in rows] == [p.pk for p in accepted]
            assert sum((p.amount for p in rows), Decimal("0")) == bill.amount_paid
            assert bill.status == Billing.status_for(total=bill.total_amount, paid=bill.amount_paid)
            seen.examples += 1
            seen.payments += len(requests)
            seen.accepted += len(accepted)
            status_name = Billing.Status(bill.status).value
            seen.statuses[status_name] = seen.statuses.get(status_name, 0) + 1
            transaction.set_rollback(True)

    payments_add_up()
    figures(
        f"{seen.examples} bills, {seen.payments} payment attempts, {seen.accepted} accepted; "
        f"final statuses {dict(sorted(seen.statuses.items()))}; amount paid always equals the accepted "
        f"payments, never above the total"
    )
    assert seen.examples > 0
