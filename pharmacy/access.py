"""Which prescriptions and batches a user may open: fetched here, decided by accounts.policy."""

from accounts import policy
from pharmacy import selectors
from pharmacy.models import Batch, Drug, Prescription


def get_prescription_for(request, pk: int) -> Prescription:
    return policy.prescription_for(request, selectors.prescriptions_with_lines(), pk)


def get_batch_for(request, pk: int) -> Batch:
    return policy.stock_item_for(request, Batch.objects.select_related("drug"), pk)


def get_drug_for(request, pk: int) -> Drug:
    return policy.stock_item_for(request, Drug.objects.all(), pk)
