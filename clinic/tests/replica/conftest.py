"""Integration tests of the database router (core/db_router.py) against real MariaDB processes:
a primary and a read-only replica replicating with GTIDs, as lab/replica-lab.sh starts them.

How to run: `make replica-ci` (as root) starts a lab of its own, runs this folder with the lab's
URLs in the environment and stops the lab whatever happened. By hand:

    export $(lab/replica-lab.sh start | tr '\\n' ' ')
    CLINIC_REPLICA_LAB=1 REPLICA_CHECK_SECONDS=0 REPLICA_RETRY_SECONDS=0 REPLICA_TRACE_HEADER=1 \\
        .venv/bin/pytest clinic/tests/replica --create-db

(the three REPLICA_ settings: health re-read on every request, so that a test sees the replica
stop, lag or come back at once; X-Clinic-Read-DB on every response, naming the aliases that
served its reads.)

Without CLINIC_REPLICA_LAB=1, a mysql:// DATABASE_URL and DATABASE_REPLICA_URLS (so also in the
ordinary `make test` runs) every test here is skipped, with the reason. The URLs must be in the
environment before Django starts: the settings build the replica aliases ("replica_1") from them
when pytest-django loads clinic.settings.test.

The test database. pytest-django creates and migrates test_clinic on the PRIMARY only: the
settings give each replica alias TEST = {"MIRROR": "default"} (the fixture below refuses to run
without it), so Django's test runner neither creates nor migrates a database on the replica —
where the application user could not anyway: read_only refuses it — and points the replica
alias at the same name, test_clinic, on the replica's own host and port. Replication brings the
CREATE DATABASE, the migrations and every committed row there. Hence:
- every test is transactional (`django_db(transaction=True)`): rows a test writes are committed,
  so that the replica can see them; pytest-django empties the tables afterwards, on the primary,
  and replication empties them on the replica;
- `databases="__all__"`: the tests reach the replica alias, as the router does;
- before reading what the test itself just wrote through the replica, a test waits until the
  replica has applied the primary's GTID position (`lab.wait_sync()`), as a real reader without
  a preceding write would see it a moment later.

`lab` also runs lab/replica-lab.sh (stop-replica, start-sql-thread...) with the environment of
the run (LAB_DIR and the ports that make replica-ci chose), and reads the replica's own
figures (server_id, Com_select, gtid_binlog_state) through a connection of its own, so that
looking does not move the numbers it looks at.
"""

import os
import subprocess
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connections
from django.test.utils import CaptureQueriesContext

from clinic.tests.security_fixtures import build_clinic
from clinic.tests.test_role_matrix import build_world

ROOT = Path(__file__).resolve().parents[3]
LAB_SCRIPT = ROOT / "lab" / "replica-lab.sh"
HERE = Path(__file__).resolve().parent
SYNC_TIMEOUT = 30  # seconds for the replica to catch up; it takes milliseconds when it runs


def lab_unavailable() -> str | None:
    """Why these tests cannot run here, or None."""
    if os.environ.get("CLINIC_REPLICA_LAB") != "1":
        return "the replica lab tests run with CLINIC_REPLICA_LAB=1 (make replica-ci)"
    if not os.environ.get("DATABASE_REPLICA_URLS"):
        return "DATABASE_REPLICA_URLS is not set (lab/replica-lab.sh start prints it)"
    if settings.DATABASES["default"]["ENGINE"] != "django.db.backends.mysql":
        return "DATABASE_URL is not a mysql:// URL of the lab's primary"
    if not getattr(settings, "DATABASE_REPLICAS", None):
        return "the settings built no replica alias from DATABASE_REPLICA_URLS"
    return None


def pytest_collection_modifyitems(config, items):
    """Skip this folder's tests, before any fixture runs, when there is no lab."""
    reason = lab_unavailable()
    if reason is None:
        return
    for item in items:
        if HERE in Path(item.path).resolve().parents:
            item.add_marker(pytest.mark.skip(reason=reason))


def replica_alias() -> str:
    return settings.DATABASE_REPLICAS[0]


class Lab:
    """The lab as the tests see it: the script, and a side connection to each server."""

    def __init__(self):
        self.alias = replica_alias()

    # --- the script ------------------------------------------------------------------------

    def run(self, command: str) -> None:
        """lab/replica-lab.sh COMMAND; a failure fails the test with its output."""
        result = subprocess.run(
            ["bash", str(LAB_SCRIPT), command], capture_output=True, text=True, timeout=120, env=os.environ.copy()
        )
        assert result.returncode == 0, f"replica-lab.sh {command}: {result.stdout}{result.stderr}"
        # Django's own connection to the replica is left as it is: when the server went away under
        # it, noticing is the router's job (as with a kept connection, CONN_MAX_AGE > 0).

    # --- side connections ------------------------------------------------------------------

    def connect(self, alias: str):
        """A MySQLdb connection of its own to the server behind `alias`, with its settings."""
        import MySQLdb

        config = settings.DATABASES[alias]
        return MySQLdb.connect(
            host=config["HOST"],
            port=int(config["PORT"]),
            user=config["USER"],
            password=config["PASSWORD"],
            connect_timeout=5,
            autocommit=True,
        )

    def value(self, alias: str, sql: str, *args):
        connection = self.connect(alias)
        try:
            with connection.cursor() as cursor:
                cursor.execute(sql, args or None)
                row = cursor.fetchone()
                return row[0] if row else None
        finally:
            connection.close()

    def status(self, alias: str, name: str) -> int:
        """A global status counter (SHOW doesn't count in Com_select)."""
        connection = self.connect(alias)
        try:
            with connection.cursor() as cursor:
                cursor.execute("SHOW GLOBAL STATUS LIKE %s", (name,))
                return int(cursor.fetchone()[1])
        finally:
            connection.close()

    def wait_sync(self, timeout: int = SYNC_TIMEOUT) -> None:
        """Wait until the replica has applied everything the primary has written so far."""
        position = self.value("default", "SELECT @@gtid_binlog_pos")
        waited = self.value(self.alias, "SELECT MASTER_GTID_WAIT(%s, %s)", position, timeout)
        assert waited == 0, f"the replica did not reach the primary's position {position} in {timeout} s"

    # --- which server answered -------------------------------------------------------------

    def capture(self):
        """(primary, replica) query captures for `with`: what each alias ran meanwhile."""
        return CaptureQueriesContext(connections["default"]), CaptureQueriesContext(connections[self.alias])


@pytest.fixture(scope="session")
def lab(django_db_setup) -> Lab:
    alias = replica_alias()
    mirror = settings.DATABASES[alias].get("TEST", {}).get("MIRROR")
    assert mirror == "default", (
        f"{alias} must be a test mirror of default (TEST MIRROR), or the test runner would create "
        "and migrate a database on the read-only replica"
    )
    lab = Lab()
    # The lab is the one of the URLs: the replica really is a read-only replica of the primary.
    assert lab.value("default", "SELECT @@server_id") != lab.value(alias, "SELECT @@server_id")
    assert lab.value(alias, "SELECT @@read_only") == 1
    lab.wait_sync()  # the test database's migrations have reached the replica
    return lab


@pytest.fixture
def replica_db(transactional_db, lab):
    """A transactional test with both aliases; the replica has caught up when it starts."""
    lab.wait_sync()
    return lab


@pytest.fixture
def users(admin_user, doctor_user, receptionist, pharmacist, inactive_user) -> dict:
    """One user per role of the role matrix (None: anonymous)."""
    return {
        "anonymous": None,
        "inactive": inactive_user,
        "admin": admin_user,
        "doctor": doctor_user,
        "receptionist": receptionist,
        "pharmacist": pharmacist,
    }


@pytest.fixture
def world(replica_db, admin_user, doctor_user, other_doctor_user, receptionist):
    """The role matrix's world (an object for every URL), committed and on the replica too."""
    world = build_world(
        admin_user=admin_user, doctor_user=doctor_user, other_doctor_user=other_doctor_user, receptionist=receptionist
    )
    replica_db.wait_sync()
    return world


@pytest.fixture
def clinic(replica_db, doctor_user, other_doctor_user, receptionist):
    """The security tests' small clinic (a doctor with working hours, a patient, today's visits,
    a bill), committed and on the replica too."""
    world = build_clinic(doctor_user=doctor_user, other_doctor_user=other_doctor_user)
    replica_db.wait_sync()
    return world
