"""Every change to appointments goes through these functions: pages, the Django admin and
commands alike, so the rules hold on every path."""

import datetime
from collections.abc import Sequence

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from core import summaries
from core.clock import day_bounds, local_day, slot_floor, whole_slots
from patients.models import Doctor, Patient
from scheduling.models import Appointment, AppointmentService, Service
from scheduling.selectors import (
    appointment_overlapping,
    doctor_free_starts,
    service_ids_not_given,
    working_hours_cover,
)
from scheduling.signals import appointment_completed
from scheduling.summaries import appointment_count


def slot_taken_message() -> str:
    return _("This doctor already has an appointment at that time. Please choose another time.")


def appointment_duration(services: Sequence[tuple[Service, int]]) -> datetime.timedelta:
    """The services' minutes, rounded up to whole slots."""
    return whole_slots(sum(service.duration_minutes for service, _quantity in services))


def _normalise_services(services) -> list[tuple[Service, int]]:
    lines = [(s, 1) if isinstance(s, Service) else (s[0], int(s[1])) for s in services]
    if not lines:
        raise ValidationError(_("Choose at least one service."))
    if len({s.pk for s, _q in lines}) != len(lines):
        raise ValidationError(_("Each service can be chosen only once; use the quantity instead."))
    for service, quantity in lines:
        if not service.is_active:
            raise ValidationError(_("The service %(name)s is no longer offered.") % {"name": service.name})
        if quantity < 1:
            raise ValidationError(_("The quantity must be at least 1."))
    return lines


def check_doctor_gives(*, doctor: Doctor, services: Sequence[tuple[Service, int]]) -> None:
    """Refuses a service the doctor does not give (Service.doctors: a GP gives no "USG Kandungan")."""
    by_pk = {service.pk: service for service, _quantity in services}
    refused = service_ids_not_given(doctor_id=doctor.pk, service_ids=by_pk)
    if refused:
        names = ", ".join(sorted(by_pk[pk].name for pk in refused))
        raise ValidationError(
            _("%(doctor)s does not give %(services)s. Choose another doctor or another service.")
            % {"doctor": doctor.full_name, "services": names},
            code="service_not_given",
        )


def _lock_doctor(doctor: Doctor) -> Doctor:
    # Serialises bookings per doctor so overlaps of different lengths are refused under
    # concurrent requests too (SQLite ignores the lock, but it serialises every write anyway).
    return Doctor.objects.select_for_update().get(pk=doctor.pk)


def _check_horizon(start: datetime.datetime) -> None:
    """Bookings reach BOOKING_HORIZON_DAYS ahead at most: 2999-12-31 is a typing mistake."""
    last_day = local_day(timezone.now()) + datetime.timedelta(days=settings.BOOKING_HORIZON_DAYS)
    if local_day(start) > last_day:
        raise ValidationError(
            _("Appointments can be booked up to %(days)s days ahead, until %(date)s.")
            % {"days": settings.BOOKING_HORIZON_DAYS, "date": last_day.strftime("%d-%m-%Y")}
        )


def _check_slot(*, doctor: Doctor, start, end, exclude_pk=None) -> None:
    _check_horizon(start)
    if not working_hours_cover(doctor=doctor, start=start, end=end):
        raise ValidationError(
            _("The doctor does not work at that time. Choose a time inside the doctor's working hours.")
        )
    if appointment_overlapping(doctor=doctor, start=start, end=end, exclude_pk=exclude_pk).exists():
        raise ValidationError(slot_taken_message())


def appointment_check_slot(
    *, patient: Patient, doctor: Doctor, start: datetime.datetime, services, exclude_pk: int | None = None
) -> datetime.datetime:
    """Raises the booking's ValidationError without locking anything; returns the end."""
    if not patient.is_active:
        raise ValidationError(_("This patient is no longer active."))
    if not doctor.is_active:
        raise ValidationError(_("This doctor is no longer active."))
    lines = _normalise_services(services)
    check_doctor_gives(doctor=doctor, services=lines)
    end = start + appointment_duration(lines)
    _check_slot(doctor=doctor, start=start, end=end, exclude_pk=exclude_pk)
    return end


@transaction.atomic
def appointment_book(
    *,
    patient: Patient,
    doctor: Doctor,
    start: datetime.datetime,
    services,
    booked_by: User | None,
    reason: str = "",
    walk_in: bool = False,
) -> Appointment:
    """Books an appointment; a walk-in is checked in at once and gets its queue number."""
    if not patient.is_active:
        raise ValidationError(_("This patient is no longer active."))
    if not doctor.is_active:
        raise ValidationError(_("This doctor is no longer active."))
    lines = _normalise_services(services)
    check_doctor_gives(doctor=doctor, services=lines)
    end = start + appointment_duration(lines)
    doctor = _lock_doctor(doctor)
    _check_slot(doctor=doctor, start=start, end=end)
    appointment = Appointment(
        patient=patient, doctor=doctor, appointment_date=start, end_time=end, reason=reason, booked_by=booked_by
    )
    appointment.full_clean(exclude=["booked_by"])
    try:
        with transaction.atomic():
            appointment.save()
    except IntegrityError:
        raise ValidationError(slot_taken_message()) from None
    summaries.apply({}, appointment_count(appointment))
    AppointmentService.objects.bulk_create(
        AppointmentService(appointment=appointment, service=service, quantity=quantity, unit_price=service.price)
        for service, quantity in lines
    )
    if walk_in:
        return appointment_check_in(appointment=appointment, by=booked_by)
    return appointment


def appointment_book_walk_in(
    *,
    patient: Patient,
    doctor: Doctor,
    services,
    booked_by: User | None,
    reason: str = "",
    now: datetime.datetime | None = None,
) -> Appointment:
    """Books a walk-in straight to checked-in, in the current slot or, when that is
    taken, the next free slot of today inside the doctor's working hours."""
    if not patient.is_active:
        raise ValidationError(_("This patient is no longer active."))
    if not doctor.is_active:
        raise ValidationError(_("This doctor is no longer active."))
    lines = _normalise_services(services)
    check_doctor_gives(doctor=doctor, services=lines)
    now = now or timezone.now()
    current_slot = slot_floor(now)
    candidates = doctor_free_starts(
        doctor=doctor, day=current_slot.date(), duration=appointment_duration(lines), not_before=current_slot
    )
    for start in candidates:
        try:
            return appointment_book(
                patient=patient,
                doctor=doctor,
                start=start,
                services=lines,
                booked_by=booked_by,
                reason=reason,
                walk_in=True,
            )
        except ValidationError as error:
            if error.messages != [slot_taken_message()]:
                raise
            # Someone took this slot a moment ago: the booking service refused it; try the next.
    raise ValidationError(
        _("The doctor has no free time left today. Choose another doctor or book an appointment for another day.")
    )


@transaction.atomic
def appointment_reschedule(*, appointment: Appointment, start: datetime.datetime, by: User | None) -> Appointment:
    appointment = Appointment.objects.select_for_update().get(pk=appointment.pk)
    if appointment.status != Appointment.Status.SCHEDULED:
        raise ValidationError(_("Only a scheduled appointment can be moved."))
    end = start + (appointment.end_time - appointment.appointment_date)
    _lock_doctor(appointment.doctor)
    _check_slot(doctor=appointment.doctor, start=start, end=end, exclude_pk=appointment.pk)
    before = appointment_count(appointment)
    appointment.appointment_date, appointment.end_time = start, end
    try:
        with transaction.atomic():
            appointment.save(update_fields=["appointment_date", "end_time", "updated_at"])
    except IntegrityError:
        raise ValidationError(slot_taken_message()) from None
    summaries.apply(before, appointment_count(appointment))
    return appointment


def _save_status(appointment: Appointment, status: str, *, update_fields: list[str]) -> None:
    """Saves the appointment in its new status and moves it in its day's counts."""
    before = appointment_count(appointment)
    appointment.status = status
    appointment.save(update_fields=["status", *update_fields, "updated_at"])
    summaries.apply(before, appointment_count(appointment))


def _transition(appointment: Appointment, status: str) -> Appointment:
    """Locks the row and checks the move is allowed from the status in the database."""
    locked = Appointment.objects.select_for_update().get(pk=appointment.pk)
    if not locked.can_change_to(status):
        raise ValidationError(
            _("An appointment that is %(current)s cannot become %(new)s.")
            % {"current": locked.get_status_display(), "new": Appointment.Status(status).label}
        )
    return locked


@transaction.atomic
def appointment_check_in(*, appointment: Appointment, by: User | None) -> Appointment:
    """Records the arrival and gives the next queue number of the doctor's day."""
    appointment = _transition(appointment, Appointment.Status.CHECKED_IN)
    _lock_doctor(appointment.doctor)  # two check-ins at once must not share a number
    now = timezone.now()
    day_start, day_end = day_bounds(local_day(appointment.appointment_date))
    last = Appointment.objects.filter(
        doctor=appointment.doctor,
        appointment_date__gte=day_start,
        appointment_date__lt=day_end,
    ).aggregate(last=Max("queue_number"))["last"]
    appointment.arrived_at = now
    appointment.queue_number = (last or 0) + 1
    _save_status(appointment, Appointment.Status.CHECKED_IN, update_fields=["arrived_at", "queue_number"])
    return appointment


@transaction.atomic
def appointment_start_consultation(*, appointment: Appointment, by: User | None) -> Appointment:
    appointment = _transition(appointment, Appointment.Status.IN_CONSULTATION)
    appointment.started_at = timezone.now()
    _save_status(appointment, Appointment.Status.IN_CONSULTATION, update_fields=["started_at"])
    return appointment


@transaction.atomic
def appointment_cancel(*, appointment: Appointment, by: User | None, reason: str = "") -> Appointment:
    """Cancels and frees the slot; the appointment stays in the history."""
    appointment = _transition(appointment, Appointment.Status.CANCELLED)
    if reason:
        appointment.notes = f"{appointment.notes}\n{reason}".strip()
    _save_status(appointment, Appointment.Status.CANCELLED, update_fields=["notes"])
    return appointment


@transaction.atomic
def appointment_mark_no_show(*, appointment: Appointment, by: User | None) -> Appointment:
    appointment = _transition(appointment, Appointment.Status.NO_SHOW)
    _save_status(appointment, Appointment.Status.NO_SHOW, update_fields=[])
    return appointment


@transaction.atomic
def appointment_complete(*, appointment: Appointment, by: User | None) -> Appointment:
    """Completes the visit; the apps that keep its medical record and its bill add them
    (appointment_completed), all in one transaction. Completing twice changes nothing the
    second time."""
    locked = Appointment.objects.select_for_update().get(pk=appointment.pk)
    if locked.status != Appointment.Status.COMPLETED:
        locked = _transition(locked, Appointment.Status.COMPLETED)
        locked.completed_at = timezone.now()
        _save_status(locked, Appointment.Status.COMPLETED, update_fields=["completed_at"])
    appointment_completed.send(sender=Appointment, appointment=locked)
    return locked


TRANSITION_SERVICES = {
    Appointment.Status.CHECKED_IN: appointment_check_in,
    Appointment.Status.IN_CONSULTATION: appointment_start_consultation,
    Appointment.Status.COMPLETED: appointment_complete,
    Appointment.Status.CANCELLED: appointment_cancel,
    Appointment.Status.NO_SHOW: appointment_mark_no_show,
}


def appointment_set_status(*, appointment: Appointment, status: str, by: User | None) -> Appointment:
    """Moves an appointment to `status` through the service that owns that move."""
    if status == appointment.status:
        return appointment
    service = TRANSITION_SERVICES.get(Appointment.Status(status))
    if service is None:
        raise ValidationError(
            _("An appointment cannot go back to %(status)s.") % {"status": Appointment.Status(status).label}
        )
    return service(appointment=appointment, by=by)


FREE_STARTS_SHOWN = 8


def booking_summary(
    *,
    doctor: Doctor | None,
    lines: Sequence[tuple[Service, int]],
    day: datetime.date,
    now: datetime.datetime,
    with_free_starts: bool = True,
) -> dict:
    """What the booking form shows beside the ticked services: their total (Rp), the visit's
    length (whole slots, as booked) and the doctor's next free starts on `day` for that length
    (none for a past day; two queries with a doctor, none without). A walk-in's page shows no
    free times (`with_free_starts=False`: "free_starts" is None): it takes the first itself."""
    duration = appointment_duration(lines)
    free = []
    if with_free_starts and doctor is not None and day >= local_day(now):
        free = doctor_free_starts(doctor=doctor, day=day, duration=duration, not_before=slot_floor(now))
    return {
        "total": sum((service.price * quantity for service, quantity in lines), 0),
        "minutes": int(duration.total_seconds() // 60) if lines else 0,
        "free_starts": free[:FREE_STARTS_SHOWN] if with_free_starts else None,
        "day": day,
        "doctor": doctor,
    }


# --- Calling patients to the room (the waiting room's screen shows the last call) -------------

CALLABLE_STATUSES = (Appointment.Status.CHECKED_IN, Appointment.Status.IN_CONSULTATION)


def _call(appointment: Appointment) -> Appointment:
    appointment.called_at = timezone.now()
    appointment.call_count += 1
    appointment.save(update_fields=["called_at", "call_count", "updated_at"])
    return appointment


@transaction.atomic
def appointment_call_next(*, doctor: Doctor, by: User | None) -> Appointment:
    """Calls the doctor's next waiting patient of today: the lowest queue number checked in and
    not called yet. ValidationError when nobody is waiting."""
    _lock_doctor(doctor)  # two clicks at once must not call two patients
    day_start, day_end = day_bounds(timezone.localdate())
    waiting = (
        Appointment.objects.select_for_update()
        .filter(
            doctor=doctor,
            appointment_date__gte=day_start,
            appointment_date__lt=day_end,
            status=Appointment.Status.CHECKED_IN,
            called_at__isnull=True,
        )
        .order_by("queue_number", "id")
        .first()
    )
    if waiting is None:
        raise ValidationError(_("Nobody is waiting to be called."))
    return _call(waiting)


@transaction.atomic
def appointment_call_again(*, appointment: Appointment, by: User | None) -> Appointment:
    """Calls the patient once more (they did not hear it): the screen shows the number again."""
    locked = Appointment.objects.select_for_update().get(pk=appointment.pk)
    if locked.status not in CALLABLE_STATUSES or locked.queue_number is None:
        raise ValidationError(_("Only a patient who is checked in can be called."))
    return _call(locked)
