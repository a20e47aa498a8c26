"""The admins' view of the audit log (search, a patient's access report, emergency accesses),
the doctors' emergency access form, and the 403 page that logs the refusal."""

import logging

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db import DatabaseError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from accounts import audit, selectors_audit
from accounts.access import ADMIN, DOCTOR, doctor_of, role_required
from accounts.emergency import emergency_access_duration, emergency_access_open
from accounts.forms_audit import AuditSearchForm, EmergencyAccessForm, PeriodForm
from patients.access import emergency_access_of
from patients.models import Patient
from scheduling.models import Appointment

logger = logging.getLogger(__name__)
PAGE_SIZE = 50


def permission_denied(request, exception=None):
    """handler403: the refusal goes into the audit log, then a translated page."""
    try:
        audit.audit_write(action=audit.Action.DENIED, request=request, object_type="url",
                          what=f"{request.method} {request.path}")
    except DatabaseError:
        logger.exception("Could not write the audit row of a denied request.")
    return render(request, "403.html", status=403)


@role_required(ADMIN)
@require_GET
def audit_search(request):
    form = AuditSearchForm(request.GET or None)
    filters = form.cleaned_data if form.is_bound and form.is_valid() else {}
    rows = selectors_audit.audit_search(**{k: v for k, v in filters.items() if v})
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(request, "accounts/audit_search.html", {
        "form": form, "page": page, "query": query.urlencode(),
        "rows": [(row, selectors_audit.changed_fields(row)) for row in page.object_list],
    })


@role_required(ADMIN)
@require_GET
def audit_patient(request, pk):
    patient = get_object_or_404(Patient, pk=pk)
    form = PeriodForm(request.GET or None)
    period = form.cleaned_data if form.is_bound and form.is_valid() else {}
    rows = selectors_audit.patient_access_report(patient=patient, date_from=period.get("date_from"),
                                                 date_to=period.get("date_to"))
    audit.audit_read(request, patient=patient, what="access report")
    return render(request, "accounts/audit_patient.html", {
        "patient": patient, "form": form, "period": period,
        "rows": [(row, selectors_audit.changed_fields(row)) for row in rows],
    })


@role_required(ADMIN)
@require_GET
def emergency_list(request):
    page = Paginator(selectors_audit.emergency_access_list(), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "accounts/audit_emergency_list.html", {"page": page})


def _in_care(user, patient) -> bool:
    return Appointment.objects.filter(patient=patient, doctor__user_id=user.pk, doctor__is_active=True).exists()


@role_required(DOCTOR)
@require_http_methods(["GET", "POST"])
def emergency_access(request, pk):
    """The doctor states why they must read a patient outside their care; on POST the access is
    opened for an hour (settings.EMERGENCY_ACCESS_MINUTES) and the patient's page follows."""
    doctor_of(request.user)  # an account without an active doctor row reads no one
    patient = get_object_or_404(Patient, pk=pk)
    if _in_care(request.user, patient) or emergency_access_of(request.user, patient.pk):
        return redirect("patients:detail", patient.pk)
    form = EmergencyAccessForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            emergency_access_open(doctor=request.user, patient=patient, reason=form.cleaned_data["reason"],
                                  request=request)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.warning(request, _("Emergency access is open for %(minutes)d minutes. It is logged and "
                                        "shown to the administrators.")
                             % {"minutes": int(emergency_access_duration().total_seconds() // 60)})
            return redirect("patients:detail", patient.pk)
    return render(request, "accounts/audit_not_in_care.html", {"patient": patient, "form": form})
