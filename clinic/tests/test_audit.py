"""The audit log: each patient-data view writes its row, each change its diff, logins and
refusals are recorded, personal identifiers never appear in clear, the rows cannot be changed,
and the hash chain finds an edited or deleted row."""

import datetime
import json
import logging
import threading
from decimal import Decimal

import pytest
from django.contrib.admin.utils import quote
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import DatabaseError, close_old_connections, connection, transaction
from django.urls import reverse
from django.utils import timezone

from accounts.tests.factories import PASSWORD, UserFactory
from audit import services as audit
from audit.models import AuditHead, AuditLog
from billing import services as billing_services
from billing.models import PaymentMethod
from billing.tests.factories import BillingFactory, InsuranceFactory, PaymentFactory
from patients.models import Patient
from patients.tests.factories import PatientFactory
from records.services import medical_record_save
from records.tests.factories import LabResultFactory, MedicalRecordFactory
from scheduling.models import Appointment
from scheduling.tests.factories import AppointmentFactory, AppointmentServiceFactory

pytestmark = pytest.mark.django_db

A = AuditLog.Action
S = Appointment.Status
NIK, PHONE, EMAIL, CONTACT_PHONE = "3273016509870001", "+6281299990001", "rahasia.pasien@contoh.id", "+6281377770002"


def rows(**filters) -> list[AuditLog]:
    return list(AuditLog.objects.filter(**filters).order_by("id"))


def raw_audit_text() -> str:
    """Every audit row as the database holds it, in one string."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT * FROM audit_log")
        return json.dumps([[str(v) for v in row] for row in cursor.fetchall()], ensure_ascii=False)


@pytest.fixture
def patient(db):
    return PatientFactory(
        full_name="Siti Aminah", nik=NIK, phone=PHONE, email=EMAIL, emergency_contact_phone=CONTACT_PHONE
    )


@pytest.fixture
def seen(patient, doctor_user):
    """One object of each kind that a patient-data page shows, all about `patient`."""
    visit = AppointmentFactory(
        patient=patient,
        doctor=doctor_user.doctor_profile,
        status=S.IN_CONSULTATION,
        appointment_date=timezone.now().replace(microsecond=0),
    )
    AppointmentServiceFactory(appointment=visit)
    record = MedicalRecordFactory(appointment=visit)
    lab = LabResultFactory(medical_record=record)
    bill = BillingFactory(appointment=AppointmentFactory(patient=patient, status=S.COMPLETED))
    AppointmentServiceFactory(appointment=bill.appointment)
    payment = PaymentFactory(billing=bill, amount=Decimal("100000"))
    return {
        "patient": patient,
        "visit": visit,
        "record": record,
        "lab": lab,
        "bill": bill,
        "payment": payment,
        "insurance": InsuranceFactory(patient=patient),
    }


# (who, url name, args from `seen`, query, the row's action and "what")
PAGES = [
    ("receptionist", "patients:detail", "patient", None, A.READ, "patient detail"),
    ("receptionist", "patients:edit", "patient", None, A.READ, "patient edit form"),
    ("receptionist", "insurance:edit", "insurance", None, A.READ, "insurance form"),
    ("doctor_user", "patients:detail", "patient", None, A.READ, "patient detail"),
    ("receptionist", "scheduling:detail", "visit", None, A.READ, "appointment detail"),
    ("doctor_user", "records:visit", "visit", None, A.READ, "visit and medical record"),
    ("admin_user", "records:visit", "visit", None, A.READ, "visit and medical record"),
    ("doctor_user", "records:record", "visit", None, A.READ, "medical record form"),
    ("doctor_user", "records:lab_add", "visit", None, A.READ, "lab result form"),
    ("receptionist", "billing:detail", "bill", None, A.READ, "bill detail"),
    ("receptionist", "billing:pay", "bill", None, A.READ, "payment form"),
    ("receptionist", "billing:receipt", "bill", None, A.PRINT, "receipt"),
    ("receptionist", "billing:receipt_pdf", "bill", None, A.EXPORT, "receipt PDF"),
    ("admin_user", "admin:patients_patient_change", "patient", None, A.READ, "patient details (admin)"),
    ("admin_user", "admin:records_medicalrecord_change", "record", None, A.READ, "medical record (admin)"),
    ("admin_user", "admin:records_labresult_change", "lab", None, A.READ, "lab result (admin)"),
    ("admin_user", "admin:billing_billing_change", "bill", None, A.READ, "bill (admin)"),
    ("admin_user", "admin:billing_payment_change", "payment", None, A.READ, "payment (admin)"),
]


@pytest.mark.parametrize(
    ("who", "name", "obj", "query", "action", "what"), PAGES, ids=[f"{p[1]}-{p[0]}" for p in PAGES]
)
def test_it_writes_a_row_for_each_page_that_shows_patient_data(
    client, request, seen, who, name, obj, query, action, what
):
    user = request.getfixturevalue(who)
    client.force_login(user)
    before = AuditLog.objects.count()
    response = client.get(
        reverse(name, args=[quote(seen[obj].pk)]), query or {}, HTTP_USER_AGENT="Mozilla/5.0 (Klinik test)"
    )
    assert response.status_code == 200
    [row] = AuditLog.objects.filter(action=action, what=what).order_by("-id")[:1]
    assert AuditLog.objects.count() == before + 1
    assert row.patient_id == seen["patient"].pk
    assert row.actor == user and row.actor_username == user.username
    assert row.ip_address == "127.0.0.1"
    assert row.user_agent == "Mozilla/5.0 (Klinik test)"
    assert timezone.now() - row.created_at < datetime.timedelta(minutes=1)
    assert row.created_at.utcoffset() == datetime.timedelta(0)  # stored and read in UTC


def test_it_writes_one_row_per_patient_of_a_search(client, receptionist):
    found = [PatientFactory(full_name=f"Wulan {i}") for i in range(3)]
    PatientFactory(full_name="Bambang")
    client.force_login(receptionist)
    client.post(reverse("patients:search"), {"q": "wulan"}, follow=True)
    read = rows(action=A.READ)
    assert sorted(r.patient_id for r in read) == sorted(p.pk for p in found)
    assert {r.what for r in read} == {"search results (3)"}


def test_it_writes_one_row_per_patient_of_the_booking_lookup(client, receptionist):
    found = PatientFactory(full_name="Wulan Sari")
    client.force_login(receptionist)
    client.post(reverse("scheduling:patient_lookup"), {"q": "wulan"}, HTTP_HX_REQUEST="true")
    assert [r.patient_id for r in rows(action=A.READ)] == [found.pk]


def test_it_bounds_a_search_to_fifty_rows(client, receptionist):
    for i in range(60):
        PatientFactory(full_name=f"Sari {i:02d}")
    client.force_login(receptionist)
    client.post(reverse("patients:search"), {"q": "sari"}, follow=True)
    assert AuditLog.objects.filter(action=A.READ).count() == 50


def test_it_logs_no_read_for_a_page_that_answers_404_but_a_refusal(client, receptionist):
    client.force_login(receptionist)
    assert client.get(reverse("patients:detail", args=[999999])).status_code == 404
    assert not AuditLog.objects.filter(action=A.READ).exists()
    [refusal] = AuditLog.objects.filter(action=A.DENIED)
    assert refusal.changes == {"status": 404} and refusal.patient is None


# --- changes ----------------------------------------------------------------------------------


def patient_form(**overrides) -> dict:
    data = {
        "full_name": "Siti Aminah",
        "nik": NIK,
        "date_of_birth": "1987-09-25",
        "gender": "F",
        "phone": PHONE,
        "email": EMAIL,
        "address": "Jl. Dago 1",
        "blood_type": "O+",
        "emergency_contact_name": "Budi",
        "emergency_contact_phone": CONTACT_PHONE,
    }
    return {**data, **overrides}


def test_it_records_a_registration_with_its_values_but_identifiers_masked(client, receptionist):
    client.force_login(receptionist)
    response = client.post(reverse("patients:create"), patient_form())
    assert response.status_code == 302
    patient = Patient.objects.get()
    [row] = rows(action=A.CREATE, object_type="patients.patient")
    assert row.patient == patient and row.actor == receptionist
    assert row.object_type == "patients.patient" and row.object_id == str(patient.pk)
    assert row.changes["full_name"] == [None, "Siti Aminah"]
    for field in ("nik", "phone", "email", "emergency_contact_phone"):
        assert row.changes[field] == [None, audit.MASK], field


def test_it_records_what_an_edit_changed(client, receptionist, patient):
    client.force_login(receptionist)
    data = patient_form(full_name="Siti Aminah Putri", phone="+6281299990009", address=patient.address)
    response = client.post(reverse("patients:edit", args=[patient.pk]), data)
    assert response.status_code == 302
    [row] = rows(action=A.UPDATE)
    assert row.patient == patient and row.actor == receptionist and row.ip_address == "127.0.0.1"
    assert row.changes["full_name"] == ["Siti Aminah", "Siti Aminah Putri"]
    assert row.changes["phone"] == [audit.MASK, audit.MASK]
    assert "nik" not in row.changes  # unchanged fields are not listed


def test_it_records_no_row_for_a_save_that_changed_nothing(patient):
    before = AuditLog.objects.count()
    Patient.objects.get(pk=patient.pk).save()
    assert AuditLog.objects.count() == before


def test_it_records_appointment_medical_record_lab_bill_and_payment_changes(doctor_user, receptionist, patient):
    visit = AppointmentFactory(patient=patient, doctor=doctor_user.doctor_profile, status=S.IN_CONSULTATION)
    record = medical_record_save(appointment=visit, data={"diagnosis": "Demam", "icd10_code": "R50.9"}, by=doctor_user)
    medical_record_save(appointment=visit, data={"diagnosis": "Demam tifoid", "icd10_code": "A01.0"}, by=doctor_user)
    lab = LabResultFactory(medical_record=record)
    bill = BillingFactory(appointment=AppointmentFactory(patient=patient, status=S.COMPLETED))
    billing_services.payment_record(
        bill=bill, amount=Decimal("100000"), method=PaymentMethod.CASH, received_by=receptionist
    )

    by_type = {}
    for row in rows():
        by_type.setdefault((row.object_type, row.action), []).append(row)
    assert ("scheduling.appointment", A.CREATE) in by_type
    [created, updated] = by_type[("records.medicalrecord", A.CREATE)] + by_type[("records.medicalrecord", A.UPDATE)]
    assert created.changes["diagnosis"] == [None, "Demam"]
    assert updated.changes["diagnosis"] == ["Demam", "Demam tifoid"]
    assert updated.changes["icd10_code"] == ["R50.9", "A01.0"]
    assert updated.patient == patient
    [lab_row] = by_type[("records.labresult", A.CREATE)]
    assert lab_row.patient == patient and lab_row.object_id == str(lab.pk)
    assert lab_row.changes["value"] == [None, "13.5"]
    [payment_row] = by_type[("billing.payment", A.CREATE)]
    assert payment_row.patient == patient and payment_row.changes["amount"][1] == "100000"
    [bill_row] = by_type[("billing.billing", A.UPDATE)]
    assert bill_row.changes["status"] == ["unpaid", "partially_paid"]


def test_it_records_a_status_change_of_an_appointment(client, receptionist, patient):
    appointment = AppointmentFactory(
        patient=patient,
        appointment_date=timezone.now() + datetime.timedelta(hours=1),
        end_time=timezone.now() + datetime.timedelta(hours=2),
    )
    client.force_login(receptionist)
    client.post(reverse("scheduling:check_in", args=[appointment.pk]))
    [row] = rows(action=A.UPDATE, object_type="scheduling.appointment")
    assert row.changes["status"] == ["scheduled", "checked_in"]
    assert row.actor == receptionist and row.patient == patient


def test_it_records_a_change_of_role_or_password_of_a_staff_account(receptionist):
    receptionist.role = "admin"
    receptionist.set_password("Sandi-Baru-2026!")
    receptionist.save()
    [row] = rows(action=A.UPDATE, object_type="accounts.user")
    assert row.changes["role"] == ["receptionist", "admin"]
    assert row.changes["password"] == [audit.MASK, audit.MASK]
    assert row.patient is None
    receptionist.last_login = timezone.now()
    receptionist.save(update_fields=["last_login"])  # every login: not an event of its own
    assert len(rows(action=A.UPDATE, object_type="accounts.user")) == 1


def test_it_records_a_deletion(patient):
    lab = LabResultFactory(medical_record=MedicalRecordFactory(appointment=AppointmentFactory(patient=patient)))
    lab_pk = lab.pk
    lab.delete()
    [row] = rows(action=A.DELETE)
    assert row.object_type == "records.labresult" and row.object_id == str(lab_pk)
    assert row.patient == patient and row.changes["test_name"] == ["Hemoglobin", None]


def test_it_keeps_identifiers_out_of_the_log_and_the_application_log(client, receptionist, caplog):
    caplog.set_level(logging.DEBUG)
    client.force_login(receptionist)
    client.post(reverse("patients:create"), patient_form())
    patient = Patient.objects.get()
    client.get(reverse("patients:detail", args=[patient.pk]))
    client.post(reverse("patients:search"), {"q": NIK}, follow=True)
    client.post(
        reverse("patients:edit", args=[patient.pk]),
        patient_form(
            phone="+6281299990555",
            email="baru@contoh.id",
            nik="3273016509870002",
            emergency_contact_phone="+6281377770555",
        ),
    )
    audit.audit_seal()
    assert AuditLog.objects.filter(action=A.UPDATE).exists()
    text = raw_audit_text()
    logged = caplog.text
    for secret in (
        NIK,
        PHONE,
        EMAIL,
        CONTACT_PHONE,
        "3273016509870002",
        "+6281299990555",
        "baru@contoh.id",
        "+6281377770555",
        "6281299990001",
    ):
        assert secret not in text, secret
        assert secret not in logged, secret


# --- logins and refusals ------------------------------------------------------------------------


def test_it_records_a_login(client, receptionist):
    client.post(
        reverse("accounts:login"), {"username": receptionist.username, "password": PASSWORD}, REMOTE_ADDR="10.0.0.7"
    )
    [row] = rows(action=A.LOGIN)
    assert row.actor == receptionist and row.ip_address == "10.0.0.7"


def test_it_records_a_failed_login_without_the_password(client, receptionist):
    client.post(reverse("accounts:login"), {"username": receptionist.username, "password": "Salah-Sandi-77"})
    [row] = rows(action=A.LOGIN_FAILED)
    assert row.actor is None and row.actor_username == receptionist.username
    assert "Salah-Sandi-77" not in raw_audit_text()


def test_it_records_a_lockout(client, receptionist, settings):
    pytest.importorskip("axes")
    for _ in range(settings.AXES_FAILURE_LIMIT + 1):
        client.post(reverse("accounts:login"), {"username": receptionist.username, "password": "salah"})
    locked = rows(action=A.LOCKOUT)
    assert locked and {r.actor_username for r in locked} == {receptionist.username}


def test_it_records_a_denied_request_and_shows_a_translated_page(client, receptionist):
    client.force_login(receptionist)
    response = client.get(reverse("records:queue"))
    assert response.status_code == 403
    assert "Akses ditolak" in response.content.decode() or "Access denied" in response.content.decode()
    [row] = rows(action=A.DENIED)
    assert row.actor == receptionist and row.what == f"GET {reverse('records:queue')}"
    assert row.ip_address == "127.0.0.1"


def test_it_takes_the_address_from_remote_addr_not_from_a_forwarded_header(client, receptionist, patient):
    client.force_login(receptionist)
    client.get(reverse("patients:detail", args=[patient.pk]), REMOTE_ADDR="10.1.1.1", HTTP_X_FORWARDED_FOR="6.6.6.6")
    assert rows(action=A.READ)[-1].ip_address == "10.1.1.1"


def test_it_trusts_the_forwarded_address_of_a_configured_proxy(client, receptionist, patient, settings):
    settings.AUDIT_TRUSTED_PROXIES = 1
    client.force_login(receptionist)
    client.get(
        reverse("patients:detail", args=[patient.pk]),
        REMOTE_ADDR="10.1.1.1",
        HTTP_X_FORWARDED_FOR="6.6.6.6, 192.168.5.20",
    )
    assert rows(action=A.READ)[-1].ip_address == "192.168.5.20"


# --- append only --------------------------------------------------------------------------------


def test_it_refuses_to_change_or_delete_a_row_through_the_orm(patient):
    row = audit.audit_write(action=A.READ, patient=patient, what="patient detail")
    row.what = "something else"
    with pytest.raises(PermissionError):
        row.save()
    with pytest.raises(PermissionError):
        row.delete()
    with pytest.raises(PermissionError):
        AuditLog.objects.all().delete()
    with pytest.raises(PermissionError):
        AuditLog.objects.update(what="rewritten")
    assert AuditLog.objects.get(pk=row.pk).what == "patient detail"


def test_it_protects_a_patient_with_history_from_deletion(patient):
    from django.db.models import ProtectedError

    audit.audit_write(action=A.READ, patient=patient, what="patient detail")
    with pytest.raises(ProtectedError):
        Patient.objects.filter(pk=patient.pk).delete()


def test_it_shows_the_log_read_only_in_the_admin(client, admin_user, patient):
    row = audit.audit_write(action=A.READ, patient=patient, what="patient detail")
    client.force_login(admin_user)
    assert client.get(reverse("admin:audit_auditlog_changelist")).status_code == 200
    assert client.get(reverse("admin:audit_auditlog_change", args=[row.pk])).status_code == 200
    assert client.get(reverse("admin:audit_auditlog_add")).status_code == 403
    assert client.post(reverse("admin:audit_auditlog_change", args=[row.pk]), {"what": "x"}).status_code == 403
    assert client.post(reverse("admin:audit_auditlog_delete", args=[row.pk]), {"post": "yes"}).status_code == 403
    assert AuditLog.objects.get(pk=row.pk).what == "patient detail"


@pytest.mark.parametrize("role", ["receptionist", "doctor_user"])
def test_it_keeps_other_roles_out_of_the_log_in_the_admin(client, request, role):
    client.force_login(request.getfixturevalue(role))
    response = client.get(reverse("admin:audit_auditlog_changelist"))
    assert response.status_code == 302  # to the admin's login, which refuses them


# --- the chain ----------------------------------------------------------------------------------


def write_rows(patient, count: int) -> list[AuditLog]:
    return [audit.audit_write(action=A.READ, patient=patient, what=f"page {i}") for i in range(count)]


def test_it_seals_rows_into_a_chain(patient):
    write_rows(patient, 5)
    total = AuditLog.objects.count()  # with the patient's registration
    assert audit.audit_seal() == total
    assert audit.audit_seal() == 0
    chain = list(AuditLog.objects.order_by("seq"))
    assert [r.seq for r in chain] == list(range(1, total + 1))
    assert chain[0].prev_hash == ""
    for before, row in zip(chain, chain[1:], strict=False):
        assert row.prev_hash == before.hash
    assert all(len(r.hash) == 64 for r in chain)
    head = AuditHead.objects.get(pk=1)
    assert (head.seq, head.hash) == (total, chain[-1].hash)
    assert audit.verify_chain().ok


def test_it_seals_after_the_commit(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        first = audit.audit_write(action=A.LOGIN_FAILED, actor_username="tamu", what="failed login")
        second = audit.audit_write(action=A.LOGIN_FAILED, actor_username="tamu", what="failed login")
    assert len(callbacks) == 1  # one seal per transaction, whatever the number of rows
    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.seq, second.seq) == (1, 2) and second.prev_hash == first.hash


def test_the_command_reports_a_sound_chain(patient, capsys):
    write_rows(patient, 3)
    call_command("verify_audit_chain")
    assert f"sound: {AuditLog.objects.count()} rows checked" in capsys.readouterr().out


def test_the_command_finds_a_row_edited_with_raw_sql(patient):
    rows_ = write_rows(patient, 5)
    audit.audit_seal()
    with connection.cursor() as cursor:
        cursor.execute("UPDATE audit_log SET what = %s WHERE id = %s", ["nothing to see", rows_[2].pk])
    report = audit.verify_chain()
    assert not report.ok and report.first_broken.pk == rows_[2].pk
    with pytest.raises(CommandError, match=f"id {rows_[2].pk}"):
        call_command("verify_audit_chain")


def test_the_command_finds_a_row_whose_hash_was_recomputed(patient):
    rows_ = write_rows(patient, 5)
    audit.audit_seal()
    tampered = AuditLog.objects.get(pk=rows_[1].pk)
    tampered.what = "rewritten"
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE audit_log SET what = %s, hash = %s WHERE id = %s",
            ["rewritten", audit.row_hash(tampered, tampered.prev_hash), tampered.pk],
        )
    report = audit.verify_chain()
    assert report.first_broken.pk == rows_[1].pk  # its signature no longer matches its content


def test_the_command_finds_a_row_deleted_with_raw_sql(patient):
    rows_ = write_rows(patient, 5)
    audit.audit_seal()
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM audit_log WHERE id = %s", [rows_[2].pk])
    report = audit.verify_chain()
    assert report.first_broken.pk == rows_[3].pk
    with pytest.raises(CommandError, match=f"first broken row at seq {report.first_broken.seq}, id {rows_[3].pk}"):
        call_command("verify_audit_chain")


def test_the_command_finds_the_last_row_deleted(patient):
    rows_ = write_rows(patient, 3)
    audit.audit_seal()
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM audit_log WHERE id = %s", [rows_[-1].pk])
    report = audit.verify_chain()
    assert not report.ok and "head" in report.problems[0]


def test_it_keeps_the_hash_stable_across_a_database_round_trip(patient, receptionist):
    audit.audit_write(
        action=A.UPDATE,
        patient=patient,
        actor=receptionist,
        what="x",
        changes={
            "value": [Decimal("1.50"), datetime.date(2026, 1, 2)],
            "flag": [True, None],
            "text": ["ä ✓ \x00", "€"],
        },
    )
    audit.audit_seal()
    assert audit.verify_chain().ok


@pytest.mark.django_db(transaction=True)
def test_it_keeps_the_chain_linear_under_concurrent_writers():
    if connection.vendor == "sqlite":
        pytest.skip("SQLite serialises every writer and ignores row locks: run on MariaDB or PostgreSQL")
    patient = PatientFactory()
    errors = []
    barrier = threading.Barrier(10)

    def writer(n):
        try:
            barrier.wait()
            if n % 2:  # half of them write their rows in one transaction, sealed when it commits
                with transaction.atomic():
                    for i in range(5):
                        audit.audit_write(action=A.READ, patient_id=patient.pk, what=f"thread {n} row {i}")
            else:
                for i in range(5):
                    audit.audit_write(action=A.READ, patient_id=patient.pk, what=f"thread {n} row {i}")
        except Exception as exc:  # noqa: BLE001 - reported below
            errors.append(exc)
        finally:
            close_old_connections()
            connection.close()

    threads = [threading.Thread(target=writer, args=(n,)) for n in range(10)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    report = audit.verify_chain(seal=False)  # every writer sealed its own rows after its commit
    assert report.ok, report.problems
    assert report.pending == 0 and report.checked == AuditLog.objects.count()
    assert AuditLog.objects.filter(what__startswith="thread").count() == 50
    assert list(AuditLog.objects.order_by("seq").values_list("seq", flat=True)) == list(range(1, report.checked + 1))


@pytest.mark.django_db(transaction=True)
def test_the_database_itself_refuses_changes_once_protected():
    patient = PatientFactory()
    call_command("audit_protect")
    try:
        call_command("audit_protect", "--check")
        with transaction.atomic():  # sealing still works: it only fills in the chain columns
            written = write_rows(patient, 3)
        assert audit.verify_chain(seal=False).ok
        assert AuditLog.objects.filter(seq__isnull=True).count() == 0
        with connection.cursor() as cursor:
            for sql in (
                "UPDATE audit_log SET what = 'rewritten' WHERE id = %s",
                "UPDATE audit_log SET hash = '' WHERE id = %s",
                "DELETE FROM audit_log WHERE id = %s",
            ):
                with pytest.raises(DatabaseError), transaction.atomic():
                    cursor.execute(sql, [written[1].pk])
            with pytest.raises(DatabaseError), transaction.atomic():  # not yet sealed: still only sealing
                pending = audit.audit_write(action=A.READ, patient=patient, what="pending")
                cursor.execute("UPDATE audit_log SET what = 'rewritten' WHERE id = %s", [pending.pk])
            if connection.vendor == "postgresql":
                with pytest.raises(DatabaseError), transaction.atomic():
                    cursor.execute("TRUNCATE audit_log CASCADE")
        assert audit.verify_chain().ok
    finally:
        call_command("audit_protect", "--remove")
    with pytest.raises(CommandError):
        call_command("audit_protect", "--check")


# --- the admins' pages --------------------------------------------------------------------------


@pytest.fixture
def admin_client(client, admin_user):
    client.force_login(admin_user)
    return client


def test_it_searches_the_log_by_user_patient_action_and_date(admin_client, receptionist, patient):
    other = PatientFactory(full_name="Bambang Wijaya")
    audit.audit_write(action=A.READ, actor=receptionist, patient=patient, what="patient detail")
    audit.audit_write(action=A.UPDATE, actor=receptionist, patient=other, what="patient details")
    url = reverse("audit:search")

    def found(**query):
        return [r.what for r, _what, _fields in admin_client.get(url, query).context["rows"]]

    assert found(actor="resepsionis") == ["patient details", "patient detail"]
    assert found(patient=patient.medical_record_number, action="read") == ["patient detail"]
    assert found(patient="bambang", action="update") == ["patient details"]
    assert found(action="update") == ["patient details"]
    today = timezone.localdate()
    assert len(found(date_from=today.isoformat(), date_to=today.isoformat())) == AuditLog.objects.count()
    assert found(date_to=(today - datetime.timedelta(days=1)).isoformat()) == []
    page = admin_client.get(url, {"patient": "bambang"}).content.decode()
    assert "Bambang Wijaya" in page and reverse("audit:patient", args=[other.pk]) in page


def test_it_survives_bad_search_input(admin_client):
    response = admin_client.get(
        reverse("audit:search"), {"date_from": "kemarin", "action": "hack", "page": "x", "patient": "\x00"}
    )
    assert response.status_code == 200


def test_it_pages_the_log_with_the_same_number_of_queries_for_1_or_50_rows(
    admin_client, patient, django_assert_num_queries
):
    url = reverse("audit:search")
    audit.audit_write(action=A.READ, patient=patient, what="patient detail")
    # user (the session is a cache hit), count for the paginator, the page of rows with their patients
    existing = AuditLog.objects.count()
    with django_assert_num_queries(3):
        response = admin_client.get(url)
    assert len(response.context["rows"]) == existing < 10
    for i in range(60):
        audit.audit_write(action=A.READ, patient=PatientFactory(), what=f"page {i}")
    with django_assert_num_queries(3):
        assert len(admin_client.get(url).context["rows"]) == 50


@pytest.mark.parametrize("name", ["audit:search", "audit:emergency_list"])
@pytest.mark.parametrize("role", ["receptionist", "doctor_user"])
def test_it_shows_the_log_pages_to_admins_only(client, request, name, role):
    client.force_login(request.getfixturevalue(role))
    assert client.get(reverse(name)).status_code == 403


@pytest.mark.parametrize("name", ["audit:search", "audit:emergency_list"])
def test_it_sends_anonymous_visitors_of_the_log_to_login(client, name):
    response = client.get(reverse(name))
    assert response.status_code == 302 and response["Location"].startswith(reverse("accounts:login"))


def test_it_prints_a_patients_access_report(admin_client, receptionist, doctor_user, patient):
    audit.audit_write(action=A.READ, actor=receptionist, patient=patient, what="patient detail")
    audit.audit_write(
        action=A.UPDATE,
        actor=doctor_user,
        patient=patient,
        what="medical record",
        object_type="records.medicalrecord",
        changes={"diagnosis": ["a", "b"]},
    )
    audit.audit_write(action=A.READ, actor=receptionist, patient=PatientFactory(), what="someone else")
    audit.audit_write(action=A.LOGIN, actor=receptionist, what="login")
    response = admin_client.get(reverse("audit:patient", args=[patient.pk]), REMOTE_ADDR="10.9.9.9")
    assert response.status_code == 200
    page = response.content.decode()
    assert "data-print" in page and patient.medical_record_number in page
    whats = [r.what for r, _what, _fields in response.context["rows"]]
    # The report's own row comes after its query; the last is the patient's registration.
    assert whats == ["medical record", "patient detail", "patient details"]
    assert receptionist.get_full_name() in page and doctor_user.get_full_name() in page
    assert "someone else" not in page
    # Looking at the report is itself a read of the patient's data.
    assert rows(what="access report")[0].patient == patient


def test_it_answers_404_for_the_report_of_an_unknown_patient(admin_client):
    assert admin_client.get(reverse("audit:patient", args=[999999])).status_code == 404


def test_it_shows_the_audit_log_in_the_admins_navigation(admin_client):
    assert reverse("audit:search") in admin_client.get(reverse("patients:search")).content.decode()


def test_it_refuses_to_post_to_the_log_pages(admin_client, patient):
    assert admin_client.post(reverse("audit:search")).status_code == 405
    assert admin_client.post(reverse("audit:patient", args=[patient.pk])).status_code == 405
    assert admin_client.post(reverse("audit:emergency_list")).status_code == 405


def test_it_writes_login_rows_for_other_users_with_the_same_address_independently(client, db):
    # Two colleagues behind the clinic's one address: each login is its own row.
    first, second = UserFactory(username="kasir1"), UserFactory(username="kasir2")
    for user in (first, second):
        client.post(reverse("accounts:login"), {"username": user.username, "password": PASSWORD})
        client.logout()
    assert [r.actor_username for r in rows(action=A.LOGIN)] == ["kasir1", "kasir2"]
