"""The receipt (kuitansi): its number series, the amount in words and the clinic's details."""

import datetime
from decimal import Decimal

import pytest
import time_machine
from django.utils import translation

from billing import pdf, selectors, services
from billing.models import Billing, PaymentMethod
from billing.tests.factories import BillingFactory
from core import display

pytestmark = pytest.mark.django_db


def pay(bill, amount):
    return services.payment_record(bill=bill, amount=Decimal(amount), method=PaymentMethod.CASH, received_by=None)


def test_a_bill_gets_its_receipt_number_when_paid_in_full_and_keeps_it():
    first, second = BillingFactory(total_amount=Decimal("150000")), BillingFactory(total_amount=Decimal("80000"))
    pay(first, "50000")
    first.refresh_from_db()
    assert first.receipt_number is None  # partly paid: no receipt number yet
    pay(second, "80000")
    pay(first, "100000")
    first.refresh_from_db()
    second.refresh_from_db()
    year = datetime.date.today().year
    assert second.receipt_number == f"KW-{year}-000001"
    assert first.receipt_number == f"KW-{year}-000002"


def test_the_series_starts_again_each_year():
    with time_machine.travel(datetime.datetime(2026, 12, 31, 10, 0, tzinfo=datetime.UTC), tick=False):
        pay(BillingFactory(total_amount=Decimal("1000")), "1000")
    with time_machine.travel(datetime.datetime(2027, 1, 2, 10, 0, tzinfo=datetime.UTC), tick=False):
        bill = BillingFactory(total_amount=Decimal("1000"))
        pay(bill, "1000")
    assert Billing.objects.get(pk=bill.pk).receipt_number == "KW-2027-000001"


def test_a_refused_payment_takes_no_number():
    bill = BillingFactory(total_amount=Decimal("1000"))
    with pytest.raises(Exception):  # noqa: B017 - any refusal
        pay(bill, "2000")
    pay(bill, "1000")
    bill.refresh_from_db()
    assert bill.receipt_number.endswith("-000001")


@pytest.mark.parametrize(
    ("amount", "lang", "words"),
    [
        (Decimal("105000"), "id", "Seratus lima ribu rupiah"),
        (Decimal("1250750.00"), "id", "Satu juta dua ratus lima puluh ribu tujuh ratus lima puluh rupiah"),
        (0, "id", "Nol rupiah"),
        (Decimal("105000"), "en", "One hundred and five thousand rupiah"),
        (None, "id", ""),
    ],
)
def test_terbilang_writes_the_amount_in_words(amount, lang, words):
    with translation.override(lang):
        assert display.terbilang(amount) == words


def test_the_receipt_has_title_words_clinic_details_number_and_signature_line(settings):
    settings.CLINIC_PHONE = "(022) 420-1717"
    settings.CLINIC_NPWP = "01.234.567.8-901.000"
    bill = BillingFactory(total_amount=Decimal("105000"))
    pay(bill, "105000")
    bill = selectors.bill_with_details().get(pk=bill.pk)
    with translation.override("id"):
        html = pdf.receipt_html(bill=bill)
    for text in (
        "<h1>Kuitansi</h1>",
        "Seratus lima ribu rupiah",
        "Terbilang",
        "(022) 420-1717",
        "NPWP 01.234.567.8-901.000",
        bill.receipt_number,
        "Diterima oleh",
        "tanda tangan dan cap",
    ):
        assert text in html, text
