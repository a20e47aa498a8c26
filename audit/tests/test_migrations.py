"""The audit models moved from accounts to audit in Django's state only: their tables, rows and
triggers stay as they were, so the two migrations of the move emit no SQL (the content types are
renamed by a RunPython step)."""

import io

import pytest
from django.core.management import call_command


def statements(app: str, migration: str) -> list[str]:
    out = io.StringIO()
    call_command("sqlmigrate", app, migration, stdout=out)
    return [
        line
        for line in out.getvalue().splitlines()
        if line.strip() and line.strip().upper() not in ("BEGIN;", "COMMIT;") and not line.startswith("--")
    ]


# sqlmigrate opens a schema editor, which SQLite refuses inside a test's transaction.
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize(("app", "migration"), [("accounts", "0003"), ("audit", "0001")])
def test_it_moves_the_audit_models_without_sql(app, migration):
    assert statements(app, migration) == []


@pytest.mark.django_db
def test_it_keeps_the_table_names():
    from audit.models import AuditHead, AuditLog, EmergencyAccess

    assert [m._meta.db_table for m in (AuditLog, AuditHead, EmergencyAccess)] == [
        "audit_log",
        "audit_head",
        "emergency_access",
    ]
