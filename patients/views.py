import re
from functools import partial

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from accounts.policy import can, requires
from audit.services import audit_read, audit_reads
from core import search_tokens
from core.forms import add_service_error
from patients.access import get_patient_for
from patients.forms import PatientForm, PatientSearchForm
from patients.models import Patient
from patients.selectors import (
    PAGE_LIST_LIMIT,
    SEARCH_LIMIT,
    page_of,
    patient_appointments,
    patient_bills,
    patient_insurances,
    patient_search,
)
from patients.services import DuplicatePatient, patient_register, patient_update


@requires("patients.search")
@require_http_methods(["GET", "POST"])
def search(request):
    """The patient search. Its words are POSTed and kept under a token (core.search_tokens): the
    page's URL is `?s=<token>`, never the NIK, phone or email that was looked for."""
    expired, token = False, ""
    if request.method == "POST":
        form = PatientSearchForm(request.POST)
    else:
        kept = search_tokens.recall(request)
        expired = kept == {}
        token = request.GET.get(search_tokens.PARAMETER, "") if kept else ""
        form = PatientSearchForm(kept or {})
    query, patients = "", []
    if form.is_valid():
        query = form.cleaned_data["q"]
        if request.method == "POST":
            inactive = "on" if form.cleaned_data["inactive"] else ""
            token = search_tokens.remember(request, {"q": query, "inactive": inactive})
            if not request.htmx:  # post/redirect/get: reload and back work on the token's URL
                return redirect(_search_url(token))
        patients = patient_search(query=query, include_inactive=form.cleaned_data["inactive"])
        audit_reads(request, patients=patients, what=f"search results ({len(patients)})")
    context = _search_context(form, query, patients, token, expired)
    if request.htmx and not request.htmx.history_restore_request:
        response = render(request, "patients/partials/results.html", context)
        if request.method == "POST" and form.is_valid():
            response["HX-Push-Url"] = _search_url(token)
        return response
    return render(request, "patients/search.html", context)


def _search_url(token: str) -> str:
    return reverse("patients:search") + search_tokens.query_string(token)


def _search_context(form, query: str, patients, token: str, expired: bool = False) -> dict:
    return {
        "form": form,
        "query": query,
        "patients": patients,
        "limit": SEARCH_LIMIT,
        "expired": expired,
        # The rows' gender labels, translated once for the page.
        "genders": {value: str(label) for value, label in Patient.Gender.choices},
        "quick_search_q": query,
        # "Register a new patient" after a search for a name starts the form with that name; the
        # link carries the search's token, not the name.
        "register_token": token if any(ch.isalpha() for ch in query) else "",
    }


def _save_patient(form, save):
    """Runs a register/update service; returns (patient or None, possible duplicates, NIK taken).

    A duplicate warning or a refusal is put on the form; nothing is saved then."""
    try:
        return (
            save(data=form.patient_data(), confirmed_not_duplicate=form.cleaned_data["confirmed_not_duplicate"]),
            [],
            False,
        )
    except DuplicatePatient as warning:
        if warning.nik_taken:
            add_service_error(form, warning)
        # The warning shows the other patients (NIK, phone): a read of their data.
        audit_reads(None, patients=warning.duplicates, what="possible duplicates")
        return None, warning.duplicates, warning.nik_taken
    except ValidationError as error:
        add_service_error(form, error)
        return None, [], False


@requires("patients.edit")
def create(request):
    duplicates, nik_taken = [], False
    if request.method == "POST":
        form = PatientForm(request.POST)
        if form.is_valid():
            saved, duplicates, nik_taken = _save_patient(form, partial(patient_register, by=request.user))
            if saved is not None:
                patient = saved
                messages.success(
                    request,
                    _("%(name)s is registered as %(rm)s.")
                    % {"name": patient.full_name, "rm": patient.medical_record_number},
                )
                return redirect("patients:detail", patient.pk)
    else:
        # "Register" from an empty search carries the name that was looked for.
        kept = search_tokens.recall(request) or {}
        form = PatientForm(initial={"full_name": kept.get("q", "")[:150]})
    return render(
        request,
        "patients/form.html",
        {
            "form": form,
            "duplicates": duplicates,
            "nik_taken": nik_taken,
            "patient": None,
        },
    )


@requires("patients.edit")
def edit(request, pk):
    patient = get_patient_for(request, pk)
    heading = str(patient)  # the form changes its instance while it validates
    duplicates, nik_taken = [], False
    if request.method == "POST":
        form = PatientForm(request.POST, instance=patient)
        if form.is_valid():
            saved, duplicates, nik_taken = _save_patient(
                form, partial(patient_update, patient=patient, by=request.user)
            )
            if saved is not None:
                patient = saved
                messages.success(request, _("The details of %(name)s are saved.") % {"name": patient.full_name})
                return redirect("patients:detail", patient.pk)
    else:
        form = PatientForm(instance=patient)
        audit_read(request, patient=patient, what="patient edit form")
    return render(
        request,
        "patients/form.html",
        {
            "form": form,
            "duplicates": duplicates,
            "nik_taken": nik_taken,
            "patient": patient,
            "heading": heading,
        },
    )


# A page number of the patient page's lists: ASCII digits, 1 to 10,000 (half a million rows at
# 50 a page, more than any patient has). Anything else is read as page 1, never an error page
# (and never an OFFSET too large for the database's integer).
_PAGE_NUMBER = re.compile(r"[0-9]{1,5}")
PAGE_NUMBER_MAX = 10_000


def _list_page(request, queryset, parameter: str) -> tuple[list, bool, dict]:
    """The page of `queryset` (newest first) that the query parameter asks for, whether an older
    page follows, and the pager's links; each link keeps the page the other list is on."""
    value = request.GET.get(parameter, "")
    page = int(value) if _PAGE_NUMBER.fullmatch(value) else 1
    if not 1 <= page <= PAGE_NUMBER_MAX:
        page = 1
    rows, has_older = page_of(queryset, page=page, limit=PAGE_LIST_LIMIT)

    def link(number: int) -> str:
        query = request.GET.copy()
        query[parameter] = str(number)
        return f"?{query.urlencode()}"

    return (
        rows,
        has_older,
        {
            "number": page,
            "newer": link(page - 1) if page > 1 and rows else None,
            "older": link(page + 1) if has_older else None,
            # A page beyond the last shows no rows, only the way back to the first.
            "newest": link(1) if page > 1 else None,
        },
    )


@requires("patients.view")
@require_GET
def detail(request, pk):
    patient = get_patient_for(request, pk)
    audit_read(request, patient=patient, what="patient detail")
    front_desk = can(request.user, "patients.edit")
    appointments, more_appointments, appointment_pages = _list_page(
        request, patient_appointments(patient=patient), "appointments_page"
    )
    # Bills are the front desk's business; doctors do not see them.
    bills, more_bills, bill_pages = (
        _list_page(request, patient_bills(patient=patient), "bills_page")
        if can(request.user, "billing.manage")
        else (None, False, None)
    )
    return render(
        request,
        "patients/detail.html",
        {
            "patient": patient,
            "front_desk": front_desk,
            "insurances": list(patient_insurances(patient=patient)),
            "appointments": appointments,
            "more_appointments": more_appointments,
            "appointment_pages": appointment_pages,
            "bills": bills,
            "more_bills": more_bills,
            "bill_pages": bill_pages,
        },
    )
