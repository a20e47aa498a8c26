"""Patients' NIK, phone numbers and email at rest: the database holds ciphertext and keyed
indexes only, exact search works through the indexes (selector, search page, booking lookup,
admin), a wrong key or an altered value fails loudly, keys rotate, the NIK stays unique, and
neither the audit log nor the sample data leak a value."""

import base64

import pytest

from patients.selectors import patient_search
from patients.tests.factories import PatientFactory
from scheduling.selectors import patient_lookup

pytestmark = pytest.mark.django_db

NIK, PHONE, EMAIL, CONTACT = "3273016509870001", "+6281299990001", "rahasia.pasien@contoh.id", "+6281377770002"
ENCRYPTED = ("nik", "phone", "email", "emergency_contact_phone")
HASHES = ("nik_hash", "phone_hash", "email_hash")
KEY_A = base64.urlsafe_b64encode(b"a" * 32).decode()
KEY_B = base64.urlsafe_b64encode(b"b" * 32).decode()
KEY_C = base64.urlsafe_b64encode(b"c" * 32).decode()


@pytest.fixture
def patient():
    return PatientFactory(full_name="Siti Aminah", nik=NIK, phone=PHONE, email=EMAIL, emergency_contact_phone=CONTACT)


# --- at rest -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "query",
    [NIK, "3273 0165 0987 0001", PHONE, "0812-9999-0001", "62 812 9999 0001", EMAIL, "Rahasia.Pasien@Contoh.ID"],
)
def test_it_finds_a_patient_by_a_whole_nik_phone_or_email(patient, query):
    PatientFactory(full_name="Orang Lain")
    assert patient_search(query=query) == [patient]
    assert patient_lookup(query=query) == [patient]
