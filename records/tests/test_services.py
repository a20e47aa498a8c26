import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from patients.tests.factories import DoctorFactory, PatientFactory
from records.models import LabResult, MedicalRecord
from records.services import lab_result_add, medical_record_save
from scheduling.models import Appointment
from scheduling.tests.factories import AppointmentFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def visit(doctor_user):
    return AppointmentFactory(doctor=doctor_user.doctor_profile, status=Appointment.Status.IN_CONSULTATION)


VALID = {
    "complaint": "Demam dua hari",
    "systolic_bp": 120,
    "diastolic_bp": 80,
    "icd10_code": "J06.9",
    "diagnosis": "ISPA",
    "temperature_c": Decimal("38.2"),
}


class TestMedicalRecordSave:
    def test_it_creates_the_record_for_the_appointments_patient_and_doctor(self, visit, doctor_user):
        stranger, other_doctor = PatientFactory(), DoctorFactory()
        record = medical_record_save(
            appointment=visit,
            data={**VALID, "patient": stranger, "doctor": other_doctor, "patient_id": stranger.pk},
            by=doctor_user,
        )
        record.refresh_from_db()
        assert (record.patient, record.doctor, record.appointment) == (visit.patient, visit.doctor, visit)
        assert record.temperature_c == Decimal("38.2")

    def test_it_updates_the_one_record_of_the_visit(self, visit, doctor_user):
        medical_record_save(appointment=visit, data=VALID, by=doctor_user)
        medical_record_save(
            appointment=visit, data={**VALID, "diagnosis": "Faringitis akut", "icd10_code": "j02.9"}, by=doctor_user
        )
        record = MedicalRecord.objects.get(appointment=visit)
        assert (record.diagnosis, record.icd10_code) == ("Faringitis akut", "J02.9")
        assert MedicalRecord.objects.count() == 1

    def test_it_refuses_an_unknown_icd10_code(self, visit, doctor_user):
        with pytest.raises(ValidationError) as error:
            medical_record_save(appointment=visit, data={**VALID, "icd10_code": "ZZ9.9"}, by=doctor_user)
        assert "icd10_code" in error.value.error_dict
        assert not MedicalRecord.objects.exists()

    @pytest.mark.parametrize(
        "vitals",
        [
            {"systolic_bp": 80, "diastolic_bp": 90},
            {"systolic_bp": 400},
            {"oxygen_saturation": 20},
            {"temperature_c": Decimal("50")},
        ],
    )
    def test_it_refuses_implausible_vitals(self, visit, doctor_user, vitals):
        with pytest.raises(ValidationError):
            medical_record_save(appointment=visit, data={**VALID, **vitals}, by=doctor_user)
        assert not MedicalRecord.objects.exists()

    @pytest.mark.parametrize("status", [Appointment.Status.CHECKED_IN, Appointment.Status.COMPLETED])
    def test_it_refuses_outside_the_consultation(self, doctor_user, status):
        appointment = AppointmentFactory(doctor=doctor_user.doctor_profile, status=status)
        with pytest.raises(ValidationError):
            medical_record_save(appointment=appointment, data=VALID, by=doctor_user)
        assert not MedicalRecord.objects.exists()

    def test_it_refuses_another_doctor(self, visit, other_doctor_user, receptionist):
        for user in (other_doctor_user, receptionist):
            with pytest.raises(ValidationError):
                medical_record_save(appointment=visit, data=VALID, by=user)
        assert not MedicalRecord.objects.exists()


class TestLabResultAdd:
    def test_it_creates_the_record_first_when_missing_and_flags_the_value(self, visit, doctor_user):
        result = lab_result_add(
            appointment=visit,
            by=doctor_user,
            data={
                "test_name": "Hemoglobin",
                "value": Decimal("9.1"),
                "unit": "g/dL",
                "reference_low": Decimal("12"),
                "reference_high": Decimal("16"),
            },
        )
        result.refresh_from_db()
        assert result.is_abnormal is True
        assert result.medical_record.appointment == visit
        assert result.medical_record.patient == visit.patient
        assert result.created_by == doctor_user
        assert result.sampled_at <= timezone.now()

    def test_it_adds_to_the_existing_record(self, visit, doctor_user):
        record = medical_record_save(appointment=visit, data=VALID, by=doctor_user)
        result = lab_result_add(
            appointment=visit,
            by=doctor_user,
            data={
                "test_name": "Gula darah sewaktu",
                "value": Decimal("110"),
                "reference_low": Decimal("70"),
                "reference_high": Decimal("140"),
            },
        )
        assert result.medical_record == record
        assert result.is_abnormal is False
        assert MedicalRecord.objects.count() == 1

    def test_it_refuses_a_result_reported_before_it_was_sampled(self, visit, doctor_user):
        now = timezone.now()
        with pytest.raises(ValidationError):
            lab_result_add(
                appointment=visit,
                by=doctor_user,
                data={
                    "test_name": "Hemoglobin",
                    "value": Decimal("13"),
                    "sampled_at": now,
                    "reported_at": now - datetime.timedelta(hours=1),
                },
            )
        assert not LabResult.objects.exists()
        assert not MedicalRecord.objects.exists()  # the whole call is one transaction

    def test_it_refuses_another_doctor(self, visit, other_doctor_user):
        with pytest.raises(ValidationError):
            lab_result_add(appointment=visit, by=other_doctor_user, data={"test_name": "Hb", "value": Decimal(13)})
        assert not LabResult.objects.exists()
