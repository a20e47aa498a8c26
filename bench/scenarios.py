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

from bench.admin_pages import ADMIN_MODELS, ADMIN_P50_MS, admin_pages
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
    htmx: bool = False  # sent as htmx sends it (the live search: a POST answered with its results)


@dataclass(frozen=True)
class Target:
    p50_ms: float | None = None
    r_sql: float | None = None


# Issue 6's targets; every page is also held to R_N <= MAX_GROWTH from 10k to 1M patients.
MAX_GROWTH = 1.5
TARGETS = {
    "search name": Target(10, 5),
    "search any word": Target(10, 5),
    "search NIK": Target(10, 5),
    "search phone": Target(10, 5),
    "doctor day": Target(10, 5),
    "doctor queue": Target(10, 5),
    "board": Target(10),
    "bill 1 line": Target(10),
    "bill 50 lines": Target(10),
    "dashboard": Target(50),
    "revenue year": Target(50),
    # Issue 16: the pharmacist's queue and the stock report (the admin holds both capabilities).
    "pharmacy queue": Target(10),
    "stock report": Target(10),
    # Issue 14: the Django admin's lists, change forms and searches (bench/admin_pages.py).
    **{f"admin {kind} {label}": Target(ADMIN_P50_MS) for kind in ("list", "form") for label in ADMIN_MODELS},
    **{
        name: Target(ADMIN_P50_MS)
        for name in (
            "admin search patients name",
            "admin search patients NIK",
            "admin search patients phone",
            "admin search appointments name",
            "admin search bills number",
            "admin filter appointments completed",
        )
    },
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


def last_complete_month_end(today: datetime.date) -> datetime.date:
    return today.replace(day=1) - datetime.timedelta(days=1)


def _revenue_ranges(last_day: datetime.date) -> tuple[dict, dict]:
    """The month that ends on last_day per day, and the twelve months that end there per month.
    With the last day of the last complete month (the default) they are that month and the
    twelve complete months before this one."""
    month_start = last_day.replace(day=1)
    month = {"period": "day", "start": month_start.isoformat(), "end": last_day.isoformat()}
    if month_start.month == 12:
        year_start = month_start.replace(month=1)
    else:
        year_start = month_start.replace(year=month_start.year - 1, month=month_start.month + 1)
    year = {"period": "month", "start": year_start.isoformat(), "end": last_day.isoformat()}
    return month, year


def build_scenarios(targets: Targets, *, revenue_end: datetime.date | None = None) -> list[Scenario]:
    """revenue_end: the last day of the revenue pages' periods (the end of the last complete
    month unless given)."""
    local_start = timezone.localtime(targets.booking_start)
    month, year = _revenue_ranges(revenue_end or last_complete_month_end(timezone.localdate()))
    booking = {
        "patient": targets.history_patient.pk,
        "doctor": targets.doctor.pk,
        "date": local_start.date().isoformat(),
        "time": local_start.strftime("%H:%M"),
        "services": [targets.booking_service_pk],
        "reason": BOOKING_REASON,
    }
    return [
        # The live search POSTs its words (never in a URL, core/search_tokens.py) and gets the results.
        Scenario("search name", "receptionist", _url("patients:search"), "POST", {"q": targets.name_prefix}, htmx=True),
        Scenario(
            "search any word", "receptionist", _url("patients:search"), "POST", {"q": targets.name_word}, htmx=True
        ),
        Scenario("search NIK", "receptionist", _url("patients:search"), "POST", {"q": targets.nik}, htmx=True),
        Scenario("search phone", "receptionist", _url("patients:search"), "POST", {"q": targets.phone}, htmx=True),
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
        # The audit log's pages (seed_demo writes about ten rows per visit): the newest page of
        # the whole log, the log of one patient (the 1,000-visit anchor), and that patient's
        # printable access report. verify_audit_chain is timed apart (bench/suite.py).
        Scenario("audit search", "admin", _url("audit:search")),
        Scenario(
            "audit search patient",
            "admin",
            _url("audit:search", patient=targets.history_patient.medical_record_number),
        ),
        Scenario("audit access report", "admin", _url("audit:patient", targets.history_patient.pk)),
        Scenario("pharmacy queue", "admin", _url("pharmacy:queue")),
        Scenario("stock report", "admin", _url("pharmacy:stock")),
        *(Scenario(name, "admin", path) for name, path in admin_pages(targets)),
    ]
