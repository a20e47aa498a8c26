"""The daily appointment counts per doctor and status (AppointmentDaily), kept by
scheduling.services in the same transaction as the appointment, and rebuilt from the
appointments for bulk loads."""

from django.apps import apps as django_apps
from django.db import DEFAULT_DB_ALIAS
from django.db.models import Count

from core import summaries
from core.clock import local_day
from scheduling.models import Appointment, AppointmentDaily


def appointment_count(appointment: Appointment) -> summaries.Contributions:
    """What one appointment adds to its day's counts."""
    key = (
        ("day", local_day(appointment.appointment_date)),
        ("doctor_id", appointment.doctor_id),
        ("status", appointment.status),
    )
    return {(AppointmentDaily, key): {"appointments": 1}}


def rebuild(*, using: str = DEFAULT_DB_ALIAS, registry=django_apps, app_label: str = "scheduling") -> None:
    """Recomputes the daily appointment counts from the appointments. `registry`, `app_label`:
    a migration's historical models and the app that held the table then."""
    model = summaries.model_or_none(registry, app_label, "AppointmentDaily")
    if model is None:
        return
    appointments = registry.get_model("scheduling", "Appointment")._base_manager.using(using)
    rows = (
        appointments.annotate(day=summaries.day_of("appointment_date", source=(appointments, "appointment_date")))
        .values("day", "doctor_id", "status")
        .annotate(appointments=Count("id"))
        .order_by()
    )
    summaries.replace(model, rows, using=using)
