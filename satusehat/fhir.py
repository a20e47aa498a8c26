"""The FHIR transaction Bundle of one finished outpatient visit (docs/satusehat.md, "What is sent").

Every resource is built as plain JSON and validated with fhir.resources' R4B models before it may
leave (`validate_bundle`). Entries reference each other by `urn:uuid:` (a UUID derived from the
row, so the same visit always gives the same Bundle); a resource the platform already has (its
id stored in Submission.resource_ids) is sent as a PUT of that id: a correction is an update.
New resources are conditional creates (`ifNoneExist` on their identifier): a resend after a lost
answer finds what the platform already holds instead of creating a second copy.

Other apps add entries without being imported: an AppConfig with a `satusehat_entries(visit)`
method returns `(key, resource)` pairs for the visit (`VisitBundle`); the pharmacy's
MedicationRequest plugs in there.
"""

import datetime
import uuid
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal

from django.apps import apps
from django.utils.translation import gettext as _
from fhir.resources.R4B import get_fhir_model_class
from fhir.resources.R4B.bundle import Bundle
from pydantic import ValidationError as PydanticValidationError

from core.clock import offset_isoformat
from records.icd10 import icd10_description
from records.models import LabResult, MedicalRecord
from scheduling.models import Appointment

NIK_SYSTEM = "https://fhir.kemkes.go.id/id/nik"
ACT_CODE = "http://terminology.hl7.org/CodeSystem/v3-ActCode"
ICD10 = "http://hl7.org/fhir/sid/icd-10"
LOINC = "http://loinc.org"
UCUM = "http://unitsofmeasure.org"
OBSERVATION_CATEGORY = "http://terminology.hl7.org/CodeSystem/observation-category"
CONDITION_CATEGORY = "http://terminology.hl7.org/CodeSystem/condition-category"
CONDITION_CLINICAL = "http://terminology.hl7.org/CodeSystem/condition-clinical"
INTERPRETATION = "http://terminology.hl7.org/CodeSystem/v3-ObservationInterpretation"
PARTICIPATION = "http://terminology.hl7.org/CodeSystem/v3-ParticipationType"
DIAGNOSIS_ROLE = "http://terminology.hl7.org/CodeSystem/diagnosis-role"
ALLERGY_CLINICAL = "http://terminology.hl7.org/CodeSystem/allergyintolerance-clinical"
ALLERGY_VERIFICATION = "http://terminology.hl7.org/CodeSystem/allergyintolerance-verification"
# The namespace of the urn:uuid: of our rows (uuid5 of "<org>/<key>"): stable across resends.
NAMESPACE = uuid.UUID("6f1d3b0e-5c1e-4b8a-9a57-4d1b7c2f0a11")


def sys_ids(kind: str, organization_id: str) -> str:
    """The platform's identifier system of a facility's own ids: encounter, condition, ..."""
    return f"http://sys-ids.kemkes.go.id/{kind}/{organization_id}"


# The vital signs of the record: field, LOINC code, display, UCUM unit.
VITAL_SIGNS = (
    ("systolic_bp", "8480-6", "Systolic blood pressure", "mm[Hg]"),
    ("diastolic_bp", "8462-4", "Diastolic blood pressure", "mm[Hg]"),
    ("heart_rate", "8867-4", "Heart rate", "/min"),
    ("respiratory_rate", "9279-1", "Respiratory rate", "/min"),
    ("temperature_c", "8310-5", "Body temperature", "Cel"),
    ("oxygen_saturation", "59408-5", "Oxygen saturation in Arterial blood by Pulse oximetry", "%"),
    ("weight_kg", "29463-7", "Body weight", "kg"),
    ("height_cm", "8302-2", "Body height", "cm"),
)
# The lab's units as written on its reports → UCUM codes (units not listed are sent as text only).
UCUM_CODES = {
    "g/dL": "g/dL",
    "mg/dL": "mg/dL",
    "%": "%",
    "10^3/µL": "10*3/uL",
    "/LPB": "/[HPF]",
    "mmol/L": "mmol/L",
}
NO_ALLERGY = {"", "-", "tidak ada", "tidak ada alergi", "none", "nihil", "disangkal"}


class NotSendable(Exception):
    """The visit cannot be sent as it is (a missing IHS number, Location id, time): the message
    says what to fix. The admin page shows it; nothing is sent."""


def fhir_datetime(moment: datetime.datetime) -> str:
    """ISO 8601 with the clinic's offset: 2026-12-05T09:30:00+07:00."""
    return offset_isoformat(moment)


def _number(value) -> int | float:
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    return value


@dataclass
class VisitBundle:
    """What a contributor needs to add entries to a visit's Bundle."""

    appointment: Appointment
    record: MedicalRecord | None
    organization_id: str
    fhir_base: str
    resource_ids: dict[str, str]
    entries: list[dict] = field(default_factory=list)

    @property
    def patient_ref(self) -> dict:
        patient = self.appointment.patient
        return {"reference": f"Patient/{patient.ihs_number}", "display": patient.full_name}

    @property
    def practitioner_ref(self) -> dict:
        doctor = self.appointment.doctor
        return {"reference": f"Practitioner/{doctor.ihs_id}", "display": doctor.full_name}

    def reference(self, key: str) -> str:
        """The reference to the entry `key` from another entry of the Bundle."""
        resource_type = key.split("/", 1)[0]
        known = self.resource_ids.get(key)
        if known:
            return f"{resource_type}/{known}"
        return f"urn:uuid:{uuid.uuid5(NAMESPACE, f'{self.organization_id}/{key}')}"

    @property
    def encounter_ref(self) -> dict:
        return {"reference": self.reference("Encounter")}

    def add(self, key: str, resource: dict, *, kind: str, local_id: str) -> None:
        """Adds `resource` under `key` ("Observation/lab-5"), with its identifier of the facility's
        own `kind` system: a PUT when the platform has it, a conditional create otherwise."""
        resource_type = resource["resourceType"]
        system = sys_ids(kind, self.organization_id)
        resource.setdefault("identifier", [{"system": system, "use": "official", "value": local_id}])
        known = self.resource_ids.get(key)
        if known:
            resource["id"] = known
            entry = {
                "fullUrl": f"{self.fhir_base}/{resource_type}/{known}",
                "resource": resource,
                "request": {"method": "PUT", "url": f"{resource_type}/{known}"},
            }
        else:
            entry = {
                "fullUrl": self.reference(key),
                "resource": resource,
                "request": {"method": "POST", "url": resource_type, "ifNoneExist": f"identifier={system}|{local_id}"},
            }
        entry["_key"] = key
        self.entries.append(entry)


def _check_sendable(appointment: Appointment, organization_id: str) -> None:
    missing = []
    if not organization_id:
        missing.append(_("the clinic's SATUSEHAT organisation id (SATUSEHAT_ORGANIZATION_ID)"))
    patient, doctor = appointment.patient, appointment.doctor
    if not patient.ihs_number:
        missing.append(
            _("the patient's IHS number (not found by NIK)") if patient.nik else _("the patient's NIK and IHS number")
        )
    if not doctor.ihs_id:
        missing.append(_("the doctor's practitioner IHS id"))
    if doctor.room is None or not doctor.room.satusehat_location_id:
        missing.append(_("the SATUSEHAT Location id of the doctor's room"))
    if appointment.status != Appointment.Status.COMPLETED:
        missing.append(_("a completed visit"))
    if not (appointment.arrived_at and appointment.started_at and appointment.completed_at):
        missing.append(_("the times of check-in, start of consultation and completion"))
    if missing:
        raise NotSendable(_("Cannot send yet; missing: %(missing)s.") % {"missing": "; ".join(missing)})


def _encounter(visit: VisitBundle, condition_keys: list[str]) -> dict:
    appointment = visit.appointment
    arrived, started, completed = appointment.arrived_at, appointment.started_at, appointment.completed_at
    room = appointment.doctor.room
    return {
        "resourceType": "Encounter",
        "identifier": [
            {"system": sys_ids("encounter", visit.organization_id), "value": str(appointment.pk)},
        ],
        "status": "finished",
        "class": {"system": ACT_CODE, "code": "AMB", "display": "ambulatory"},
        "subject": visit.patient_ref,
        "participant": [
            {
                "type": [{"coding": [{"system": PARTICIPATION, "code": "ATND", "display": "attender"}]}],
                "individual": visit.practitioner_ref,
            }
        ],
        "period": {"start": fhir_datetime(arrived), "end": fhir_datetime(completed)},
        "location": [{"location": {"reference": f"Location/{room.satusehat_location_id}", "display": room.name}}],
        "diagnosis": [
            {
                "condition": {"reference": visit.reference(key)},
                "use": {"coding": [{"system": DIAGNOSIS_ROLE, "code": "DD", "display": "Discharge diagnosis"}]},
                "rank": rank,
            }
            for rank, key in enumerate(condition_keys, start=1)
        ],
        "statusHistory": [
            {"status": "arrived", "period": {"start": fhir_datetime(arrived), "end": fhir_datetime(started)}},
            {"status": "in-progress", "period": {"start": fhir_datetime(started), "end": fhir_datetime(completed)}},
            {"status": "finished", "period": {"start": fhir_datetime(completed), "end": fhir_datetime(completed)}},
        ],
        "serviceProvider": {"reference": f"Organization/{visit.organization_id}"},
    }


def _conditions(visit: VisitBundle) -> list[str]:
    record = visit.record
    if record is None or not record.icd10_code:
        return []
    key = f"Condition/rec-{record.pk}"
    display = icd10_description(record.icd10_code) or record.diagnosis[:200]
    visit.add(
        key,
        {
            "resourceType": "Condition",
            "clinicalStatus": {"coding": [{"system": CONDITION_CLINICAL, "code": "active", "display": "Active"}]},
            "category": [
                {
                    "coding": [
                        {"system": CONDITION_CATEGORY, "code": "encounter-diagnosis", "display": "Encounter Diagnosis"}
                    ]
                }
            ],
            "code": {"coding": [{"system": ICD10, "code": record.icd10_code, "display": display}]},
            "subject": visit.patient_ref,
            "encounter": visit.encounter_ref,
            "recordedDate": fhir_datetime(record.updated_at),
            "recorder": visit.practitioner_ref,
        },
        kind="condition",
        local_id=f"rec-{record.pk}",
    )
    return [key]


def _vital_signs(visit: VisitBundle) -> None:
    record = visit.record
    if record is None:
        return
    effective = fhir_datetime(visit.appointment.started_at)
    for name, code, display, unit in VITAL_SIGNS:
        value = getattr(record, name)
        if value is None:
            continue
        visit.add(
            f"Observation/rec-{record.pk}-{code}",
            {
                "resourceType": "Observation",
                "status": "final",
                "category": [
                    {"coding": [{"system": OBSERVATION_CATEGORY, "code": "vital-signs", "display": "Vital Signs"}]}
                ],
                "code": {"coding": [{"system": LOINC, "code": code, "display": display}]},
                "subject": visit.patient_ref,
                "performer": [visit.practitioner_ref],
                "encounter": visit.encounter_ref,
                "effectiveDateTime": effective,
                "issued": fhir_datetime(record.updated_at),
                "valueQuantity": {"value": _number(value), "unit": unit, "system": UCUM, "code": unit},
            },
            kind="observation",
            local_id=f"rec-{record.pk}-{code}",
        )


def _interpretation(result: LabResult) -> str:
    if result.reference_low is not None and result.value < result.reference_low:
        return "L"
    if result.reference_high is not None and result.value > result.reference_high:
        return "H"
    return "N"


INTERPRETATION_DISPLAY = {"H": "High", "L": "Low", "N": "Normal"}


def _quantity(value, unit: str) -> dict:
    quantity = {"value": _number(value)}
    if unit:
        quantity["unit"] = unit
        if unit in UCUM_CODES:
            quantity.update(system=UCUM, code=UCUM_CODES[unit])
    return quantity


def _lab_results(visit: VisitBundle, results: Iterable[LabResult]) -> None:
    for result in results:
        flag = _interpretation(result)
        reference_range = {}
        if result.reference_low is not None:
            reference_range["low"] = _quantity(result.reference_low, result.unit)
        if result.reference_high is not None:
            reference_range["high"] = _quantity(result.reference_high, result.unit)
        resource = {
            "resourceType": "Observation",
            "status": "final",
            "category": [{"coding": [{"system": OBSERVATION_CATEGORY, "code": "laboratory", "display": "Laboratory"}]}],
            "code": {"text": result.test_name},
            "subject": visit.patient_ref,
            "performer": [visit.practitioner_ref],
            "encounter": visit.encounter_ref,
            "effectiveDateTime": fhir_datetime(result.sampled_at),
            "issued": fhir_datetime(result.reported_at or result.sampled_at),
            "valueQuantity": _quantity(result.value, result.unit),
            "interpretation": [
                {"coding": [{"system": INTERPRETATION, "code": flag, "display": INTERPRETATION_DISPLAY[flag]}]}
            ],
        }
        if reference_range:
            resource["referenceRange"] = [reference_range]
        visit.add(f"Observation/lab-{result.pk}", resource, kind="observation", local_id=f"lab-{result.pk}")


def _allergy(visit: VisitBundle) -> None:
    record = visit.record
    if record is None or record.allergies.strip().casefold() in NO_ALLERGY:
        return
    visit.add(
        f"AllergyIntolerance/rec-{record.pk}",
        {
            "resourceType": "AllergyIntolerance",
            "clinicalStatus": {"coding": [{"system": ALLERGY_CLINICAL, "code": "active", "display": "Active"}]},
            "verificationStatus": {
                "coding": [{"system": ALLERGY_VERIFICATION, "code": "confirmed", "display": "Confirmed"}]
            },
            "code": {"text": record.allergies.strip()[:500]},
            "patient": visit.patient_ref,
            "encounter": visit.encounter_ref,
            "recordedDate": fhir_datetime(record.updated_at),
            "recorder": visit.practitioner_ref,
        },
        kind="allergy",
        local_id=f"rec-{record.pk}",
    )


def _contributions(visit: VisitBundle) -> None:
    """Entries from other apps: each AppConfig's `satusehat_entries(visit)` yields
    (key, resource, kind, local_id) for `visit.add` (the pharmacy's MedicationRequest)."""
    for config in apps.get_app_configs():
        contribute = getattr(config, "satusehat_entries", None)
        if contribute is not None:
            for key, resource, kind, local_id in contribute(visit):
                visit.add(key, resource, kind=kind, local_id=local_id)


def visit_for_bundle(appointment_id: int) -> Appointment:
    """The appointment with what the Bundle reads, in three queries."""
    return Appointment.objects.select_related("patient", "doctor__room", "medical_record").get(pk=appointment_id)


def build_bundle(
    appointment: Appointment, *, organization_id: str, fhir_base: str, resource_ids: dict | None = None
) -> dict:
    """The transaction Bundle of a finished visit, validated; NotSendable when it cannot be sent.
    Entries carry "_key" (our name of the resource); `wire()` removes it before sending."""
    _check_sendable(appointment, organization_id)
    record = getattr(appointment, "medical_record", None)
    visit = VisitBundle(
        appointment=appointment,
        record=record,
        organization_id=organization_id,
        fhir_base=fhir_base,
        resource_ids=dict(resource_ids or {}),
    )
    condition_keys = _conditions(visit)
    conditions = list(visit.entries)
    visit.entries.clear()
    _vital_signs(visit)
    if record is not None:
        _lab_results(visit, record.lab_results.order_by("sampled_at", "pk"))
    _allergy(visit)
    _contributions(visit)
    others = list(visit.entries)
    visit.entries.clear()
    visit.add("Encounter", _encounter(visit, condition_keys), kind="encounter", local_id=str(appointment.pk))
    bundle = {"resourceType": "Bundle", "type": "transaction", "entry": [*visit.entries, *conditions, *others]}
    validate_bundle(wire(bundle))
    return bundle


def wire(bundle: dict) -> dict:
    """The Bundle as it goes on the wire (without our "_key" bookkeeping)."""
    return {**bundle, "entry": [{k: v for k, v in entry.items() if k != "_key"} for entry in bundle["entry"]]}


def entry_keys(bundle: dict) -> list[str]:
    return [entry["_key"] for entry in bundle["entry"]]


def validate_resource(resource: dict) -> None:
    """Raises ValueError with pydantic's message when fhir.resources (R4B) refuses `resource`."""
    try:
        get_fhir_model_class(resource["resourceType"]).model_validate(resource)
    except (PydanticValidationError, KeyError) as error:
        raise ValueError(f"{resource.get('resourceType', '?')}: {error}") from error


def validate_bundle(bundle: dict) -> None:
    """Each entry's resource by its own model, then the Bundle's structure around them (without
    the resources, which would otherwise be validated a second time)."""
    for entry in bundle["entry"]:
        validate_resource(entry["resource"])
    shell = {**bundle, "entry": [{k: v for k, v in entry.items() if k != "resource"} for entry in bundle["entry"]]}
    try:
        Bundle.model_validate(shell)
    except PydanticValidationError as error:
        raise ValueError(f"Bundle: {error}") from error
