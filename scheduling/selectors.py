import datetime
import re
from dataclasses import dataclass
from functools import reduce
from operator import or_

from django.db.models import Exists, OuterRef, Prefetch, QuerySet, Sum
from django.utils import timezone

from core.clock import SLOT, clinic_datetime, day_bounds
from patients.models import Doctor, Patient, WorkingHours
from patients.selectors import name_order, patient_identifier_conditions, prefix_condition
from scheduling.models import Appointment, AppointmentDaily, AppointmentService, Service

# Appointments lie within one working day (working_hours_cover); a day is a safe upper bound.
MAX_APPOINTMENT_LENGTH = datetime.timedelta(days=1)


def appointment_overlapping(
    *, doctor: Doctor, start: datetime.datetime, end: datetime.datetime, exclude_pk: int | None = None
) -> QuerySet[Appointment]:
    """Appointments of the doctor that hold a slot and overlap [start, end).

    The lower bound on the start is implied by end_time > start (no appointment is longer than
    MAX_APPOINTMENT_LENGTH) and keeps the read on a short stretch of the (doctor, start) index
    instead of every earlier appointment of the doctor's career."""
    qs = Appointment.objects.filter(
        doctor=doctor,
        slot_active=True,
        appointment_date__lt=end,
        end_time__gt=start,
        appointment_date__gt=start - MAX_APPOINTMENT_LENGTH,
    )
    if exclude_pk is not None:
        qs = qs.exclude(pk=exclude_pk)
    return qs


def working_hours_cover(*, doctor: Doctor, start: datetime.datetime, end: datetime.datetime) -> bool:
    """True when [start, end) lies inside one of the doctor's weekly working blocks (clinic time)."""
    local_start = timezone.localtime(start)
    local_end = timezone.localtime(end)
    if local_start.date() != local_end.date() and local_end.time() != datetime.time(0, 0):
        return False
    end_time = local_end.time() if local_end.date() == local_start.date() else datetime.time(23, 59, 59)
    return WorkingHours.objects.filter(
        doctor=doctor,
        weekday=local_start.weekday(),
        start_time__lte=local_start.time(),
        end_time__gte=end_time,
    ).exists()


# --- Reads for the staff pages. Each runs a fixed number of queries, however many rows.


def doctor_active_list() -> QuerySet[Doctor]:
    return Doctor.objects.filter(is_active=True).order_by("full_name", "id")


def service_active_list(*, doctor_id: int | None = None) -> QuerySet[Service]:
    """The active services; with `doctor_id`, only those the doctor gives: the ones linked to
    that doctor and the ones linked to no doctor (one query)."""
    services = Service.objects.filter(is_active=True).order_by("name", "id")
    if doctor_id is None:
        return services
    links = Service.doctors.through.objects.filter(service=OuterRef("pk"))
    return services.filter(Exists(links.filter(doctor_id=doctor_id)) | ~Exists(links))


def service_ids_not_given(*, doctor_id: int, service_ids) -> set[int]:
    """Of `service_ids`, those the doctor does not give (linked to other doctors only)."""
    wanted = set(service_ids)
    if not wanted:
        return set()
    given = Service.objects.filter(pk__in=wanted).filter(
        Exists(Service.doctors.through.objects.filter(service=OuterRef("pk"), doctor_id=doctor_id))
        | ~Exists(Service.doctors.through.objects.filter(service=OuterRef("pk")))
    )
    return wanted - set(given.values_list("pk", flat=True))


_RM_PREFIX = re.compile(r"rm[-0-9]*", re.IGNORECASE)


def patient_lookup(*, query: str, limit: int = 10) -> list[Patient]:
    """Active patients whose name or No. RM starts with `query`, or whose whole NIK, phone
    number or email it is (one query). NIK, phone and email are encrypted: they match through
    their blind indexes, so only in full.

    prefix_condition keeps both MariaDB and PostgreSQL on an index. A NUL byte is dropped: PostgreSQL
    refuses it in a query (?q=%00 was a 500)."""
    query = query.replace("\x00", "").strip()
    if len(query) < 2:
        return []
    # Only the conditions the query can meet, each on its own index: a name has a letter, a
    # No. RM starts with "RM" and has only digits and a dash after it. OR-ing a name prefix
    # with a No. RM prefix made both databases walk the whole name index for a rare prefix.
    conditions = patient_identifier_conditions(" ".join(query.split()))
    if any(ch.isalpha() for ch in query):
        conditions.append(prefix_condition("full_name", query))
    if _RM_PREFIX.fullmatch(query):
        conditions.append(prefix_condition("medical_record_number", query))
    if not conditions:
        return []
    condition = reduce(or_, conditions)
    return list(Patient.objects.filter(condition, is_active=True).order_by(*name_order())[:limit])


def appointment_detail_queryset() -> QuerySet[Appointment]:
    return Appointment.objects.select_related("patient", "doctor").prefetch_related(
        Prefetch("lines", queryset=AppointmentService.objects.select_related("service"))
    )


BOARD_DOCTORS_PER_PAGE = 5


def doctor_active_rows() -> list[tuple[int, str, str]]:
    """(id, name, specialization) of every active doctor by name: the board's filter and its
    pages of doctors from one query."""
    return list(doctor_active_list().values_list("pk", "full_name", "specialization"))


def board_doctor_page(*, page: int, doctor_ids: list[int]) -> tuple[list[int], bool]:
    """The ids of one page of `doctor_ids` (the active doctors by name), and whether another follows.

    The board shows a page of doctors at a time: a chain's hundred doctors hold some 2,000
    appointments a day, which no one reads on one screen and which were slow to draw."""
    offset = (page - 1) * BOARD_DOCTORS_PER_PAGE
    return doctor_ids[offset : offset + BOARD_DOCTORS_PER_PAGE], len(doctor_ids) > offset + BOARD_DOCTORS_PER_PAGE


@dataclass(frozen=True, slots=True)
class BoardRow:
    """One appointment of today's board, as plain values: the board lists some 90 of them a
    page, and building three model instances per row cost more than the page's queries."""

    pk: int
    start: datetime.datetime
    status: str
    queue_number: int | None
    arrived_at: datetime.datetime | None
    waiting_minutes: int | None
    patient_name: str
    patient_mrn: str
    doctor_id: int
    doctor_name: str
    doctor_specialization: str


BOARD_COLUMNS = (
    "pk",
    "appointment_date",
    "status",
    "queue_number",
    "arrived_at",
    "patient__full_name",
    "patient__medical_record_number",
    "doctor_id",
    "doctor__full_name",
    "doctor__specialization",
)


def board_appointments(
    *,
    day: datetime.date,
    doctor: Doctor | None = None,
    status: str | None = None,
    doctors: list[int] | None = None,
    now: datetime.datetime | None = None,
) -> list[BoardRow]:
    """The day's appointments, by doctor then time, each with `waiting_minutes` for the checked-in;
    of one doctor, or of the given doctors (read through the (doctor, start) index)."""
    start, end = day_bounds(day)
    qs = Appointment.objects.filter(appointment_date__gte=start, appointment_date__lt=end)
    if doctor is not None:
        qs = qs.filter(doctor=doctor)
    elif doctors is not None:
        qs = qs.filter(doctor_id__in=doctors)
    if status:
        qs = qs.filter(status=status)
    now = now or timezone.now()
    rows = []
    ordered = qs.order_by("doctor__full_name", "doctor_id", "appointment_date", "id").values_list(*BOARD_COLUMNS)
    for pk, when, state, queue, arrived, name, mrn, doctor_id, doctor_name, specialization in ordered:
        waiting = None
        if state == Appointment.Status.CHECKED_IN and arrived:
            waiting = max(0, int((now - arrived).total_seconds() // 60))
        rows.append(
            BoardRow(pk, when, state, queue, arrived, waiting, name, mrn, doctor_id, doctor_name, specialization)
        )
    return rows


def board_status_counts(*, day: datetime.date, doctor: Doctor | None = None) -> list[dict]:
    """Every status with the number of the day's appointments in it (one query), of the whole
    clinic or of one doctor, from the daily counts (AppointmentDaily, kept by
    scheduling.services): a day's few hundred rows, or one doctor's six, where counting a
    chain's appointments read 1,800 index entries."""
    rows = AppointmentDaily.objects.filter(day=day)
    if doctor is not None:
        rows = rows.filter(doctor=doctor)
    counts = dict(rows.order_by().values_list("status").annotate(n=Sum("appointments")))
    return [
        {"status": value, "label": label, "count": int(counts.get(value) or 0)}
        for value, label in Appointment.Status.choices
    ]


def doctor_working_blocks(*, doctor: Doctor, day: datetime.date) -> list[tuple[datetime.datetime, datetime.datetime]]:
    """The doctor's working blocks on `day` as aware (start, end) pairs, in order (one query)."""
    hours = WorkingHours.objects.filter(doctor=doctor, weekday=day.weekday()).order_by("start_time")
    return [
        (clinic_datetime(day, start_time), clinic_datetime(day, end_time))
        for start_time, end_time in hours.values_list("start_time", "end_time")
    ]


@dataclass(frozen=True, slots=True)
class DayAppointment:
    """One appointment of a doctor's day, as plain values: a day lists some 40, and building an
    appointment and a patient instance for each cost more than the page's queries."""

    pk: int
    start: datetime.datetime
    end: datetime.datetime
    status: str
    slot_active: bool | None
    patient_name: str
    patient_mrn: str


def doctor_day_appointments(*, doctor: Doctor, day: datetime.date) -> list[DayAppointment]:
    """The doctor's appointments on `day`, of every status, by start (one query)."""
    start, end = day_bounds(day)
    rows = (
        Appointment.objects.filter(
            doctor=doctor,
            appointment_date__gte=start,
            appointment_date__lt=end,
        )
        .order_by("appointment_date", "id")
        .values_list(
            "pk",
            "appointment_date",
            "end_time",
            "status",
            "slot_active",
            "patient__full_name",
            "patient__medical_record_number",
        )
    )
    return [DayAppointment(*row) for row in rows]


def _first_overlapping(
    holding: list[DayAppointment], first: int, start: datetime.datetime, end: datetime.datetime
) -> DayAppointment | None:
    """The first of `holding` (by start, from index `first`) that overlaps [start, end)."""
    for appointment in holding[first:]:
        if appointment.start >= end:
            return None
        if appointment.end > start:
            return appointment
    return None


def doctor_day(*, doctor: Doctor, day: datetime.date) -> dict:
    """The doctor's day as 15-minute slots, each free or taken (two queries in all).

    Returns {"slots": [{"start", "end", "appointment", "first"}...], "outside": [...], "released": [...]}
    of DayAppointment, where "outside" holds active appointments not inside any slot and
    "released" the cancelled and no-show ones (they no longer hold a slot). A slot's appointment
    is the earliest one holding a slot that overlaps it."""
    blocks = doctor_working_blocks(doctor=doctor, day=day)
    appointments = doctor_day_appointments(doctor=doctor, day=day)
    holding = [a for a in appointments if a.slot_active]
    released = [a for a in appointments if not a.slot_active]
    slots, placed = [], set()
    for block_start, block_end in blocks:
        slot_start = block_start
        first = 0  # holding[:first] end before the current slot: within a block the slots only move on
        while slot_start + SLOT <= block_end:
            slot_end = slot_start + SLOT
            while first < len(holding) and holding[first].end <= slot_start:
                first += 1
            taken = _first_overlapping(holding, first, slot_start, slot_end)
            if taken is not None:
                placed.add(taken.pk)
            slots.append(
                {
                    "start": slot_start,
                    "end": slot_end,
                    "appointment": taken,
                    "first": taken is not None and taken.start >= slot_start,
                }
            )
            slot_start = slot_end
    outside = [a for a in holding if a.pk not in placed]
    return {"slots": slots, "outside": outside, "released": released}


def doctor_free_starts(
    *, doctor: Doctor, day: datetime.date, duration: datetime.timedelta, not_before: datetime.datetime
) -> list[datetime.datetime]:
    """Slot starts on `day`, from `not_before` on, where `duration` fits inside working hours
    without touching an appointment that holds a slot (two queries)."""
    blocks = doctor_working_blocks(doctor=doctor, day=day)
    holding = [a for a in doctor_day_appointments(doctor=doctor, day=day) if a.slot_active]
    starts = []
    for block_start, block_end in blocks:
        candidate = block_start
        while candidate + duration <= block_end:
            if candidate >= not_before and not any(
                a.start < candidate + duration and a.end > candidate for a in holding
            ):
                starts.append(candidate)
            candidate += SLOT
    return starts
