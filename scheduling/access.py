"""Which appointments a signed-in user may open: fetched here, decided by accounts.policy."""

from accounts import policy
from scheduling.models import Appointment
from scheduling.selectors import appointment_detail_queryset


def get_appointment_for(request, pk) -> Appointment:
    """The appointment with what its page shows; 404 for one that is not the user's business."""
    return policy.appointment_for(request, appointment_detail_queryset(), pk)
