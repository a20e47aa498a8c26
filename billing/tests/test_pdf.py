import shutil
import subprocess
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import translation

from billing import pdf, selectors, services
from billing.models import PaymentMethod
from billing.tests.factories import BillingFactory
from scheduling.tests.factories import AppointmentServiceFactory, ServiceFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def bill():
    bill = BillingFactory(
        number="INV-202612-P0000042",
        total_amount=Decimal("300000"),
        appointment__patient__full_name="Siti <b>Rahayu</b>",
    )
    AppointmentServiceFactory(
        appointment=bill.appointment,
        service=ServiceFactory(code="KON01", name="Konsultasi dokter umum"),
        unit_price=Decimal("150000"),
    )
    AppointmentServiceFactory(
        appointment=bill.appointment,
        service=ServiceFactory(code="PRW02", name="Perawatan luka"),
        quantity=2,
        unit_price=Decimal("75000"),
    )
    services.payment_record(bill=bill, amount=Decimal("100000"), method=PaymentMethod.CASH, received_by=None)
    return selectors.bill_with_details().get(pk=bill.pk)


def test_it_renders_the_receipt_html_for_the_pdf(bill, settings):
    with translation.override("id"):  # outside a request the language is whatever ran last
        html = pdf.receipt_html(bill=bill)
    for text in (
        settings.CLINIC_NAME,
        settings.CLINIC_ADDRESS,
        "Kuitansi",
        bill.number,
        bill.patient.medical_record_number,
        bill.appointment.doctor.full_name,
        "KON01",
        "Konsultasi dokter umum",
        "PRW02",
        "Perawatan luka",
        "Rp 75.000",
        "Rp 150.000",
        "Rp 300.000",
        "Rp 100.000",
        "Rp 200.000",
    ):
        assert text in html, text
    assert "Siti &lt;b&gt;Rahayu&lt;/b&gt;" in html
    assert "<b>Rahayu</b>" not in html


def test_it_answers_a_pdf_inline_named_after_the_invoice(client, receptionist, bill):
    client.force_login(receptionist)
    response = client.get(reverse("billing:receipt_pdf", args=[bill.pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == 'inline; filename="kuitansi-INV-202612-P0000042.pdf"'
    assert response.content.startswith(b"%PDF")
    assert len(response.content) > 5000  # text and embedded fonts, not an empty page
    if shutil.which("pdftotext"):
        text = subprocess.run(
            ["pdftotext", "-", "-"], input=response.content, capture_output=True, check=True
        ).stdout.decode()
        assert "Konsultasi dokter umum" in text and "Rp 300.000" in text


def test_it_keeps_only_header_safe_characters_in_the_filename():
    bill = BillingFactory.build(number='INV "1"/2\r\n')
    assert pdf.receipt_filename(bill=bill) == "kuitansi-INV-1-2.pdf"
