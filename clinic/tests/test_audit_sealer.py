"""The background sealer (AUDIT_SEAL_IN_BACKGROUND, on outside the test settings): a page's audit
rows are committed by the request and sealed into the chain by a thread of the process, so the
page does not wait for the chain; the chain it builds is the same sound chain."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from audit import services as audit
from audit.models import AuditLog
from patients.tests.factories import PatientFactory

A = AuditLog.Action
pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def background(settings):
    if connection.vendor == "sqlite":
        pytest.skip("SQLite seals inline whatever the setting (one writer at a time): run on MariaDB or PostgreSQL")
    settings.AUDIT_SEAL_IN_BACKGROUND = True
    yield
    assert audit.wait_for_background_seal(), "the sealer thread did not finish"


def test_a_page_commits_its_audit_rows_and_the_thread_seals_them(background, client, receptionist):
    patients = [PatientFactory(full_name=f"Sealer Pasien {i}") for i in range(5)]
    assert audit.wait_for_background_seal()
    client.force_login(receptionist)
    with CaptureQueriesContext(connection) as queries:
        response = client.post(reverse("patients:search"), {"q": "Sealer Pasien"}, follow=True)
    assert response.status_code == 200
    sql = " ".join(q["sql"] for q in queries.captured_queries)
    assert "audit_head" not in sql  # the request itself never touched the chain
    assert "INSERT INTO" in sql and "audit_log" in sql
    assert audit.wait_for_background_seal()
    seen = AuditLog.objects.filter(action=A.READ, patient__in=patients)
    assert seen.count() == 5 and not seen.filter(seq__isnull=True).exists()
    report = audit.verify_chain(seal=False)
    assert report.ok, report.problems
    assert report.pending == 0 and report.checked == AuditLog.objects.count()


def test_many_pages_in_a_row_make_one_linear_chain(background, client, receptionist):
    patient = PatientFactory()
    client.force_login(receptionist)
    for _ in range(20):
        assert client.get(reverse("patients:detail", args=[patient.pk])).status_code == 200
    assert audit.wait_for_background_seal()
    report = audit.verify_chain(seal=False)
    assert report.ok, report.problems
    assert report.pending == 0
    assert AuditLog.objects.filter(action=A.READ, patient=patient).count() == 20
    assert list(AuditLog.objects.order_by("seq").values_list("seq", flat=True)) == list(range(1, report.checked + 1))


def test_a_failed_seal_leaves_the_rows_pending_for_the_next_one(background, monkeypatch):
    patient = PatientFactory()
    assert audit.wait_for_background_seal()
    real_seal = audit.audit_seal
    calls = []

    def broken_once(**kwargs):
        calls.append(kwargs)
        if len(calls) == 1:
            raise RuntimeError("the database went away")
        return real_seal(**kwargs)

    monkeypatch.setattr(audit, "audit_seal", broken_once)
    audit.audit_write(action=A.READ, patient=patient, what="first")
    assert audit.wait_for_background_seal()
    assert AuditLog.objects.get(what="first").seq is None  # the failure changed nothing
    audit.audit_write(action=A.READ, patient=patient, what="second")
    assert audit.wait_for_background_seal()
    assert not AuditLog.objects.filter(seq__isnull=True).exists()  # the next seal took both
    assert audit.verify_chain(seal=False).ok


def test_sealing_refuses_rows_someone_else_sealed(db):
    patient = PatientFactory()
    audit.audit_seal()
    row = AuditLog.objects.filter(patient=patient).first()
    forged = {"id": row.pk, "seq": 999, "prev_hash": "x" * 64, "hash": "y" * 64}
    assert audit._write_seals("default", [forged]) == 0  # only unsealed rows are ever written
    row.refresh_from_db()
    assert row.seq != 999
