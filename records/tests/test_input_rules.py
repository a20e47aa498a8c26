"""The doctor's forms take numbers in 0–9 only and bounded text (core/text.py)."""

import pytest
from django.utils import translation

from core.text import TEXT_LIMITS
from records.forms import LabResultForm, MedicalRecordForm
from records.models import MedicalRecord

pytestmark = pytest.mark.django_db


def test_vital_signs_in_other_digits_are_refused_and_fullwidth_ones_read():
    with translation.override("en"):
        form = MedicalRecordForm({"systolic_bp": "١٢٠", "diastolic_bp": "８０", "complaint": "Demam"})
        assert not form.is_valid()
        assert form.errors["systolic_bp"] == ["Use only the digits 0–9."]
        assert "diastolic_bp" not in form.errors
        assert form.cleaned_data["diastolic_bp"] == 80


def test_a_lab_value_in_other_digits_is_refused():
    with translation.override("en"):
        form = LabResultForm({"test_name": "Hemoglobin", "value": "١٣٫٥", "sampled_at": "2026-12-01T08:00"})
        assert not form.is_valid()
        assert form.errors["value"] == ["Use only the digits 0–9."]


@pytest.mark.parametrize("field", ["complaint", "allergies", "diagnosis", "treatment", "prescription", "notes"])
def test_every_free_text_field_of_the_record_is_bounded_in_the_form_and_the_model(field):
    limit = MedicalRecord._meta.get_field(field).max_length
    assert limit in TEXT_LIMITS.values()
    with translation.override("en"):
        form = MedicalRecordForm({field: "x" * (limit + 1)})
        assert not form.is_valid()
        assert f"at most {limit} characters" in form.errors[field][0]
        assert form[field].field.widget.attrs["maxlength"] == str(limit)
    long_enough = MedicalRecordForm({field: "x" * limit})
    long_enough.is_valid()
    assert field not in long_enough.errors
    validators = MedicalRecord._meta.get_field(field).validators
    assert any(getattr(v, "limit_value", None) == limit for v in validators)


def test_a_megabyte_complaint_is_refused():
    form = MedicalRecordForm({"complaint": "x" * 1_000_000})
    assert not form.is_valid()
    assert form.errors["complaint"]
