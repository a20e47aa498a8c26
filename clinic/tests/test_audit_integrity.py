"""The audit log below the application: rows the application did not write (no valid signature
under AUDIT_KEY) are never sealed and are reported; verification resumes from a signed
checkpoint; the chain's head only moves forward; and on MariaDB the application's account cannot
TRUNCATE or DROP the audit tables (privileges, with a system check that says so)."""

import datetime
import secrets

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import DatabaseError, connection, connections, transaction
from django.test import override_settings
from django.utils import timezone

from audit import checks
from audit import services as audit
from audit.management.commands.audit_protect import grant_statements
from audit.models import AuditCheckpoint, AuditHead, AuditLog
from core.crypto import new_key
from patients.tests.factories import PatientFactory

pytestmark = pytest.mark.django_db

A = AuditLog.Action


def write_rows(count: int, patient=None) -> list[AuditLog]:
    return [audit.audit_write(action=A.READ, patient=patient, what=f"page {i}") for i in range(count)]


def insert_by_hand(*, mac: str = "", what: str = "patient detail") -> int:
    """A row written straight into the database, as someone with the database's password would:
    no chain position, a backdated time, a plausible user."""
    created = timezone.now() - datetime.timedelta(days=400)
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO audit_log (created_at, actor_username, action, object_type, object_id, what, changes, "
            "user_agent, prev_hash, hash, mac) VALUES (%s, %s, %s, '', '', %s, %s, '', '', '', %s)",
            [created, "resepsionis", A.READ, what, "{}", mac],
        )
    return AuditLog.objects.order_by("-id").values_list("id", flat=True).first()


# --- signatures ---------------------------------------------------------------------------------


def test_every_row_the_application_writes_is_signed():
    patient = PatientFactory()
    audit.audit_reads(None, patients=[patient, PatientFactory()], what="search results (2)")
    rows = list(AuditLog.objects.all())
    assert rows and all(len(row.mac) == 64 and row.mac == audit.row_mac(row) for row in rows)


def test_a_row_inserted_by_hand_is_not_sealed_and_the_check_reports_it():
    write_rows(2)
    forged = insert_by_hand()
    write_rows(1)
    audit.audit_seal()
    assert AuditLog.objects.get(pk=forged).seq is None  # refused
    assert not AuditLog.objects.filter(seq__isnull=False, pk=forged).exists()
    report = audit.verify_chain()
    assert not report.ok and report.unsigned == 1
    assert any(f"id {forged}: not written by the application" in p for p in report.problems)
    with pytest.raises(CommandError, match="broken"):
        call_command("verify_audit_chain")


def test_a_row_with_another_rows_signature_or_another_keys_is_refused():
    [genuine] = write_rows(1)
    copied = insert_by_hand(mac=genuine.mac)
    with override_settings(AUDIT_KEY=new_key()):
        [other_key] = write_rows(1)
    audit.audit_seal()
    assert AuditLog.objects.filter(pk__in=[copied, other_key.pk], seq__isnull=True).count() == 2
    assert audit.verify_chain().unsigned == 2


def test_a_sealed_row_whose_signature_does_not_match_is_reported():
    rows = write_rows(3)
    audit.audit_seal()
    with connection.cursor() as cursor:  # a row rewritten and its hash recomputed, without the key
        row = AuditLog.objects.get(pk=rows[1].pk)
        row.what = "nothing to see"
        cursor.execute(
            "UPDATE audit_log SET what = %s, hash = %s WHERE id = %s",
            [row.what, audit.row_hash(row, row.prev_hash), row.pk],
        )
    report = audit.verify_chain()
    assert report.first_broken.pk == rows[1].pk
    assert any("no valid signature" in p for p in report.problems)


def test_legacy_rows_written_before_the_key_are_sealed_and_verify():
    legacy = insert_by_hand()  # as the rows written before audit migration 0002
    AuditHead.objects.filter(pk=1).update(legacy_until_id=legacy)
    write_rows(2)
    forged = insert_by_hand()  # after the boundary: refused
    audit.audit_seal()
    assert AuditLog.objects.get(pk=legacy).seq is not None
    assert AuditLog.objects.get(pk=forged).seq is None


def test_many_refused_rows_do_not_stop_the_seal():
    for _ in range(5):
        insert_by_hand()
    [row] = write_rows(1)
    assert audit.audit_seal(batch_size=2) == 1
    row.refresh_from_db()
    assert row.seq == 1


# --- checkpoints --------------------------------------------------------------------------------


def test_verification_resumes_from_the_last_checkpoint():
    write_rows(5)
    first = audit.verify_chain()
    assert first.ok and first.resumed_from is None and first.checked == 5
    checkpoint = AuditCheckpoint.objects.get()
    assert (checkpoint.seq, checkpoint.mac) == (5, audit.checkpoint_mac(5, checkpoint.hash))
    write_rows(3)
    second = audit.verify_chain()
    assert second.ok and second.resumed_from == 5 and second.checked == 3
    assert audit.verify_chain(full=True).checked == 8


def test_a_change_after_the_checkpoint_or_to_its_row_is_found():
    rows = write_rows(4)
    audit.verify_chain()
    later = write_rows(2)
    audit.audit_seal()
    with connection.cursor() as cursor:
        cursor.execute("UPDATE audit_log SET what = 'x' WHERE id = %s", [later[0].pk])
    assert audit.verify_chain().first_broken.pk == later[0].pk
    with connection.cursor() as cursor:
        cursor.execute("UPDATE audit_log SET hash = %s WHERE id = %s", ["0" * 64, rows[-1].pk])
    assert any("checkpoint" in p for p in audit.verify_chain().problems)


def test_only_a_full_check_rereads_the_rows_before_the_checkpoint(capsys):
    rows = write_rows(4)
    call_command("verify_audit_chain")
    with connection.cursor() as cursor:
        cursor.execute("UPDATE audit_log SET what = 'x' WHERE id = %s", [rows[1].pk])
    call_command("verify_audit_chain")
    assert "0 rows checked since the checkpoint at seq 4" in capsys.readouterr().out
    with pytest.raises(CommandError, match=f"id {rows[1].pk}"):
        call_command("verify_audit_chain", "--full")


def test_a_checkpoint_without_a_valid_signature_is_ignored():
    write_rows(3)
    AuditCheckpoint.objects.create(seq=3, hash="f" * 64, mac="0" * 64)
    report = audit.verify_chain()
    assert report.ok and report.resumed_from is None and report.checked == 3


# --- the head, in the database ------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_the_database_refuses_to_reset_or_delete_the_head_once_protected():
    call_command("audit_protect")
    try:
        write_rows(3)  # sealing still moves the head forward
        head = AuditHead.objects.get(pk=1)
        assert head.seq == 3
        statements = [
            "UPDATE audit_head SET seq = 0, hash = ''",
            "UPDATE audit_head SET hash = 'x'",
            "UPDATE audit_head SET seq = seq + 1, hash = 'x'",
            "UPDATE audit_head SET legacy_until_id = 1000000",
            "DELETE FROM audit_head",
        ]
        if connection.vendor == "postgresql":
            statements.append("TRUNCATE audit_head")
        with connection.cursor() as cursor:
            for sql in statements:
                with pytest.raises(DatabaseError), transaction.atomic():
                    cursor.execute(sql)
        assert (AuditHead.objects.get(pk=1).seq, AuditHead.objects.get(pk=1).hash) == (3, head.hash)
        write_rows(1)
        assert AuditHead.objects.get(pk=1).seq == 4
        assert audit.verify_chain().ok
    finally:
        call_command("audit_protect", "--remove")


# --- MariaDB: privileges ------------------------------------------------------------------------

mariadb_only = pytest.mark.skipif(connection.vendor != "mysql", reason="MariaDB's privileges: run on MariaDB")


@pytest.fixture
def restricted_connection():
    """A connection to the test database as an account made with `audit_protect --grants`."""
    name, password = f"klinik_audit_{secrets.token_hex(4)}", secrets.token_hex(16)
    account = f"'{name}'@'127.0.0.1'"
    with connection.cursor() as cursor:
        cursor.execute(f"CREATE USER {account} IDENTIFIED BY %s", [password])
        try:
            for statement in grant_statements(connection, account):
                cursor.execute(statement)
            settings = {**connection.settings_dict, "USER": name, "PASSWORD": password, "HOST": "127.0.0.1"}
            restricted = type(connections["default"])(settings, alias="audit_restricted")
            try:
                yield restricted
            finally:
                restricted.close()
        finally:
            cursor.execute(f"DROP USER {account}")


@mariadb_only
@pytest.mark.django_db(transaction=True)
def test_mariadb_the_applications_account_cannot_truncate_or_drop_the_audit_tables(restricted_connection):
    call_command("audit_protect")
    try:
        write_rows(2)
        with restricted_connection.cursor() as cursor:
            cursor.execute("SELECT COUNT(*) FROM audit_log")  # it reads and writes rows
            assert cursor.fetchone()[0] == 2
            for sql in (
                "TRUNCATE TABLE audit_log",
                "TRUNCATE TABLE audit_head",
                "DROP TABLE audit_log",
                "DROP TRIGGER audit_log_no_delete",
                "ALTER TABLE audit_log DROP COLUMN mac",
                "UPDATE audit_head SET seq = 0, hash = ''",
                "DELETE FROM audit_log",
            ):
                with pytest.raises(DatabaseError):
                    cursor.execute(sql)
        assert AuditLog.objects.count() == 2 and audit.verify_chain().ok
    finally:
        call_command("audit_protect", "--remove")


@mariadb_only
@pytest.mark.django_db(transaction=True)  # CREATE USER commits on MariaDB
def test_mariadb_the_check_warns_when_the_account_may_truncate_the_audit_log(restricted_connection):
    # The tests' own account creates databases, so it holds DROP: the check says so.
    assert checks.dangerous_privileges(connection)
    [warning] = checks.audit_privileges_check(None, databases=["default"])
    assert warning.id == "audit.W001" and "TRUNCATE" in warning.msg
    assert checks.dangerous_privileges(restricted_connection) == []


def test_the_check_says_nothing_on_other_databases():
    if connection.vendor == "mysql":
        pytest.skip("MariaDB: the tests' own account holds DROP (see the test above)")
    assert checks.audit_privileges_check(None, databases=["default"]) == []
