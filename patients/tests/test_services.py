import datetime

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from patients.models import Patient
from patients.services import (
    DuplicatePatient,
    patient_register,
    patient_update,
)
from patients.tests.factories import PatientFactory

pytestmark = pytest.mark.django_db


def data(**overrides):
    return {
        "full_name": "Siti Aminah",
        "nik": "3273010101900001",
        "date_of_birth": datetime.date(1990, 1, 1),
        "gender": Patient.Gender.FEMALE,
        "phone": "0812-3456-7890",
        "email": "Siti@Contoh.ID ",
        "address": "Jl. Braga 1, Bandung",
        **overrides,
    }


def test_it_registers_a_patient_with_a_medical_record_number_and_tidy_contact_details(receptionist):
    patient = patient_register(data=data(full_name="  Siti   Aminah "), by=receptionist)
    patient.refresh_from_db()
    assert patient.medical_record_number.startswith("RM-")
    assert patient.full_name == "Siti Aminah"
    assert patient.phone == "+6281234567890"
    assert patient.email == "siti@contoh.id"
    assert patient.is_active


def test_it_gives_each_patient_the_next_medical_record_number(receptionist):
    first = patient_register(data=data(nik=None), by=receptionist)
    second = patient_register(data=data(nik=None, full_name="Budi"), by=receptionist)
    assert int(second.medical_record_number[3:]) == int(first.medical_record_number[3:]) + 1


def test_it_stores_an_empty_nik_as_unknown(receptionist):
    first = patient_register(data=data(nik=""), by=receptionist)
    second = patient_register(data=data(nik="", full_name="Budi"), by=receptionist)
    assert first.nik is None and second.nik is None


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("nik", "12345"),
        ("phone", "12345"),
        ("email", "bukan-email"),
        ("full_name", "   "),
        ("date_of_birth", timezone.localdate() + datetime.timedelta(days=1)),
        ("gender", "X"),
    ],
)
def test_it_refuses_bad_data_and_saves_nothing(receptionist, field, value):
    with pytest.raises(ValidationError) as error:
        patient_register(data=data(**{field: value}), by=receptionist)
    assert field in error.value.message_dict
    assert not Patient.objects.exists()


def test_it_warns_about_the_same_name_and_date_of_birth_and_saves_only_when_confirmed(receptionist):
    existing = PatientFactory(full_name="Siti Aminah", date_of_birth=datetime.date(1990, 1, 1), nik=None)
    with pytest.raises(DuplicatePatient) as warning:
        patient_register(data=data(full_name="SITI AMINAH", nik=None), by=receptionist)
    assert warning.value.duplicates == [existing]
    assert not warning.value.nik_taken
    assert Patient.objects.count() == 1
    patient = patient_register(
        data=data(full_name="SITI AMINAH", nik=None), by=receptionist, confirmed_not_duplicate=True
    )
    assert Patient.objects.count() == 2
    assert patient.pk != existing.pk


def test_it_never_registers_a_nik_twice_even_when_confirmed(receptionist):
    existing = PatientFactory(full_name="Orang Lain", nik="3273010101900001")
    with pytest.raises(DuplicatePatient) as error:
        patient_register(data=data(), by=receptionist, confirmed_not_duplicate=True)
    assert error.value.nik_taken
    assert existing.medical_record_number in error.value.message_dict["nik"][0]
    assert Patient.objects.count() == 1


def test_it_updates_a_patient_without_warning_again_when_the_name_stays(receptionist):
    dob = datetime.date(1990, 1, 1)
    PatientFactory(full_name="Siti Aminah", date_of_birth=dob, nik=None)
    twin = patient_register(data=data(nik=None), by=receptionist, confirmed_not_duplicate=True)
    updated = patient_update(patient=twin, data={"phone": "+62 811 1111 1111"}, by=receptionist)
    assert updated.phone == "+6281111111111"


def test_it_warns_when_an_edit_makes_a_patient_look_like_another(receptionist):
    PatientFactory(full_name="Siti Aminah", date_of_birth=datetime.date(1990, 1, 1), nik=None)
    other = PatientFactory(full_name="Budi", date_of_birth=datetime.date(1990, 1, 1), nik=None)
    with pytest.raises(DuplicatePatient):
        patient_update(patient=other, data={"full_name": "siti aminah"}, by=receptionist)
    other.refresh_from_db()
    assert other.full_name == "Budi"
    patient_update(patient=other, data={"full_name": "siti aminah"}, by=receptionist, confirmed_not_duplicate=True)
    other.refresh_from_db()
    assert other.full_name == "siti aminah"


def test_it_refuses_an_edit_to_a_nik_of_another_patient(receptionist):
    PatientFactory(nik="3273010101900001")
    other = PatientFactory(nik="3273010101900002")
    with pytest.raises(DuplicatePatient):
        patient_update(patient=other, data={"nik": "3273010101900001"}, by=receptionist)
    other.refresh_from_db()
    assert other.nik == "3273010101900002"
