import datetime
from decimal import Decimal

import pytest
from django.db.models import ProtectedError

from billing.models import Billing, Insurance, Payment
from billing.tests.factories import BillingFactory, InsuranceFactory, PaymentFactory
from patients.tests.test_models import refuses

pytestmark = pytest.mark.django_db


class TestInsuranceConstraints:
    def test_it_refuses_a_policy_that_ends_before_it_starts(self):
        policy = InsuranceFactory()
        assert refuses(lambda: Insurance.objects.filter(pk=policy.pk).update(valid_until=datetime.date(2025, 1, 1)))

    def test_it_refuses_the_same_policy_number_twice_at_one_provider(self):
        policy = InsuranceFactory()
        assert refuses(lambda: InsuranceFactory(policy_number=policy.policy_number))

    def test_it_refuses_an_unknown_kind(self):
        policy = InsuranceFactory()
        assert refuses(lambda: Insurance.objects.filter(pk=policy.pk).update(kind="other"))

    def test_it_refuses_to_delete_a_patient_with_insurance(self):
        policy = InsuranceFactory()
        with pytest.raises(ProtectedError):
            policy.patient.delete()


class TestBillingConstraints:
    @pytest.mark.parametrize(
        "bad",
        [
            {"total_amount": Decimal("-1")},
            {"amount_paid": Decimal("-1"), "status": "void"},
            {"amount_paid": Decimal("300001"), "status": "void"},  # more paid than owed
            {"status": "paid"},  # nothing paid yet
            {"amount_paid": Decimal("100000")},  # still "unpaid" though money came in
            {"amount_paid": Decimal("300000"), "status": "partially_paid"},
            {"status": "refunded"},
        ],
    )
    def test_it_refuses_amounts_and_statuses_that_do_not_add_up(self, bad):
        bill = BillingFactory(total_amount=Decimal("300000"))
        assert refuses(lambda: Billing.objects.filter(pk=bill.pk).update(**bad))

    @pytest.mark.parametrize(
        ("paid", "status"),
        [
            (Decimal("0"), "unpaid"),
            (Decimal("1"), "partially_paid"),
            (Decimal("300000"), "paid"),
            (Decimal("5"), "void"),
        ],
    )
    def test_it_accepts_each_consistent_state(self, paid, status):
        bill = BillingFactory(total_amount=Decimal("300000"))
        assert Billing.objects.filter(pk=bill.pk).update(amount_paid=paid, status=status) == 1

    def test_it_refuses_a_second_bill_for_one_appointment(self):
        bill = BillingFactory()
        assert refuses(lambda: BillingFactory(appointment=bill.appointment))

    def test_it_refuses_a_duplicate_invoice_number(self):
        bill = BillingFactory()
        assert refuses(lambda: BillingFactory(number=bill.number))

    def test_it_refuses_to_delete_an_appointment_with_a_bill(self):
        bill = BillingFactory()
        with pytest.raises(ProtectedError):
            bill.appointment.delete()


class TestPaymentConstraints:
    @pytest.mark.parametrize(
        "bad", [{"amount": Decimal("0")}, {"amount": Decimal("-5")}, {"method": "Bitcoin"}, {"method": "Insurance"}]
    )  # an insurance payment needs its policy
    def test_it_refuses_impossible_payments(self, bad):
        payment = PaymentFactory()
        assert refuses(lambda: Payment.objects.filter(pk=payment.pk).update(**bad))

    def test_it_refuses_to_delete_a_bill_with_payments(self):
        payment = PaymentFactory()
        with pytest.raises(ProtectedError):
            payment.billing.delete()
        assert Payment.objects.filter(pk=payment.pk).exists()
