import datetime
from decimal import Decimal

import pytest
from django.db.models import ProtectedError

from patients.tests.test_models import refuses
from records.models import LabResult, MedicalRecord
from records.tests.factories import LabResultFactory, MedicalRecordFactory

pytestmark = pytest.mark.django_db


class TestMedicalRecordConstraints:
    @pytest.mark.parametrize(
        "bad",
        [
            {"systolic_bp": 400},
            {"systolic_bp": 30},
            {"diastolic_bp": 10},
            {"diastolic_bp": 250},
            {"systolic_bp": 80, "diastolic_bp": 90},  # systolic must be above diastolic
            {"temperature_c": Decimal("50.0")},
            {"heart_rate": 5},
            {"oxygen_saturation": 20},
        ],
    )
    def test_it_refuses_implausible_vitals(self, bad):
        record = MedicalRecordFactory()
        assert refuses(lambda: MedicalRecord.objects.filter(pk=record.pk).update(**bad))

    def test_it_allows_vitals_left_empty(self):
        record = MedicalRecordFactory(systolic_bp=None, diastolic_bp=None)
        assert record.pk

    def test_it_refuses_a_second_record_for_one_appointment(self):
        record = MedicalRecordFactory()
        assert refuses(lambda: MedicalRecordFactory(appointment=record.appointment))

    def test_it_refuses_to_delete_a_record_with_lab_results(self):
        lab = LabResultFactory()
        with pytest.raises(ProtectedError):
            lab.medical_record.delete()

    def test_it_refuses_to_delete_an_appointment_with_a_record(self):
        record = MedicalRecordFactory()
        with pytest.raises(ProtectedError):
            record.appointment.delete()


class TestLabResult:
    @pytest.mark.parametrize(
        ("value", "abnormal"),
        [
            (Decimal("11.9"), True),
            (Decimal("12"), False),
            (Decimal("16"), False),
            (Decimal("16.1"), True),
        ],
    )
    def test_it_flags_values_outside_the_reference_range(self, value, abnormal):
        assert LabResultFactory(value=value).is_abnormal is abnormal

    def test_it_recomputes_the_flag_when_the_value_changes(self):
        lab = LabResultFactory(value=Decimal("13"))
        lab.value = Decimal("20")
        lab.save(update_fields=["value"])
        lab.refresh_from_db()
        assert lab.is_abnormal is True

    def test_it_refuses_a_reversed_reference_range(self):
        lab = LabResultFactory()
        assert refuses(
            lambda: LabResult.objects.filter(pk=lab.pk).update(
                reference_low=Decimal("20"), reference_high=Decimal("10")
            )
        )

    def test_it_refuses_a_report_before_the_sample(self):
        lab = LabResultFactory()
        assert refuses(
            lambda: LabResult.objects.filter(pk=lab.pk).update(reported_at=lab.sampled_at - datetime.timedelta(hours=1))
        )
