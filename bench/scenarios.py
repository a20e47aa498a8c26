"""The pages the benchmark requests (issue 6), each as the role that uses it, and the targets
they are held to at 1M patients on MariaDB (docs/performance.md)."""

from __future__ import annotations

import datetime
import re
from collections.abc import Callable
from dataclasses import dataclass

from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode

from bench.targets import Targets
from scheduling.models import Appointment, AppointmentService

BOOKING_REASON = "benchmark booking (deleted again)"
DETAIL_PATH = re.compile(r"/appointments/(\d+)/$")


@dataclass(frozen=True)
class Scenario:
    name: str
    user: str  # the Targets attribute of the user who requests the page
    path: str
    method: str = "GET"
    data: dict | None = None
    after: Callable[[object], None] | None = None  # untimed clean-up after each request


@dataclass(frozen=True)
class Target:
    p50_ms: float | None = None
    r_sql: float | None = None


# Issue 6's targets; every page is also held to R_N <= MAX_GROWTH from 10k to 1M patients.
MAX_GROWTH = 1.5
TARGETS = {
    "search name": Target(10, 5), "search NIK": Target(10, 5), "search phone": Target(10, 5),
    "doctor day": Target(10, 5), "doctor queue": Target(10, 5),
    "board": Target(10), "bill 1 line": Target(10), "bill 50 lines": Target(10),
    "dashboard": Target(50), "revenue year": Target(50),
}


def _url(name: str, *args, **query) -> str:
    path = reverse(name, args=args)
    return f"{path}?{urlencode(query, doseq=True)}" if query else path


def delete_booking(response) -> None:
    """Deletes the appointment the booking made (its lines first: PROTECT), so the next
    iteration books the same free slot. The booking POST answers with a redirect to it."""
    match = DETAIL_PATH.search(response.get("Location", ""))
    if match is None:
        raise AssertionError(f"the booking did not redirect to the appointment: {response.get('Location')!r}")
    appointment = Appointment.objects.get(pk=int(match[1]), reason=BOOKING_REASON)
    AppointmentService.objects.filter(appointment=appointment).delete()
    appointment.delete()


def _revenue_ranges(today: datetime.date) -> tuple[dict, dict]:
    """The last complete month per day, and the twelve complete months before this one per month."""
    this_month = today.replace(day=1)
    last_month_end = this_month - datetime.timedelta(days=1)
    month = {"period": "day", "start": last_month_end.replace(day=1).isoformat(), "end": last_month_end.isoformat()}
    year_start = this_month.replace(year=this_month.year - 1)
    year = {"period": "month", "start": year_start.isoformat(), "end": last_month_end.isoformat()}
    return month, year


def build_scenarios(targets: Targets) -> list[Scenario]:
    local_start = timezone.localtime(targets.booking_start)
    month, year = _revenue_ranges(timezone.localdate())
    booking = {
        "patient": targets.history_patient.pk, "doctor": targets.doctor.pk,
        "date": local_start.date().isoformat(), "time": local_start.strftime("%H:%M"),
        "services": [targets.booking_service_pk], "reason": BOOKING_REASON,
    }
    return [
        Scenario("search name", "receptionist", _url("patients:search", q=targets.name_prefix)),
        Scenario("search NIK", "receptionist", _url("patients:search", q=targets.nik)),
        Scenario("search phone", "receptionist", _url("patients:search", q=targets.phone)),
        Scenario("doctor day", "doctor_user", _url("scheduling:day")),
        Scenario("doctor queue", "doctor_user", _url("records:queue")),
        Scenario("board", "receptionist", _url("scheduling:board")),
        Scenario("booking", "receptionist", _url("scheduling:book"), "POST", booking, delete_booking),
        Scenario("history: patient page", "admin", _url("patients:detail", targets.history_patient.pk)),
        Scenario("history: visit page", "admin", _url("records:visit", targets.history_visit.pk)),
        Scenario("bill 1 line", "receptionist", _url("billing:detail", targets.bill_1_line.pk)),
        Scenario("bill 50 lines", "receptionist", _url("billing:detail", targets.bill_50_lines.pk)),
        Scenario("dashboard", "admin", _url("dashboard")),
        Scenario("revenue month", "admin", _url("dashboard", **month)),
        Scenario("revenue year", "admin", _url("dashboard", **year)),
    ]
