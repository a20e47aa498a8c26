"""The read/write router (core/db_router.py): which database each read and write goes to.

"replica_1" here is a second connection to the test database itself (a live mirror) or a
database that cannot be opened (a dead replica), registered for one test. The real thing,
MariaDB replication with lag and a stopped replica, is tested by the replica lab
(clinic/tests/replica/). Requests that should read from a replica run outside the test's
transaction (transaction=True): inside one, every read goes to the primary by design.
"""

import json
import logging
from unittest import mock

import pytest
from django.contrib.sessions.models import Session
from django.db import DEFAULT_DB_ALIAS, OperationalError, connections, transaction
from django.db.utils import load_backend
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from audit.models import AuditLog
from clinic.tests.test_settings import run_python
from core import db_router
from core.db_router import PIN_COOKIE, TRACE_HEADER, PrimaryReplicaRouter, use_replicas
from patients.models import Patient
from patients.tests.factories import PatientFactory

REPLICA = "replica_1"
router = PrimaryReplicaRouter()


def _register_alias(alias, settings_dict):
    """A connection under `alias` for this thread only, not in settings.DATABASES: Django's test
    cases let such "dynamically created" connections through."""
    raw = {DEFAULT_DB_ALIAS: {**connections.settings[DEFAULT_DB_ALIAS]}, alias: settings_dict}
    configured = connections.configure_settings(raw)[alias]
    connections[alias] = load_backend(configured["ENGINE"]).DatabaseWrapper(configured, alias)


def _unregister_alias(alias):
    connections[alias].close()
    del connections[alias]


@pytest.fixture
def replica_settings(settings):
    settings.DATABASE_REPLICAS = [REPLICA]
    settings.REPLICA_TRACE_HEADER = True
    settings.REPLICA_MAX_LAG_SECONDS = 5
    settings.REPLICA_CHECK_SECONDS = 60  # one measurement per test unless a test clears it
    settings.REPLICA_RETRY_SECONDS = 60
    db_router.reset_health_cache()
    yield settings
    db_router.reset_health_cache()


@pytest.fixture
def live_replica(replica_settings, monkeypatch):
    """replica_1: another connection to the test database, healthy with no lag."""
    _register_alias(REPLICA, {**connections[DEFAULT_DB_ALIAS].settings_dict})
    monkeypatch.setattr(db_router, "replica_health", lambda alias: (True, 0.0, "stub: replicating"))
    yield REPLICA
    _unregister_alias(REPLICA)


@pytest.fixture
def dead_replica(replica_settings, tmp_path):
    """replica_1: a database that cannot be opened (an SQLite file in a missing folder)."""
    _register_alias(REPLICA, {"ENGINE": "django.db.backends.sqlite3", "NAME": str(tmp_path / "gone" / "x.db")})
    yield REPLICA
    _unregister_alias(REPLICA)


def served_by(alias):
    return CaptureQueriesContext(connections[alias])


# --- no replica: nothing changes ----------------------------------------------------------------


def test_it_answers_nothing_without_replicas(settings, db, client, receptionist):
    settings.DATABASE_REPLICAS = []
    patient = PatientFactory()
    assert router.db_for_read(Patient) is None
    assert router.db_for_write(Patient, instance=patient) is None
    assert router.allow_migrate(DEFAULT_DB_ALIAS, "patients") is None
    assert router.allow_relation(patient, patient) is None
    client.force_login(receptionist)
    response = client.post(reverse("patients:create"), {})
    assert PIN_COOKIE not in response.cookies
    assert TRACE_HEADER not in response


def test_it_builds_replica_aliases_with_the_primary_options():
    code = """
import json, importlib
s = importlib.import_module("clinic.settings.base")
print(json.dumps({"replicas": s.DATABASE_REPLICAS, "dbs": s.DATABASES, "routers": s.DATABASE_ROUTERS}, default=str))
"""
    result = run_python(
        code,
        DATABASE_URL="mysql://clinic:secret@10.0.0.11:3306/clinic",
        DATABASE_REPLICA_URLS="mysql://clinic:secret@10.0.0.12:3306/clinic,mysql://clinic:secret@10.0.0.13:3306/clinic",
        DATABASE_SSL_CA="/etc/ssl/certs/clinic-db-ca.pem",
        CONN_MAX_AGE="60",
    )
    assert result.returncode == 0, result.stderr
    s = json.loads(result.stdout.strip().splitlines()[-1])
    assert s["replicas"] == ["replica_1", "replica_2"]
    assert s["routers"] == ["core.db_router.PrimaryReplicaRouter"]
    primary, replica = s["dbs"]["default"], s["dbs"]["replica_2"]
    assert (replica["HOST"], int(replica["PORT"])) == ("10.0.0.13", 3306)
    assert replica["CONN_MAX_AGE"] == primary["CONN_MAX_AGE"] == 60
    for option in ("charset", "init_command", "ssl", "ssl_mode"):
        assert replica["OPTIONS"][option] == primary["OPTIONS"][option], option
    assert (replica["OPTIONS"]["connect_timeout"], replica["OPTIONS"]["read_timeout"]) == (2, 30)
    assert "connect_timeout" not in primary["OPTIONS"] and "read_timeout" not in primary["OPTIONS"]
    assert replica["TEST"]["MIRROR"] == "default"
    assert replica["TEST"]["CHARSET"] == "utf8mb4"


def test_it_refuses_a_pin_window_shorter_than_the_lag_a_replica_may_have():
    result = run_python(
        "import clinic.settings.base",
        DATABASE_REPLICA_URLS="sqlite:////tmp/replica.db",
        REPLICA_PIN_SECONDS="3",
        REPLICA_MAX_LAG_SECONDS="5",
    )
    assert result.returncode != 0
    assert "REPLICA_PIN_SECONDS must be at least" in result.stderr


# --- routing decisions ----------------------------------------------------------------------------


def test_it_writes_and_migrates_on_the_primary_only(replica_settings, db):
    with use_replicas():
        assert router.db_for_write(Patient) == DEFAULT_DB_ALIAS
    assert router.allow_migrate(REPLICA, "patients") is False
    assert router.allow_migrate(DEFAULT_DB_ALIAS, "patients") is None
    patient = PatientFactory()
    copy = Patient.objects.get(pk=patient.pk)
    copy._state.db = REPLICA  # as if read from the replica
    assert router.db_for_write(Patient, instance=copy) == DEFAULT_DB_ALIAS
    assert router.allow_relation(patient, copy) is True


@pytest.mark.django_db(transaction=True)
def test_it_reads_from_a_healthy_replica_when_nothing_pins_the_reads(live_replica):
    PatientFactory(full_name="Siti Replika")
    with use_replicas() as reads, served_by(REPLICA) as replica_queries:
        assert Patient.objects.get().full_name == "Siti Replika"
    assert reads.served == {REPLICA}
    assert "patients" in replica_queries.captured_queries[-1]["sql"]


@pytest.mark.django_db(transaction=True)
def test_it_reads_from_the_primary_outside_a_request(live_replica):
    PatientFactory()
    with served_by(REPLICA) as replica_queries:
        assert Patient.objects.count() == 1
    assert router.db_for_read(Patient) == DEFAULT_DB_ALIAS
    assert replica_queries.captured_queries == []


@pytest.mark.django_db(transaction=True)
def test_it_reads_from_the_primary_inside_a_transaction(live_replica):
    PatientFactory()
    with use_replicas() as reads, served_by(REPLICA) as replica_queries, transaction.atomic():
        assert Patient.objects.count() == 1
    assert reads.served == {DEFAULT_DB_ALIAS}
    assert replica_queries.captured_queries == []


@pytest.mark.django_db(transaction=True)
def test_it_reads_select_for_update_from_the_primary_even_outside_a_transaction(live_replica):
    with use_replicas() as reads:
        assert Patient.objects.all().db == REPLICA
        # QuerySet._for_write: Django asks db_for_write, never db_for_read, for a locking read.
        assert Patient.objects.select_for_update().db == DEFAULT_DB_ALIAS
        # A lock is taken to write: what follows reads the primary too.
        assert reads.wrote
        assert Patient.objects.all().db == DEFAULT_DB_ALIAS


@pytest.mark.django_db(transaction=True)
def test_it_reads_from_the_primary_when_pinned(live_replica):
    with use_replicas(pinned=True) as reads:
        assert Patient.objects.all().db == DEFAULT_DB_ALIAS
    assert reads.replica is None  # not even asked about the replica's health


@pytest.mark.django_db(transaction=True)
def test_it_reads_sessions_from_the_primary(live_replica):
    with use_replicas():
        assert Session.objects.all().db == DEFAULT_DB_ALIAS
        assert Patient.objects.all().db == REPLICA


@pytest.mark.django_db(transaction=True)
def test_it_reads_from_the_primary_after_a_write_but_not_after_an_audit_row(live_replica):
    with use_replicas() as reads:
        AuditLog.objects.create(action=AuditLog.Action.READ, what="a read")
        assert not reads.wrote
        assert Patient.objects.all().db == REPLICA
        PatientFactory()
        assert reads.wrote
        assert Patient.objects.all().db == DEFAULT_DB_ALIAS


@pytest.mark.django_db(transaction=True)
def test_it_reads_from_the_primary_while_the_replica_is_unhealthy(live_replica, monkeypatch):
    monkeypatch.setattr(db_router, "replica_health", lambda alias: (False, None, "stub: SQL thread stopped"))
    with use_replicas():
        assert Patient.objects.all().db == DEFAULT_DB_ALIAS


@pytest.mark.django_db(transaction=True)
def test_it_reads_from_the_primary_while_the_replica_lags_too_far(live_replica, monkeypatch, caplog):
    monkeypatch.undo()  # the real replica_health, with a measured lag of 30 s
    monkeypatch.setattr(db_router, "_measure", lambda vendor, cursor: (True, 30.0, "replicating"))
    with caplog.at_level(logging.WARNING, logger="core.db_router"), use_replicas():
        assert Patient.objects.all().db == DEFAULT_DB_ALIAS
    assert db_router.cached_health(REPLICA).lag == 30.0
    assert "lag 30.0 s is over the limit of 5 s" in caplog.text


@pytest.mark.django_db(transaction=True)
def test_it_uses_the_replica_again_once_it_has_caught_up(live_replica, monkeypatch, settings, caplog):
    settings.REPLICA_CHECK_SECONDS = 0
    health = iter([(False, None, "stub: lagging"), (True, 1.0, "stub: replicating")])
    monkeypatch.setattr(db_router, "replica_health", lambda alias: next(health))
    with caplog.at_level(logging.WARNING, logger="core.db_router"):
        with use_replicas():
            assert Patient.objects.all().db == DEFAULT_DB_ALIAS
        with use_replicas():
            assert Patient.objects.all().db == REPLICA
    assert [r.getMessage() for r in caplog.records] == [
        "Database replica replica_1 is not used: stub: lagging",
        "Database replica replica_1 is back in use (stub: replicating)",
    ]


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize(
    ("measured", "measurements"),
    [
        ((False, None, "replication SQL thread is not running (No)"), 3),  # answers: asked each time
        ((False, None, "unreachable or refused: timed out"), 1),  # silent: left alone for a while
    ],
)
def test_it_asks_a_lagging_replica_again_at_once_but_leaves_a_silent_one_alone(
    live_replica, monkeypatch, settings, measured, measurements
):
    settings.REPLICA_CHECK_SECONDS = 0
    calls = []
    monkeypatch.setattr(db_router, "replica_health", lambda alias: calls.append(alias) or measured)
    for _request in range(3):
        with use_replicas():
            assert Patient.objects.all().db == DEFAULT_DB_ALIAS
    assert len(calls) == measurements


# --- health -----------------------------------------------------------------------------------------


class FakeCursor:
    """What SHOW REPLICA STATUS returns (and, when that is empty, Galera's state), for _mysql_lag."""

    def __init__(self, rows, galera_state=None):
        self.rows = rows
        self.galera_state = galera_state
        self.description = [(name,) for name in (rows[0] if rows else {})]

    def execute(self, sql):
        self.sql = sql

    def fetchall(self):
        return [tuple(row.values()) for row in self.rows]

    def fetchone(self):
        assert "wsrep_local_state_comment" in self.sql
        return None if self.galera_state is None else ("wsrep_local_state_comment", self.galera_state)


def status(io="Yes", sql="Yes", lag=0):
    return {"Slave_IO_Running": io, "Slave_SQL_Running": sql, "Seconds_Behind_Master": lag}


@pytest.mark.parametrize(
    ("rows", "expected"),
    [
        ([status(lag=3)], (True, 3.0, "replicating")),
        ([status(sql="No", lag=None)], (False, None, "replication SQL thread is not running (No)")),
        ([status(io="Connecting", lag=None)], (False, None, "replication I/O thread is not running (Connecting)")),
        ([status(lag=None)], (False, None, "lag unknown (Seconds_Behind_Master is NULL)")),
        ([], (False, None, "not replicating (SHOW REPLICA STATUS is empty)")),
        ([status(lag=1), status(lag=7)], (True, 7.0, "replicating")),  # multi-source: the worst
    ],
)
def test_it_reads_the_lag_from_show_replica_status(rows, expected):
    assert db_router._mysql_lag(FakeCursor(rows)) == expected


@pytest.mark.parametrize(
    ("state", "expected"),
    [
        ("Synced", (True, None, "Galera node, synced")),
        ("Donor/Desynced", (False, None, "Galera node not synced (Donor/Desynced)")),
    ],
)
def test_it_uses_a_galera_node_only_while_it_is_synced(state, expected):
    assert db_router._mysql_lag(FakeCursor([], galera_state=state)) == expected


def test_it_finds_a_server_that_does_not_replicate_unusable(replica_settings, db):
    """The test database's own server, asked as if it were a replica."""
    ok, lag, reason = db_router.replica_health(DEFAULT_DB_ALIAS)
    vendor = connections[DEFAULT_DB_ALIAS].vendor
    if vendor == "mysql":
        assert (ok, lag) == (False, None)
        assert reason.startswith(("not replicating", "unreachable or refused"))
    elif vendor == "postgresql":
        assert (ok, reason) == (False, "not a standby (pg_is_in_recovery() is false)")
    else:
        assert (ok, lag, reason) == (True, None, "lag not measured on sqlite")


def test_it_finds_a_dead_replica_unusable(dead_replica, db):
    ok, lag, reason = db_router.replica_health(REPLICA)
    assert (ok, lag) == (False, None)
    assert reason.startswith("unreachable or refused")


# --- requests ---------------------------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_it_serves_a_page_from_the_replica_and_pins_the_browser_after_a_post(live_replica, client, receptionist):
    patient = PatientFactory(full_name="Budi Santoso")
    client.force_login(receptionist)
    url = reverse("patients:detail", args=[patient.pk])

    with served_by(REPLICA) as replica_queries:
        response = client.get(url)
    assert response.status_code == 200
    assert response[TRACE_HEADER] == "replica_1"  # the session from the cache, every read from the replica
    assert any('"patients"' in q["sql"] or "patients" in q["sql"] for q in replica_queries.captured_queries)
    assert PIN_COOKIE not in response.cookies  # its audit row does not pin

    response = client.post(reverse("patients:edit", args=[patient.pk]), {})  # invalid: no change
    assert response[TRACE_HEADER] == "default"
    assert response.cookies[PIN_COOKIE]["max-age"] == 11
    assert response.cookies[PIN_COOKIE]["httponly"]

    with served_by(REPLICA) as replica_queries:
        response = client.get(url)
    assert response.status_code == 200
    assert response[TRACE_HEADER] == "default"
    assert replica_queries.captured_queries == []


@pytest.mark.django_db(transaction=True)
def test_it_ignores_an_expired_or_garbled_pin_cookie(live_replica, client, receptionist):
    client.force_login(receptionist)
    for value in ("1000.0", "not a time"):
        client.cookies[PIN_COOKIE] = value
        assert client.get(reverse("patients:search"))[TRACE_HEADER] == "replica_1"


@pytest.mark.django_db(transaction=True)
def test_it_serves_pages_from_the_primary_when_the_replica_is_dead(dead_replica, client, receptionist, caplog):
    patient = PatientFactory(full_name="Ani Lestari")
    client.force_login(receptionist)
    with caplog.at_level(logging.WARNING, logger="core.db_router"):
        first = client.get(reverse("patients:detail", args=[patient.pk]))
        second = client.get(reverse("patients:search"))
    assert first.status_code == second.status_code == 200
    assert "Ani Lestari" in first.content.decode()
    assert first[TRACE_HEADER] == second[TRACE_HEADER] == "default"
    # One warning, not one per request.
    assert [r.getMessage() for r in caplog.records if r.name == "core.db_router"] == [
        "Database replica replica_1 is not used: unreachable or refused: unable to open database file"
    ]


@pytest.mark.django_db(transaction=True)
def test_it_reruns_a_page_on_the_primary_when_the_replica_fails_during_it(live_replica, client, receptionist, caplog):
    patient = PatientFactory(full_name="Dewi Kartika")
    client.force_login(receptionist)
    client.raise_request_exception = False  # a 500 would show as one, not as an exception

    def replica_dies_at_the_patient(execute, sql, params, many, context):
        if '"patients"' in sql or "`patients`" in sql:
            raise OperationalError("server has gone away (simulated)")
        return execute(sql, params, many, context)

    with (
        caplog.at_level(logging.WARNING, logger="core.db_router"),
        connections[REPLICA].execute_wrapper(replica_dies_at_the_patient),
        # SQLite's is_usable() is always True; a server that has gone away fails its ping.
        mock.patch.object(connections[REPLICA], "is_usable", return_value=False),
    ):
        response = client.get(reverse("patients:detail", args=[patient.pk]))
    assert response.status_code == 200
    assert "Dewi Kartika" in response.content.decode()
    assert "replica_1 is down" in caplog.text
    assert db_router.cached_health(REPLICA).ok is False
    # The page was shown once; its read is in the audit log at least once (never missing).
    assert AuditLog.objects.filter(patient_id=patient.pk, action=AuditLog.Action.READ).exists()


@pytest.mark.django_db(transaction=True)
def test_it_does_not_rerun_a_page_whose_error_did_not_come_from_the_replica(live_replica, client, receptionist):
    patient = PatientFactory()
    client.force_login(receptionist)
    client.raise_request_exception = False
    views_run = []

    def the_primary_fails(execute, sql, params, many, context):
        if "audit_log" in sql and sql.lstrip().upper().startswith("INSERT"):
            views_run.append(sql)
            raise OperationalError("lock wait timeout (simulated, on the primary)")
        return execute(sql, params, many, context)

    with connections[DEFAULT_DB_ALIAS].execute_wrapper(the_primary_fails):
        response = client.get(reverse("patients:detail", args=[patient.pk]))
    assert response.status_code == 503  # the database's error page (core.views.server_error)
    assert len(views_run) == 1  # not run a second time
    assert db_router.cached_health(REPLICA).ok  # and the replica is not blamed
