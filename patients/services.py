"""Every change to patients goes through these functions."""

import datetime
from collections.abc import Mapping
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from core import summaries
from core.crypto import blind_index, email_normalise, phone_normalise
from core.text import normalise_text
from patients.models import Patient, PatientNameWord, name_words
from patients.selectors import patient_possible_duplicates
from patients.summaries import registration

# The oldest date of birth a registration takes: 0001-01-01 or 1800-01-01 is a typing mistake.
EARLIEST_BIRTH_DATE = datetime.date(1900, 1, 1)

PATIENT_FIELDS = (
    "full_name",
    "nik",
    "date_of_birth",
    "gender",
    "phone",
    "email",
    "address",
    "blood_type",
    "emergency_contact_name",
    "emergency_contact_phone",
    "is_active",
)


class DuplicatePatient(ValidationError):
    """The patient may already be registered.

    `nik_taken`: another patient has this NIK; this can never be saved (the message is on the
    NIK field). Otherwise someone has the same name and date of birth, and the caller may save
    anyway once the user confirms it is a different person. `duplicates` lists them."""

    def __init__(self, duplicates: list[Patient], *, nik_taken: bool):
        if nik_taken:
            owner = next(p for p in duplicates if p.nik)
            message = {
                "nik": _("This NIK is already registered to %(name)s (%(rm)s).")
                % {"name": owner.full_name, "rm": owner.medical_record_number}
            }
        else:
            message = _(
                "A patient with the same name and date of birth is already registered. "
                "Check that this is not the same person."
            )
        super().__init__(message, code="duplicate")
        self.duplicates = duplicates
        self.nik_taken = nik_taken


def patient_normalise(data: Mapping[str, Any]) -> dict[str, Any]:
    """The patient's fields as stored: +62 phones, lowercase email, NIK digits, tidy name."""
    clean = {name: data[name] for name in PATIENT_FIELDS if name in data}
    if "full_name" in clean:
        full_name = " ".join((clean["full_name"] or "").split())
        # A name has a letter. One of only control, format or combining characters is no name:
        # MariaDB's collation compares it equal to '' and the not-empty constraint made it a 500.
        clean["full_name"] = full_name if any(ch.isalpha() for ch in full_name) else ""
    if "nik" in clean:
        nik = "".join(normalise_text(clean["nik"] or "").split())
        clean["nik"] = nik or None
    for name in ("phone", "emergency_contact_phone"):
        if name in clean:
            clean[name] = phone_normalise(clean[name] or "")
    if "email" in clean:
        clean["email"] = email_normalise(clean["email"])
    return clean


def _check_date_of_birth(patient: Patient) -> None:
    born = patient.date_of_birth
    if born and born > timezone.localdate():
        raise ValidationError({"date_of_birth": _("The date of birth cannot be in the future.")})
    if born and born < EARLIEST_BIRTH_DATE:
        raise ValidationError(
            {
                "date_of_birth": _("The date of birth must be on or after %(date)s. Please check the year.")
                % {"date": EARLIEST_BIRTH_DATE.strftime("%d-%m-%Y")}
            }
        )


def _check_duplicates(*, patient: Patient, confirmed_not_duplicate: bool) -> None:
    duplicates = patient_possible_duplicates(
        nik=patient.nik, full_name=patient.full_name, date_of_birth=patient.date_of_birth, exclude_pk=patient.pk
    )
    same_nik = [p for p in duplicates if patient.nik and p.nik == patient.nik]
    if same_nik:
        raise DuplicatePatient(same_nik, nik_taken=True)
    if duplicates and not confirmed_not_duplicate:
        raise DuplicatePatient(duplicates, nik_taken=False)


def patient_name_words_sync(patient: Patient, *, new: bool = False) -> None:
    """The words table (PatientNameWord) follows the patient's name: the any-word search reads it.
    A new patient's words are one INSERT; a renamed patient's are replaced."""
    if not new:
        PatientNameWord.objects.filter(patient=patient).delete()
    PatientNameWord.objects.bulk_create(
        [PatientNameWord(patient=patient, word=w) for w in name_words(patient.full_name)]
    )


def _save(patient: Patient, *, update_fields=None) -> None:
    """Saves in a savepoint; a NIK taken by a concurrent registration becomes a form error."""
    try:
        with transaction.atomic():
            patient.save(update_fields=update_fields)
    except IntegrityError:
        nik_hash = blind_index("nik", patient.nik)
        if nik_hash and (owner := Patient.objects.filter(nik_hash=nik_hash).exclude(pk=patient.pk).first()):
            raise DuplicatePatient([owner], nik_taken=True) from None
        raise


@transaction.atomic
def patient_register(*, data: Mapping[str, Any], by: User | None, confirmed_not_duplicate: bool = False) -> Patient:
    """Registers a patient; Patient.save gives the No. RM.

    Raises DuplicatePatient for the same name and date of birth unless confirmed, and for a NIK
    that is already registered (never allowed); ValidationError for bad data."""
    patient = Patient(**patient_normalise(data))
    patient.full_clean(exclude=["medical_record_number"], validate_unique=False)
    _check_date_of_birth(patient)
    _check_duplicates(patient=patient, confirmed_not_duplicate=confirmed_not_duplicate)
    # Two registrations at the same moment can draw the same No. RM: the unique index
    # refuses the second one, which takes the next number.
    for attempt in range(5):
        try:
            _save(patient)
            patient_name_words_sync(patient, new=True)
            summaries.apply({}, registration(patient))
            return patient
        except IntegrityError:
            if attempt == 4:
                raise
            patient.pk = None
            patient.medical_record_number = ""
    raise AssertionError("unreachable")


@transaction.atomic
def patient_update(
    *, patient: Patient, data: Mapping[str, Any], by: User | None, confirmed_not_duplicate: bool = False
) -> Patient:
    """Changes a patient's details. The duplicate warning is given only when the name, date of
    birth or NIK change, so a patient confirmed once is not warned about at every edit."""
    patient = Patient.objects.select_for_update().get(pk=patient.pk)
    before = (patient.full_name.casefold(), patient.date_of_birth, patient.nik)
    counted = registration(patient)
    for name, value in patient_normalise(data).items():
        setattr(patient, name, value)
    patient.full_clean(exclude=["medical_record_number"], validate_unique=False)
    _check_date_of_birth(patient)
    if (patient.full_name.casefold(), patient.date_of_birth, patient.nik) != before:
        _check_duplicates(patient=patient, confirmed_not_duplicate=confirmed_not_duplicate)
    _save(patient)
    if patient.full_name.casefold() != before[0]:
        patient_name_words_sync(patient)
    summaries.apply(counted, registration(patient))
    return patient


@transaction.atomic
def patient_deactivate(*, patient: Patient, by: User | None) -> Patient:
    """Takes a patient off the register; their history stays."""
    patient = Patient.objects.select_for_update().get(pk=patient.pk)
    if patient.is_active:
        counted = registration(patient)
        patient.is_active = False
        patient.save(update_fields=["is_active", "updated_at"])
        summaries.apply(counted, registration(patient))
    return patient
