"""The admins' view of the audit log (search, a patient's access report, emergency accesses)
and the doctors' emergency access form. They show patients and appointments, so they are
reports: the audit app below only writes and reads its own rows."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from accounts.policy import cares_for, doctor_of, requires
from audit import labels, selectors
from audit import services as audit
from audit.emergency import emergency_access_duration, emergency_access_open
from audit.forms import AuditSearchForm, EmergencyAccessForm, PeriodForm
from patients.models import Patient

PAGE_SIZE = 50


@requires("audit.view")
@require_GET
def audit_search(request):
    form = AuditSearchForm(request.GET or None)
    filters = form.cleaned_data if form.is_bound and form.is_valid() else {}
    rows = selectors.audit_search(**{k: v for k, v in filters.items() if v})
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "accounts/audit_search.html",
        {
            "form": form,
            "page": page,
            "query": query.urlencode(),
            "rows": [(row, labels.describe(row), labels.changed_fields(row)) for row in page.object_list],
        },
    )


@requires("audit.view")
@require_GET
def audit_patient(request, pk):
    patient = get_object_or_404(Patient, pk=pk)
    form = PeriodForm(request.GET or None)
    period = form.cleaned_data if form.is_bound and form.is_valid() else {}
    rows = selectors.patient_access_report(
        patient=patient, date_from=period.get("date_from"), date_to=period.get("date_to")
    )
    audit.audit_read(request, patient=patient, what="access report")
    return render(
        request,
        "accounts/audit_patient.html",
        {
            "patient": patient,
            "form": form,
            "period": period,
            "rows": [(row, labels.describe(row), labels.changed_fields(row)) for row in rows],
        },
    )


@requires("audit.view")
@require_GET
def emergency_list(request):
    page = Paginator(selectors.emergency_access_list(), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "accounts/audit_emergency_list.html", {"page": page})


@requires("patients.emergency_access")
@require_http_methods(["GET", "POST"])
def emergency_access(request, pk):
    """The doctor states why they must read a patient outside their care; on POST the access is
    opened for an hour (settings.EMERGENCY_ACCESS_MINUTES) and the patient's page follows."""
    doctor_of(request.user)  # an account without an active doctor row reads no one
    patient = get_object_or_404(Patient, pk=pk)
    if cares_for(request.user, patient):
        return redirect("patients:detail", patient.pk)
    form = EmergencyAccessForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            emergency_access_open(
                doctor=request.user, patient=patient, reason=form.cleaned_data["reason"], request=request
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.warning(
                request,
                _("Emergency access is open for %(minutes)d minutes. It is logged and shown to the administrators.")
                % {"minutes": int(emergency_access_duration().total_seconds() // 60)},
            )
            return redirect("patients:detail", patient.pk)
    return render(request, "accounts/audit_not_in_care.html", {"patient": patient, "form": form})
