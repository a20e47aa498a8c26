"""No hot page of issue 6 reads a big table from end to end (MariaDB and PostgreSQL).

Each page of clinic/tests/hot_pages.py is fetched once with its SQL captured; every SELECT is
then EXPLAINed on the same connection, and the test fails if a big table is read by a full
scan: `type=ALL` in MariaDB's plan, a `Seq Scan` node in PostgreSQL's.

How it stays honest on a test database: a planner facing a table of ten rows rightly scans it,
so a test on a tiny database would prove nothing either way.
- MariaDB: the clinic is built with a few thousand patients (about 6,000 appointments and as
  many records, lab results and bills, 5,000 sealed audit rows) and `ANALYZE TABLE` runs on every big table, so the
  optimizer's choice is the one it makes on real data: it reads an index when a selective one
  exists and scans when none does.
- PostgreSQL: the same data, and for the EXPLAINs `enable_seqscan`, `enable_hashjoin` and
  `enable_mergejoin` off. On a table of thousands of rows PostgreSQL rightly prefers a hash join
  over a whole table (it flips to an indexed nested loop at a million rows); with those off it
  reads every big table through an index whenever one can serve the access, so a `Seq Scan`,
  or an index scan without an index condition (a read of the whole index), left in the plan
  means no usable index - exactly the defect looked for.
SQLite has no cost-based choice worth checking here and is skipped."""

import json
import re

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from clinic.tests.hot_pages import admin_pages, build_clinic, fetch, hot_pages

pytestmark = [
    # transaction=True: MariaDB's ANALYZE TABLE commits, so the rows are flushed after the test
    # rather than rolled back.
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor not in ("mysql", "postgresql"),
        reason="query plans are checked on MariaDB and PostgreSQL, the production databases",
    ),
]

BIG_TABLES = {
    "patients",
    "appointments",
    "appointment_services",
    "medical_records",
    "lab_results",
    "billing",
    "payments",
    "audit_log",
}

PG_PLANNER_OFF = ("enable_seqscan", "enable_hashjoin", "enable_mergejoin")


LIMIT = re.compile(r"\bLIMIT (\d+)(\)? subquery)?$")
# An unfiltered list: `SELECT … FROM t ORDER BY t.col … LIMIT n` (the admin's lists).
UNFILTERED_ORDERED = re.compile(r"^SELECT .*? FROM `(\w+)` ORDER BY `\1`\.`(\w+)` .* LIMIT \d+$")


def _index_leads_with(cursor, table: str, column: str) -> bool:
    cursor.execute(
        "SELECT 1 FROM information_schema.statistics WHERE table_schema = DATABASE() AND table_name = %s "
        "AND column_name = %s AND seq_in_index = 1",
        [table, column],
    )
    return cursor.fetchone() is not None


def _bounded_walk(cursor, sql: str, row: dict) -> bool:
    """A read of an index in order that stops after the statement's LIMIT (type=index with at
    most LIMIT rows); or an unfiltered ORDER BY … LIMIT on a column an index leads with, which
    MariaDB reads by a scan on a table of a few thousand rows only (at 1M patients the same
    statements read 100 index entries: docs/performance.md)."""
    limit = LIMIT.search(sql)
    if limit is None:
        return False
    if row["type"] == "index" and row["rows"] is not None and int(row["rows"]) <= int(limit[1]):
        return True
    # The admin paginator's capped count, `SELECT COUNT(*) FROM (SELECT id FROM t LIMIT n)`:
    # without a filter or a sort, its read of an index stops after n entries, though MariaDB's
    # plan of a derived table shows the whole table's estimate.
    extra = row.get("Extra") or ""
    if row["type"] == "index" and limit[2] and "Using where" not in extra and "filesort" not in extra:
        return True
    ordered = UNFILTERED_ORDERED.match(sql)
    return bool(row["type"] == "ALL" and ordered and ordered[1] == row["table"]) and _index_leads_with(
        cursor, ordered[1], ordered[2]
    )


def _mariadb_full_scans(cursor, sql: str) -> list[str]:
    cursor.execute("EXPLAIN " + sql)
    columns = [c[0] for c in cursor.description]
    rows = [dict(zip(columns, row, strict=True)) for row in cursor.fetchall()]
    # ALL reads the table, index the whole of an index (LIKE BINARY on the name did that).
    return [
        f"{row['table']}: type={row['type']}, rows={row['rows']}, possible_keys={row['possible_keys']}"
        for row in rows
        if row["table"] in BIG_TABLES and row["type"] in ("ALL", "index") and not _bounded_walk(cursor, sql, row)
    ]


def _plan_nodes(node: dict, limited: bool = False):
    """Every node of the plan, with whether a Limit above it stops its read early."""
    limited = limited or node["Node Type"] == "Limit"
    yield node, limited
    for child in node.get("Plans", []):
        # A subquery (InitPlan/SubPlan) is not stopped by the outer Limit.
        yield from _plan_nodes(child, limited and child.get("Parent Relationship") not in ("InitPlan", "SubPlan"))


def _postgresql_full_scans(cursor, sql: str) -> list[str]:
    """Seq Scans, and index scans without an index condition: those read the whole index."""
    cursor.execute("EXPLAIN (FORMAT JSON) " + sql)
    plan = cursor.fetchone()[0]
    plan = json.loads(plan) if isinstance(plan, str) else plan
    return [
        f"{node['Relation Name']}: {node['Node Type']} {node.get('Index Name') or ''}, filter={node.get('Filter')}"
        for node, limited in _plan_nodes(plan[0]["Plan"])
        if node.get("Relation Name") in BIG_TABLES
        and (
            node["Node Type"] == "Seq Scan"
            # An index read in order under a Limit stops after the page (the admin's lists).
            or node["Node Type"] in ("Index Scan", "Index Only Scan")
            and "Index Cond" not in node
            and not limited
        )
    ]


def full_scans(sql: str) -> list[str]:
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            return _postgresql_full_scans(cursor, sql)
        return _mariadb_full_scans(cursor, sql)


@pytest.fixture
def big_clinic(transactional_db):
    clinic = build_clinic(patients=3000, visits=2, frequent_visits=200, today=60, audit_rows=5000)
    with connection.cursor() as cursor:
        if connection.vendor == "mysql":
            cursor.execute("ANALYZE TABLE " + ", ".join(sorted(BIG_TABLES)))
            cursor.fetchall()
        else:
            cursor.execute("ANALYZE")
    return clinic


def full_scans_of_pages(pages, clients) -> list[str]:
    captured = []
    for page in pages:
        with CaptureQueriesContext(connection) as queries:
            fetch(clients[page.role], page)
        captured += [(page.name, q["sql"]) for q in queries if q["sql"].lstrip().upper().startswith("SELECT")]
    assert len(captured) > 2 * len(pages)  # every page was fetched and its reads captured
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(f"SET {' = off; SET '.join(PG_PLANNER_OFF)} = off")
    try:
        problems = [f"{name}: {scan}\n    {sql[:400]}" for name, sql in captured for scan in full_scans(sql)]
    finally:
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("; ".join(f"RESET {setting}" for setting in PG_PLANNER_OFF))
    return problems


def _clients(admin_user, receptionist) -> dict:
    clients = {"admin": Client(), "receptionist": Client()}
    clients["admin"].force_login(admin_user)
    clients["receptionist"].force_login(receptionist)
    return clients


def test_it_reads_no_big_table_by_a_full_scan_on_the_hot_pages(big_clinic, admin_user, receptionist):
    problems = full_scans_of_pages(hot_pages(big_clinic), _clients(admin_user, receptionist))
    assert not problems, "\n".join(problems)


def test_it_reads_no_big_table_by_a_full_scan_on_the_admins_pages(big_clinic, admin_user, receptionist):
    """Issue 14: the Django admin's lists, filters, searches and change forms."""
    problems = full_scans_of_pages(admin_pages(big_clinic), _clients(admin_user, receptionist))
    assert not problems, "\n".join(problems)
