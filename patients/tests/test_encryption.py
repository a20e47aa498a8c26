"""Patients' NIK, phone numbers and email at rest: the database holds ciphertext and keyed
indexes only, exact search works through the indexes (selector, search page, booking lookup,
admin), a wrong key or an altered value fails loudly, keys rotate, the NIK stays unique, and
neither the audit log nor the sample data leak a value."""

import base64
import datetime
import io
import json
import time
from pathlib import Path

import pytest
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import IntegrityError, connection, transaction
from django.db.migrations.executor import MigrationExecutor
from django.test import override_settings
from django.urls import reverse

from core import crypto
from patients.models import Patient
from patients.selectors import patient_possible_duplicates, patient_search
from patients.services import DuplicatePatient, patient_register, patient_update
from patients.tests.factories import PatientFactory

pytestmark = pytest.mark.django_db

NIK, PHONE, EMAIL, CONTACT = "3273016509870001", "+6281299990001", "rahasia.pasien@contoh.id", "+6281377770002"
ENCRYPTED = ("nik", "phone", "email", "emergency_contact_phone")
HASHES = ("nik_hash", "phone_hash", "email_hash")
KEY_A = base64.urlsafe_b64encode(b"a" * 32).decode()
KEY_B = base64.urlsafe_b64encode(b"b" * 32).decode()
KEY_C = base64.urlsafe_b64encode(b"c" * 32).decode()


def raw_rows(*pks) -> dict[int, dict]:
    """The patients' rows as the database holds them (no model field in between)."""
    columns = ("id", *ENCRYPTED, *HASHES)
    sql = f"SELECT {', '.join(columns)} FROM patients"  # nosec B608: fixed names
    params = []
    if pks:
        sql += f" WHERE id IN ({', '.join(['%s'] * len(pks))})"
        params = list(pks)
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return {row[0]: dict(zip(columns, row, strict=True)) for row in cursor.fetchall()}


def raw_table_text(table: str) -> str:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT * FROM {connection.ops.quote_name(table)}")  # nosec B608: fixed names
        return json.dumps([[str(v) for v in row] for row in cursor.fetchall()], ensure_ascii=False)


@pytest.fixture
def patient():
    return PatientFactory(full_name="Siti Aminah", nik=NIK, phone=PHONE, email=EMAIL, emergency_contact_phone=CONTACT)


# --- at rest -----------------------------------------------------------------------------------


def test_it_stores_no_plain_identifier_in_the_row(patient):
    row = raw_rows(patient.pk)[patient.pk]
    for name in ENCRYPTED:
        assert crypto.is_encrypted(row[name]), name
        assert row[name].startswith("v1:test1:")
    text = raw_table_text("patients")
    for plain in (NIK, PHONE, EMAIL, CONTACT, PHONE[3:], "rahasia.pasien"):
        assert plain not in text
    assert row["nik_hash"] == crypto.blind_index("nik", NIK)
    assert row["phone_hash"] == crypto.blind_index("phone", PHONE)
    assert row["email_hash"] == crypto.blind_index("email", EMAIL)


def test_it_reads_the_plain_values_back(patient):
    fresh = Patient.objects.get(pk=patient.pk)
    assert (fresh.nik, fresh.phone, fresh.email, fresh.emergency_contact_phone) == (NIK, PHONE, EMAIL, CONTACT)


def test_it_keeps_empty_values_empty_and_unindexed():
    patient = PatientFactory(nik=None, phone="", email="", emergency_contact_phone="")
    row = raw_rows(patient.pk)[patient.pk]
    assert (row["nik"], row["phone"], row["email"], row["emergency_contact_phone"]) == (None, "", "", "")
    assert (row["nik_hash"], row["phone_hash"], row["email_hash"]) == (None, None, None)
    assert Patient.objects.filter(nik__isnull=True).get() == patient


def test_it_indexes_a_change_saved_with_update_fields(patient):
    patient.phone = "+6281111111111"
    patient.save(update_fields=["phone", "updated_at"])
    row = raw_rows(patient.pk)[patient.pk]
    assert row["phone_hash"] == crypto.blind_index("phone", "+6281111111111")
    assert crypto.decrypt(row["phone"]) == "+6281111111111"


def test_it_encrypts_a_queryset_update_too(patient):
    Patient.objects.filter(pk=patient.pk).update(email="baru@contoh.id")
    row = raw_rows(patient.pk)[patient.pk]
    assert crypto.decrypt(row["email"]) == "baru@contoh.id"


def test_it_loads_the_sample_data_encrypted_and_indexed():
    fixture = json.loads((Path(settings.BASE_DIR) / "fixtures" / "patients.json").read_text())
    plain = [entry["fields"] for entry in fixture if entry["model"] == "patients.patient"]
    started = time.perf_counter()
    call_command("loaddata", "users", "patients", verbosity=0)
    elapsed = time.perf_counter() - started
    rows = raw_rows()
    assert len(rows) == len(plain) == 80
    text = raw_table_text("patients")
    for fields in plain:
        for name in ENCRYPTED:
            if fields[name]:
                assert fields[name] not in text, name
    by_hash = {row["nik_hash"]: row for row in rows.values() if row["nik_hash"]}
    for entry in fixture:
        if entry["model"] != "patients.patient":
            continue
        row, fields = rows[entry["pk"]], entry["fields"]
        for name in ENCRYPTED:
            assert (crypto.decrypt(row[name]) if row[name] else row[name]) == fields[name]
        assert row["phone_hash"] == crypto.blind_index("phone", fields["phone"])
        assert row["email_hash"] == crypto.blind_index("email", fields["email"])
        if fields["nik"]:
            assert by_hash[crypto.blind_index("nik", fields["nik"])]["id"] == entry["pk"]
    assert elapsed < 30  # loaddata of 80 patients with 320 encryptions; a few tenths of a second here


# --- search --------------------------------------------------------------------------------------


@pytest.mark.parametrize("query", [NIK[:-1], PHONE[:-2], "rahasia.pasien@", CONTACT, "+6281377770002"])
def test_it_does_not_match_a_part_or_the_emergency_contact(patient, query):
    assert patient_search(query=query) == []


@pytest.mark.parametrize("query", [NIK, "0812 9999 0001", EMAIL.upper()])
def test_it_finds_a_patient_on_the_search_page(client, receptionist, patient, query):
    client.force_login(receptionist)
    response = client.post(reverse("patients:search"), {"q": query}, follow=True)
    assert response.status_code == 200
    assert list(response.context["patients"]) == [patient]
    assert "Siti Aminah" in response.content.decode()


def test_it_searches_by_phone_with_the_same_number_of_queries_for_1_or_50_patients(
    client, receptionist, django_assert_num_queries
):
    # A family shares one phone: the index finds them all.
    client.force_login(receptionist)
    url = reverse("patients:search")
    PatientFactory(phone=PHONE)
    # user (the session is a cache hit), the search itself, the audit rows of the results (one insert)
    page = client.post(url, {"q": "0812-9999-0001"}).url  # ?s=<token>: the search's own page
    with django_assert_num_queries(3):
        assert len(client.get(page).context["patients"]) == 1
    for _ in range(59):
        PatientFactory(phone=PHONE)
    with django_assert_num_queries(3):
        assert len(client.get(page).context["patients"]) == 50


@pytest.mark.parametrize("query", [NIK, "0812-9999-0001", EMAIL, "siti"])
def test_it_finds_a_patient_in_the_admin_search(client, admin_user, patient, query):
    PatientFactory(full_name="Orang Lain")
    client.force_login(admin_user)
    response = client.get(reverse("admin:patients_patient_changelist"), {"q": query})
    assert response.status_code == 200
    assert list(response.context["cl"].result_list) == [patient]


def test_it_keeps_the_admin_filters_on_an_identifier_search(client, admin_user, patient):
    client.force_login(admin_user)
    url = reverse("admin:patients_patient_changelist")
    assert list(client.get(url, {"q": NIK, "is_active__exact": "0"}).context["cl"].result_list) == []


# --- a wrong key or an altered value fails loudly -------------------------------------------------


def test_it_raises_instead_of_showing_ciphertext_with_a_wrong_key(client, receptionist, patient):
    client.force_login(receptionist)
    with override_settings(FIELD_ENCRYPTION_KEYS=f"test1:{KEY_A}"):
        with pytest.raises(crypto.DecryptionError, match="patients.Patient"):
            Patient.objects.get(pk=patient.pk)
        with pytest.raises(crypto.DecryptionError):
            client.get(reverse("patients:detail", args=[patient.pk]))
    with override_settings(FIELD_ENCRYPTION_KEYS=f"other:{KEY_A}"):
        with pytest.raises(crypto.DecryptionError, match="not in FIELD_ENCRYPTION_KEYS"):
            Patient.objects.get(pk=patient.pk)


def test_it_raises_for_a_tampered_value(patient):
    stored = raw_rows(patient.pk)[patient.pk]["phone"]
    header, payload = stored.rsplit(":", 1)
    altered = f"{header}:{payload[:10]}{'A' if payload[10] != 'A' else 'B'}{payload[11:]}"
    with connection.cursor() as cursor:
        cursor.execute("UPDATE patients SET phone = %s WHERE id = %s", [altered, patient.pk])
    with pytest.raises(crypto.DecryptionError, match="authentication failed"):
        Patient.objects.get(pk=patient.pk)


def test_it_raises_for_plain_text_written_behind_its_back(patient):
    with connection.cursor() as cursor:
        cursor.execute("UPDATE patients SET email = %s WHERE id = %s", ["plain@contoh.id", patient.pk])
    with pytest.raises(crypto.DecryptionError, match="not encrypted"):
        Patient.objects.get(pk=patient.pk)


# --- rotation --------------------------------------------------------------------------------------


def rotate(*args) -> str:
    out = io.StringIO()
    call_command("rotate_encryption_keys", *args, stdout=out)
    return out.getvalue()


def test_it_rotates_every_value_to_the_new_key_and_keeps_it_readable():
    with override_settings(FIELD_ENCRYPTION_KEYS=f"a:{KEY_A}"):
        patients = [PatientFactory() for _ in range(5)] + [PatientFactory(nik=None, email="")]
        expected = {p.pk: tuple(getattr(p, name) for name in ENCRYPTED) for p in patients}
        assert all(v.startswith("v1:a:") for row in raw_rows().values() for v in (row["phone"], row["nik"]) if v)
    hashes_before = {pk: tuple(row[h] for h in HASHES) for pk, row in raw_rows().items()}
    with override_settings(FIELD_ENCRYPTION_KEYS=f"b:{KEY_B},a:{KEY_A}"):
        output = rotate("--batch-size", "2")
        assert "patients.Patient: 6 rows re-encrypted with key 'b'" in output
        for row in raw_rows().values():
            for name in ENCRYPTED:
                assert not row[name] or row[name].startswith("v1:b:"), name
    with override_settings(FIELD_ENCRYPTION_KEYS=f"b:{KEY_B}"):
        assert {p.pk: tuple(getattr(p, name) for name in ENCRYPTED) for p in Patient.objects.all()} == expected
    with override_settings(FIELD_ENCRYPTION_KEYS=f"a:{KEY_A}"), pytest.raises(crypto.DecryptionError):
        list(Patient.objects.all())
    assert {pk: tuple(row[h] for h in HASHES) for pk, row in raw_rows().items()} == hashes_before


def test_it_stops_a_rotation_that_lacks_the_old_key(patient):
    with override_settings(FIELD_ENCRYPTION_KEYS=f"b:{KEY_B}"), pytest.raises(CommandError, match="'test1'"):
        rotate()
    assert raw_rows(patient.pk)[patient.pk]["nik"].startswith("v1:test1:")  # nothing half-done


def test_it_recomputes_the_blind_indexes_after_the_index_key_changes(patient):
    with override_settings(BLIND_INDEX_KEY=KEY_C):
        assert patient_search(query=NIK) == []  # the stored indexes are still under the old key
        rotate("--reindex")
        for query in (NIK, PHONE, EMAIL):
            assert patient_search(query=query) == [patient]
        row = raw_rows(patient.pk)[patient.pk]
        assert row["nik_hash"] == crypto.blind_index("nik", NIK)
    assert patient_search(query=NIK) == []  # and no longer under the old one


# --- the NIK stays unique --------------------------------------------------------------------------


def test_the_database_refuses_a_second_patient_with_the_same_nik(patient):
    with pytest.raises(IntegrityError), transaction.atomic():
        PatientFactory(nik="3273 0165 0987 0001".replace(" ", ""))


def test_the_model_validation_refuses_a_nik_already_registered(patient):
    other = PatientFactory.build(nik=NIK)
    with pytest.raises(ValidationError) as error:
        other.full_clean(exclude=["medical_record_number"])
    assert [e.code for e in error.value.error_dict["nik"]] == ["unique"]
    patient.full_clean(exclude=["medical_record_number"])  # its own NIK is no duplicate


def test_the_services_refuse_a_nik_already_registered_as_a_form_error(patient, receptionist):
    with pytest.raises(DuplicatePatient) as error:
        patient_register(
            data={"full_name": "Orang Lain", "nik": NIK, "date_of_birth": datetime.date(1990, 1, 1), "gender": "M"},
            by=receptionist,
            confirmed_not_duplicate=True,
        )
    assert error.value.nik_taken and patient.medical_record_number in error.value.message_dict["nik"][0]
    assert [p.pk for p in patient_possible_duplicates(nik=NIK, full_name="x", date_of_birth=None)] == [patient.pk]


def test_the_registration_page_shows_a_nik_already_registered(client, receptionist, patient):
    client.force_login(receptionist)
    response = client.post(
        reverse("patients:create"),
        {
            "full_name": "Orang Lain",
            "nik": NIK,
            "date_of_birth": "1990-01-01",
            "gender": "M",
            "blood_type": "",
            "phone": "",
            "email": "",
            "address": "",
            "emergency_contact_name": "",
            "emergency_contact_phone": "",
            "confirmed_not_duplicate": "on",
        },
    )
    assert response.status_code == 200
    assert response.context["form"].errors["nik"]
    assert Patient.objects.count() == 1


# --- the audit log ---------------------------------------------------------------------------------


def test_the_audit_log_holds_no_identifier_in_any_form(client, receptionist, patient):
    client.force_login(receptionist)
    client.get(reverse("patients:detail", args=[patient.pk]))
    client.post(reverse("patients:search"), {"q": NIK}, follow=True)
    new = {
        "nik": "3273016509870002",
        "phone": "+6281299990555",
        "email": "baru.rahasia@contoh.id",
        "emergency_contact_phone": "+6281377770555",
    }
    patient_update(patient=patient, data=new, by=receptionist)
    registered = patient_register(
        data={
            "full_name": "Budi Rahasia",
            "nik": "3273016509870009",
            "date_of_birth": datetime.date(1990, 1, 1),
            "gender": "M",
            "phone": "+6281299990999",
            "email": "budi.rahasia@contoh.id",
        },
        by=receptionist,
    )
    text = raw_table_text("audit_log")
    assert str(patient.pk) in text  # the log did record these changes
    row = raw_rows(patient.pk)[patient.pk]
    secrets = [
        NIK,
        PHONE,
        EMAIL,
        CONTACT,
        *new.values(),
        "3273016509870009",
        "+6281299990999",
        "budi.rahasia@contoh.id",
        *(row[name] for name in (*ENCRYPTED, *HASHES)),
    ]
    for secret in secrets:
        assert secret not in text
    assert registered.nik == "3273016509870009"


# --- the data migration ----------------------------------------------------------------------------


BEFORE = [("patients", "0002_patients_full_name_prefix_index_postgresql")]
AFTER = [("patients", "0003_patient_encryption_at_rest")]


def migrate(targets):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return executor


@pytest.mark.django_db(transaction=True)
def test_the_migration_encrypts_existing_rows_and_decrypts_them_back():
    try:
        executor = migrate(BEFORE)
        OldPatient = executor.loader.project_state(BEFORE).apps.get_model("patients", "Patient")
        old = OldPatient.objects.create(
            medical_record_number="RM-0000001",
            nik=NIK,
            full_name="Budi",
            date_of_birth=datetime.date(1980, 1, 1),
            gender="M",
            phone=PHONE,
            email=EMAIL,
            emergency_contact_phone=CONTACT,
        )
        empty = OldPatient.objects.create(
            medical_record_number="RM-0000002",
            nik=None,
            full_name="Ani",
            date_of_birth=datetime.date(1981, 1, 1),
            gender="F",
        )
        migrate(AFTER)
        rows = raw_rows()
        assert all(crypto.is_encrypted(rows[old.pk][name]) for name in ENCRYPTED)
        assert rows[old.pk]["nik_hash"] == crypto.blind_index("nik", NIK)
        assert rows[empty.pk]["nik_hash"] is None and rows[empty.pk]["phone"] == ""
        # The current model reads the columns of the later migrations too.
        migrate([node for node in MigrationExecutor(connection).loader.graph.leaf_nodes() if node[0] == "patients"])
        patient = Patient.objects.get(pk=old.pk)
        assert (patient.nik, patient.phone, patient.email, patient.emergency_contact_phone) == (
            NIK,
            PHONE,
            EMAIL,
            CONTACT,
        )
        assert patient_search(query=PHONE) == [patient]
        migrate(BEFORE)
        with connection.cursor() as cursor:
            cursor.execute("SELECT nik, phone, email, emergency_contact_phone FROM patients WHERE id = %s", [old.pk])
            assert cursor.fetchone() == (NIK, PHONE, EMAIL, CONTACT)
    finally:
        executor = MigrationExecutor(connection)
        executor.migrate(executor.loader.graph.leaf_nodes())
