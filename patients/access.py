"""Who may see which patient. Object views call these first; they answer 404 for the rest."""

from django.db.models import Exists, OuterRef, Q
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils import timezone

from accounts.access import FRONT_DESK
from accounts.models import EmergencyAccess
from billing.models import Insurance
from patients.models import Patient
from scheduling.models import Appointment


class NotInCare(Http404):
    """A doctor asked for an existing patient who is not in their care. Still a 404 (the IDOR
    rule); accounts.middleware_audit shows the page that offers emergency access instead."""

    def __init__(self, patient: Patient):
        super().__init__("Not in your care.")
        self.patient = patient


def in_care_of(user) -> Exists:
    """The patient (OuterRef "pk") has an appointment with the doctor of this user."""
    return Exists(Appointment.objects.filter(patient_id=OuterRef("pk"), doctor__user_id=user.pk,
                                             doctor__is_active=True))


def valid_emergency_access(user, patient_ref="pk") -> Exists:
    """The user holds an emergency access to the patient (OuterRef `patient_ref`) that has not expired."""
    return Exists(EmergencyAccess.objects.filter(doctor_id=user.pk, patient_id=OuterRef(patient_ref),
                                                 expires_at__gt=timezone.now()))


def emergency_access_of(user, patient_id: int) -> EmergencyAccess | None:
    return (EmergencyAccess.objects.filter(doctor_id=user.pk, patient_id=patient_id, expires_at__gt=timezone.now())
            .order_by("-expires_at").first())


def get_patient_for(request, pk) -> Patient:
    """Admin and Receptionist: any patient. Doctor: only patients in their care, i.e. with
    any appointment with that doctor, or for whom they opened an emergency access that is still
    valid (read only; the request is then marked so its audit rows say so). Everyone else: 404."""
    user = request.user
    if user.role in FRONT_DESK:
        return get_object_or_404(Patient, pk=pk)
    if user.is_doctor:
        try:
            patient = (Patient.objects.annotate(in_care=in_care_of(user), emergency=valid_emergency_access(user))
                       .filter(Q(in_care=True) | Q(emergency=True)).get(pk=pk))
        except (Patient.DoesNotExist, ValueError, TypeError):
            existing = Patient.objects.filter(pk=pk).first() if str(pk).isdigit() else None
            if existing is not None:
                raise NotInCare(existing) from None
            raise Http404 from None
        if not patient.in_care:
            request.emergency_access = emergency_access_of(user, patient.pk)
        return patient
    raise Http404


def get_insurance_for(request, pk) -> Insurance:
    """Insurance policies are kept by the front desk only."""
    if request.user.role not in FRONT_DESK:
        raise Http404
    return get_object_or_404(Insurance.objects.select_related("patient"), pk=pk)
