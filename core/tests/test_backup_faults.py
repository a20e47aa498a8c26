"""`backup` and `restore` when things go wrong (issue 14, "Money and faults"): a database that does
not answer gives one clear line; a truncated, damaged or half-loadable dump leaves the new
database empty (all or nothing), with or without a manifest."""

import gzip
import os
import re
import socket
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command
from django.db import connection

from core.tests.test_backup import (  # noqa: F401  (scratch_database is a fixture)
    connected_to,
    restore_in_a_new_process,
    run_backup,
    scratch_database,
)

mysql_only = pytest.mark.skipif(connection.vendor != "mysql", reason="the SQL text of a MariaDB dump")


def closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def manage(*args, url: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "DATABASE_URL": url, "DJANGO_SETTINGS_MODULE": "clinic.settings.test"}
    return subprocess.run(
        [sys.executable, str(settings.BASE_DIR / "manage.py"), *args],
        cwd=settings.BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )


@pytest.mark.parametrize("scheme", ["mysql", "postgres"])
@pytest.mark.parametrize("command", ["backup", "restore"])
def test_an_unreachable_database_gives_one_clear_line(tmp_path, scheme, command):
    port = closed_port()
    url = f"{scheme}://clinic:secret@127.0.0.1:{port}/clinic"
    target = tmp_path / "clinic.dump"
    if command == "restore":
        with gzip.open(target, "wb") as dump:  # a dump of the URL's engine, so restore gets to the database
            dump.write(b"-- MariaDB dump 10.19\n" if scheme == "mysql" else b"")
        if scheme == "postgres":
            target.write_bytes(b"PGDMP")
    result = manage(command, str(target), url=url)
    assert result.returncode != 0
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert re.match(rf"CommandError: Cannot reach the database clinic \(127\.0\.0\.1:{port}\): \S", lines[0])
    assert "Traceback" not in result.stderr + result.stdout
    assert sorted(p.name for p in tmp_path.iterdir()) == (["clinic.dump"] if command == "restore" else [])


def tables_in(name: str) -> list[str]:
    with connected_to(name) as restored:
        return restored.introspection.table_names()


@pytest.fixture
def dump_without_manifest(tmp_path):
    call_command("loaddata", "users", "patients", verbosity=0)
    dump = tmp_path / "clinic.dump"
    run_backup(dump)
    dump.with_name("clinic.dump.json").unlink()
    return dump


@pytest.mark.django_db(transaction=True)
def test_a_truncated_dump_without_manifest_loads_nothing(dump_without_manifest, scratch_database):  # noqa: F811
    data = dump_without_manifest.read_bytes()
    dump_without_manifest.write_bytes(data[: len(data) * 2 // 3])
    name, url = scratch_database
    result = restore_in_a_new_process(dump_without_manifest, url)
    assert result.returncode != 0
    assert "Traceback" not in result.stderr
    assert tables_in(name) == []


def rewrite(dump: Path, change) -> None:
    with gzip.open(dump, "rb") as f:
        text = f.read().decode()
    with gzip.open(dump, "wb") as f:
        f.write(change(text).encode())


@mysql_only
@pytest.mark.django_db(transaction=True)
def test_a_dump_cut_between_statements_is_refused_before_loading(dump_without_manifest, scratch_database):  # noqa: F811
    def cut(text):
        starts = [m.start() for m in re.finditer(r"^DROP TABLE IF EXISTS", text, re.MULTILINE)]
        return text[: starts[len(starts) // 2]]  # whole statements only: it would load "fine"

    rewrite(dump_without_manifest, cut)
    name, url = scratch_database
    result = restore_in_a_new_process(dump_without_manifest, url)
    assert result.returncode != 0
    assert "incomplete" in result.stderr and "Nothing was changed" in result.stderr
    assert tables_in(name) == []


@mysql_only
@pytest.mark.django_db(transaction=True)
def test_a_load_that_fails_half_way_leaves_the_database_empty(dump_without_manifest, scratch_database):  # noqa: F811
    """A complete dump whose middle statement fails (as a full disk or a missing privilege would)."""

    def break_middle(text):
        starts = [m.start() for m in re.finditer(r"^DROP TABLE IF EXISTS", text, re.MULTILINE)]
        middle = starts[len(starts) // 2]
        return text[:middle] + "INSERT INTO no_such_table VALUES (1);\n" + text[middle:]  # nosec B608: a dump's text, not a query

    rewrite(dump_without_manifest, break_middle)
    name, url = scratch_database
    result = restore_in_a_new_process(dump_without_manifest, url)
    assert result.returncode != 0
    assert "no_such_table" in result.stderr and "the database is empty again" in result.stderr
    assert tables_in(name) == []
