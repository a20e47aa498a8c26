"""The pharmacy's prescription reaches SATUSEHAT in the visit's Bundle: a KFA-coded
MedicationRequest per line (the racikan with its ingredients) and a MedicationDispense per handing
over, accepted by the local stand-in of the platform over real HTTP (issues 15 and 16)."""

import pytest

from patients.models import Patient
from patients.tests.factories import PatientFactory
from pharmacy import services as pharmacy
from pharmacy.models import Prescription
from pharmacy.tests.factories import DrugFactory, stock
from records.models import MedicalRecord
from satusehat.fhir import VisitBundle, build_bundle, validate_bundle, wire
from satusehat.mock import DEFAULT_DATASET
from satusehat.models import Submission
from satusehat.tests.conftest import ORG, PATIENT_NIKS, doctor, mock, mock_server, room, run_worker, state  # noqa: F401
from scheduling import services as scheduling
from scheduling.tests.factories import AppointmentFactory

pytestmark = pytest.mark.django_db(transaction=True)

LINE = {"times_per_day": 3, "dose": "1 tablet", "route": "oral", "timing": "after", "duration_days": 3}


def visit_with_prescription(doctor):  # noqa: F811
    patient = PatientFactory(nik=PATIENT_NIKS[0])
    Patient.objects.filter(pk=patient.pk).update(ihs_number=DEFAULT_DATASET["patients"][PATIENT_NIKS[0]])
    patient.refresh_from_db()
    appointment = scheduling.appointment_check_in(
        appointment=AppointmentFactory(patient=patient, doctor=doctor), by=None
    )
    appointment = scheduling.appointment_start_consultation(appointment=appointment, by=None)
    MedicalRecord.objects.create(
        appointment=appointment,
        patient=patient,
        doctor=doctor,
        diagnosis="ISPA",
        icd10_code="J06.9",
        allergies="tidak ada",
    )
    paracetamol = DrugFactory(name="Sanmol 500 mg", generic_name="parasetamol", kfa_code="93000312")
    amoxicillin = DrugFactory(name="Amoxsan 500 mg", generic_name="amoksisilin")  # no KFA code in the catalogue
    stock(paracetamol, 100)
    stock(amoxicillin, 4)
    pharmacy.prescription_line_add(appointment=appointment, drug=paracetamol, data={**LINE, "quantity": 10})
    short = pharmacy.prescription_line_add(appointment=appointment, drug=amoxicillin, data={**LINE, "quantity": 10})
    pharmacy.compound_line_add(
        appointment=appointment,
        data={**LINE, "quantity": 9, "compound_name": "Puyer batuk", "compound_form": "powder"},
        ingredients=[(paracetamol, 3)],
    )
    appointment = scheduling.appointment_complete(appointment=appointment, by=None)  # sends the prescription
    prescription = Prescription.objects.get(appointment=appointment)
    pharmacy.dispense(prescription=prescription, quantities={short.line.pk: 10}, by=None)  # 4 of 10 in stock
    return appointment, short.line


def test_the_bundle_carries_the_prescription_coded_with_kfa_and_validates(mock, doctor):  # noqa: F811
    appointment, short_line = visit_with_prescription(doctor)
    bundle = build_bundle(appointment, organization_id=ORG, fhir_base="https://example.invalid/fhir-r4/v1")
    validate_bundle(wire(bundle))
    resources = [entry["resource"] for entry in bundle["entry"]]
    requests = [r for r in resources if r["resourceType"] == "MedicationRequest"]
    dispenses = [r for r in resources if r["resourceType"] == "MedicationDispense"]
    assert len(requests) == 3 and len(dispenses) == 1
    coded = [r["medicationCodeableConcept"].get("coding", [{}])[0].get("code") for r in requests]
    assert coded == ["93000312", None, None]  # the KFA code where the catalogue has one
    assert "Puyer batuk" in requests[2]["medicationCodeableConcept"]["text"]
    assert requests[1]["status"] == "active"  # 6 of 10 still to dispense
    assert requests[0]["dosageInstruction"][0]["timing"]["repeat"]["frequency"] == 3
    assert requests[0]["authoredOn"].endswith("+07:00")
    assert dispenses[0]["quantity"]["value"] == 4
    request_urls = {
        entry["fullUrl"] for entry in bundle["entry"] if entry["resource"]["resourceType"] == "MedicationRequest"
    }
    assert dispenses[0]["authorizingPrescription"][0]["reference"] in request_urls
    identifiers = {i["system"] for r in requests for i in r["identifier"]}
    assert identifiers == {f"http://sys-ids.kemkes.go.id/prescription-item/{ORG}"}


def test_the_platform_stand_in_accepts_the_prescription_sent_by_the_worker(mock, doctor):  # noqa: F811
    appointment, _line = visit_with_prescription(doctor)
    run_worker()
    submission = Submission.objects.get(appointment=appointment)
    assert submission.status == Submission.Status.SENT, submission.message
    held = state(mock)["resources"]
    assert (held["MedicationRequest"], held["MedicationDispense"]) == (3, 1)


def test_a_visit_without_prescription_sends_no_medication(doctor):  # noqa: F811
    patient = PatientFactory(nik=PATIENT_NIKS[0])
    appointment = AppointmentFactory(patient=patient, doctor=doctor)
    visit = VisitBundle(appointment=appointment, record=None, organization_id=ORG, fhir_base="x", resource_ids={})
    from pharmacy.fhir import medication_entries

    assert list(medication_entries(visit)) == []
