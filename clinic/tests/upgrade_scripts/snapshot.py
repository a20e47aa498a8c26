"""Writes what a database holds, per table, for clinic/tests/test_upgrade.py to compare.

    python snapshot.py <current tree> <out.json> [<earlier out.json>]    (DATABASE_URL: the database)

Per table: its columns, its row count, its primary key column and sampled rows — the first and
last SAMPLE by key, or with an earlier snapshot the rows of the keys sampled there, so a table
that grew is compared row for row. Django's migration and content type tables are written whole.
Values go through repr() unless JSON holds them as they are: both sides of a comparison are read
by the same driver, so equal data gives equal text."""

import json
import os
import sys
from pathlib import Path

TREE = Path(sys.argv[1]).resolve()
OUT = Path(sys.argv[2]).resolve()
EARLIER = json.loads(Path(sys.argv[3]).read_text()) if len(sys.argv) > 3 else None
sys.path.insert(0, str(TREE))
os.chdir(TREE)
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "clinic.settings.test")

import django  # noqa: E402

django.setup()

from django.db import connection  # noqa: E402

SAMPLE = 20
WHOLE = {"django_migrations", "django_content_type"}


def plain(value):
    if isinstance(value, memoryview):
        value = bytes(value)
    return value if value is None or isinstance(value, (str, int, float, bool)) else repr(value)


def main() -> None:
    quote_name = connection.ops.quote_name
    tables = {}
    with connection.cursor() as cursor:
        for table in sorted(connection.introspection.table_names(cursor)):
            if table.startswith("sqlite_"):
                continue
            columns = [c.name for c in connection.introspection.get_table_description(cursor, table)]
            key = connection.introspection.get_primary_key_column(cursor, table)
            # Names come from the database's own catalogue, quoted by the backend.
            select = f"SELECT * FROM {quote_name(table)}"  # nosec B608
            cursor.execute(f"SELECT COUNT(*) FROM {quote_name(table)}")  # nosec B608
            count = cursor.fetchone()[0]
            earlier = (EARLIER or {}).get(table)
            if key is None or table in WHOLE:
                cursor.execute(select)
                found = cursor.fetchall()
            elif earlier is not None:
                keys = [k for k, _row in earlier["rows"]]
                found = []
                if keys:
                    marks = ", ".join(["%s"] * len(keys))
                    cursor.execute(f"{select} WHERE {quote_name(key)} IN ({marks})", keys)
                    found = cursor.fetchall()
            else:
                found = []
                for direction in ("ASC", "DESC"):
                    cursor.execute(f"{select} ORDER BY {quote_name(key)} {direction} LIMIT {SAMPLE}")
                    found += cursor.fetchall()
            rows = [[plain(v) for v in row] for row in found]
            if key is None:
                rows = sorted(rows, key=repr)
                sampled = [[repr(row), dict(zip(columns, row, strict=True))] for row in rows[:SAMPLE] + rows[-SAMPLE:]]
            else:
                position = columns.index(key)
                sampled = [[row[position], dict(zip(columns, row, strict=True))] for row in rows]
            tables[table] = {"columns": columns, "count": count, "key": key, "rows": sampled}
    OUT.write_text(json.dumps(tables))


main()
