"""A doctor's NIK (SATUSEHAT finds the practitioner by it): encrypted at rest, found through its
blind index, registered once."""

import pytest
from django.core.exceptions import ValidationError
from django.db import connection

from core import crypto
from patients.models import Doctor
from patients.tests.factories import DoctorFactory

NIK = "3273011203800001"


@pytest.mark.django_db
def test_the_nik_is_stored_encrypted_with_its_blind_index():
    doctor = DoctorFactory(nik=NIK)
    with connection.cursor() as cursor:
        cursor.execute("SELECT nik, nik_hash FROM doctors WHERE id = %s", [doctor.pk])
        stored, index = cursor.fetchone()
    assert crypto.is_encrypted(stored) and NIK not in stored
    assert index == crypto.blind_index("nik", NIK)
    assert Doctor.objects.get(nik_hash=crypto.blind_index("nik", NIK)).nik == NIK


@pytest.mark.django_db
def test_a_second_doctor_with_the_same_nik_is_refused_with_a_message():
    DoctorFactory(nik=NIK)
    other = DoctorFactory.build(nik=NIK, license_number="SIP/99999/2026")
    with pytest.raises(ValidationError) as refused:
        other.full_clean()
    assert "nik" in refused.value.error_dict
