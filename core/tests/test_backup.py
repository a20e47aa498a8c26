"""`manage.py backup` and `manage.py restore` on the database the tests run on (SQLite, MariaDB
or PostgreSQL): the sample data → backup → restore into a new, empty scratch database in
another process → every table has the same columns, row count and content.

The data must be committed for mariadb-dump and pg_dump (other sessions) to see it, hence
`transaction=True` (pytest-django empties the tables afterwards)."""

import gzip
import hashlib
import io
import json
import os
import sqlite3
import stat
import subprocess
import sys
import time
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import quote

import pytest
from django.conf import settings
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import DatabaseError, connection, connections

from core import backup
from core.backup import human_size

FIXTURES = ("users", "patients", "scheduling", "records", "billing")
THE_TEN_TABLES = {
    "patients",
    "doctors",
    "services",
    "appointments",
    "appointment_services",
    "medical_records",
    "lab_results",
    "insurance",
    "billing",
    "users",
}
DUMP_TOOL = {"mysql": "mariadb-dump", "postgresql": "pg_dump"}


# --- comparing two databases ------------------------------------------------------------


def normalised(value):
    return bytes(value) if isinstance(value, memoryview) else value


def fingerprints(conn) -> dict[str, tuple[list[str], int, str]]:
    """Per table: its columns, its row count and a SHA-256 of its rows in primary-key order —
    computed the same way on both sides, through the same database driver."""
    result = {}
    quote_name = conn.ops.quote_name
    with conn.cursor() as cursor:
        for table in sorted(conn.introspection.table_names(cursor)):
            columns = [c.name for c in conn.introspection.get_table_description(cursor, table)]
            keys = conn.introspection.get_primary_key_columns(cursor, table) or []
            order = f" ORDER BY {', '.join(quote_name(k) for k in keys)}" if keys else ""
            # Names from the database's catalogue, quoted by the backend: no outside input.
            cursor.execute(f"SELECT * FROM {quote_name(table)}{order}")  # nosec B608
            rows = [tuple(normalised(v) for v in row) for row in cursor.fetchall()]
            if not keys:
                rows.sort(key=repr)
            digest = hashlib.sha256()
            for row in rows:
                digest.update(repr(row).encode())
            result[table] = (columns, len(rows), digest.hexdigest())
    return result


def differences(expected: dict, actual: dict) -> list[str]:
    problems = []
    for table in sorted(set(expected) | set(actual)):
        if table not in actual:
            problems.append(f"{table}: missing after restore")
        elif table not in expected:
            problems.append(f"{table}: only after restore")
        elif expected[table] != actual[table]:
            (cols_e, n_e, _), (cols_a, n_a, _) = expected[table], actual[table]
            what = "columns differ" if cols_e != cols_a else "content differs"
            problems.append(f"{table}: {what} ({n_e} rows before, {n_a} after)")
    return problems


# --- a scratch database to restore into -------------------------------------------------


def database_url(settings_dict: dict, name: str) -> str:
    vendor = connection.vendor
    if vendor == "sqlite":
        return f"sqlite:///{name}"
    scheme = {"mysql": "mysql", "postgresql": "postgres"}[vendor]
    auth = ""
    if settings_dict.get("USER"):
        auth = quote(settings_dict["USER"], safe="")
        if settings_dict.get("PASSWORD"):
            auth += ":" + quote(settings_dict["PASSWORD"], safe="")
        auth += "@"
    host = settings_dict.get("HOST") or ""
    port = f":{settings_dict['PORT']}" if settings_dict.get("PORT") else ""
    query = "?charset=utf8mb4" if vendor == "mysql" else ""
    ssl_mode = settings_dict.get("OPTIONS", {}).get("ssl_mode")
    if ssl_mode:
        query += f"&ssl_mode={ssl_mode}"
    return f"{scheme}://{auth}{host}{port}/{name}{query}"


def mysql_create(name: str) -> None:
    statement = f"CREATE DATABASE `{name}` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci"
    try:
        with connection.cursor() as cursor:
            cursor.execute(f"DROP DATABASE IF EXISTS `{name}`")
            cursor.execute(statement)
        return
    except DatabaseError:
        pass
    # The tests' user may only use its own databases (.ci/run's fallback user `clinic`): root
    # through the server's socket, as .ci/run itself does, creates the scratch one for it.
    import MySQLdb

    with connection.cursor() as cursor:
        cursor.execute("SELECT CURRENT_USER()")
        user, host = cursor.fetchone()[0].rsplit("@", 1)
    try:
        root = MySQLdb.connect(user="root", unix_socket="/run/mysqld/mysqld.sock")
    except MySQLdb.Error as exc:
        pytest.fail(f"Cannot create the scratch database {name}: no privilege, no root: {exc}")
    try:
        cursor = root.cursor()
        cursor.execute(f"DROP DATABASE IF EXISTS `{name}`")
        cursor.execute(statement)
        cursor.execute(f"GRANT ALL PRIVILEGES ON `{name}`.* TO %s@%s", (user, host))
    finally:
        root.close()


def postgresql_admin():
    import psycopg

    s = connection.settings_dict
    return psycopg.connect(
        dbname="postgres",
        host=s.get("HOST") or None,
        port=s.get("PORT") or None,
        user=s.get("USER") or None,
        password=s.get("PASSWORD") or None,
        autocommit=True,
    )


@pytest.fixture
def scratch_database(tmp_path):
    """A new, empty database of the same engine: (its NAME, its DATABASE_URL). Dropped after."""
    vendor = connection.vendor
    if vendor == "sqlite":
        name = str(tmp_path / "restored.sqlite3")
        yield name, database_url(connection.settings_dict, name)
        return
    name = f"{connection.settings_dict['NAME']}_restore"
    if vendor == "mysql":
        mysql_create(name)
    else:
        with postgresql_admin() as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            admin.execute(f'CREATE DATABASE "{name}"')
    try:
        yield name, database_url(connection.settings_dict, name)
    finally:
        if vendor == "mysql":
            with connection.cursor() as cursor:
                cursor.execute(f"DROP DATABASE IF EXISTS `{name}`")
        else:
            with postgresql_admin() as admin:
                admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@contextmanager
def connected_to(name: str):
    """A second Django connection, of the same backend, to another database. Unregistered
    (Django's tests allow those); its alias is "default" only for the few feature probes that
    look a connection up by alias, which then ask the test database, of the same engine."""
    default = connections["default"]
    other = type(default)({**default.settings_dict, "NAME": name}, alias="default")
    try:
        yield other
    finally:
        other.close()


def restore_in_a_new_process(dump: Path, url: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "DATABASE_URL": url, "DJANGO_SETTINGS_MODULE": "clinic.settings.test"}
    return subprocess.run(
        [sys.executable, str(settings.BASE_DIR / "manage.py"), "restore", str(dump)],
        cwd=settings.BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )


def run_backup(path: Path, *args) -> str:
    out = io.StringIO()
    call_command("backup", str(path), *args, stdout=out)
    return out.getvalue()


def leftovers(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir())


# --- the round trip ---------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_it_restores_every_table_row_for_row(tmp_path, scratch_database, figures):
    call_command("loaddata", *FIXTURES, verbosity=0)
    before = fingerprints(connection)
    rows = sum(n for _cols, n, _sum in before.values())
    assert THE_TEN_TABLES <= set(before)
    assert all(before[t][1] > 0 for t in THE_TEN_TABLES), "the sample data did not load"

    dump = tmp_path / "clinic.dump"
    started = time.perf_counter()
    output = run_backup(dump)
    backup_seconds = time.perf_counter() - started
    assert "Backup written" in output
    assert stat.S_IMODE(dump.stat().st_mode) == 0o600  # patient data: the owner only
    manifest = json.loads(dump.with_name("clinic.dump.json").read_text())
    assert manifest["engine"] == connection.vendor
    assert manifest["row_counts"] == {table: n for table, (_c, n, _s) in before.items()}
    assert manifest["migration_heads"]["accounts"]
    if connection.vendor != "postgresql":  # pg_dump's custom format compresses by itself
        with gzip.open(dump) as compressed:
            compressed.read(16)

    name, url = scratch_database
    started = time.perf_counter()
    result = restore_in_a_new_process(dump, url)
    restore_seconds = time.perf_counter() - started
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Row counts match the manifest" in result.stdout

    with connected_to(name) as restored:
        after = fingerprints(restored)
    assert differences(before, after) == []
    assert after == before

    figures(
        f"{connection.vendor}: {len(before)} tables, {rows} rows restored identical; backup "
        f"{human_size(dump.stat().st_size)} in {backup_seconds:.2f} s, restore (new process) in "
        f"{restore_seconds:.2f} s"
    )


# --- refusals ---------------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_it_refuses_to_restore_into_a_database_that_has_tables(tmp_path):
    call_command("loaddata", "users", verbosity=0)
    dump = tmp_path / "clinic.dump"
    run_backup(dump)
    before = fingerprints(connection)

    with pytest.raises(CommandError, match="already has .* tables.*Nothing was changed"):
        call_command("restore", str(dump), stdout=io.StringIO())

    assert fingerprints(connection) == before


@pytest.mark.django_db(transaction=True)
def test_it_refuses_to_overwrite_a_backup(tmp_path):
    dump = tmp_path / "clinic.dump"
    dump.write_bytes(b"last night's backup")

    with pytest.raises(CommandError, match="already exists.*--force"):
        run_backup(dump)

    assert dump.read_bytes() == b"last night's backup"
    assert leftovers(tmp_path) == ["clinic.dump"]


@pytest.mark.django_db(transaction=True)
def test_it_refuses_to_overwrite_a_manifest(tmp_path):
    manifest = tmp_path / "clinic.dump.json"
    manifest.write_text("{}")

    with pytest.raises(CommandError, match="already exists"):
        run_backup(tmp_path / "clinic.dump")

    assert leftovers(tmp_path) == ["clinic.dump.json"]


@pytest.mark.django_db(transaction=True)
def test_it_replaces_a_backup_with_force(tmp_path):
    dump = tmp_path / "clinic.dump"
    dump.write_bytes(b"last night's backup")

    run_backup(dump, "--force")

    assert backup.sniff_engine(dump) == connection.vendor
    assert leftovers(tmp_path) == ["clinic.dump", "clinic.dump.json"]


@pytest.mark.django_db(transaction=True)
def test_the_dump_and_its_manifest_are_owner_only_whatever_the_umask(tmp_path):
    """README: backups are readable by their owner only. The manifest was written 0644."""
    stale = tmp_path / "clinic.dump.json"
    stale.write_text("{}")
    stale.chmod(0o644)
    old_umask = os.umask(0o022)
    try:
        run_backup(tmp_path / "clinic.dump", "--force")
    finally:
        os.umask(old_umask)

    for name in ("clinic.dump", "clinic.dump.json"):
        assert stat.S_IMODE((tmp_path / name).stat().st_mode) == 0o600, name
    assert json.loads(stale.read_text())["engine"] == connection.vendor


def fake_dump_of_another_engine(path: Path) -> str:
    """A dump (and its manifest) as another engine would write it."""
    if connection.vendor == "postgresql":
        engine = "mysql"
        with gzip.open(path, "wb") as f:
            f.write(b"-- MariaDB dump 10.19  Distrib 10.11.19-MariaDB\nCREATE TABLE t (id int);\n")
    else:
        engine = "postgresql"
        path.write_bytes(b"PGDMP\x01\x0e\x00")
    manifest = {"format": backup.MANIFEST_FORMAT, "engine": engine, "row_counts": {}}
    backup.manifest_path_for(path).write_text(json.dumps(manifest))
    return backup.ENGINE_NAMES[engine]


@pytest.mark.django_db
def test_it_refuses_a_backup_of_another_engine(tmp_path):
    dump = tmp_path / "other.dump"
    engine_name = fake_dump_of_another_engine(dump)

    with pytest.raises(CommandError, match=f"is a backup of a {engine_name} database"):
        call_command("restore", str(dump), stdout=io.StringIO())


@pytest.mark.django_db(transaction=True)
def test_it_refuses_a_damaged_backup(tmp_path):
    dump = tmp_path / "clinic.dump"
    run_backup(dump)
    data = bytearray(dump.read_bytes())
    data[len(data) // 2] ^= 0xFF
    dump.write_bytes(bytes(data))

    with pytest.raises(CommandError, match="damaged or incomplete"):
        call_command("restore", str(dump), "--force", stdout=io.StringIO())


@pytest.mark.django_db
def test_it_refuses_a_file_that_is_not_a_backup(tmp_path):
    dump = tmp_path / "notes.txt"
    dump.write_text("not a backup")

    with pytest.raises(CommandError, match="not a backup made by"):
        call_command("restore", str(dump), stdout=io.StringIO())


# --- failures leave nothing behind ------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_it_names_the_missing_dump_tool(tmp_path, monkeypatch):
    empty_bin = tmp_path / "bin"
    empty_bin.mkdir()
    out = tmp_path / "out"
    out.mkdir()
    monkeypatch.setenv("PATH", str(empty_bin))

    if connection.vendor == "sqlite":
        run_backup(out / "clinic.dump")  # the online backup API needs no external tool
        assert leftovers(out) == ["clinic.dump", "clinic.dump.json"]
        return
    tool = DUMP_TOOL[connection.vendor]
    with pytest.raises(CommandError, match=f"{tool}.*not found on PATH.*apt-get install"):
        run_backup(out / "clinic.dump")
    assert leftovers(out) == []


FAILING_TOOL = r"""#!/bin/sh
# Writes part of a dump, then dies as a dump tool does when the server goes away.
for arg; do
    case "$arg" in --file=*) printf 'PGDMP partial' > "${arg#--file=}" ;; esac
done
printf -- '-- MariaDB dump 10.19\nCREATE TABLE `patients` (\n'
echo "Got error: 2013: Lost connection to server during query" >&2
exit 2
"""


@pytest.mark.django_db(transaction=True)
def test_it_leaves_no_partial_file_when_the_dump_fails(tmp_path, monkeypatch):
    out = tmp_path / "out"
    out.mkdir()
    if connection.vendor == "sqlite":

        def failing_copy(source, target_path):
            Path(target_path).write_bytes(b"SQLite format 3\x00partial")
            raise sqlite3.OperationalError("disk I/O error")

        monkeypatch.setattr(backup, "sqlite_online_copy", failing_copy)
        expected = "disk I/O error"
    else:
        fake_bin = tmp_path / "bin"
        fake_bin.mkdir()
        tool = fake_bin / DUMP_TOOL[connection.vendor]
        tool.write_text(FAILING_TOOL)
        tool.chmod(0o755)
        monkeypatch.setenv("PATH", str(fake_bin))
        expected = r"(?s)failed \(exit code 2\): .*Got error: 2013: Lost connection"

    with pytest.raises(CommandError, match=expected):
        run_backup(out / "clinic.dump")

    assert leftovers(out) == []


@pytest.mark.django_db(transaction=True)
def test_it_reports_row_counts_that_differ_from_the_manifest(tmp_path, scratch_database):
    call_command("loaddata", "users", verbosity=0)
    dump = tmp_path / "clinic.dump"
    run_backup(dump)
    manifest_path = backup.manifest_path_for(dump)
    manifest = json.loads(manifest_path.read_text())
    manifest["row_counts"]["users"] += 1  # as if a row had been lost on the way
    manifest_path.write_text(json.dumps(manifest))

    result = restore_in_a_new_process(dump, scratch_database[1])

    output = result.stdout + result.stderr
    assert "users: " in output and "the backup had" in output
    if manifest["row_counts_exact"]:
        assert result.returncode != 0  # a scheduled restore test must notice
    else:  # MariaDB: counts taken just before the dump, not in its snapshot
        assert result.returncode == 0 and "Row counts differ" in output
