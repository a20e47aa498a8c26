"""Looks at a migrated release database through the current code's pages and commands.

    python head_probe.py <current tree> <release.json> <out.json>     (DATABASE_URL: that database)

<release.json> is what release_setup.py wrote. The probe writes to <out.json> what it saw; the
assertions are clinic/tests/test_upgrade.py's. It finds models by their table names, which do not
change when a model moves to another app."""

import html
import json
import os
import re
import sys
from pathlib import Path

TREE = Path(sys.argv[1]).resolve()
RELEASE = json.loads(Path(sys.argv[2]).read_text())
OUT = Path(sys.argv[3]).resolve()
sys.path.insert(0, str(TREE))
os.chdir(TREE)
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "clinic.settings.test")

import django  # noqa: E402

django.setup()

from django.apps import apps  # noqa: E402
from django.conf import settings  # noqa: E402
from django.contrib import admin  # noqa: E402
from django.contrib.auth import get_user_model  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.core.management.base import CommandError  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import setup_test_environment  # noqa: E402
from django.urls import reverse  # noqa: E402


def model_of_table(table: str):
    return next(model for model in apps.get_models() if model._meta.db_table == table)


def text_of(response) -> str:
    """The page as a reader sees its characters: entities decoded, whatever the escaping style."""
    return html.unescape(response.content.decode())


def figures(page: str) -> dict[str, str]:
    found = {}
    for element_id in RELEASE["dashboard"]:
        match = re.search(rf'id="{element_id}"[^>]*>([^<]*)<', page)
        found[element_id] = " ".join(match.group(1).split()) if match else None
    return found


def command_fails(*args) -> str:
    """'' when the command succeeds, else its error."""
    try:
        call_command(*args, verbosity=0)
    except (CommandError, SystemExit) as error:
        return f"{args[0]}: {error!r}"
    return ""


def main() -> None:
    setup_test_environment()
    seen = {"pages": {}, "errors": []}
    User = get_user_model()

    admin_client = Client()
    admin_client.force_login(User.objects.get(username="admin"))

    def get(url: str, client=admin_client) -> str:
        response = client.get(url)
        seen["pages"][url] = response.status_code
        return text_of(response)

    patient, bill, access = RELEASE["patient"], RELEASE["bill"], RELEASE["emergency_access"]
    seen["patient_name_shown"] = patient["name"] in get(f"/patients/{patient['pk']}/")
    seen["bill_number_shown"] = bill["number"] in get(f"/billing/{bill['pk']}/")
    seen["dashboard"] = figures(get("/dashboard/"))
    seen["revenue_csv"] = get("/dashboard/export.csv?period=day")
    seen["emergency_reason_listed"] = access["reason"] in get("/accounts/audit/emergency-access/")
    get("/accounts/audit/")
    get("/appointments/")

    # The admin: its index, the list of every registered model, and the history of the access,
    # which reads the admin's log through the model's content type.
    get(reverse("admin:index"))
    for model in apps.get_models():
        if admin.site.is_registered(model):
            get(reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist"))
    access_model = model_of_table(access["table"])
    info = access_model._meta.app_label, access_model._meta.model_name
    get(reverse("admin:{}_{}_change".format(*info), args=[access["pk"]]))
    seen["history_shown"] = access["history"] in get(reverse("admin:{}_{}_history".format(*info), args=[access["pk"]]))

    # The current code writes to the moved audit tables: one more emergency access, then the
    # hash chain over the release's rows and the new ones.
    doctor_client = Client()
    doctor_client.force_login(User.objects.get(username="dokter"))
    another = RELEASE["another_patient_outside_care"]
    response = doctor_client.post(f"/patients/{another['pk']}/emergency-access/", {"reason": another["reason"]})
    seen["new_emergency_access_status"] = response.status_code
    seen["emergency_accesses"] = access_model.objects.count()

    # A session the release opened, read by the current code: still signed in (200) or sent to
    # the login page (302). Reported, not required: a deployment may sign everyone out.
    carried = Client()
    carried.cookies[settings.SESSION_COOKIE_NAME] = RELEASE["admin_session"]
    seen["release_session_status"] = carried.get("/patients/").status_code

    seen["errors"] = [
        error
        for error in (
            command_fails("check", "--database", "default", "--fail-level", "WARNING"),
            command_fails("migrate", "--check"),
            command_fails("verify_audit_chain"),
            command_fails("audit_protect", "--check") if connection.vendor in ("mysql", "postgresql") else "",
        )
        if error
    ]
    OUT.write_text(json.dumps(seen, indent=1))


main()
