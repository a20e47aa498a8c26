"""The audit pages speak the reader's language: `what` and the changed fields shown with
translated labels (the rows keep their codes), internal columns (blind indexes, hashes) never
named."""

import pytest
from django.urls import reverse
from django.utils import translation

from audit import labels
from audit import services as audit
from audit.models import AuditLog
from patients.tests.factories import PatientFactory

pytestmark = pytest.mark.django_db

A = AuditLog.Action


@pytest.fixture
def admin_client(client, admin_user):
    client.force_login(admin_user)
    return client


def test_the_access_report_shows_translated_labels_and_no_internal_columns(admin_client, receptionist):
    patient = PatientFactory(full_name="Siti Aminah", nik="3273016509870001", phone="+6281299990001")
    client_receptionist = admin_client.__class__()
    client_receptionist.force_login(receptionist)
    response = client_receptionist.post(
        reverse("patients:edit", args=[patient.pk]),
        {
            "full_name": "Siti Aminah",
            "nik": "3273016509870009",
            "date_of_birth": patient.date_of_birth.isoformat(),
            "gender": patient.gender,
            "phone": "+6281299990002",
            "email": "siti@contoh.id",
        },
    )
    assert response.status_code == 302
    audit.audit_write(action=A.READ, actor=receptionist, patient=patient, what="insurance form")
    audit.audit_write(action=A.DENIED, actor=receptionist, patient=patient, what="patient detail (not in care)")
    page = admin_client.get(reverse("audit:patient", args=[patient.pk])).content.decode()
    for english in ("insurance form", "not in care", "patient detail", "nik hash", "phone hash", "email hash"):
        assert english not in page
    assert "Formulir asuransi" in page and "bukan pasien Anda" in page
    assert "Diubah: NIK, " in page  # the identifiers under their own labels (values masked)


@pytest.mark.parametrize(
    ("what", "changes", "indonesian"),
    [
        ("patient detail", {}, "Halaman pasien"),
        ("search results (12)", {}, "Hasil pencarian pasien (12)"),
        ("patient detail (emergency access)", {}, "Halaman pasien (akses darurat)"),
        ("GET /records/visits/9/", {"status": 404}, "Halaman ditolak atau tidak ditemukan: /records/visits/9/"),
        ("failed login", {}, "Gagal masuk"),
    ],
)
def test_what_is_described_in_the_active_language(what, changes, indonesian):
    with translation.override("id"):
        assert labels.describe(AuditLog(what=what, changes=changes)) == indonesian


def test_internal_columns_are_never_named():
    row = AuditLog(
        action=A.UPDATE,
        object_type="patients.patient",
        changes={"nik": ["•••", "•••"], "nik_hash": ["a", "b"], "phone_hash": ["a", "b"], "address": ["x", "y"]},
    )
    with translation.override("en"):
        assert labels.changed_fields(row) == ["NIK", "address"]
