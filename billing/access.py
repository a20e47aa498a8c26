"""Which bills and insurance policies a user may open: fetched here, decided by accounts.policy."""

from accounts import policy
from billing import selectors
from billing.models import Billing, Insurance


def get_bill_for(request, pk: int) -> Billing:
    """The bill with its lines and payments; 403 for a role without billing, 404 when it does not exist."""
    return policy.bill_for(request, selectors.bill_with_details(), pk)


def get_insurance_for(request, pk) -> Insurance:
    """The insurance policy with its patient; 403 for a role without billing, 404 when it does not exist."""
    return policy.insurance_for(request, Insurance.objects.select_related("patient"), pk)
