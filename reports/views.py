"""The dashboard: the Admin's figures of the clinic, a doctor's own day, and its CSV export.

`?period=day|month|year` and `?start=YYYY-MM-DD&end=YYYY-MM-DD` choose the revenue table; a
value off the allow-list, a date that is not one, a reversed or too long range fall back to the
defaults (or are clamped) with a notice on the page, never a 500."""

import csv
import datetime

from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from accounts.policy import doctor_of, requires
from billing.selectors import unpaid_summary
from core.csv_safe import safe_row
from core.forms import ClinicDateField
from reports import selectors
from satusehat.selectors import status_counts as satusehat_counts

DEFAULT_PERIOD = "day"
# How far back the default range reaches, and the longest range a period may show.
MIN_DATE, MAX_DATE = datetime.date(1900, 1, 1), datetime.date(2999, 12, 31)
MAX_DAYS = {"day": 366 * 2, "month": 366 * 10, "year": 366 * 100}


def _default_start(period: str, end: datetime.date) -> datetime.date:
    if period == "day":
        return end - datetime.timedelta(days=29)  # the last 30 days
    if period == "month":  # the last 12 months
        month = end.year * 12 + end.month - 1 - 11
        return datetime.date(month // 12, month % 12 + 1, 1)
    return datetime.date(end.year - 4, 1, 1)  # the last 5 years


def _parse_date(value: str | None) -> datetime.date | None:
    """dd-mm-yyyy as the form shows it (27071967 and the other ways core.forms reads), or ISO."""
    if not value or len(value) > 10:
        return None
    try:
        day = ClinicDateField(required=False).clean(value.strip())
    except ValidationError:
        return None
    return day if day and MIN_DATE <= day <= MAX_DATE else None


def revenue_range(params) -> tuple[str, datetime.date, datetime.date, list[str]]:
    """(period, start, end, notices) from the query string, every value checked."""
    notices = []
    period = params.get("period") or DEFAULT_PERIOD
    if period not in selectors.PERIODS:
        notices.append(_("Unknown period: showing revenue per day."))
        period = DEFAULT_PERIOD
    today = timezone.localdate()
    raw_start, raw_end = params.get("start"), params.get("end")
    start, end = _parse_date(raw_start), _parse_date(raw_end)
    if (raw_start and start is None) or (raw_end and end is None):
        notices.append(_("A date was not understood (use a date between 1900 and 2999): showing the default range."))
        start = end = None
    if start and end and start > end:
        notices.append(_("The start was after the end: showing the default range."))
        start = end = None
    end = end or (today if start is None else min(max(today, start), MAX_DATE))
    start = start or _default_start(period, end)
    if (end - start).days >= MAX_DAYS[period]:
        start = end - datetime.timedelta(days=MAX_DAYS[period] - 1)
        notices.append(_("The range was too long for this period and has been shortened."))
    return period, max(start, MIN_DATE), end, notices


def period_label(period: str, day: datetime.date) -> str:
    if period == "month":
        return day.strftime("%m-%Y")
    if period == "year":
        return str(day.year)
    return day.strftime("%d-%m-%Y")


@requires("reports.dashboard")
@require_GET
def dashboard(request):
    today = timezone.localdate()
    if request.user.is_doctor:
        doctor = doctor_of(request.user)
        return render(
            request,
            "clinic/dashboard.html",
            {"doctor": doctor, "today": today, "day": selectors.doctor_day(doctor=doctor, day=today)},
        )
    period, start, end, notices = revenue_range(request.GET)
    revenue = selectors.revenue_by_period(period=period, start=start, end=end)
    rows = [{"label": period_label(period, bucket), "total": total} for bucket, total in revenue]
    chart = {
        "label": _("Payments received (Rp)"),
        "labels": [row["label"] for row in rows],
        # Plain numbers as text for JavaScript, never a localized "150.000".
        "values": [str(int(row["total"])) for row in rows],
    }
    appointments = selectors.appointments_today(day=today)
    context = {
        "period": period,
        "periods": selectors.PERIODS,
        "start": start,
        "end": end,
        "today": today,
        "notices": notices,
        "rows": rows,
        "chart": chart,
        "revenue_total": sum((total for _b, total in revenue), selectors.ZERO),
        "by_method": selectors.revenue_by_method(start=start, end=end),
        "by_service": selectors.billed_by_service(start=start, end=end),
        "patients": selectors.patient_counts(start=start, end=end),
        "appointments": appointments,
        "doctors": appointments["active_doctors"],
        "unpaid": unpaid_summary(),
        "satusehat": satusehat_counts(),
    }
    return render(request, "clinic/dashboard.html", context)


def _amount(value) -> str:
    """A plain number for a spreadsheet: 150000 or 150000.50, no thousands separator."""
    return str(int(value)) if value == int(value) else f"{value:.2f}"


@requires("reports.export")
@require_GET
def dashboard_export(request):
    """The revenue table of the chosen period and range, then the payments by method and the
    billed amount by service, as CSV. Every cell goes through safe_row (no formulas)."""
    period, start, end, _notices = revenue_range(request.GET)
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    filename = f"revenue-{period}-{start.isoformat()}-{end.isoformat()}.csv"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    writer = csv.writer(response)
    writer.writerow(safe_row([_("Period"), _("Payments received (Rp)")]))
    for bucket, total in selectors.revenue_by_period(period=period, start=start, end=end):
        writer.writerow(safe_row([period_label(period, bucket), _amount(total)]))
    writer.writerow([])
    writer.writerow(safe_row([_("Payment method"), _("Payments received (Rp)"), _("Payments")]))
    for row in selectors.revenue_by_method(start=start, end=end):
        writer.writerow(safe_row([str(row["label"]), _amount(row["total"]), row["count"]]))
    writer.writerow([])
    writer.writerow(safe_row([_("Service"), _("Billed (Rp)"), _("Quantity")]))
    for row in selectors.billed_by_service(start=start, end=end):
        writer.writerow(safe_row([row["service__name"], _amount(row["total"]), row["quantity"]]))
    return response
