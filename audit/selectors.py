"""Reads of the audit log for the admins' pages; each runs a fixed number of queries."""

import datetime
import re

from django.db.models import Q, QuerySet

from audit.models import AuditLog, EmergencyAccess
from core.clock import day_bounds, day_start

_RM = re.compile(r"(?:rm[-\s]?)?0*([0-9]{1,9})", re.IGNORECASE)
# What a patient's access report lists: everything done with or seen of their data.
PATIENT_REPORT_ACTIONS = (
    AuditLog.Action.READ,
    AuditLog.Action.CREATE,
    AuditLog.Action.UPDATE,
    AuditLog.Action.DELETE,
    AuditLog.Action.PRINT,
    AuditLog.Action.EXPORT,
    AuditLog.Action.EMERGENCY_ACCESS,
    AuditLog.Action.DENIED,
)


def _in_period(rows: QuerySet, date_from: datetime.date | None, date_to: datetime.date | None) -> QuerySet:
    if date_from:
        rows = rows.filter(created_at__gte=day_start(date_from))
    if date_to:
        rows = rows.filter(created_at__lt=day_bounds(date_to)[1])
    return rows


def audit_search(
    *,
    actor: str = "",
    patient: str = "",
    action: str = "",
    date_from: datetime.date | None = None,
    date_to: datetime.date | None = None,
) -> QuerySet:
    """Newest first, with each row's patient (one query per page, plus the paginator's count)."""
    rows = AuditLog.objects.select_related("patient")
    if actor:
        rows = rows.filter(actor_username__istartswith=actor)
    if patient:
        if match := _RM.fullmatch(patient.strip()):
            rows = rows.filter(
                Q(patient__medical_record_number=f"RM-{int(match[1]):07d}")
                | Q(patient__full_name__istartswith=patient.strip())
            )
        else:
            rows = rows.filter(patient__full_name__istartswith=patient.strip())
    if action:
        rows = rows.filter(action=action)
    return _in_period(rows, date_from, date_to).order_by("-created_at", "-id")


def patient_access_report(*, patient, date_from=None, date_to=None) -> list[AuditLog]:
    """Who saw or changed the patient's data, newest first, with the staff member (one query)."""
    rows = AuditLog.objects.filter(patient=patient, action__in=PATIENT_REPORT_ACTIONS).select_related("actor")
    return list(_in_period(rows, date_from, date_to).order_by("-created_at", "-id"))


def emergency_access_list() -> QuerySet:
    return EmergencyAccess.objects.select_related("doctor", "patient").order_by("-created_at", "-id")
