"""Which visits (appointments seen from the consultation room) a user may open: fetched here,
decided by accounts.policy."""

from accounts import policy
from scheduling.models import Appointment


def get_visit_for(request, appointment_pk: int, *, write: bool = False) -> Appointment:
    """The appointment, with its patient and doctor, if the user may see it (`write`: change it)."""
    return policy.visit_for(
        request, Appointment.objects.select_related("patient", "doctor"), appointment_pk, write=write
    )
