"""The production smoke test (issue 18): deploy/ as a server runs it — nginx with a self-signed
certificate in front of gunicorn under clinic.settings.production, Redis, the task worker, on
MariaDB — and a whole visit in the browser over HTTPS, the headers, the client's address in the
audit log, far-future caching of static files, the backup timer's command, and processes that
come back after being killed. conftest.py and stack.py say how the units are run without systemd.
"""

import os
import re
import signal
import socket
import ssl
import subprocess
import sys
import time

import pytest
from django.db import connection
from django_tasks_db.models import DBTaskResult

from accounts.models import User
from accounts.tests.factories import PASSWORD, UserFactory
from audit.models import AuditLog
from clinic.tests.test_upgrade import create_database, database_url, drop_database
from e2e import test_visit
from e2e.production import stack
from e2e.production.client import Client
from patients.models import Patient
from patients.tests.factories import PatientFactory

YEAR = 31536000


def test_a_whole_visit_over_https_behind_nginx(production, clinic, open_browser, screenshot):
    """e2e/test_visit.py's walk-through, unchanged, against nginx → gunicorn; the audit log then
    holds the browser's address as nginx saw it (gunicorn itself sees only a unix socket)."""
    test_visit.test_it_runs_a_whole_visit_from_registration_to_receipt(clinic, open_browser, screenshot)

    patient = Patient.objects.get(full_name=test_visit.PATIENT)
    reads = AuditLog.objects.filter(patient=patient, action=AuditLog.Action.READ)
    assert reads.exists()
    assert set(reads.values_list("ip_address", flat=True)) == {"127.0.0.1"}


def test_the_headers_the_redirect_and_the_limits(production, transactional_db):
    client = Client(production)
    login = client.get("/accounts/login/")
    assert login.status == 200
    assert login.header("Strict-Transport-Security") == f"max-age={YEAR}; includeSubDomains; preload"
    csp = login.header("Content-Security-Policy")
    assert "default-src 'self'" in csp and "object-src 'none'" in csp, csp
    assert login.header("X-Frame-Options") == "DENY"
    assert login.header("X-Content-Type-Options") == "nosniff"

    user = UserFactory(role=User.Role.RECEPTIONIST)
    client.log_in(user.username, PASSWORD)
    page = client.get("/patients/")
    assert page.status == 200, page.header("Location")
    assert "no-store" in page.header("Cache-Control"), page.header("Cache-Control")

    # Static files: hashed names from collectstatic, served by nginx, kept a year.
    static = [
        path for path in re.findall(r'(?:href|src)="(/static/[^"]+)"', login.body) if "." in path.rsplit("/", 1)[-1]
    ]
    assert static, "the login page links no static file"
    for path in static:
        response = client.get(path)
        assert response.status == 200, path
        assert response.header("Cache-Control") == f"public, max-age={YEAR}, immutable", path
        assert response.header("Strict-Transport-Security"), path
        assert "Server" not in response.headers or "gunicorn" not in response.header("Server"), path

    # Plain HTTP goes to HTTPS.
    plain = client.plain_http("/patients/")
    assert plain.status == 301 and plain.header("Location") == "https://localhost/patients/"

    # HTTP/2 is offered.
    context = ssl.create_default_context(cafile=str(production.certificate))
    context.set_alpn_protocols(["h2", "http/1.1"])
    with socket.create_connection(("127.0.0.1", production.https_port)) as raw:
        with context.wrap_socket(raw, server_hostname="localhost") as tls:
            assert tls.selected_alpn_protocol() == "h2"

    # A body above nginx's limit (client_max_body_size 10m) is refused before the app.
    too_big = client.request("POST", "/accounts/login/", headers={"Content-Length": str(11 * 1024 * 1024)})
    assert too_big.status == 413


def test_the_audit_log_takes_the_address_from_nginx_not_from_the_client(production, transactional_db):
    """A client at 127.0.0.3 that claims to be 6.6.6.6 (X-Forwarded-For, X-Real-IP) is logged
    as 127.0.0.3: the app trusts only the address nginx appends (AUDIT_TRUSTED_PROXIES=1)."""
    user = UserFactory(role=User.Role.RECEPTIONIST)
    patient = PatientFactory()
    client = Client(production, source="127.0.0.3")
    client.log_in(user.username, PASSWORD)
    spoofed = {"X-Forwarded-For": "6.6.6.6", "X-Real-IP": "6.6.6.6"}
    assert client.get(f"/patients/{patient.pk}/", headers=spoofed).status == 200

    row = AuditLog.objects.filter(patient=patient, action=AuditLog.Action.READ, actor=user).latest("id")
    assert row.ip_address == "127.0.0.3"


def test_the_worker_runs_the_timers_task_and_comes_back_when_killed(production, transactional_db):
    def enqueue_and_wait() -> DBTaskResult:
        before = set(DBTaskResult.objects.values_list("id", flat=True))
        production.run_unit("klinik-sessions.service")  # what klinik-sessions.timer starts
        (new,) = DBTaskResult.objects.exclude(id__in=before)
        assert new.task_path == "core.tasks.clear_expired_sessions"
        return stack.wait_until(
            lambda: DBTaskResult.objects.filter(id=new.id, status="SUCCESSFUL").first(),
            60,
            f"the worker to run the task:\n{stack.log_tail(production.base / 'log' / 'worker.log')}",
        )

    enqueue_and_wait()
    worker = production.worker
    starts, old_pid = worker.starts, worker.pid
    killed_at = time.monotonic()
    os.kill(old_pid, signal.SIGKILL)
    stack.wait_until(lambda: worker.starts > starts and worker.pid != old_pid, 30, "the worker to be restarted")
    # Restart=always with RestartSec=3 (deploy/systemd/klinik-worker.service): not before 3 s.
    assert time.monotonic() - killed_at >= worker.unit.restart_sec
    assert worker.unit.restart == "always"
    enqueue_and_wait()


def test_a_killed_gunicorn_worker_is_replaced_and_requests_keep_succeeding(production, transactional_db):
    master = production.web.pid
    workers = stack.wait_until(lambda: stack.children(master) if len(stack.children(master)) == 2 else None, 30, "2")
    victim = sorted(workers)[0]
    os.kill(victim, signal.SIGKILL)
    client = Client(production)
    statuses = []
    replaced = None
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        statuses.append(client.get("/healthz").status)
        now = stack.children(master)
        if victim not in now and len(now) == 2:
            replaced = now
            break
        time.sleep(0.1)
    assert replaced, f"gunicorn did not replace worker {victim}: {stack.log_tail(production.base / 'log' / 'web.log')}"
    assert production.web.pid == master and production.web.starts == 1  # the master itself stayed up
    assert set(statuses) == {200}
    assert client.get("/accounts/login/").status == 200


@pytest.fixture
def restore_target():
    name = f"clinic_smoke_restore_{os.getpid()}"
    create_database(connection.settings_dict, "mysql", name)
    yield database_url(connection.settings_dict, "mysql", name)
    drop_database(connection.settings_dict, "mysql", name)


def test_the_backup_timers_command_writes_a_backup_that_restores(production, transactional_db, restore_target):
    PatientFactory.create_batch(3)
    output = production.run_unit("klinik-backup.service")  # what klinik-backup.timer starts
    assert "Backup written" in output
    dumps = sorted((production.base / "backups").glob("klinik-*.dump"))
    assert len(dumps) == 1 and (dumps[0].parent / (dumps[0].name + ".json")).exists()

    env = {
        "PATH": os.environ.get("PATH", ""),
        **production.env,
        "DATABASE_URL": restore_target,
        "DJANGO_SETTINGS_MODULE": "clinic.settings.production",
    }
    restored = subprocess.run(
        [sys.executable, "manage.py", "restore", str(dumps[0])],
        cwd=stack.ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert restored.returncode == 0, restored.stdout + restored.stderr
    assert "Restored" in restored.stdout
    count = subprocess.run(
        [
            sys.executable,
            "manage.py",
            "shell",
            "-c",
            "from patients.models import Patient; print(Patient.objects.count())",
        ],
        cwd=stack.ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert count.stdout.strip().splitlines()[-1] == "3", count.stdout + count.stderr
