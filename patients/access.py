"""Which patients a signed-in user may open: fetched here, decided by accounts.policy."""

from accounts import policy
from patients.models import Patient


def get_patient_for(request, pk) -> Patient:
    """The patient, or 404 (NotInCare for a doctor's existing patient outside their care)."""
    return policy.patient_for(request, Patient.objects.all(), pk)
