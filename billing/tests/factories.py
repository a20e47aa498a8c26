import datetime
from decimal import Decimal

import factory
from django.utils import timezone

from billing.forms import payment_token_scope, void_token_scope
from billing.models import Billing, Insurance, Payment, PaymentMethod
from billing.summaries import billed_lines, outstanding, revenue
from core import summaries
from core.forms import submit_token_new
from patients.tests.factories import PatientFactory
from scheduling.models import Appointment
from scheduling.tests.factories import AppointmentFactory


class InsuranceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Insurance

    patient = factory.SubFactory(PatientFactory)
    kind = Insurance.Kind.BPJS
    provider_name = "BPJS Kesehatan"
    policy_number = factory.Sequence(lambda n: f"0001{n:09d}")
    valid_from = datetime.date(2026, 1, 1)
    valid_until = datetime.date(2026, 12, 31)


class BillingFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Billing

    appointment = factory.SubFactory(AppointmentFactory, status=Appointment.Status.COMPLETED)
    patient = factory.LazyAttribute(lambda o: o.appointment.patient)
    number = factory.Sequence(lambda n: f"INV-T-{n:06d}")
    total_amount = Decimal("300000")
    issued_at = factory.LazyFunction(timezone.now)

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        bill = super()._create(model_class, *args, **kwargs)
        # As bill_issue_for does: the open balance and the lines billed on its day of issue.
        summaries.apply({}, summaries.merge(outstanding(bill), billed_lines(bill)))
        return bill


class PaymentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Payment

    billing = factory.SubFactory(BillingFactory)
    amount = Decimal("100000")
    method = PaymentMethod.CASH
    paid_at = factory.LazyFunction(timezone.now)

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        payment = super()._create(model_class, *args, **kwargs)
        # The payment counts in its day's revenue, as payment_record's does; the bill is left as
        # the test built it (its balance is not touched, here or in the summary).
        summaries.apply({}, revenue(payment))
        return payment


def pay_token(bill) -> str:
    """A new one-time token of the bill's payment form, as the page renders it."""
    return submit_token_new(payment_token_scope(bill))


def void_data(bill) -> dict:
    """The void button's form data, with a new one-time token."""
    return {"submit_token": submit_token_new(void_token_scope(bill))}
