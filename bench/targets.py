"""What the scenarios point at: the staff who request the pages and the rows the pages show.

seed_demo plants fixed "anchors" (the bench users, a patient with 1,000 visits, a bill with 50
lines). A database without them (the sample data of `make run`, a developer's copy) still runs:
each finder then falls back to the closest thing it has and says so in `notes`, which the report
prints. Every lookup is a cheap, indexed query: at 1M patients no finder may scan a big table."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from django.db.models import Count
from django.utils import timezone

from accounts.models import User
from billing.models import Billing
from patients.models import Doctor, Patient
from scheduling.models import Appointment, AppointmentService, Service
from scheduling.selectors import doctor_free_starts
from scheduling.services import appointment_duration

ANCHOR_PATIENT = "Pasien Benchmark Seribu"
ANCHOR_50_LINES = "benchmark: 50 services"
BENCH_USERS = {"admin": "bench_admin", "receptionist": "bench_receptionist", "doctor": "bench_doctor"}
# How many of the newest bills are looked at to find one with a single line.
RECENT_BILLS = 200
BOOKING_DAYS_AHEAD = range(45, 120)
# A common name prefix: seed_demo's names start with "Kar" (Kartika, Kartini...) about 1.8 % of
# the time, so at 1M patients the search finds ~18,000 and must show 50 without reading them all.
DEFAULT_NAME_PREFIX = "Kar"
# A word inside the name, not its start (issue 17: "Wijayanti" finds "Dewi Tri Wijayanti"):
# one of seed_demo's last names (Faker's id_ID: 1 of 69 women's), so at 1M the words table gives
# about 7,000 patients of which the search shows the first 50 by name.
DEFAULT_NAME_WORD = "Lestari"


class TargetMissing(Exception):
    """The database lacks something a scenario needs (e.g. no doctor at all)."""


@dataclass
class Targets:
    admin: User
    receptionist: User
    doctor_user: User
    doctor: Doctor
    name_prefix: str
    name_word: str
    nik: str
    phone: str
    history_patient: Patient
    history_visit: Appointment
    bill_1_line: Billing
    bill_50_lines: Billing
    booking_start: datetime.datetime
    booking_service_pk: int
    notes: list[str] = field(default_factory=list)


def _user(role: str, notes: list[str]) -> User:
    username = BENCH_USERS[role]
    user = User.objects.filter(username=username, is_active=True).first()
    if user is not None:
        return user
    role_value = {"admin": User.Role.ADMIN, "receptionist": User.Role.RECEPTIONIST}.get(role)
    if role_value is None:
        raise TargetMissing(f"no user {username}")
    user = User.objects.filter(role=role_value, is_active=True).order_by("pk").first()
    if user is None:
        raise TargetMissing(f"no active {role} user")
    notes.append(f"no {username}: using {user.username}")
    return user


def _doctor_with_today(notes: list[str]) -> tuple[User, Doctor]:
    """bench_doctor, else the doctor with a user who has the most appointments today."""
    user = User.objects.filter(username=BENCH_USERS["doctor"], is_active=True).first()
    doctor = Doctor.objects.filter(user=user, is_active=True).first() if user else None
    if doctor is not None:
        return user, doctor
    low = timezone.make_aware(datetime.datetime.combine(timezone.localdate(), datetime.time.min))
    high = low + datetime.timedelta(days=1)
    busiest = (
        Appointment.objects.filter(
            appointment_date__gte=low, appointment_date__lt=high, doctor__user__isnull=False, doctor__is_active=True
        )
        .values("doctor_id")
        .annotate(n=Count("id"))
        .order_by("-n")
        .first()
    )
    doctor = (
        (
            Doctor.objects.filter(pk=busiest["doctor_id"])
            if busiest
            else Doctor.objects.filter(user__isnull=False, is_active=True).order_by("pk")
        )
        .select_related("user")
        .first()
    )
    if doctor is None:
        raise TargetMissing("no active doctor with a user account")
    notes.append(f"no bench_doctor: using {doctor.user.username}")
    return doctor.user, doctor


def _identified_patient() -> Patient:
    """The lowest-numbered active patient with a NIK and a phone: the first rows of an index."""
    patient = (
        Patient.objects.filter(is_active=True, nik_hash__isnull=False, phone_hash__isnull=False).order_by("pk").first()
    )
    if patient is None:
        raise TargetMissing("no active patient with both a NIK and a phone number")
    return patient


def _local_phone(phone: str) -> str:
    """+62 812-3456-7890 as a receptionist types it: 081234567890."""
    digits = "".join(ch for ch in phone if ch.isdigit())
    return "0" + digits[2:] if digits.startswith("62") else digits


def _history_patient(notes: list[str]) -> Patient:
    patient = Patient.objects.filter(full_name=ANCHOR_PATIENT).first()
    if patient is not None:
        return patient
    busiest = Appointment.objects.values("patient_id").annotate(n=Count("id")).order_by("-n").first()
    if busiest is None:
        raise TargetMissing("no appointments")
    notes.append(f"no patient '{ANCHOR_PATIENT}': using the one with the most visits ({busiest['n']})")
    return Patient.objects.get(pk=busiest["patient_id"])


def _latest_visit(patient: Patient) -> Appointment:
    visit = (
        Appointment.objects.filter(patient=patient, status=Appointment.Status.COMPLETED)
        .order_by("-appointment_date", "-id")
        .first()
    )
    if visit is None:
        raise TargetMissing(f"patient {patient.pk} has no completed visit")
    return visit


def _bill_50_lines(notes: list[str]) -> Billing:
    bill = Billing.objects.filter(appointment__reason=ANCHOR_50_LINES).first()
    if bill is not None:
        return bill
    busiest = (
        AppointmentService.objects.filter(appointment__bill__isnull=False)
        .values("appointment_id")
        .annotate(n=Count("id"))
        .order_by("-n")
        .first()
    )
    if busiest is None:
        raise TargetMissing("no bill with lines")
    notes.append(f"no '{ANCHOR_50_LINES}' bill: using the bill with the most lines ({busiest['n']})")
    return Billing.objects.get(appointment_id=busiest["appointment_id"])


def _bill_1_line() -> Billing:
    """A bill with exactly one line, among the newest bills (two small indexed queries)."""
    recent = dict(Billing.objects.order_by("-id").values_list("appointment_id", "id")[:RECENT_BILLS])
    counts = (
        AppointmentService.objects.filter(appointment_id__in=list(recent))
        .values("appointment_id")
        .annotate(n=Count("id"))
        .filter(n=1)
        .order_by("appointment_id")
    )
    for row in counts[:1]:
        return Billing.objects.get(pk=recent[row["appointment_id"]])
    raise TargetMissing(f"no bill with exactly one line among the newest {RECENT_BILLS}")


def _free_booking_slot(doctor: Doctor, duration: datetime.timedelta) -> datetime.datetime:
    """A free slot weeks ahead, where no seeded appointment is; the booking scenario books it
    and deletes it again, so every iteration books the same slot."""
    today = timezone.localdate()
    for ahead in BOOKING_DAYS_AHEAD:
        day = today + datetime.timedelta(days=ahead)
        not_before = timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))
        starts = doctor_free_starts(doctor=doctor, day=day, duration=duration, not_before=not_before)
        if starts:
            return starts[0]
    raise TargetMissing(f"doctor {doctor.pk} has no free slot in the next {BOOKING_DAYS_AHEAD.stop} days")


def find_targets(*, name_prefix: str | None = None) -> Targets:
    notes: list[str] = []
    admin, receptionist = _user("admin", notes), _user("receptionist", notes)
    doctor_user, doctor = _doctor_with_today(notes)
    identified = _identified_patient()
    history_patient = _history_patient(notes)
    service = Service.objects.filter(is_active=True).order_by("pk").first()
    if service is None:
        raise TargetMissing("no active service")
    return Targets(
        admin=admin,
        receptionist=receptionist,
        doctor_user=doctor_user,
        doctor=doctor,
        name_prefix=name_prefix or DEFAULT_NAME_PREFIX,
        name_word=DEFAULT_NAME_WORD,
        nik=identified.nik,
        phone=_local_phone(identified.phone),
        history_patient=history_patient,
        history_visit=_latest_visit(history_patient),
        bill_1_line=_bill_1_line(),
        bill_50_lines=_bill_50_lines(notes),
        booking_start=_free_booking_slot(doctor, appointment_duration([(service, 1)])),
        booking_service_pk=service.pk,
        notes=notes,
    )
