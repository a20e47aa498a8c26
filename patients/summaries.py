"""The daily registrations (RegistrationDaily), kept by patients.services in the same
transaction as the patient, and rebuilt from the patients for bulk loads."""

from django.apps import apps as django_apps
from django.db import DEFAULT_DB_ALIAS
from django.db.models import Count, Q

from core import summaries
from core.clock import local_day
from patients.models import Patient, RegistrationDaily


def registration(patient: Patient) -> summaries.Contributions:
    """What one patient adds to the daily registrations."""
    key = (("day", local_day(patient.created_at)),)
    return {(RegistrationDaily, key): {"registered": 1, "active": int(bool(patient.is_active))}}


def rebuild(*, using: str = DEFAULT_DB_ALIAS, registry=django_apps, app_label: str = "patients") -> None:
    """Recomputes the daily registrations from the patients. `registry`, `app_label`: a
    migration's historical models and the app that held the table then."""
    model = summaries.model_or_none(registry, app_label, "RegistrationDaily")
    if model is None:
        return
    patients = registry.get_model("patients", "Patient")._base_manager.using(using)
    rows = (
        patients.annotate(day=summaries.day_of("created_at", source=(patients, "created_at")))
        .values("day")
        .annotate(registered=Count("id"), active=Count("id", filter=Q(is_active=True)))
        .order_by()
    )
    summaries.replace(model, rows, using=using)
