"""Which appointments a signed-in user may open. Views are role-gated first (accounts.access);
this answers 404 for an appointment that is not the user's business."""

from django.http import Http404
from django.utils.translation import gettext as _

from accounts.access import FRONT_DESK
from scheduling.models import Appointment
from scheduling.selectors import appointment_detail_queryset


def get_appointment_for(request, pk) -> Appointment:
    """Admin and Receptionist: any appointment. Doctor: only their own. Anyone else: none."""
    user = request.user
    queryset = appointment_detail_queryset()
    if user.role in FRONT_DESK:
        pass
    elif user.is_doctor:
        doctor = getattr(user, "doctor_profile", None)
        if doctor is None:
            raise Http404(_("No such appointment."))
        queryset = queryset.filter(doctor=doctor)
    else:
        raise Http404(_("No such appointment."))
    try:
        return queryset.get(pk=pk)
    except (Appointment.DoesNotExist, ValueError, TypeError):
        raise Http404(_("No such appointment.")) from None
