"""Who may see which bill. Invoices, payments and receipts are front-desk work (Admin, Receptionist)."""

from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404

from accounts.access import FRONT_DESK
from billing import selectors
from billing.models import Billing


def get_bill_for(request, pk: int) -> Billing:
    """The bill with its lines and payments; 403 for a role without billing, 404 when it does not exist.

    Views are already behind `role_required(*FRONT_DESK)`; the check here keeps the helper safe
    on its own."""
    user = request.user
    if not user.is_authenticated or user.role not in FRONT_DESK:
        raise PermissionDenied
    return get_object_or_404(selectors.bill_with_details(), pk=pk)
