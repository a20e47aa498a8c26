"""Who may see which patient. Object views call these first; they answer 404 for the rest."""

from django.db.models import Exists, OuterRef
from django.http import Http404
from django.shortcuts import get_object_or_404

from accounts.access import FRONT_DESK
from billing.models import Insurance
from patients.models import Patient
from scheduling.models import Appointment


def get_patient_for(request, pk) -> Patient:
    """Admin and Receptionist: any patient. Doctor: only patients in their care, i.e. with
    any appointment with that doctor. Everyone else: 404."""
    user = request.user
    if user.role in FRONT_DESK:
        return get_object_or_404(Patient, pk=pk)
    if user.is_doctor:
        in_care = Appointment.objects.filter(
            patient_id=OuterRef("pk"), doctor__user_id=user.pk, doctor__is_active=True
        )
        return get_object_or_404(Patient.objects.filter(Exists(in_care)), pk=pk)
    raise Http404


def get_insurance_for(request, pk) -> Insurance:
    """Insurance policies are kept by the front desk only."""
    if request.user.role not in FRONT_DESK:
        raise Http404
    return get_object_or_404(Insurance.objects.select_related("patient"), pk=pk)
