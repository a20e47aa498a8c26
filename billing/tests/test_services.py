import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from billing import services
from billing.models import Billing, Payment, PaymentMethod
from billing.tests.factories import BillingFactory, InsuranceFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def bill():
    return BillingFactory(total_amount=Decimal("300000"))


def pay(bill, amount, method=PaymentMethod.CASH, **kwargs):
    return services.payment_record(bill=bill, amount=Decimal(amount), method=method, received_by=None, **kwargs)


class TestPayments:
    def test_it_goes_from_unpaid_to_partially_paid_to_paid(self, bill):
        pay(bill, "100000")
        bill.refresh_from_db()
        assert (bill.amount_paid, bill.status, bill.balance) == (Decimal("100000"), "partially_paid", Decimal("200000"))

        pay(bill, "200000", PaymentMethod.TRANSFER)
        bill.refresh_from_db()
        assert (bill.amount_paid, bill.status, bill.payment_method) == (Decimal("300000"), "paid", "Transfer")

    def test_it_takes_a_full_payment_at_once(self, bill):
        pay(bill, "300000", PaymentMethod.CREDIT_CARD)
        bill.refresh_from_db()
        assert bill.status == Billing.Status.PAID

    @pytest.mark.parametrize("amount", ["300000.01", "500000", "0", "-1", "0.001"])
    def test_it_refuses_an_excess_or_impossible_amount_and_changes_nothing(self, bill, amount):
        with pytest.raises(ValidationError):
            pay(bill, amount)
        bill.refresh_from_db()
        assert (bill.amount_paid, bill.status) == (0, Billing.Status.UNPAID)
        assert not Payment.objects.exists()

    def test_it_refuses_more_than_the_balance_after_a_partial_payment(self, bill):
        pay(bill, "250000")
        with pytest.raises(ValidationError, match="50.000"):
            pay(bill, "60000")
        bill.refresh_from_db()
        assert bill.amount_paid == Decimal("250000")

    def test_it_refuses_payments_on_paid_and_void_bills(self, bill):
        pay(bill, "300000")
        with pytest.raises(ValidationError):
            pay(bill, "1")
        other = BillingFactory()
        services.bill_void(bill=other, by=None)
        with pytest.raises(ValidationError):
            pay(other, "1")

    def test_it_accepts_insurance_valid_on_the_visit_date(self, bill):
        policy = InsuranceFactory(
            patient=bill.patient, valid_from=datetime.date(2026, 1, 1), valid_until=datetime.date(2026, 12, 31)
        )
        pay(bill, "300000", PaymentMethod.INSURANCE, insurance=policy)
        bill.refresh_from_db()
        assert (bill.status, bill.insurance) == ("paid", policy)

    @pytest.mark.parametrize(
        "policy_kwargs",
        [
            {"valid_until": datetime.date(2026, 11, 30)},  # expired before the 7 December visit
            {"is_active": False},
            {"patient": None},  # someone else's policy
        ],
    )
    def test_it_refuses_insurance_that_does_not_cover_the_visit(self, bill, policy_kwargs):
        kwargs = {"patient": bill.patient, **policy_kwargs}
        if kwargs["patient"] is None:
            del kwargs["patient"]
        policy = InsuranceFactory(valid_from=datetime.date(2026, 1, 1), **kwargs)
        with pytest.raises(ValidationError):
            pay(bill, "100000", PaymentMethod.INSURANCE, insurance=policy)
        assert not Payment.objects.exists()

    def test_it_refuses_an_insurance_payment_without_a_policy(self, bill):
        with pytest.raises(ValidationError):
            pay(bill, "100000", PaymentMethod.INSURANCE)


class TestVoid:
    def test_it_voids_a_bill_without_payments_and_keeps_it(self, bill):
        services.bill_void(bill=bill, by=None)
        bill.refresh_from_db()
        assert bill.status == Billing.Status.VOID

    def test_it_refuses_to_void_a_bill_with_payments(self, bill):
        pay(bill, "1000")
        with pytest.raises(ValidationError):
            services.bill_void(bill=bill, by=None)
