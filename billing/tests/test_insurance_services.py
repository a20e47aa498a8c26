"""The insurance policies of a patient: added and changed through billing.services."""

import datetime

import pytest
from django.core.exceptions import ValidationError

from billing.models import Insurance
from billing.services import insurance_add, insurance_update
from billing.tests.factories import InsuranceFactory
from patients.tests.factories import PatientFactory

pytestmark = pytest.mark.django_db


def test_it_adds_a_bpjs_policy_with_the_provider_filled_in(receptionist):
    patient = PatientFactory()
    insurance = insurance_add(
        patient=patient,
        by=receptionist,
        data={
            "kind": Insurance.Kind.BPJS,
            "provider_name": "",
            "policy_number": " 0001 2345 67890 ",
            "valid_from": datetime.date(2026, 1, 1),
            "valid_until": None,
            "is_active": True,
        },
    )
    assert insurance.provider_name == "BPJS Kesehatan"
    assert insurance.policy_number == "0001234567890"
    assert insurance.patient == patient


def test_it_refuses_a_policy_number_already_registered_with_the_provider(receptionist):
    InsuranceFactory(provider_name="BPJS Kesehatan", policy_number="0001234567890")
    with pytest.raises(ValidationError) as error:
        insurance_add(
            patient=PatientFactory(),
            by=receptionist,
            data={
                "kind": Insurance.Kind.BPJS,
                "provider_name": "bpjs kesehatan",
                "policy_number": "0001234567890",
                "valid_from": datetime.date(2026, 1, 1),
                "is_active": True,
            },
        )
    assert "policy_number" in error.value.message_dict
    assert Insurance.objects.count() == 1


def test_it_refuses_a_validity_that_ends_before_it_starts(receptionist):
    insurance = InsuranceFactory()
    with pytest.raises(ValidationError) as error:
        insurance_update(
            insurance=insurance,
            by=receptionist,
            data={"valid_from": datetime.date(2026, 6, 1), "valid_until": datetime.date(2026, 5, 1)},
        )
    assert "valid_until" in error.value.message_dict
    insurance.refresh_from_db()
    assert insurance.valid_from == datetime.date(2026, 1, 1)


def test_it_asks_for_the_company_of_a_private_policy(receptionist):
    with pytest.raises(ValidationError) as error:
        insurance_add(
            patient=PatientFactory(),
            by=receptionist,
            data={
                "kind": Insurance.Kind.PRIVATE,
                "provider_name": "",
                "policy_number": "X-1",
                "valid_from": datetime.date(2026, 1, 1),
                "is_active": True,
            },
        )
    assert "provider_name" in error.value.message_dict
