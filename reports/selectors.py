"""Reads of the dashboard (issue 6): aggregate queries, one per figure, whatever the data's size.

Days, months and years are the clinic's (Asia/Jakarta): a payment at 23:30 UTC belongs to the
next day in Jakarta. Revenue is cash basis: the sum of the payments received (Payment.amount by
paid_at), nothing excluded. The money figures and patient counts read the daily summary
tables (kept by the services of patients, scheduling and billing): their cost depends on the range, not
on the number of payments, bills or patients."""

import datetime
from decimal import Decimal

from django.db.models import Count, DateField, F, IntegerField, Q, Sum
from django.db.models.functions import Cast, Coalesce, TruncMonth, TruncYear

from billing.models import BilledServiceDaily, PaymentMethod, RevenueDaily
from core.clock import day_bounds
from patients.models import Doctor, RegistrationDaily
from scheduling.models import Appointment, AppointmentDaily, Service

PERIODS = ("day", "month", "year")
ZERO = Decimal("0")


def bucket_of(period: str, day: datetime.date) -> datetime.date:
    if period == "month":
        return day.replace(day=1)
    if period == "year":
        return day.replace(month=1, day=1)
    return day


def buckets(period: str, start: datetime.date, end: datetime.date) -> list[datetime.date]:
    """Every day, month or year of the range, so that one without payments shows as zero."""
    result, current = [], bucket_of(period, start)
    while current <= end:
        result.append(current)
        if period == "day":
            current += datetime.timedelta(days=1)
        elif period == "month":
            current = current.replace(year=current.year + current.month // 12, month=current.month % 12 + 1)
        else:
            current = current.replace(year=current.year + 1)
    return result


def _bucket(period: str):
    """The summary row's day, or the first day of its month or year (a date: no time zone)."""
    if period == "day":
        return F("day")
    kind = TruncMonth if period == "month" else TruncYear
    return kind("day", output_field=DateField())


def _days(model, start: datetime.date, end: datetime.date):
    return model.objects.filter(day__gte=start, day__lte=end)


def revenue_by_period(*, period: str, start: datetime.date, end: datetime.date) -> list[tuple[datetime.date, Decimal]]:
    """(first day of the day/month/year, sum of payments) for every bucket of the range. 1 query,
    on the daily summary: at most a few rows per day of the range."""
    rows = (
        _days(RevenueDaily, start, end)
        .annotate(bucket=_bucket(period))
        .values("bucket")
        .annotate(total=Sum("amount"))
        .order_by("bucket")
    )
    totals = {row["bucket"]: row["total"] or ZERO for row in rows}
    return [(bucket, totals.get(bucket, ZERO)) for bucket in buckets(period, start, end)]


def revenue_by_method(*, start: datetime.date, end: datetime.date) -> list[dict]:
    """Payments received in the range per payment method. 1 query, on the daily summary."""
    rows = list(
        _days(RevenueDaily, start, end)
        .values("method")
        .annotate(total=Sum("amount"), count=Cast(Sum("payments"), IntegerField()))
        .filter(count__gt=0)
        .order_by("-total", "method")
    )
    labels = dict(PaymentMethod.choices)
    return [{**row, "label": labels.get(row["method"], row["method"])} for row in rows]


def billed_by_service(*, start: datetime.date, end: datetime.date) -> list[dict]:
    """Quantity × unit price of the lines of the bills issued in the range (void bills left out),
    per service. Billed, not received: a payment is not split over services. A service whose
    lines all went with voided bills is left out, as before.

    2 queries: the sums from the daily summary alone, read through its (day, service) index
    for the range, then the services' code and name. Joined to the price list in one query,
    MariaDB walked each service's every day of the index instead of the range's."""
    rows = list(
        _days(BilledServiceDaily, start, end)
        .values("service_id")
        .annotate(total=Sum("amount"), quantity=Cast(Sum("quantity"), IntegerField()))
        .alias(lines=Sum("lines"))
        .filter(lines__gt=0)
        .order_by()
    )
    names = {
        pk: (code, name)
        for pk, code, name in Service.objects.filter(pk__in=[row["service_id"] for row in rows]).values_list(
            "pk", "code", "name"
        )
    }
    for row in rows:
        row["service__code"], row["service__name"] = names[row["service_id"]]
    rows.sort(key=lambda row: row["service__name"])
    rows.sort(key=lambda row: row["total"], reverse=True)
    return rows


def patient_counts(*, start: datetime.date, end: datetime.date) -> dict:
    """{"active": patients on the register, "new": registered in the range}. 1 query, on the
    daily registrations (one row per day, not per patient)."""
    result = RegistrationDaily.objects.aggregate(
        active=Cast(Coalesce(Sum("active"), 0), IntegerField()),
        new=Cast(Coalesce(Sum("registered", filter=Q(day__gte=start, day__lte=end)), 0), IntegerField()),
    )
    return {"active": result["active"], "new": result["new"]}


def _today_appointments(day: datetime.date):
    low, high = day_bounds(day)
    return Appointment.objects.filter(appointment_date__gte=low, appointment_date__lt=high)


def _status_rows(counts: dict[str, int]) -> list[dict]:
    return [
        {"status": value, "label": label, "count": counts.get(value, 0)} for value, label in Appointment.Status.choices
    ]


def appointments_today(*, day: datetime.date) -> dict:
    """Today's appointments by status and by doctor, and the number of active doctors: 2 queries.

    The counts come from the day's rows of the daily counts by doctor and status
    (AppointmentDaily), not from counting the day's appointments, whose number grows with a
    chain. The doctors are named by a second query, which also counts the active ones."""
    rows = [
        (doctor_id, status, count)
        for doctor_id, status, count in AppointmentDaily.objects.filter(day=day).values_list(
            "doctor_id", "status", "appointments"
        )
        if count
    ]
    # Every doctor (a chain's hundred; an inactive one may still have appointments today), in
    # the database's order of names (its collation), as the board and the filters list them.
    # Asking for the active ones and today's by id wrote a hundred ids into the query: slower.
    doctors = Doctor.objects.order_by("full_name", "pk").values_list("pk", "full_name", "is_active")
    names, rank, active = {}, {}, 0
    for pk, name, is_active in doctors:
        names[pk], rank[pk] = name, len(rank)
        active += bool(is_active)
    by_status: dict[str, int] = {}
    by_doctor: dict[int, dict] = {}
    for doctor_id, status, count in sorted(rows, key=lambda row: (rank.get(row[0], len(rank)), row[0], row[1])):
        by_status[status] = by_status.get(status, 0) + count
        doctor = by_doctor.setdefault(doctor_id, {"name": names.get(doctor_id, ""), "count": 0, "statuses": {}})
        doctor["count"] += count
        doctor["statuses"][status] = count
    return {
        "by_status": _status_rows(by_status),
        "by_doctor": list(by_doctor.values()),
        "total": sum(by_status.values()),
        "active_doctors": active,
    }


def doctor_day(*, doctor: Doctor, day: datetime.date) -> dict:
    """A doctor's own appointments today by status, and the patients seen (completed). 1 query."""
    rows = (
        _today_appointments(day)
        .filter(doctor=doctor)
        .values("status")
        .annotate(count=Count("id"), patients=Count("patient", distinct=True))
        .order_by("status")
    )
    counts = {row["status"]: row["count"] for row in rows}
    seen = sum(row["patients"] for row in rows if row["status"] == Appointment.Status.COMPLETED)
    return {"by_status": _status_rows(counts), "total": sum(counts.values()), "patients_seen": seen}
