import pytest
from django import forms
from django.core.exceptions import ValidationError
from django.db import models

from core.forms import CleanCharField, CleanDecimalField, CleanIntegerField, clinic_formfield
from core.text import BIDI_CONTROLS, check_ascii_digits, has_other_digits, normalise_text, validate_no_bidi_controls


def test_normalise_text_folds_fullwidth_forms_and_drops_every_direction_control():
    assert normalise_text("３２７３ Ｓｉｔｉ") == "3273 Siti"
    assert normalise_text("a" + "".join(sorted(BIDI_CONTROLS)) + "b") == "ab"
    assert normalise_text("Dewi Tri Wijayanti") == "Dewi Tri Wijayanti"


@pytest.mark.parametrize("text", ["١٠٠٠", "۱۰۰۰", "१०००", "১০০০"])
def test_other_scripts_digits_are_refused(text):
    assert has_other_digits(text)
    with pytest.raises(ValidationError) as error:
        check_ascii_digits(text)
    assert error.value.code == "digits"


def test_ascii_and_fullwidth_digits_pass():
    assert check_ascii_digits("１２３") == "123"
    assert not has_other_digits("150.000")


def test_the_model_validator_refuses_direction_controls():
    validate_no_bidi_controls("Siti Aminah")
    with pytest.raises(ValidationError):
        validate_no_bidi_controls("Siti \u202eAminah")


@pytest.mark.parametrize(
    ("model_field", "form_class"),
    [
        (models.CharField(max_length=10), CleanCharField),
        (models.TextField(), CleanCharField),
        (models.PositiveSmallIntegerField(), CleanIntegerField),
        (models.DecimalField(max_digits=5, decimal_places=1), CleanDecimalField),
        (models.EmailField(), forms.EmailField),
        (models.CharField(max_length=1, choices=[("a", "A")]), forms.TypedChoiceField),
        (models.DateField(), forms.DateField),
    ],
)
def test_model_forms_get_the_clean_fields(model_field, form_class):
    assert type(clinic_formfield(model_field)) is form_class
