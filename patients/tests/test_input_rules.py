"""Registration takes typed text as core/text.py reads it: fullwidth digits fold to 0–9, other
scripts' digits are refused, direction controls go, dates of birth are plausible, text is bounded."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from patients.models import Patient
from patients.selectors import patient_search
from patients.tests.factories import PatientFactory
from patients.tests.test_views import form_data

pytestmark = pytest.mark.django_db

FULLWIDTH_NIK = "３２７３０１０１０１９００００１"  # 3273010101900001
ARABIC_INDIC_NIK = "٣٢٧٣٠١٠١٠١٩٠٠٠٠١"


def register(client, **overrides):
    return client.post(reverse("patients:create"), form_data(**overrides))


def test_a_fullwidth_nik_is_stored_as_ascii_digits_found_by_search_and_unique(client, receptionist):
    client.force_login(receptionist)
    assert register(client, nik=FULLWIDTH_NIK).status_code == 302
    patient = Patient.objects.get()
    assert patient.nik == "3273010101900001"
    assert patient_search(query=FULLWIDTH_NIK) == [patient]
    # The same NIK typed in ASCII is the same person: refused, nothing saved.
    response = register(client, nik="3273010101900001", full_name="Orang Lain", confirmed_not_duplicate="on")
    assert response.status_code == 200
    assert response.context["form"].errors["nik"]
    assert Patient.objects.count() == 1


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"nik": ARABIC_INDIC_NIK}, "nik"),
        ({"phone": "٠٨١٢٣٤٥٦٧٨٩٠"}, "phone"),
        ({"date_of_birth": "1800-01-01"}, "date_of_birth"),
        ({"date_of_birth": "0001-01-01"}, "date_of_birth"),
        ({"date_of_birth": (datetime.date.today() + datetime.timedelta(days=2)).isoformat()}, "date_of_birth"),
        ({"address": "Jl. " + "x" * 600}, "address"),
        ({"address": "x" * 1_000_000}, "address"),
    ],
)
def test_implausible_or_foreign_input_is_refused_and_nothing_saved(client, receptionist, overrides, field):
    client.force_login(receptionist)
    client.cookies["django_language"] = "en"
    response = register(client, **overrides)
    assert response.status_code == 200
    assert response.context["form"].errors[field]
    assert not Patient.objects.exists()


def test_the_date_of_birth_message_names_the_earliest_date(client, receptionist):
    client.force_login(receptionist)
    client.cookies["django_language"] = "en"
    response = register(client, date_of_birth="1800-01-01")
    assert "01-01-1900" in response.context["form"].errors["date_of_birth"][0]


def test_direction_controls_are_taken_out_of_names(client, receptionist):
    client.force_login(receptionist)
    response = register(client, full_name="Siti \u202eAminah\u202c", emergency_contact_name="\u2067Budi\u2069")
    assert response.status_code == 302
    patient = Patient.objects.get()
    assert (patient.full_name, patient.emergency_contact_name) == ("Siti Aminah", "Budi")


def test_the_model_refuses_direction_controls_and_overlong_text_outside_the_forms():
    patient = PatientFactory.build(full_name="Siti \u202eAminah", address="x" * 501)
    with pytest.raises(ValidationError) as error:
        patient.full_clean(exclude=["medical_record_number"])
    assert {"full_name", "address"} <= set(error.value.message_dict)
