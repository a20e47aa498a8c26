"""How one scenario is measured: the page's server time, its queries, and the same SQL run raw.

Server time is what Django spends on the request in-process (the test Client, without
`setup_test_environment`, so no template instrumentation): middleware, view, queries, template,
audit rows — everything but the network and the WSGI server. The raw SQL time replays the exact
statements the page sent (captured with their parameters) on a plain cursor; the ratio of the two
says how much of a page is Python rather than database (R_sql)."""

from __future__ import annotations

import datetime
import math
import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from django.contrib.sessions.models import Session
from django.db import DatabaseError, connection, transaction
from django.test.utils import CaptureQueriesContext

# Transaction control the page's own atomic blocks sent: replaying it inside the replay's
# transaction would end that transaction, and it costs next to nothing.
CONTROL_WORDS = ("SAVEPOINT", "RELEASE", "ROLLBACK", "COMMIT", "BEGIN", "START")
READ_WORDS = ("SELECT", "WITH", "SHOW", "EXPLAIN")
STATEMENT_PREVIEW = 500


class PageError(Exception):
    """A page answered with something other than 2xx/3xx, or raised."""


@dataclass(frozen=True)
class Statement:
    sql: str
    params: object
    many: bool
    in_atomic: bool = False  # False for a write: it committed on its own (autocommit)

    @property
    def first_word(self) -> str:
        return self.sql.lstrip(" (").split(None, 1)[0].upper() if self.sql.strip() else ""

    @property
    def is_control(self) -> bool:
        return self.first_word in CONTROL_WORDS

    @property
    def is_read(self) -> bool:
        return self.first_word in READ_WORDS


@dataclass
class RawTiming:
    """p50_ms = replay_ms + commits × commit_ms: the replay is rolled back, so the durable
    commits the page made (an fsync each on MariaDB and PostgreSQL) are added at the cost of a
    real commit on this database, measured on the benchmark's own session row."""

    p50_ms: float
    replay_ms: float = 0.0
    commits: int = 0
    commit_ms: float = 0.0
    slowest_sql: str = ""
    slowest_ms: float = 0.0
    errors: int = 0
    # Each statement the page sent, in order, with its replay p50 (None: not replayed).
    statements: list[dict] = field(default_factory=list)


@dataclass
class Result:
    name: str
    method: str
    path: str
    status: int | None = None
    queries: int | None = None
    writes: int | None = None
    p50_ms: float | None = None
    p95_ms: float | None = None
    cpu_p50_ms: float | None = None  # the process's CPU time: Python's share, without waiting
    raw: RawTiming | None = None
    error: str = ""
    extra: dict = field(default_factory=dict)

    @property
    def r_sql(self) -> float | None:
        if self.p50_ms is None or self.raw is None or self.raw.p50_ms <= 0:
            return None
        return self.p50_ms / self.raw.p50_ms


def percentile(values: list[float], fraction: float) -> float:
    """Nearest-rank percentile: a value that was measured, never an interpolation."""
    ordered = sorted(values)
    return ordered[max(0, math.ceil(fraction * len(ordered)) - 1)]


def checked(response):
    if not 200 <= response.status_code < 400:
        raise PageError(f"HTTP {response.status_code}")
    return response


def time_requests(
    request: Callable[[], object], after: Callable[[object], None] | None, iterations: int
) -> tuple[list[float], list[float]]:
    """Milliseconds of each call of `request`, wall clock and this process's CPU time; `after`
    (clean-up) runs untimed between calls. The CPU time is the page's Python work alone: on a
    busy machine the wall clock also counts the time the process waited for a core."""
    timings, cpu = [], []
    for _ in range(iterations):
        started, started_cpu = time.perf_counter(), time.process_time()
        response = request()
        timings.append((time.perf_counter() - started) * 1000)
        cpu.append((time.process_time() - started_cpu) * 1000)
        checked(response)
        if after is not None:
            after(response)
    return timings, cpu


def capture(
    request: Callable[[], object], after: Callable[[object], None] | None
) -> tuple[object, int, list[Statement], int]:
    """One request with its queries counted (CaptureQueriesContext) and recorded with their
    parameters (an execute wrapper: the captured text has the parameters already interpolated,
    which is not what the page sent). Also returns how many durable commits the page made: the
    COMMITs of its atomic blocks (logged by Django) and its writes in autocommit."""
    statements: list[Statement] = []

    def record(execute, sql, params, many, context):
        statements.append(Statement(sql, params, many, connection.in_atomic_block))
        return execute(sql, params, many, context)

    with CaptureQueriesContext(connection) as queries, connection.execute_wrapper(record):
        response = request()
    checked(response)
    if after is not None:
        after(response)
    commits = sum(1 for q in queries.captured_queries if q["sql"].strip().upper() == "COMMIT")
    commits += sum(1 for s in statements if not s.is_read and not s.is_control and not s.in_atomic)
    return response, len(queries), statements, commits


def time_commit(*, session_key: str, iterations: int) -> float:
    """p50 ms of a durable COMMIT here: a one-row change of the benchmark's own session row
    (logout deletes it at the end), committed; only the COMMIT is timed."""
    table = connection.ops.quote_name(Session._meta.db_table)
    expire = Session.objects.get(session_key=session_key).expire_date
    timings = []
    connection.set_autocommit(False)
    try:
        with connection.cursor() as cursor:
            for i in range(iterations):
                # The table name is the Session model's own, quoted; the values are parameters.
                sql = f"UPDATE {table} SET expire_date = %s WHERE session_key = %s"  # noqa: S608  # nosec B608
                cursor.execute(sql, [expire - datetime.timedelta(seconds=i % 2), session_key])
                started = time.perf_counter()
                connection.commit()
                timings.append((time.perf_counter() - started) * 1000)
    finally:
        connection.set_autocommit(True)
    return statistics.median(timings)


def _timed(cursor, statement: Statement) -> float:
    """Milliseconds to execute one statement and fetch all it returns."""
    started = time.perf_counter()
    if statement.many:
        cursor.executemany(statement.sql, statement.params)
    else:
        cursor.execute(statement.sql, statement.params)
    if cursor.description is not None:
        cursor.fetchall()
    return (time.perf_counter() - started) * 1000


def _timed_write(cursor, statement: Statement) -> float:
    """A write in its own savepoint (not timed), so that a failing one leaves the replay's
    transaction usable (PostgreSQL aborts the whole transaction otherwise)."""
    with transaction.atomic():
        return _timed(cursor, statement)


def _replay_once(statements: list[Statement], per_statement: list[list[float]]) -> tuple[float, int]:
    """Runs the statements once in a transaction that is rolled back (the page's writes — audit
    rows, a booking — must not be repeated for real). A write that fails (e.g. it refers to the
    booking the clean-up deleted) is rolled back to its savepoint and not counted."""
    total, errors = 0.0, 0
    with transaction.atomic():
        with connection.cursor() as cursor:
            for index, statement in enumerate(statements):
                if statement.is_control:
                    continue
                try:
                    elapsed = (_timed if statement.is_read else _timed_write)(cursor, statement)
                except DatabaseError:
                    errors += 1
                    continue
                per_statement[index].append(elapsed)
                total += elapsed
        transaction.set_rollback(True)
    return total, errors


def time_raw(statements: list[Statement], iterations: int, *, commits: int, commit_ms: float) -> RawTiming:
    """p50 of the page's SQL replayed `iterations` times plus its commits, and its slowest
    statement (by p50)."""
    per_statement: list[list[float]] = [[] for _ in statements]
    totals, errors = [], 0
    for _ in range(iterations):
        total, errors = _replay_once(statements, per_statement)
        totals.append(total)
    replay_ms = statistics.median(totals) if totals else 0.0
    timing = RawTiming(
        p50_ms=replay_ms + commits * commit_ms, replay_ms=replay_ms, commits=commits, commit_ms=commit_ms, errors=errors
    )
    medians = [(statistics.median(times), index) for index, times in enumerate(per_statement) if times]
    by_index = {index: ms for ms, index in medians}
    timing.statements = [
        {"sql": statement.sql[:STATEMENT_PREVIEW], "ms": by_index.get(index)}
        for index, statement in enumerate(statements)
    ]
    if medians:
        slowest_ms, index = max(medians)
        timing.slowest_ms, timing.slowest_sql = slowest_ms, statements[index].sql
    return timing
