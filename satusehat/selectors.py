"""Reads of the SATUSEHAT outbox (the admin page, the dashboard)."""

import datetime

from django.db.models import Q, QuerySet

from core.clock import day_bounds
from satusehat.models import Submission
from satusehat.services import status_counts

__all__ = ["status_counts", "submission_list"]


def submission_list(
    *, status: str = "", query: str = "", start: datetime.date | None = None, end: datetime.date | None = None
) -> QuerySet[Submission]:
    """The visits' submissions, newest visit first, with patient and doctor (one query a page)."""
    rows = Submission.objects.select_related("appointment__patient", "appointment__doctor").order_by(
        "-appointment__appointment_date", "-pk"
    )
    if status:
        rows = rows.filter(status=status)
    if query:
        condition = Q(appointment__patient__medical_record_number__iexact=query)
        if query.isdigit():
            condition |= Q(appointment_id=int(query))
        rows = rows.filter(condition)
    if start:
        rows = rows.filter(appointment__appointment_date__gte=day_bounds(start)[0])
    if end:
        rows = rows.filter(appointment__appointment_date__lt=day_bounds(end)[1])
    return rows
