"""Reads from replicas, writes to the primary, and every user reads their own writes
(docs/scaling.md, "Read replicas and the router").

Settings (clinic/settings/base.py): DATABASE_REPLICAS (aliases replica_1, ... from
DATABASE_REPLICA_URLS), REPLICA_PIN_SECONDS, REPLICA_MAX_LAG_SECONDS, REPLICA_CHECK_SECONDS,
REPLICA_RETRY_SECONDS, REPLICA_TRACE_HEADER. With no replica every method answers None and
Django does what it always did.

Where reads go:
- Outside a request (management commands, the shell): the primary, unless the code asks for
  replicas with `use_replicas()`. Commands read-then-write without a transaction; stale reads
  there would be bugs, not savings.
- In a request with an unsafe method (POST, PUT, PATCH, DELETE): the primary. Such a request is
  about to change something, and what it checks first (a free slot, what is owed, a unique NIK)
  must be current.
- In a GET/HEAD request from a browser that changed something in the last REPLICA_PIN_SECONDS
  (the pin cookie, below): the primary, so a receptionist sees the booking they just made.
- Inside a transaction on the primary (every service, every select_for_update): the primary.
- Sessions: always the primary. The row written at login may not have reached a replica when the
  next page asks for it, and a missing session would sign the user out.
- Otherwise one healthy replica per request (chosen at random, kept for the whole request so a
  page never mixes two replicas that stand at different positions); none healthy → the primary.

Read-your-writes is a cookie, not the session: N app servers share nothing, and the session
itself is read from the database. The cookie holds "primary until <unix time>"; a forged one only
makes its own reads go to the primary. Unsafe requests set it; so does a GET that writes (or
locks with select_for_update) anything but the audit log or the session. The audit log is
written on every read of patient data and would otherwise pin every doctor for ever; the session
is written once a minute by the idle timer and is read from the primary anyway.

Health: a replica is used while it answers and its lag is at most REPLICA_MAX_LAG_SECONDS,
measured at most every REPLICA_CHECK_SECONDS per process. The first read of a request also makes
sure the replica's connection works (a connect with a short timeout, or a ping of a kept
connection), so a replica that died since its last check costs no error page. A replica that
fails during a page (OperationalError, InterfaceError in a GET view) is marked down and the view
runs once more on the primary. Reads of patient data already written to the audit log by the
failed attempt are then logged twice: the log may over-report a read, never miss one.
"""

from __future__ import annotations

import contextvars
import logging
import random
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, DatabaseError, InterfaceError, OperationalError, connections

logger = logging.getLogger(__name__)

PIN_COOKIE = "clinic_primary_until"
TRACE_HEADER = "X-Clinic-Read-DB"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "TRACE"})
# Read from the primary whatever the request (see the module's docstring).
PRIMARY_ONLY_MODELS = frozenset({"sessions.session"})
# Written during reads; such a write does not pin the browser to the primary.
NON_PINNING_MODELS = frozenset({"sessions.session", "audit.auditlog", "audit.audithead"})


def replicas() -> list[str]:
    return list(getattr(settings, "DATABASE_REPLICAS", []) or [])


# --- the request's reads --------------------------------------------------------------------


@dataclass
class RequestReads:
    """Where this request's reads may go and where they went."""

    pinned: bool  # every read to the primary
    wrote: bool = False  # a pinning write happened: the primary from then on, and set the cookie
    replica: str | None = None  # the alias chosen at the first read (DEFAULT_DB_ALIAS: none healthy)
    served: set[str] = field(default_factory=set)  # aliases that db_for_read answered


# None outside a request: reads go to the primary.
_reads: contextvars.ContextVar[RequestReads | None] = contextvars.ContextVar("clinic_reads", default=None)


def current_reads() -> RequestReads | None:
    """The state of the request being served (tests ask it which alias served the reads)."""
    return _reads.get()


@contextmanager
def use_replicas(*, pinned: bool = False) -> Iterator[RequestReads]:
    """Lets code outside a request (a report command, a test) read from replicas like a GET."""
    state = RequestReads(pinned=pinned)
    token = _reads.set(state)
    try:
        yield state
    finally:
        _reads.reset(token)


# --- replica health -------------------------------------------------------------------------


@dataclass(frozen=True)
class Health:
    ok: bool
    lag: float | None
    reason: str
    checked_at: float  # time.monotonic()
    unreachable: bool = False


# A replica that does not answer (refused, timed out, gone during a page) is tried again after
# REPLICA_RETRY_SECONDS, not REPLICA_CHECK_SECONDS: a server that hangs instead of refusing costs
# the request that tries it the connect timeout.
UNREACHABLE = "unreachable or refused"
_health: dict[str, Health] = {}
_health_lock = threading.Lock()


def replica_health(alias: str) -> tuple[bool, float | None, str]:
    """Measures now, without the cache: (usable, lag in seconds or None, why). Usable means it
    answers, it is replicating, and its lag is at most REPLICA_MAX_LAG_SECONDS."""
    connection = connections[alias]
    try:
        _ensure_usable(connection)
        with connection.cursor() as cursor:
            ok, lag, reason = _measure(connection.vendor, cursor)
    except DatabaseError as error:
        _close_quietly(connection)
        return False, None, f"{UNREACHABLE}: {error}"
    limit = settings.REPLICA_MAX_LAG_SECONDS
    if ok and lag is not None and lag > limit:
        return False, lag, f"lag {lag:.1f} s is over the limit of {limit:g} s"
    return ok, lag, reason


def _measure(vendor: str, cursor) -> tuple[bool, float | None, str]:
    if vendor == "mysql":
        return _mysql_lag(cursor)
    if vendor == "postgresql":
        return _postgresql_lag(cursor)
    # SQLite (the tests' mirror): nothing replicates, nothing lags.
    return True, None, f"lag not measured on {vendor}"


def _mysql_lag(cursor) -> tuple[bool, float | None, str]:
    """SHOW REPLICA STATUS (MariaDB 10.5.1+, MySQL 8.0.22+; SHOW SLAVE STATUS before). Needs
    REPLICA MONITOR / SLAVE MONITOR (MariaDB) or REPLICATION CLIENT (MySQL). Seconds_Behind_Master
    is NULL when the SQL thread is stopped: then the replica falls further behind with every
    write and is not used."""
    try:
        cursor.execute("SHOW REPLICA STATUS")
    except DatabaseError:
        cursor.execute("SHOW SLAVE STATUS")
    columns = [column[0] for column in cursor.description or ()]
    rows = [dict(zip(columns, row, strict=False)) for row in cursor.fetchall()]
    if not rows:
        return _galera_state(cursor)
    lags = []
    for row in rows:  # one row per source (MariaDB multi-source)
        io = row.get("Slave_IO_Running", row.get("Replica_IO_Running"))
        sql = row.get("Slave_SQL_Running", row.get("Replica_SQL_Running"))
        lag = row.get("Seconds_Behind_Master", row.get("Seconds_Behind_Source"))
        if sql != "Yes":
            return False, None, f"replication SQL thread is not running ({sql})"
        if io != "Yes":
            return False, None, f"replication I/O thread is not running ({io})"
        if lag is None:
            return False, None, "lag unknown (Seconds_Behind_Master is NULL)"
        lags.append(float(lag))
    return True, max(lags), "replicating"


def _galera_state(cursor) -> tuple[bool, float | None, str]:
    """A Galera node (docs/scaling.md, "Galera") is usable while it is Synced; its apply queue is
    not measured in seconds, so it reports no lag."""
    cursor.execute("SHOW GLOBAL STATUS LIKE 'wsrep_local_state_comment'")
    row = cursor.fetchone()
    if row is None:
        return False, None, "not replicating (SHOW REPLICA STATUS is empty)"
    if row[1] != "Synced":
        return False, None, f"Galera node not synced ({row[1]})"
    return True, None, "Galera node, synced"


def _postgresql_lag(cursor) -> tuple[bool, float | None, str]:
    """A standby's lag: 0 when it has replayed all it received (an idle primary sends nothing, and
    the time since the last replayed transaction would grow for ever), else the age of the last
    replayed transaction."""
    cursor.execute(
        "SELECT pg_is_in_recovery(), CASE WHEN pg_last_wal_receive_lsn() = pg_last_wal_replay_lsn() "
        "THEN 0 ELSE EXTRACT(EPOCH FROM now() - pg_last_xact_replay_timestamp()) END"
    )
    in_recovery, lag = cursor.fetchone()
    if not in_recovery:
        return False, None, "not a standby (pg_is_in_recovery() is false)"
    if lag is None:
        return False, None, "lag unknown (nothing replayed yet)"
    return True, float(lag), "replicating"


def _ensure_usable(connection) -> None:
    """Connects (with the replica's short connect timeout), or pings a kept connection and
    reconnects if the server went away; raises DatabaseError if it cannot."""
    if connection.connection is not None and not connection.is_usable():
        _close_quietly(connection)
    connection.ensure_connection()


def _close_quietly(connection) -> None:
    try:
        connection.close()
    except DatabaseError:
        pass


def _record(alias: str, ok: bool, lag: float | None, reason: str, *, unreachable: bool = False) -> Health:
    """Stores a measurement; a warning when a replica goes down or comes back (not per request)."""
    health = Health(ok=ok, lag=lag, reason=reason, checked_at=time.monotonic(), unreachable=unreachable)
    with _health_lock:
        before = _health.get(alias)
        _health[alias] = health
    if before is None and not ok:
        logger.warning("Database replica %s is not used: %s", alias, reason)
    elif before is not None and before.ok and not ok:
        logger.warning("Database replica %s is down, reads go to the primary: %s", alias, reason)
    elif before is not None and not before.ok and ok:
        logger.warning("Database replica %s is back in use (%s)", alias, reason)
    return health


def cached_health(alias: str) -> Health:
    """The last measurement if younger than REPLICA_CHECK_SECONDS (REPLICA_RETRY_SECONDS for a
    replica that did not answer), else a new one."""
    health = _health.get(alias)
    if health is not None:
        max_age = settings.REPLICA_RETRY_SECONDS if health.unreachable else settings.REPLICA_CHECK_SECONDS
        if time.monotonic() - health.checked_at < max_age:
            return health
    ok, lag, reason = replica_health(alias)
    return _record(alias, ok, lag, reason, unreachable=reason.startswith(UNREACHABLE))


def mark_down(alias: str, reason: str) -> None:
    """Stops using a replica that failed to answer, until REPLICA_RETRY_SECONDS have passed."""
    _record(alias, False, None, f"{UNREACHABLE}: {reason}", unreachable=True)


def reset_health_cache() -> None:
    """Clears the cache (tests; a process that wants to re-measure at once)."""
    with _health_lock:
        _health.clear()


def _choose_replica() -> str:
    """A healthy replica whose connection works, else the primary."""
    candidates = replicas()
    random.shuffle(candidates)
    for alias in candidates:
        if not cached_health(alias).ok:
            continue
        try:
            _ensure_usable(connections[alias])
        except DatabaseError as error:
            _close_quietly(connections[alias])
            mark_down(alias, f"cannot connect: {error}")
            continue
        return alias
    return DEFAULT_DB_ALIAS


# --- the router -----------------------------------------------------------------------------


class PrimaryReplicaRouter:
    """DATABASE_ROUTERS entry. Writes and migrations: the primary only. Reads: see the module."""

    def db_for_read(self, model, **hints):
        if not replicas():
            return None
        alias = self._read_alias(model)
        state = _reads.get()
        if state is not None:
            state.served.add(alias)
        return alias

    def _read_alias(self, model) -> str:
        state = _reads.get()
        if state is None or state.pinned or state.wrote:
            return DEFAULT_DB_ALIAS
        if model._meta.label_lower in PRIMARY_ONLY_MODELS:
            return DEFAULT_DB_ALIAS
        if connections[DEFAULT_DB_ALIAS].in_atomic_block:
            return DEFAULT_DB_ALIAS
        if state.replica is None:
            state.replica = _choose_replica()
        return state.replica

    def db_for_write(self, model, **hints):
        ours = replicas()
        if not ours:
            return None
        instance_db = getattr(getattr(hints.get("instance"), "_state", None), "db", None)
        if instance_db not in (None, DEFAULT_DB_ALIAS, *ours):
            return None  # an object of some other database writes back there, as without us
        state = _reads.get()
        if state is not None and model._meta.label_lower not in NON_PINNING_MODELS:
            state.wrote = True
        return DEFAULT_DB_ALIAS

    def allow_relation(self, obj1, obj2, **hints):
        if not replicas():
            return None
        ours = {DEFAULT_DB_ALIAS, *replicas()}
        if obj1._state.db in ours and obj2._state.db in ours:
            return True  # the same rows, read from the primary or a copy of it
        return None

    def allow_migrate(self, db, app_label, model_name=None, **hints):
        if db in replicas():
            return False  # replicas get the schema by replication
        return None


# --- the middleware -------------------------------------------------------------------------


class ReadYourWritesMiddleware:
    """Sets up each request's RequestReads, pins a browser to the primary after it writes (the
    cookie), and reruns a GET view on the primary when its replica fails under it. Placed right
    after SessionMiddleware, before anything that reads the database."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not replicas():
            return self.get_response(request)
        unsafe = request.method not in SAFE_METHODS
        state = RequestReads(pinned=unsafe or _pinned_by_cookie(request))
        request.clinic_reads = state
        token = _reads.set(state)
        try:
            response = self.get_response(request)
        finally:
            _reads.reset(token)
        if unsafe or state.wrote:
            _set_pin_cookie(response)
        if settings.REPLICA_TRACE_HEADER:
            response[TRACE_HEADER] = ",".join(sorted(state.served)) or "none"
        return response

    def process_exception(self, request, exception):
        """A GET view whose replica failed under it: mark the replica down and run the view once
        more with every read on the primary, instead of a 500."""
        state = getattr(request, "clinic_reads", None)
        if (
            state is None
            or state.pinned
            or state.replica in (None, DEFAULT_DB_ALIAS)
            or not isinstance(exception, OperationalError | InterfaceError)
        ):
            return None
        failed = state.replica
        if _still_answers(connections[failed]):
            return None  # the error came from elsewhere (the primary, a bug): a rerun would not help
        mark_down(failed, f"failed during {request.method} {request.path}: {exception}")
        _close_quietly(connections[failed])
        state.pinned = True
        match = request.resolver_match
        response = match.func(request, *match.args, **match.kwargs)
        if callable(getattr(response, "render", None)) and not getattr(response, "is_rendered", True):
            # Django renders a TemplateResponse after the view, but not one that a
            # process_exception returns from a failed render.
            response = response.render()
        return response


def _still_answers(connection) -> bool:
    try:
        return connection.connection is not None and connection.is_usable()
    except DatabaseError:
        return False


def _pinned_by_cookie(request) -> bool:
    try:
        until = float(request.COOKIES.get(PIN_COOKIE, ""))
    except ValueError:
        return False
    return time.time() < until


def _set_pin_cookie(response) -> None:
    seconds = settings.REPLICA_PIN_SECONDS
    response.set_cookie(
        PIN_COOKIE,
        f"{time.time() + seconds:.3f}",
        max_age=int(seconds) + 1,
        secure=settings.SESSION_COOKIE_SECURE,
        httponly=True,
        samesite="Lax",
    )
