"""Reads for the doctor's pages; each runs a fixed number of queries whatever the row count."""

import datetime
from dataclasses import dataclass, field

from django.db import connections, router
from django.db.models import F, Prefetch
from django.utils import formats, timezone
from django.utils.translation import gettext

from core import display
from core.clock import day_bounds
from core.queries import count_of
from patients.models import Doctor, Patient
from records.models import LabResult, LabResultVersion, MedicalRecord, MedicalRecordVersion
from scheduling.models import Appointment, AppointmentService

# What a doctor writes in the allergies box when the patient has none.
NO_ALLERGY = {
    "",
    "-",
    "--",
    "none",
    "no",
    "nil",
    "tidak ada",
    "tidak",
    "tak ada",
    "nihil",
    "negatif",
    "tidak ada alergi",
}


def age_on(date_of_birth: datetime.date | None, day: datetime.date) -> str:
    """ "57 tahun", or in months under 2 years (core.display.age)."""
    return display.age(date_of_birth, day)


@dataclass(frozen=True, slots=True)
class QueueRow:
    """One appointment of a doctor's queue, as plain values (templates/records/partials/
    queue_table.html writes them): a queue lists some 20–40 a day and is refreshed every 30 seconds."""

    pk: int
    start: datetime.datetime
    status: str
    queue_number: int | None
    reason: str
    patient_name: str
    patient_mrn: str
    patient_age: str
    waiting_minutes: int | None
    called_at: datetime.datetime | None = None


def queue_for(*, doctor: Doctor, day: datetime.date | None = None) -> list[QueueRow]:
    """The doctor's appointments of the day (clinic time), by queue number then time, each with
    the patient's age that day and the minutes waited since arrival while checked in (one query)."""
    day = day or timezone.localdate()
    start, end = day_bounds(day)
    now = timezone.now()
    appointments = (
        Appointment.objects.filter(
            doctor=doctor,
            appointment_date__gte=start,
            appointment_date__lt=end,
        )
        .order_by(F("queue_number").asc(nulls_last=True), "appointment_date", "id")
        .values_list(
            # Name, No. RM and age: the patient's encrypted columns stay unread.
            "pk",
            "appointment_date",
            "status",
            "queue_number",
            "reason",
            "arrived_at",
            "patient__full_name",
            "patient__medical_record_number",
            "patient__date_of_birth",
            "called_at",
        )
    )
    rows = []
    for pk, when, status, number, reason, arrived, name, mrn, born, called in appointments:
        waiting = None
        if status == Appointment.Status.CHECKED_IN and arrived:
            waiting = max(0, int((now - arrived).total_seconds() // 60))
        rows.append(QueueRow(pk, when, status, number, reason, name, mrn, age_on(born, day), waiting, called))
    return rows


def _with_labs(records):
    return records.prefetch_related(Prefetch("lab_results", queryset=LabResult.objects.order_by("sampled_at", "id")))


def known_allergies(*, patient: Patient) -> list[str]:
    """The distinct allergies written in the patient's records, newest first (one query)."""
    seen, allergies = set(), []
    values = (
        MedicalRecord.objects.filter(patient=patient)
        .exclude(allergies="")
        .order_by("-created_at", "-id")
        .values_list("allergies", flat=True)
    )
    for value in values:
        text = value.strip()
        key = " ".join(text.casefold().rstrip(".").split())
        if key not in NO_ALLERGY and key not in seen:
            seen.add(key)
            allergies.append(text)
    return allergies


def medical_record_of(*, appointment: Appointment) -> MedicalRecord | None:
    """The visit's record with its lab results (two queries), or None."""
    return _with_labs(MedicalRecord.objects.filter(appointment=appointment)).first()


HISTORY_LIMIT = 20  # earlier visits shown on the visit page


def patient_history(*, patient: Patient, before: Appointment, limit: int = HISTORY_LIMIT) -> list[MedicalRecord]:
    """The patient's records of the `limit` latest visits before `before` (one more when there
    are more, for the page to say so), newest first, with their doctor, appointment, number of
    corrections and lab results: two queries whose cost does not grow with a patient's visits.

    Filtered and ordered on the appointment's columns only (its patient, its date, its id), so
    the database walks the (patient, date) index of appointments backwards and stops after
    `limit` + 1 rows; a GROUP BY for the corrections or a tie-break on the record's id made it
    sort all of a 1,000-visit patient's records first (docs/performance.md)."""
    same_patient = {"appointment__patient": patient}
    # The record's own patient column says the same as its appointment's. MariaDB needs both to
    # walk the index (without the record's it joined the doctors through a join buffer and
    # sorted); PostgreSQL takes the two for independent filters, expects one row, and sorts all
    # of a long-visiting patient's records, so it gets the appointment's alone.
    if connections[router.db_for_read(MedicalRecord)].vendor != "postgresql":
        same_patient["patient"] = patient
    return list(
        _with_labs(
            MedicalRecord.objects.filter(**same_patient, appointment__appointment_date__lt=before.appointment_date)
            .exclude(appointment=before)
            .select_related("doctor", "appointment")
            .annotate(version_count=count_of(MedicalRecordVersion, "record"))
            .order_by("-appointment__appointment_date", "-appointment_id")[: limit + 1]
        )
    )


@dataclass
class Visit:
    appointment: Appointment
    patient_age: str
    lines: list[AppointmentService]
    record: MedicalRecord | None
    history: list[MedicalRecord]
    history_more: bool
    allergies: list[str] = field(default_factory=list)
    versions: list[MedicalRecordVersion] = field(default_factory=list)
    lab_versions: list[LabResultVersion] = field(default_factory=list)


def _readable(model, snapshot: dict) -> list[tuple[str, str]]:
    """A version's content as (label, value) pairs, in the model's field order, empty ones left out."""
    pairs = []
    for model_field in model._meta.concrete_fields:
        value = snapshot.get(model_field.name)
        if value in (None, ""):
            continue
        if model_field.get_internal_type() == "DateTimeField":
            try:
                value = formats.date_format(timezone.localtime(datetime.datetime.fromisoformat(value)), "d-m-Y H.i")
            except (TypeError, ValueError):
                pass
        elif model_field.get_internal_type() == "BooleanField":
            value = gettext("yes") if value else gettext("no")
        pairs.append((model_field.verbose_name, value))
    return pairs


def record_versions(*, record: MedicalRecord) -> tuple[list[MedicalRecordVersion], list[LabResultVersion]]:
    """The earlier versions of a record and of its lab results, newest first, each with its
    content as `fields` (two queries)."""
    versions = list(
        MedicalRecordVersion.objects.filter(record=record).select_related("changed_by").order_by("-version")
    )
    lab_versions = list(
        LabResultVersion.objects.filter(lab_result__medical_record=record)
        .select_related("changed_by", "lab_result")
        .order_by("lab_result_id", "-version")
    )
    for version in versions:
        version.fields = _readable(MedicalRecord, version.snapshot)
    for version in lab_versions:
        version.fields = _readable(LabResult, version.snapshot)
    return versions, lab_versions


def visit_detail(*, appointment: Appointment) -> Visit:
    """Everything the visit page shows, in eight queries at most."""
    lines = list(AppointmentService.objects.filter(appointment=appointment).select_related("service"))
    patient = appointment.patient
    record = medical_record_of(appointment=appointment)
    history = patient_history(patient=patient, before=appointment)
    versions, lab_versions = record_versions(record=record) if record else ([], [])
    return Visit(
        appointment=appointment,
        patient_age=age_on(patient.date_of_birth, timezone.localtime(appointment.appointment_date).date()),
        lines=lines,
        record=record,
        history=history[:HISTORY_LIMIT],
        history_more=len(history) > HISTORY_LIMIT,
        allergies=known_allergies(patient=patient),
        versions=versions,
        lab_versions=lab_versions,
    )


def latest_allergies(*, patient: Patient) -> str:
    """What the last record said about allergies, to start a new record from (one query)."""
    return (
        MedicalRecord.objects.filter(patient=patient)
        .exclude(allergies="")
        .order_by("-created_at", "-id")
        .values_list("allergies", flat=True)
        .first()
    ) or ""
