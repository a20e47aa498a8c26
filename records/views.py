from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.template.response import TemplateResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts.policy import doctor_of, may_write_visit, requires
from audit.services import audit_read
from records import selectors
from records.access import get_visit_for
from records.forms import LabResultForm, MedicalRecordForm
from records.icd10 import icd10_description, icd10_is_valid, icd10_name, icd10_normalise, icd10_search
from records.models import LabResult
from records.services import lab_result_add, lab_result_correct, medical_record_save
from scheduling.models import Appointment
from scheduling.services import (
    appointment_call_again,
    appointment_call_next,
    appointment_complete,
    appointment_start_consultation,
)

IN_CONSULTATION = Appointment.Status.IN_CONSULTATION
COMPLETED = Appointment.Status.COMPLETED


def _add_errors(form, error: ValidationError) -> None:
    """Shows a service's ValidationError on the form: on its field when the form has it."""
    if hasattr(error, "error_dict"):
        for name, errors in error.error_dict.items():
            form.add_error(name if name in form.fields else None, errors)
    else:
        form.add_error(None, error)


def _not_in_consultation(request, appointment):
    messages.error(
        request,
        _("The medical record can be written only while the patient is in consultation (now: %(status)s).")
        % {"status": appointment.get_status_display()},
    )
    return redirect("records:visit", appointment.pk)


@requires("records.queue")
@require_GET
def queue(request):
    """The doctor's home page: today's patients, in queue order. htmx refreshes the table."""
    doctor = doctor_of(request.user)
    context = {
        "doctor": doctor,
        "appointments": selectors.queue_for(doctor=doctor),
        "today": timezone.localdate(),
        "Status": Appointment.Status,
    }
    if request.htmx:
        return render(request, "records/partials/queue_table.html", context)
    return render(request, "records/queue.html", context)


def _called(request, appointment) -> None:
    messages.success(request, _("Queue number %(number)s is called.") % {"number": appointment.queue_number})


@requires("records.queue")
@require_POST
def call_next(request):
    """Calls the doctor's next waiting patient: the waiting room's screen shows the number."""
    try:
        appointment = appointment_call_next(doctor=doctor_of(request.user), by=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        _called(request, appointment)
    return redirect("records:queue")


@requires("records.write")
@require_POST
def call_again(request, pk):
    """Calls the same patient once more; 404 for someone else's patient."""
    appointment = get_visit_for(request, pk, write=True)
    try:
        appointment = appointment_call_again(appointment=appointment, by=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        _called(request, appointment)
    return redirect("records:queue")


@requires("records.view")
@require_GET
def visit(request, pk):
    appointment = get_visit_for(request, pk)
    audit_read(request, patient=appointment.patient, obj=appointment, what="visit and medical record")
    can_write = may_write_visit(request.user, appointment)
    return render(
        request,
        "records/visit.html",
        {
            "visit": selectors.visit_detail(appointment=appointment),
            "can_write": can_write,
            "Status": Appointment.Status,
        },
    )


@requires("records.write")
@require_POST
def start(request, pk):
    appointment = get_visit_for(request, pk, write=True)
    try:
        appointment_start_consultation(appointment=appointment, by=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("Consultation with %(name)s started.") % {"name": appointment.patient.full_name})
    return redirect("records:visit", appointment.pk)


@requires("records.write")
@require_http_methods(["GET", "POST"])
def record(request, pk):
    appointment = get_visit_for(request, pk, write=True)
    current = selectors.medical_record_of(appointment=appointment)
    # After completion the visit's record can still be corrected, with a reason (a version is kept).
    correction = appointment.status == COMPLETED and current is not None
    if appointment.status != IN_CONSULTATION and not correction:
        return _not_in_consultation(request, appointment)
    if request.method == "POST":
        form = MedicalRecordForm(request.POST, instance=current, correction=correction)
        if form.is_valid():
            try:
                medical_record_save(
                    appointment=appointment,
                    data=form.cleaned_data,
                    by=request.user,
                    reason=form.cleaned_data.get("reason", ""),
                )
            except ValidationError as error:
                _add_errors(form, error)
            else:
                messages.success(request, _("The medical record was saved."))
                return redirect("records:visit", appointment.pk)
    else:
        initial = {} if current else {"allergies": selectors.latest_allergies(patient=appointment.patient)}
        form = MedicalRecordForm(instance=current, initial=initial, correction=correction)
        audit_read(request, patient=appointment.patient, obj=appointment, what="medical record form")
    return render(
        request,
        "records/record_form.html",
        {
            "appointment": appointment,
            "form": form,
            "record": current,
            "correction": correction,
            "allergies": selectors.known_allergies(patient=appointment.patient),
        },
    )


@requires("records.write")
@require_http_methods(["GET", "POST"])
def lab_add(request, pk):
    appointment = get_visit_for(request, pk, write=True)
    if appointment.status != IN_CONSULTATION:
        return _not_in_consultation(request, appointment)
    if request.method == "POST":
        form = LabResultForm(request.POST)
        if form.is_valid():
            try:
                result = lab_result_add(appointment=appointment, data=form.cleaned_data, by=request.user)
            except ValidationError as error:
                _add_errors(form, error)
            else:
                if result.is_abnormal:
                    messages.warning(
                        request,
                        _("%(test)s saved: the value is outside the reference range.") % {"test": result.test_name},
                    )
                else:
                    messages.success(request, _("%(test)s saved.") % {"test": result.test_name})
                return redirect("records:visit", appointment.pk)
    else:
        form = LabResultForm()
        audit_read(request, patient=appointment.patient, obj=appointment, what="lab result form")
    return render(
        request,
        "records/lab_form.html",
        {
            "appointment": appointment,
            "form": form,
            "record": selectors.medical_record_of(appointment=appointment),
        },
    )


@requires("records.write")
@require_http_methods(["GET", "POST"])
def lab_edit(request, pk, lab_pk):
    """Corrects a lab result of the visit; the earlier value is kept as a version."""
    appointment = get_visit_for(request, pk, write=True)
    if appointment.status not in (IN_CONSULTATION, COMPLETED):
        return _not_in_consultation(request, appointment)
    result = get_object_or_404(LabResult, pk=lab_pk, medical_record__appointment=appointment)
    correction = appointment.status == COMPLETED
    if request.method == "POST":
        form = LabResultForm(request.POST, instance=result, correction=correction)
        if form.is_valid():
            try:
                lab_result_correct(
                    appointment=appointment,
                    lab_result=result,
                    data=form.cleaned_data,
                    by=request.user,
                    reason=form.cleaned_data.get("reason", ""),
                )
            except ValidationError as error:
                _add_errors(form, error)
            else:
                messages.success(
                    request,
                    _("%(test)s corrected; the earlier value is kept.") % {"test": form.cleaned_data["test_name"]},
                )
                return redirect("records:visit", appointment.pk)
    else:
        form = LabResultForm(instance=result, correction=correction)
        audit_read(request, patient=appointment.patient, obj=result, what="lab result form")
    return render(
        request,
        "records/lab_form.html",
        {
            "appointment": appointment,
            "form": form,
            "result": result,
            "correction": correction,
            "record": selectors.medical_record_of(appointment=appointment),
        },
    )


@requires("records.write")
@require_POST
def complete(request, pk):
    appointment = get_visit_for(request, pk, write=True)
    already_completed = appointment.status == Appointment.Status.COMPLETED
    try:
        # Completing again is safe: the service adds only what is missing (never a second bill).
        appointment_complete(appointment=appointment, by=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect("records:visit", appointment.pk)
    if already_completed:
        messages.info(request, _("This visit was already completed."))
        return redirect("records:queue")
    messages.success(
        request,
        _("The visit of %(name)s is completed and the bill has been issued.") % {"name": appointment.patient.full_name},
    )
    return redirect("records:queue")


@requires("records.view")
@require_GET
def icd10(request):
    """ICD-10 search. htmx: the list of matches (`?q=`), or the code and diagnosis fields filled
    from a chosen match (`?pick=`); without htmx, a page to look codes up."""
    pick = request.GET.get("pick")
    if pick is not None and request.htmx:
        return _icd10_pick(request, pick)
    q = request.GET.get("q", "")
    context = {"q": q, "matches": icd10_search(q, limit=20)}
    if request.htmx:
        return render(request, "records/partials/icd10_results.html", context)
    return render(request, "records/icd10.html", context)


def _icd10_pick(request, pick):
    code = icd10_normalise(pick)
    current_code = request.GET.get("icd10_code", "")
    diagnosis = request.GET.get("diagnosis", "")
    if icd10_is_valid(code):
        # The diagnosis follows the code, in the page's language, unless the doctor has written
        # something of their own.
        if not diagnosis.strip() or diagnosis.strip() in (icd10_description(current_code), icd10_name(current_code)):
            diagnosis = icd10_name(code)
    else:
        code = current_code
    form = MedicalRecordForm(initial={"icd10_code": code, "diagnosis": diagnosis})
    return TemplateResponse(request, "records/partials/icd10_fields.html", {"form": form, "picked": True})
