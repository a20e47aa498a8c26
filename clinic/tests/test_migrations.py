"""The migrations run both ways: an empty database → the latest migration → zero → the latest
again, on whichever database the tests run (SQLite, MariaDB, PostgreSQL). MariaDB's schema
changes are not transactional (docs/database-notes.md), so a migration that fails halfway there leaves a
half state: better found here than on a clinic's server."""

import time

import pytest
from django.core.management import call_command
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

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
PROJECT_APPS = ["accounts", "patients", "scheduling", "records", "billing"]


def tables() -> set[str]:
    """The database's tables, without SQLite's own statistics tables (sqlite_stat1, made by the
    ANALYZE that seed_demo runs after a bulk load): they belong to no migration."""
    return {name for name in connection.introspection.table_names() if not name.startswith("sqlite_")}


# django-tasks-db's migration 0013 has no reverse (a RunPython without one): its queue table stays.
IRREVERSIBLE_APPS = {"django_tasks_database"}
LEFT_AT_ZERO = {"django_migrations", "django_tasks_database_dbtaskresult"}


def migrate_everything_to_zero() -> float:
    """Unapply every migration of every app (contrib apps too: admin's log and auth's tables
    depend on accounts.User), children before parents. Returns the seconds it took."""
    started = time.perf_counter()
    executor = MigrationExecutor(connection)
    executor.migrate([(app, None) for app in sorted(executor.loader.migrated_apps - IRREVERSIBLE_APPS)])
    return time.perf_counter() - started


def migrate_to_latest() -> float:
    started = time.perf_counter()
    call_command("migrate", verbosity=0, interactive=False)
    return time.perf_counter() - started


def applied(app: str) -> list[str]:
    return sorted(name for a, name in MigrationExecutor(connection).loader.applied_migrations if a == app)


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_it_migrates_an_empty_database_up_down_to_zero_and_up_again(figures):
    latest = {app: applied(app) for app in PROJECT_APPS}
    assert all(latest.values())
    try:
        first_down = migrate_everything_to_zero()
        # Empty: nothing left but Django's record of migrations.
        assert tables() <= LEFT_AT_ZERO
        assert all(applied(app) == [] for app in PROJECT_APPS)

        up = migrate_to_latest()
        assert THE_TEN_TABLES <= tables()

        down = migrate_everything_to_zero()
        assert tables() <= LEFT_AT_ZERO

        up_again = migrate_to_latest()
    finally:
        # Whatever happened above, the later tests get a migrated database.
        call_command("migrate", verbosity=0, interactive=False)

    assert THE_TEN_TABLES <= tables()
    assert {app: applied(app) for app in PROJECT_APPS} == latest
    migrations = sum(len(names) for names in latest.values())
    figures(
        f"{connection.vendor}: to zero {first_down:.2f} s, empty → latest {up:.2f} s, "
        f"latest → zero {down:.2f} s, zero → latest {up_again:.2f} s "
        f"({migrations} project migrations, {len(tables())} tables)"
    )
