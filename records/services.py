"""Medical records and lab results change only through these functions.

The record always belongs to the appointment's patient and doctor: they are taken from the
appointment, never from what a form sent. A change never loses what was there before: the
stored state is kept as a MedicalRecordVersion / LabResultVersion first. After the visit is
completed, only its doctor may still correct it, and a correction needs a reason."""

from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from audit.services import json_safe
from records.icd10 import icd10_is_valid, icd10_normalise
from records.models import LabResult, LabResultVersion, MedicalRecord, MedicalRecordVersion
from scheduling.models import Appointment

RECORD_FIELDS = (
    "complaint",
    "allergies",
    "systolic_bp",
    "diastolic_bp",
    "heart_rate",
    "respiratory_rate",
    "temperature_c",
    "oxygen_saturation",
    "weight_kg",
    "height_cm",
    "diagnosis",
    "icd10_code",
    "treatment",
    "prescription",
    "notes",
)
_NULLABLE = {name for name in RECORD_FIELDS if MedicalRecord._meta.get_field(name).null}
LAB_FIELDS = ("test_name", "value", "unit", "reference_low", "reference_high", "sampled_at", "reported_at")
CORRECTION_REASON_MIN = 10
COMPLETED = Appointment.Status.COMPLETED


def _writable_visit(*, appointment: Appointment, by: User, correction: bool = False) -> Appointment:
    """Locks the appointment and checks that `by` is its doctor and the consultation is on
    (`correction`: or the visit is completed)."""
    locked = Appointment.objects.select_for_update().get(pk=appointment.pk)
    doctor = getattr(by, "doctor_profile", None)
    if doctor is None or doctor.pk != locked.doctor_id:
        raise ValidationError(_("Only the doctor of this visit can write its medical record."))
    if correction and locked.status == COMPLETED:
        return locked
    if locked.status != Appointment.Status.IN_CONSULTATION:
        raise ValidationError(
            _("The medical record can be written only while the patient is in consultation (now: %(status)s).")
            % {"status": locked.get_status_display()}
        )
    return locked


def _record_for(appointment: Appointment) -> MedicalRecord:
    record = MedicalRecord.objects.filter(appointment=appointment).first()
    if record is None:
        record = MedicalRecord(
            appointment=appointment, patient_id=appointment.patient_id, doctor_id=appointment.doctor_id
        )
    return record


def _correction_reason(appointment: Appointment, reason: str) -> str:
    """A completed visit's record is corrected only with a reason (kept in the earlier version)."""
    reason = (reason or "").strip()
    if appointment.status == COMPLETED and len(reason) < CORRECTION_REASON_MIN:
        raise ValidationError(
            {
                "reason": _("This visit is completed: say why the record is corrected (at least %(min)d characters).")
                % {"min": CORRECTION_REASON_MIN}
            }
        )
    return reason


def _state(obj, fields) -> dict[str, Any]:
    return {name: getattr(obj, name) for name in fields}


def _keep_version(version_model, *, parent: str, obj, before: dict[str, Any], reason: str, by: User) -> None:
    """Stores `before` (the stored state of `obj`) as its next version."""
    last = (
        version_model.objects.filter(**{parent: obj}).order_by("-version").values_list("version", flat=True).first()
    ) or 0
    version_model.objects.create(
        **{parent: obj},
        version=last + 1,
        snapshot=json_safe(before),
        reason=reason,
        changed_by=by,
        changed_at=timezone.now(),
    )


def _save(obj, message: str) -> None:
    try:
        with transaction.atomic():
            obj.save()
    except IntegrityError:  # a database constraint the form did not catch
        raise ValidationError(message) from None


@transaction.atomic
def medical_record_save(*, appointment: Appointment, data: dict[str, Any], by: User, reason: str = "") -> MedicalRecord:
    """Creates or updates the one medical record of the appointment. Keys of `data` other than
    the record's own fields (patient, doctor, appointment...) are ignored. Updating keeps the
    stored state as a version first; on a completed visit it is a correction and needs `reason`."""
    appointment = _writable_visit(appointment=appointment, by=by, correction=True)
    reason = _correction_reason(appointment, reason)
    record = _record_for(appointment)
    if record.pk is None and appointment.status == COMPLETED:
        raise ValidationError(_("This visit is completed and has no medical record to correct."))
    before = _state(record, RECORD_FIELDS) if record.pk else None
    for name in RECORD_FIELDS:
        if name in data:
            value = data[name]
            setattr(record, name, "" if value is None and name not in _NULLABLE else value)
    if record.icd10_code:
        record.icd10_code = icd10_normalise(record.icd10_code)
        if not icd10_is_valid(record.icd10_code):
            raise ValidationError(
                {
                    "icd10_code": _("%(code)s is not an ICD-10 code. Search by code or by words.")
                    % {"code": record.icd10_code}
                }
            )
    record.full_clean()
    if before is not None and before != _state(record, RECORD_FIELDS):
        _keep_version(MedicalRecordVersion, parent="record", obj=record, before=before, reason=reason, by=by)
    _save(record, _("The medical record could not be saved: please check the vital signs."))
    return record


@transaction.atomic
def lab_result_add(*, appointment: Appointment, data: dict[str, Any], by: User) -> LabResult:
    """Adds a lab result to the visit's record, creating the record first if it has none.
    The abnormal flag is computed from the reference range when it is saved."""
    appointment = _writable_visit(appointment=appointment, by=by)
    record = _record_for(appointment)
    if record.pk is None:
        record.full_clean()
        _save(record, _("The medical record could not be saved."))
    result = LabResult(
        medical_record=record, created_by=by, **{name: data[name] for name in LAB_FIELDS if name in data}
    )
    if result.sampled_at is None:
        result.sampled_at = timezone.now()
    result.full_clean()
    _save(result, _("The lab result could not be saved: please check the reference range and the times."))
    return result


@transaction.atomic
def lab_result_correct(
    *, appointment: Appointment, lab_result: LabResult, data: dict[str, Any], by: User, reason: str = ""
) -> LabResult:
    """Corrects a lab result of the visit, keeping its stored state as a version first; on a
    completed visit the correction needs `reason`."""
    appointment = _writable_visit(appointment=appointment, by=by, correction=True)
    reason = _correction_reason(appointment, reason)
    result = LabResult.objects.select_related("medical_record").get(pk=lab_result.pk)
    if result.medical_record.appointment_id != appointment.pk:
        raise ValidationError(_("This lab result does not belong to this visit."))
    before = {**_state(result, LAB_FIELDS), "is_abnormal": result.is_abnormal}
    for name in LAB_FIELDS:
        if name in data:
            setattr(result, name, data[name])
    result.full_clean()
    if before != {**_state(result, LAB_FIELDS), "is_abnormal": result.compute_abnormal()}:
        _keep_version(LabResultVersion, parent="lab_result", obj=result, before=before, reason=reason, by=by)
    _save(result, _("The lab result could not be saved: please check the reference range and the times."))
    return result
