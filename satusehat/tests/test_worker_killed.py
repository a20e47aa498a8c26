"""The worker is killed (SIGKILL) after the platform stored the visit and before the worker could
commit the answer: the next run resends, and the platform ends up with the visit once.

Real processes on a database file of their own: `manage.py db_worker` sends, the test kills it,
`manage.py satusehat_sync` (the sweeper cron runs) finishes the job."""

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest
from django.conf import settings

from satusehat.tests.conftest import DEFAULT_DATASET, fault, state

pytestmark = pytest.mark.slow

MAKE_VISIT = """
import django
django.setup()
from patients.models import Room
from patients.tests.factories import DoctorFactory
from accounts.tests.factories import UserFactory
from satusehat.tests.conftest import DEFAULT_DATASET, LOCATION, PRACTITIONER_NIKS, finish_visit
room = Room.objects.create(name="Poli Umum", satusehat_location_id=LOCATION)
nik = PRACTITIONER_NIKS[0]
ihs_id = DEFAULT_DATASET["practitioners"][nik]
doctor = DoctorFactory(user=UserFactory(role="doctor"), nik=nik, ihs_id=ihs_id, room=room)
print(finish_visit(doctor).pk)
"""
READ_SUBMISSION = """
import json
import django
django.setup()
from satusehat.models import Submission
row = Submission.objects.get()
print(json.dumps({"status": row.status, "encounter_id": row.encounter_id, "attempts": row.attempts,
                  "claimed": row.claimed_until is not None}))
"""


def python(env: dict, *args: str, **kwargs) -> subprocess.CompletedProcess:
    result = subprocess.run(
        [sys.executable, *args], cwd=settings.BASE_DIR, env=env, capture_output=True, text=True, timeout=300, **kwargs
    )
    assert result.returncode == 0, f"{args}:\n{result.stdout}\n{result.stderr}"
    return result


def test_a_worker_killed_between_send_and_commit_sends_nothing_twice(mock_server, tmp_path: Path):
    httpx.post(f"{mock_server.url}/__mock__/reset")
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith(("DATABASE_", "CACHE_URL", "REDIS_URL"))},
        "DJANGO_SETTINGS_MODULE": "clinic.settings.test",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'worker.sqlite3'}",
        "SATUSEHAT_ENV": "mock",
        "SATUSEHAT_AUTH_URL": mock_server.url,
        "SATUSEHAT_BASE_URL": mock_server.url,
        "SATUSEHAT_CLIENT_ID": DEFAULT_DATASET["client_id"],
        "SATUSEHAT_CLIENT_SECRET": DEFAULT_DATASET["client_secret"],
        "SATUSEHAT_ORGANIZATION_ID": DEFAULT_DATASET["organization_id"],
        "SATUSEHAT_TIMEOUT": "60",
        "SATUSEHAT_CLAIM_SECONDS": "1",
        "PYTHONDONTWRITEBYTECODE": "1",
    }
    python(env, "manage.py", "migrate", "-v0")
    appointment_id = int(python(env, "-c", MAKE_VISIT).stdout.split()[-1])
    fault(mock_server, "slow", delay=60)  # stores the Bundle, then holds the answer back

    worker = subprocess.Popen(
        [sys.executable, "manage.py", "db_worker", "--batch", "--no-startup-delay"],
        cwd=settings.BASE_DIR,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 60
        while state(mock_server)["bundles_stored"] < 1:
            assert time.monotonic() < deadline, "the worker never sent"
            assert worker.poll() is None, "the worker ended before sending"
            time.sleep(0.05)
    finally:
        worker.send_signal(signal.SIGKILL)
        worker.wait()

    killed = json.loads(python(env, "-c", READ_SUBMISSION).stdout)
    assert (killed["status"], killed["encounter_id"], killed["claimed"]) == ("pending", "", True)

    time.sleep(1.2)  # the dead worker's claim runs out
    assert "sent: 1" in python(env, "manage.py", "satusehat_sync").stdout

    done = json.loads(python(env, "-c", READ_SUBMISSION).stdout)
    held = state(mock_server)
    assert done["status"] == "sent"
    assert held["resources"]["Encounter"] == 1
    assert held["bundles_stored"] == 2  # the resend was answered with what the platform had
    assert held["encounter_identifiers"] == [
        f"http://sys-ids.kemkes.go.id/encounter/{DEFAULT_DATASET['organization_id']}|{appointment_id}"
    ]
    encounter = httpx.get(
        f"{mock_server.url}/fhir-r4/v1/Encounter/{done['encounter_id']}",
        headers={"Authorization": f"Bearer {_token(mock_server)}"},
    )
    assert encounter.json()["identifier"][0]["value"] == str(appointment_id)


def _token(server) -> str:
    answer = httpx.post(
        f"{server.url}/oauth2/v1/accesstoken",
        params={"grant_type": "client_credentials"},
        data={"client_id": DEFAULT_DATASET["client_id"], "client_secret": DEFAULT_DATASET["client_secret"]},
    )
    return answer.json()["access_token"]
