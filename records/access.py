"""Who may open a visit (an appointment seen from the consultation room)."""

from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404

from accounts.access import ADMIN, DOCTOR, doctor_of
from scheduling.models import Appointment


def get_visit_for(request, appointment_pk: int, *, write: bool = False) -> Appointment:
    """The appointment, with its patient and doctor, if the user may see it (`write`: change it).

    A doctor sees and writes only their own appointments (someone else's answers 404, as if it
    did not exist); an admin reads every visit but writes none (403); anyone else gets 403."""
    user = request.user
    visits = Appointment.objects.select_related("patient", "doctor")
    if user.role == DOCTOR:
        return get_object_or_404(visits, pk=appointment_pk, doctor=doctor_of(user))
    if user.role == ADMIN and not write:
        return get_object_or_404(visits, pk=appointment_pk)
    raise PermissionDenied
