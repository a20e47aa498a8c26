"""Who may open a visit (an appointment seen from the consultation room)."""

from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.shortcuts import get_object_or_404

from accounts.access import ADMIN, DOCTOR, doctor_of
from patients.access import emergency_access_of, valid_emergency_access
from scheduling.models import Appointment


def get_visit_for(request, appointment_pk: int, *, write: bool = False) -> Appointment:
    """The appointment, with its patient and doctor, if the user may see it (`write`: change it).

    A doctor sees and writes only their own appointments (someone else's answers 404, as if it
    did not exist), and reads, never writes, the visits of a patient for whom they opened an
    emergency access that is still valid; an admin reads every visit but writes none (403);
    anyone else gets 403."""
    user = request.user
    visits = Appointment.objects.select_related("patient", "doctor")
    if user.role == DOCTOR:
        doctor = doctor_of(user)
        if write:
            return get_object_or_404(visits, pk=appointment_pk, doctor=doctor)
        visit = get_object_or_404(
            visits.annotate(emergency=valid_emergency_access(user, "patient_id"))
            .filter(Q(doctor=doctor) | Q(emergency=True)),
            pk=appointment_pk,
        )
        if visit.doctor_id != doctor.pk:
            request.emergency_access = emergency_access_of(user, visit.patient_id)
        return visit
    if user.role == ADMIN and not write:
        return get_object_or_404(visits, pk=appointment_pk)
    raise PermissionDenied
