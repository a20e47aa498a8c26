"""MariaDB without time-zone tables: `manage.py check` says so, with the one-line fix."""

import pytest
from django.core.checks import Warning
from django.db import connection

from core.checks import TZ_TABLES_FIX, convert_tz_from_utc, mariadb_timezone_tables_check, timezone_tables_messages

on_mariadb = pytest.mark.skipif(connection.vendor != "mysql", reason="the time-zone tables are MariaDB's")


def test_a_null_conversion_is_an_error_with_the_fix():
    [message] = timezone_tables_messages(None)
    assert isinstance(message, Warning)
    assert message.id == "clinic.W140"
    assert "time-zone tables" in message.msg
    assert TZ_TABLES_FIX in message.hint
    assert "mariadb-tzinfo-to-sql /usr/share/zoneinfo | mariadb -u root mysql" in message.hint


@on_mariadb
@pytest.mark.django_db
def test_on_mariadb_a_zone_the_server_cannot_convert_to_is_reported():
    # A server without time-zone tables answers NULL for every named zone, as it does here for
    # a zone nobody has (the shared server's tables are not dropped for the test).
    converted = convert_tz_from_utc(connection, "Klinik/No_Such_Zone")
    assert converted is None
    assert [m.id for m in timezone_tables_messages(converted)] == ["clinic.W140"]


@on_mariadb
@pytest.mark.django_db
def test_on_mariadb_the_check_tells_the_servers_state():
    # Silent when the server has the tables, the warning when it has not (both occur: a fresh
    # MariaDB container has none).
    loaded = convert_tz_from_utc(connection, "Asia/Jakarta") is not None
    assert [m.id for m in mariadb_timezone_tables_check(None)] == ([] if loaded else ["clinic.W140"])


@on_mariadb
@pytest.mark.django_db
def test_on_mariadb_the_registered_check_runs_the_conversion(monkeypatch):
    monkeypatch.setattr("core.checks.convert_tz_from_utc", lambda connection, zone: None)
    assert [m.id for m in mariadb_timezone_tables_check(None)] == ["clinic.W140"]


def test_other_databases_are_not_asked(monkeypatch):
    if connection.vendor == "mysql":
        pytest.skip("the point is a database that is not MariaDB")
    monkeypatch.setattr("core.checks.convert_tz_from_utc", lambda connection, zone: None)
    assert mariadb_timezone_tables_check(None) == []
