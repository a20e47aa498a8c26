"""The visit's prescription as SATUSEHAT's FHIR resources: a MedicationRequest per line and a
MedicationDispense per line handed over, coded with KFA where the catalogue has the code.

The SATUSEHAT app asks every AppConfig for `satusehat_entries(visit)` (PharmacyConfig answers
with `medication_entries`) and validates the whole Bundle; this module imports nothing of it.
`visit` gives the appointment, the organisation id, the references of the patient, the doctor and
the encounter, and `reference(key)` of any entry."""

from collections.abc import Iterator

from django.db.models import Prefetch

from core.clock import offset_isoformat
from pharmacy.models import CompoundIngredient, Dispense, Drug, Prescription, PrescriptionLine

KFA_SYSTEM = "http://sys-ids.kemkes.go.id/kfa"
REQUEST_CATEGORY = "http://terminology.hl7.org/CodeSystem/medicationrequest-category"
UCUM = "http://unitsofmeasure.org"


def _drug_concept(drug: Drug) -> dict:
    concept = {"text": str(drug)}
    if drug.kfa_code:
        concept["coding"] = [{"system": KFA_SYSTEM, "code": drug.kfa_code, "display": drug.name}]
    return concept


def _medication(line: PrescriptionLine) -> dict:
    """A drug line's KFA-coded drug; a racikan names its ingredients in the text."""
    if not line.is_compound:
        return _drug_concept(line.drug)
    parts = ", ".join(f"{ingredient.drug} × {ingredient.quantity}" for ingredient in line.ingredients.all())
    return {"text": f"{line.title}: {parts}"}


def _unit(line: PrescriptionLine) -> str:
    """What is counted: the drug's unit, or what a racikan is made into (capsules, powders)."""
    return line.drug.unit if line.drug else line.get_compound_form_display()


def _request(visit, prescription: Prescription, line: PrescriptionLine) -> dict:
    dosage = {
        "sequence": 1,
        "text": " ".join(filter(None, [line.usage, line.instructions])),
        "timing": {"repeat": {"frequency": line.times_per_day, "period": 1, "periodUnit": "d"}},
        "route": {"text": line.get_route_display()},
    }
    dispense_request = {"quantity": {"value": line.quantity, "unit": _unit(line)}}
    if line.duration_days:
        dispense_request["expectedSupplyDuration"] = {
            "value": line.duration_days,
            "unit": "days",
            "system": UCUM,
            "code": "d",
        }
    return {
        "resourceType": "MedicationRequest",
        "status": "completed" if line.remaining == 0 else "active",
        "intent": "order",
        "category": [{"coding": [{"system": REQUEST_CATEGORY, "code": "outpatient", "display": "Outpatient"}]}],
        "medicationCodeableConcept": _medication(line),
        "subject": visit.patient_ref,
        "encounter": visit.encounter_ref,
        "authoredOn": offset_isoformat(prescription.written_at or prescription.created_at),
        "requester": visit.practitioner_ref,
        "dosageInstruction": [dosage],
        "dispenseRequest": dispense_request,
    }


def _dispense(visit, line: PrescriptionLine, handed: Dispense, request_key: str) -> dict:
    return {
        "resourceType": "MedicationDispense",
        "status": "completed",
        "medicationCodeableConcept": _medication(line),
        "subject": visit.patient_ref,
        "context": visit.encounter_ref,
        "authorizingPrescription": [{"reference": visit.reference(request_key)}],
        "quantity": {"value": handed.quantity, "unit": _unit(line)},
        "whenHandedOver": offset_isoformat(handed.dispensed_at),
        "dosageInstruction": [{"sequence": 1, "text": line.usage}],
    }


def medication_entries(visit) -> Iterator[tuple[str, dict, str, str]]:
    """(key, resource, identifier kind, local id) of the visit's prescription, if it was sent to the
    pharmacy: three queries whatever the number of lines."""
    prescription = (
        Prescription.objects.filter(appointment=visit.appointment)
        .exclude(status=Prescription.Status.DRAFT)
        .prefetch_related(
            Prefetch("lines", queryset=PrescriptionLine.objects.select_related("drug").order_by("pk")),
            Prefetch("lines__ingredients", queryset=CompoundIngredient.objects.select_related("drug")),
            Prefetch("lines__dispenses", queryset=Dispense.objects.order_by("dispensed_at", "pk")),
        )
        .first()
    )
    if prescription is None:
        return
    for line in prescription.lines.all():
        request_key = f"MedicationRequest/line-{line.pk}"
        yield request_key, _request(visit, prescription, line), "prescription-item", f"{prescription.pk}-{line.pk}"
        for handed in line.dispenses.all():
            yield (
                f"MedicationDispense/{handed.pk}",
                _dispense(visit, line, handed, request_key),
                "medicationdispense",
                str(handed.pk),
            )
