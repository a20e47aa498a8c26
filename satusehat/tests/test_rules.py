"""Every rule of the platform, broken once: the mock refuses the Bundle with an OperationOutcome
that names it, and keeps nothing. The Bundles are the builder's own, then spoiled."""

import copy

import pytest

from satusehat import fhir
from satusehat.client import PlatformError, SatusehatClient
from satusehat.conf import config
from satusehat.tests.conftest import ORG, finish_visit, state

pytestmark = pytest.mark.django_db(transaction=True)


def entries_of(bundle, kind):
    return [entry for entry in bundle["entry"] if entry["resource"]["resourceType"] == kind]


def encounter(bundle):
    return entries_of(bundle, "Encounter")[0]["resource"]


def wrong_org(bundle):
    encounter(bundle)["identifier"][0]["system"] = "http://sys-ids.kemkes.go.id/encounter/99999999"


def incomplete_history(bundle):
    del encounter(bundle)["statusHistory"][1]


def history_out_of_order(bundle):
    history = encounter(bundle)["statusHistory"]
    history[0]["period"]["start"] = "2099-01-01T08:00:00+07:00"  # arrived after it finished


def condition_not_in_diagnosis(bundle):
    del encounter(bundle)["diagnosis"]


def no_offset(bundle):
    observation = entries_of(bundle, "Observation")[0]["resource"]
    observation["effectiveDateTime"] = observation["effectiveDateTime"][:19]


def unknown_patient(bundle):
    encounter(bundle)["subject"]["reference"] = "Patient/P00000000000"


def unknown_practitioner(bundle):
    encounter(bundle)["participant"][0]["individual"]["reference"] = "Practitioner/10000000000"


def unknown_location(bundle):
    encounter(bundle)["location"][0]["location"]["reference"] = "Location/not-registered"


def other_service_provider(bundle):
    encounter(bundle)["serviceProvider"]["reference"] = "Organization/12345678"


def not_ambulatory(bundle):
    encounter(bundle)["class"]["code"] = "IMP"


def condition_not_icd10(bundle):
    entries_of(bundle, "Condition")[0]["resource"]["code"]["coding"][0]["system"] = "http://snomed.info/sct"


def not_fhir(bundle):
    encounter(bundle)["period"] = "this morning"  # a Period is an object


def dangling_reference(bundle):
    entries_of(bundle, "Observation")[0]["resource"]["encounter"]["reference"] = (
        "urn:uuid:0d8a6a52-0000-4000-8000-000000000000"
    )


RULES = [
    (wrong_org, "Encounter.identifier must use the system"),
    (incomplete_history, "statusHistory must be arrived, in-progress, finished"),
    (history_out_of_order, "statusHistory is out of order"),
    (condition_not_in_diagnosis, "Every Condition must be referenced from Encounter.diagnosis"),
    (no_offset, "does not match spec regex"),
    (unknown_patient, "Unknown Patient id P00000000000"),
    (unknown_practitioner, "Unknown Practitioner id 10000000000"),
    (unknown_location, "Unknown Location id not-registered"),
    (other_service_provider, f"serviceProvider must be Organization/{ORG}"),
    (not_ambulatory, "Encounter.class must be AMB"),
    (condition_not_icd10, "Condition.code must be an ICD-10 code"),
    (not_fhir, "Encounter"),
    (dangling_reference, "Unresolved reference"),
]


@pytest.fixture
def bundle(mock, doctor):
    appointment = finish_visit(doctor)
    type(appointment.patient).objects.filter(pk=appointment.patient_id).update(ihs_number="P02478375538")
    cfg = config()
    built = fhir.build_bundle(
        fhir.visit_for_bundle(appointment.pk), organization_id=cfg.organization_id, fhir_base=cfg.fhir_url
    )
    return fhir.wire(built)


def test_the_builders_bundle_is_accepted(mock, bundle):
    with SatusehatClient(config()) as client:
        answer = client.transaction(bundle)
    assert [entry["response"]["status"] for entry in answer["entry"]] == ["201 Created"] * len(bundle["entry"])


@pytest.mark.parametrize(("spoil", "message"), RULES, ids=[spoil.__name__ for spoil, _ in RULES])
def test_a_broken_rule_is_refused_with_an_operation_outcome(mock, bundle, spoil, message):
    spoiled = copy.deepcopy(bundle)
    spoil(spoiled)
    with SatusehatClient(config()) as client, pytest.raises(PlatformError) as refused:
        client.transaction(spoiled)
    error = refused.value
    assert (error.status, error.retryable) == (400, False)
    assert error.outcome["resourceType"] == "OperationOutcome"
    assert message in error.message
    assert state(mock)["resources"] == {}


def test_a_second_encounter_with_the_same_identifier_is_refused_as_a_duplicate(mock, bundle):
    with SatusehatClient(config()) as client:
        client.transaction(bundle)
        again = copy.deepcopy(bundle)
        for entry in again["entry"]:
            entry["request"].pop("ifNoneExist")
        with pytest.raises(PlatformError) as refused:
            client.transaction(again)
        assert "Duplicate Encounter identifier" in refused.value.message
        # the resend as the worker does it finds what is there
        answer = client.transaction(bundle)
    assert {entry["response"]["status"] for entry in answer["entry"]} == {"200 OK"}
    assert state(mock)["resources"]["Encounter"] == 1


def test_our_bundle_is_checked_before_it_leaves():
    with pytest.raises(ValueError, match="Encounter"):
        fhir.validate_bundle(
            {"resourceType": "Bundle", "type": "transaction", "entry": [{"resource": {"resourceType": "Encounter"}}]}
        )
