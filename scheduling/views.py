"""Booking, the doctor's day, today's board and the appointment page. Views validate, call a
service from scheduling.services, and redirect; the rules live in the services."""

import datetime
from itertools import groupby
from operator import attrgetter

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponseRedirect, QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts.policy import can, doctor_of, requires
from audit.services import audit_read, audit_reads
from core import search_tokens
from core.clock import slot_floor
from patients.models import Patient
from scheduling import selectors, services
from scheduling.access import get_appointment_for
from scheduling.forms import (
    BoardFilterForm,
    BookingForm,
    BookingOptionsForm,
    CancelForm,
    DayFilterForm,
    RescheduleForm,
    WalkInForm,
    doctor_label,
)
from scheduling.models import Appointment

PATIENT_FORM_ID = "appointment-form"


def _int_or_none(value) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def _patient_or_none(value) -> Patient | None:
    pk = _int_or_none(value)
    return Patient.objects.filter(pk=pk).first() if pk is not None else None


def _booking_initial(params) -> dict:
    """The booking form's prefill from ?doctor=&start=YYYY-MM-DDTHH:MM (or ?date=&time=)."""
    initial = {"doctor": _int_or_none(params.get("doctor")), "reason": params.get("reason", "")[:255]}
    start = params.get("start", "")
    try:
        start = datetime.datetime.fromisoformat(start)
    except ValueError:
        start = None
    if start is not None:
        initial["date"], initial["time"] = start.date(), start.time().replace(second=0, microsecond=0)
    else:
        initial["date"], initial["time"] = params.get("date") or timezone.localdate(), params.get("time")
    initial["services"] = [pk for pk in map(_int_or_none, params.getlist("services")) if pk is not None]
    return initial


def _carry(form) -> dict:
    """What the patient search keeps of the booking form (doctor, date, time) when it reloads."""
    keys = [k for k in ("doctor", "date", "time") if k in form.fields]
    if form.is_bound:
        values = {k: form.data.get(k, "") for k in keys}
    else:
        values = {k: form.initial.get(k) or "" for k in keys}
        if isinstance(values.get("doctor"), int):
            values["doctor"] = str(values["doctor"])
        if isinstance(values.get("date"), datetime.date):
            values["date"] = values["date"].isoformat()
        if isinstance(values.get("time"), datetime.time):
            values["time"] = values["time"].strftime("%H:%M")
    return {k: v for k, v in values.items() if v}


def _patient_context(request, form, chosen: Patient | None) -> dict:
    # The search's words come from its token (core.search_tokens), never from the URL.
    query = (search_tokens.recall(request) or {}).get("q", "").strip()[:100] if chosen is None else ""
    carry = _carry(form)
    return {
        "picker_page": request.resolver_match.view_name,
        "form": form,
        "form_id": PATIENT_FORM_ID,
        "chosen_patient": chosen,
        "patient_query": query,
        "patient_results": selectors.patient_lookup(query=query) if query else None,
        "carry": carry,
        "change_patient_query": urlencode(carry),
    }


def _initial_data(initial: dict) -> QueryDict:
    """An unbound form's doctor, date and services as the page would send them."""
    data = QueryDict(mutable=True)
    if initial.get("doctor") is not None:
        data["doctor"] = str(initial["doctor"])
    day = initial.get("date")
    if day:
        data["date"] = day.isoformat() if isinstance(day, datetime.date) else str(day)
    data.setlist("services", [str(pk) for pk in initial.get("services") or []])
    return data


def _booking_summary(options: BookingOptionsForm, *, walk_in: bool = False) -> dict:
    """The running total, length and the doctor's free times for the options' data."""
    lines = options.lines()
    day = options.cleaned_data.get("date") or timezone.localdate()
    return services.booking_summary(
        doctor=options.cleaned_data.get("doctor"),
        lines=lines,
        day=day,
        now=timezone.now(),
        with_free_starts=not walk_in,
    )


def _redirect_back(request, appointment: Appointment) -> HttpResponseRedirect:
    """Back to the page the button was on (e.g. the board with its filters), else the appointment."""
    target = request.POST.get("next", "")
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return HttpResponseRedirect(target)
    return redirect("scheduling:detail", pk=appointment.pk)


# --- Booking ---------------------------------------------------------------------------------


@requires("scheduling.book")
@require_http_methods(["GET", "POST"])
def book(request):
    if request.method == "POST":
        form = BookingForm(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            try:
                appointment = services.appointment_book(
                    patient=data["patient"],
                    doctor=data["doctor"],
                    start=data["start"],
                    services=data["lines"],
                    booked_by=request.user,
                    reason=data["reason"],
                )
            except ValidationError as error:
                form.add_error(None, error)
            else:
                messages.success(
                    request,
                    _("Appointment booked for %(patient)s with %(doctor)s on %(when)s.")
                    % {
                        "patient": appointment.patient.full_name,
                        "doctor": appointment.doctor.full_name,
                        "when": timezone.localtime(appointment.appointment_date).strftime("%d-%m-%Y %H.%M"),
                    },
                )
                return redirect("scheduling:detail", pk=appointment.pk)
        chosen = form.cleaned_data.get("patient") if hasattr(form, "cleaned_data") else None
    else:
        chosen = _patient_or_none(request.GET.get("patient"))
        initial = _booking_initial(request.GET)
        if chosen is not None:
            initial["patient"] = chosen.pk
        form = BookingForm(initial=initial)
    context = _patient_context(request, form, chosen)
    context["summary"] = _booking_summary(
        BookingOptionsForm(request.POST if form.is_bound else _initial_data(form.initial))
    )
    return render(request, "scheduling/book.html", context)


@requires("scheduling.book")
@require_http_methods(["GET", "POST"])
def walk_in(request):
    if request.method == "POST":
        form = WalkInForm(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            try:
                appointment = services.appointment_book_walk_in(
                    patient=data["patient"],
                    doctor=data["doctor"],
                    services=data["lines"],
                    booked_by=request.user,
                    reason=data["reason"],
                )
            except ValidationError as error:
                form.add_error(None, error)
            else:
                message = _("%(patient)s is checked in with %(doctor)s at %(time)s, queue number %(queue)s.")
                messages.success(
                    request,
                    message
                    % {
                        "patient": appointment.patient.full_name,
                        "doctor": appointment.doctor.full_name,
                        "time": timezone.localtime(appointment.appointment_date).strftime("%H.%M"),
                        "queue": appointment.queue_number,
                    },
                )
                return redirect("scheduling:board")
        chosen = form.cleaned_data.get("patient") if hasattr(form, "cleaned_data") else None
    else:
        chosen = _patient_or_none(request.GET.get("patient"))
        initial = {"doctor": _int_or_none(request.GET.get("doctor"))}
        if chosen is not None:
            initial["patient"] = chosen.pk
        form = WalkInForm(initial=initial)
    context = _patient_context(request, form, chosen)
    context["summary"] = _booking_summary(
        BookingOptionsForm(request.POST if form.is_bound else _initial_data(form.initial), walk_in=True),
        walk_in=True,
    )
    return render(request, "scheduling/walk_in.html", context)


@requires("scheduling.book")
@require_GET
def booking_options(request):
    """The booking and walk-in forms' partial (htmx), sent on every change: the running total,
    length and free times of the ticked services; when the doctor changed, also that doctor's
    services in place of the list shown (an out-of-band swap)."""
    page = "walk_in" if request.GET.get("page") == "walk_in" else "book"
    options = BookingOptionsForm(request.GET, walk_in=page == "walk_in")
    summary = _booking_summary(options, walk_in=page == "walk_in")
    return render(
        request,
        "scheduling/partials/booking_options.html",
        {
            "form": options,
            "summary": summary,
            "oob": request.htmx.trigger_name == "doctor",
            "options_page": page,
        },
    )


# The pages whose patient picker may come back from a search without JavaScript.
PICKER_PAGES = ("scheduling:book", "scheduling:walk_in")


@requires("scheduling.book")
@require_POST
def patient_lookup(request):
    """The patient search of the booking and walk-in forms: a partial of radio buttons (htmx).
    POSTed, so a NIK or phone never reaches a URL; without htmx, the page comes back with the
    search kept under a token (core.search_tokens) and the form's doctor, date and time."""
    query = request.POST.get("q", "").strip()[:100]
    if not request.htmx:
        page = request.POST.get("page", "")
        token = search_tokens.remember(request, {"q": query})
        carry = {key: request.POST.get(key, "")[:20] for key in ("doctor", "date", "time")}
        target = page if page in PICKER_PAGES else PICKER_PAGES[0]
        return redirect(reverse(target) + search_tokens.query_string(token, **carry))
    results = selectors.patient_lookup(query=query) if query else None
    audit_reads(request, patients=results or [], what=f"booking patient search ({len(results or [])})")
    return render(
        request,
        "scheduling/partials/patient_results.html",
        {
            "patient_query": query,
            "patient_results": results,
            "form_id": PATIENT_FORM_ID,
        },
    )


# --- One appointment -------------------------------------------------------------------------


@requires("scheduling.view")
@require_GET
def detail(request, pk):
    appointment = get_appointment_for(request, pk)
    audit_read(request, patient=appointment.patient, obj=appointment, what="appointment detail")
    lines = list(appointment.lines.all())
    Status = Appointment.Status
    front_desk = can(request.user, "scheduling.book")
    return render(
        request,
        "scheduling/detail.html",
        {
            "appointment": appointment,
            "lines": lines,
            "total": sum((line.line_total for line in lines), 0),
            "can_check_in": front_desk and appointment.can_change_to(Status.CHECKED_IN),
            "can_cancel": front_desk and appointment.can_change_to(Status.CANCELLED),
            "can_no_show": front_desk and appointment.can_change_to(Status.NO_SHOW),
            "can_reschedule": front_desk and appointment.status == Status.SCHEDULED,
            "can_print_ticket": front_desk and appointment.status == Status.CHECKED_IN,
            "cancel_form": CancelForm(),
        },
    )


@requires("scheduling.book")
@require_http_methods(["GET", "POST"])
def reschedule(request, pk):
    appointment = get_appointment_for(request, pk)
    if appointment.status != Appointment.Status.SCHEDULED:
        messages.error(request, _("Only a scheduled appointment can be moved."))
        return redirect("scheduling:detail", pk=appointment.pk)
    if request.method == "POST":
        form = RescheduleForm(request.POST)
        if form.is_valid():
            try:
                appointment = services.appointment_reschedule(
                    appointment=appointment, start=form.cleaned_data["start"], by=request.user
                )
            except ValidationError as error:
                form.add_error(None, error)
            else:
                messages.success(
                    request,
                    _("Appointment moved to %(when)s.")
                    % {"when": timezone.localtime(appointment.appointment_date).strftime("%d-%m-%Y %H.%M")},
                )
                return redirect("scheduling:detail", pk=appointment.pk)
    else:
        local = timezone.localtime(appointment.appointment_date)
        form = RescheduleForm(initial={"date": local.date(), "time": local.time()})
    return render(request, "scheduling/reschedule.html", {"appointment": appointment, "form": form})


def _transition_view(request, pk, service, done_message: str, **kwargs):
    appointment = get_appointment_for(request, pk)
    try:
        appointment = service(appointment=appointment, by=request.user, **kwargs)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(
            request, done_message % {"patient": appointment.patient.full_name, "queue": appointment.queue_number}
        )
    return _redirect_back(request, appointment)


@requires("scheduling.book")
@require_POST
def check_in(request, pk):
    return _transition_view(
        request, pk, services.appointment_check_in, _("%(patient)s is checked in, queue number %(queue)s.")
    )


@requires("scheduling.book")
@require_POST
def cancel(request, pk):
    form = CancelForm(request.POST)
    reason = form.cleaned_data["reason"] if form.is_valid() else ""
    return _transition_view(
        request, pk, services.appointment_cancel, _("The appointment of %(patient)s is cancelled."), reason=reason
    )


@requires("scheduling.book")
@require_POST
def no_show(request, pk):
    return _transition_view(request, pk, services.appointment_mark_no_show, _("%(patient)s is marked as a no-show."))


# --- Days and the board ----------------------------------------------------------------------


@requires("scheduling.day")
@require_GET
def day(request):
    """A doctor's day in 15-minute slots. A doctor sees only their own; ?doctor is ignored."""
    filters = DayFilterForm(request.GET)
    filters.is_valid()  # a bad value falls back to the default below, never an error page
    the_day = filters.cleaned_data.get("date") or timezone.localdate()
    own = not can(request.user, "scheduling.all_doctors")
    doctors = []
    if own:
        doctor = doctor_of(request.user)
    else:
        doctors = list(selectors.doctor_active_list())
        wanted = filters.cleaned_data.get("doctor")
        doctor = next((d for d in doctors if d.pk == wanted), doctors[0] if doctors else None)
    context = {
        "filters": filters,
        "doctors": doctors,
        "doctor": doctor,
        "day": the_day,
        "own": own,
        "previous_day": the_day - datetime.timedelta(days=1),
        "next_day": the_day + datetime.timedelta(days=1),
        "today": timezone.localdate(),
        "bookable_from": slot_floor(timezone.now()),
        "Status": Appointment.Status,
    }
    if doctor is not None:
        context.update(selectors.doctor_day(doctor=doctor, day=the_day))
    return render(request, "scheduling/day.html", context)


def _board_pages(request, page: int, has_next: bool) -> dict:
    """The links to the previous and next page of doctors, keeping the other filters."""

    def link(number: int) -> str:
        query = request.GET.copy()
        query["page"] = str(number)
        return f"?{query.urlencode()}"

    return {
        "number": page,
        "previous": link(page - 1) if page > 1 else None,
        "next": link(page + 1) if has_next else None,
    }


@requires("scheduling.board")
@require_GET
def board(request):
    """Today's appointments by doctor; htmx polls the body every 30 seconds."""
    filters = BoardFilterForm(request.GET)
    filters.is_valid()  # values off the allow-list are dropped, not an error
    doctor = filters.cleaned_data.get("doctor")
    status = filters.cleaned_data.get("status") or None
    today = timezone.localdate()
    # The active doctors once, for both the filter's options and the page of doctors shown.
    active = selectors.doctor_active_rows()
    filters.fields["doctor"].choices = [
        ("", filters.fields["doctor"].empty_label),
        *((pk, doctor_label(name, specialization)) for pk, name, specialization in active),
    ]
    doctors, pages = None, None
    if doctor is None:
        page = filters.cleaned_data.get("page") or 1
        doctors, has_next = selectors.board_doctor_page(page=page, doctor_ids=[row[0] for row in active])
        pages = _board_pages(request, page, has_next)
    appointments = selectors.board_appointments(day=today, doctor=doctor, status=status, doctors=doctors)
    context = {
        "filters": filters,
        "today": today,
        "appointments": appointments,
        # They come by doctor: one table each.
        "by_doctor": [list(rows) for _doctor, rows in groupby(appointments, key=attrgetter("doctor_id"))],
        "counts": selectors.board_status_counts(day=today, doctor=doctor),
        "pages": pages,
        "next_url": request.get_full_path(),
        "refresh_url": request.get_full_path(),
        "Status": Appointment.Status,
    }
    if request.htmx:
        return render(request, "scheduling/partials/board_body.html", context)
    return render(request, "scheduling/board.html", context)
