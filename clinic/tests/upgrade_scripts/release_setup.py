"""Builds a clinic database the way the release left it, with the release's own code.

    python release_setup.py <release tree> <out.json>     (DATABASE_URL: an empty database)

clinic/tests/test_upgrade.py exports the release with `git archive` and runs this file there, so
it may use only what that release offers: its management commands, its pages through the test
client, and models looked up by label. It migrates, loads the sample data and centres it on
today, installs the audit triggers on MariaDB/PostgreSQL as a production database has them, then
signs in (sessions and audit rows), opens a doctor's emergency access and notes in the admin's
history, and writes to <out.json> what the current code must still show after its migrations."""

import json
import os
import re
import sys
from pathlib import Path

TREE = Path(sys.argv[1]).resolve()
OUT = Path(sys.argv[2]).resolve()
sys.path.insert(0, str(TREE))
os.chdir(TREE)
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "clinic.settings.test")

import django  # noqa: E402

django.setup()

from django.apps import apps  # noqa: E402
from django.conf import settings  # noqa: E402
from django.contrib.admin.models import CHANGE, LogEntry  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import setup_test_environment  # noqa: E402

FIXTURES = ["users", "patients", "scheduling", "records", "billing"]
# The sample users' password (README, "Demo logins").
PASSWORD = "klinik-demo-2026"
# The dashboard's figures, each in an element with this id; the summary tables feed them.
DASHBOARD_FIGURES = ["patients-active", "doctors-active", "appointments-today", "unpaid-total"]
EMERGENCY_REASONS = [
    "Pasien tidak sadar dibawa ke IGD, perlu riwayat alergi (uji pembaruan).",
    "Rujukan mendadak dari klinik lain, perlu riwayat obat (uji pembaruan).",
]


def signed_in(username: str) -> Client:
    client = Client()
    response = client.post("/accounts/login/", {"username": username, "password": PASSWORD})
    assert response.status_code == 302, f"{username} could not sign in: {response.status_code}"
    return client


def page(client: Client, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200, f"{url}: {response.status_code}"
    return response.content.decode()


def figures(html: str) -> dict[str, str]:
    found = {}
    for element_id in DASHBOARD_FIGURES:
        match = re.search(rf'id="{element_id}"[^>]*>([^<]*)<', html)
        found[element_id] = " ".join(match.group(1).split()) if match else None
    return found


def main() -> None:
    setup_test_environment()
    call_command("migrate", interactive=False, verbosity=0)
    if connection.vendor in ("mysql", "postgresql"):
        call_command("audit_protect", verbosity=0)
    call_command("loaddata", *FIXTURES, verbosity=0)
    call_command("shift_sample_data", verbosity=0)

    Patient = apps.get_model("patients", "Patient")
    Billing = apps.get_model("billing", "Billing")
    Appointment = apps.get_model("scheduling", "Appointment")
    EmergencyAccess = apps.get_model("accounts", "EmergencyAccess")
    User = apps.get_model("accounts", "User")

    # The admin reads a patient and a bill: sessions, login and read rows in the audit log.
    admin = signed_in("admin")
    patient = Patient.objects.order_by("pk").first()
    bill = Billing.objects.order_by("-pk").first()
    page(admin, f"/patients/{patient.pk}/")
    page(admin, f"/billing/{bill.pk}/")

    # A doctor opens an emergency access to a patient outside their care and reads the patient.
    doctor = signed_in("dokter")
    in_care = Appointment.objects.filter(doctor__user__username="dokter").values("patient")
    outside = list(Patient.objects.exclude(pk__in=in_care).order_by("pk")[:2])
    response = doctor.post(f"/patients/{outside[0].pk}/emergency-access/", {"reason": EMERGENCY_REASONS[0]})
    assert response.status_code == 302, f"emergency access: {response.status_code}"
    page(doctor, f"/patients/{outside[0].pk}/")
    access = EmergencyAccess.objects.get(patient=outside[0])

    # An entry in the admin's history of that access: it must stay attached to the model when the
    # model moves to another app (django_content_type).
    history_message = "Checked by the administrator (upgrade test)."
    LogEntry.objects.log_actions(
        user_id=User.objects.get(username="admin").pk,
        queryset=[access],
        action_flag=CHANGE,
        change_message=history_message,
    )

    dashboard = page(admin, "/dashboard/")
    expected = {
        "vendor": connection.vendor,
        "patient": {"pk": patient.pk, "name": patient.full_name},
        "bill": {"pk": bill.pk, "number": bill.number},
        "emergency_access": {
            "table": EmergencyAccess._meta.db_table,
            "pk": access.pk,
            "reason": EMERGENCY_REASONS[0],
            "history": history_message,
        },
        # For the current code to open one more: a patient the doctor has no access to yet.
        "another_patient_outside_care": {"pk": outside[1].pk, "reason": EMERGENCY_REASONS[1]},
        "admin_session": admin.cookies[settings.SESSION_COOKIE_NAME].value,
        "dashboard": figures(dashboard),
        "revenue_csv": page(admin, "/dashboard/export.csv?period=day"),
    }
    OUT.write_text(json.dumps(expected, indent=1))


main()
