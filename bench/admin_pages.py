"""The Django admin's pages in the benchmark (issue 14): every changelist of the clinic's
models, one change form per model and the admin's search, as the admin.

Each change form opens the newest row of its model (one indexed lookup of the primary key),
except where an anchor is the heavier case: the patient with 1,000 visits, that patient's
latest visit (its lines inline) and the bill of 50 lines (its payments inline)."""

from __future__ import annotations

from django.apps import apps
from django.urls import reverse
from django.utils.http import urlencode

from bench.targets import Targets

# Every model the clinic registers in the admin (clinic/tests/test_admin.py lists the same).
ADMIN_MODELS = (
    "accounts.user",
    "patients.patient",
    "patients.doctor",
    "patients.workinghours",
    "scheduling.service",
    "scheduling.appointment",
    "scheduling.appointmentservice",
    "records.medicalrecord",
    "records.labresult",
    "records.medicalrecordversion",
    "records.labresultversion",
    "billing.insurance",
    "billing.billing",
    "billing.payment",
    "audit.auditlog",
    "audit.emergencyaccess",
)
ADMIN_P50_MS = 100  # issue 14's target for every admin page at 1M patients


def _admin_url(label: str, view: str, *args, **query) -> str:
    app, model = label.split(".")
    path = reverse(f"admin:{app}_{model}_{view}", args=args)
    return f"{path}?{urlencode(query)}" if query else path


def _change_form_pk(label: str, targets: Targets) -> int | None:
    anchors = {
        "patients.patient": targets.history_patient.pk,
        "scheduling.appointment": targets.history_visit.pk,
        "billing.billing": targets.bill_50_lines.pk,
        "accounts.user": targets.admin.pk,
    }
    if label in anchors:
        return anchors[label]
    return apps.get_model(label).objects.order_by("-pk").values_list("pk", flat=True).first()


def admin_pages(targets: Targets) -> list[tuple[str, str]]:
    """(name, path) of every admin page the benchmark requests; a model without rows has no
    change form to open."""
    pages = [(f"admin list {label}", _admin_url(label, "changelist")) for label in ADMIN_MODELS]
    for label in ADMIN_MODELS:
        pk = _change_form_pk(label, targets)
        if pk is not None:
            pages.append((f"admin form {label}", _admin_url(label, "change", pk)))
    patients, appointments = "patients.patient", "scheduling.appointment"
    pages += [
        ("admin search patients name", _admin_url(patients, "changelist", q=targets.name_prefix)),
        ("admin search patients NIK", _admin_url(patients, "changelist", q=targets.nik)),
        ("admin search patients phone", _admin_url(patients, "changelist", q=targets.phone)),
        ("admin search appointments name", _admin_url(appointments, "changelist", q=targets.name_prefix)),
        ("admin search bills number", _admin_url("billing.billing", "changelist", q=targets.bill_50_lines.number)),
        ("admin filter appointments completed", _admin_url(appointments, "changelist", status="completed")),
    ]
    return pages
