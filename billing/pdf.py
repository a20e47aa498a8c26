"""The receipt as a PDF, drawn by WeasyPrint from the same partial as the printable page."""

import re

from django.conf import settings
from django.contrib.staticfiles import finders
from django.template.loader import render_to_string

from billing import selectors
from billing.models import Billing

RECEIPT_CSS = "billing/receipt.css"


def receipt_context(*, bill: Billing) -> dict:
    """What the receipt shows; `bill` comes from `selectors.bill_with_details()`."""
    return {
        "bill": bill,
        "lines": selectors.bill_lines(bill=bill),
        "items": selectors.bill_items(bill=bill),
        "payments": list(bill.payments.all()),
        "CLINIC_NAME": settings.CLINIC_NAME,
        "CLINIC_ADDRESS": settings.CLINIC_ADDRESS,
        "CLINIC_PHONE": settings.CLINIC_PHONE,
        "CLINIC_NPWP": settings.CLINIC_NPWP,
        "CLINIC_CITY": settings.CLINIC_CITY,
    }


def receipt_html(*, bill: Billing, request=None) -> str:
    """The HTML WeasyPrint turns into the PDF (autoescaped like every template)."""
    return render_to_string("billing/receipt_pdf.html", receipt_context(bill=bill), request=request)


def receipt_pdf(*, bill: Billing, request=None) -> bytes:
    # Imported here: WeasyPrint loads Pango on import, which only the PDF view needs.
    import weasyprint

    base_url = request.build_absolute_uri("/") if request is not None else None
    css_path = finders.find(RECEIPT_CSS)
    stylesheets = [weasyprint.CSS(filename=css_path)] if css_path else []
    return weasyprint.HTML(string=receipt_html(bill=bill, request=request), base_url=base_url).write_pdf(
        stylesheets=stylesheets
    )


def receipt_filename(*, bill: Billing) -> str:
    """kuitansi-INV-202612-P0000001.pdf: only characters that are safe in a header."""
    return "kuitansi-" + re.sub(r"[^A-Za-z0-9._-]+", "-", bill.number).strip("-") + ".pdf"
