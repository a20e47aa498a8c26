import re

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import models
from django.db.models.signals import pre_save
from django.dispatch import receiver
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from core.crypto import blind_index
from core.fields import (
    BlindIndexField,
    EncryptedCharField,
    EncryptedEmailField,
    fill_blind_indexes,
    with_blind_indexes,
)
from core.text import text_limit, validate_no_bidi_controls

# [0-9], not \d: \d also matches other scripts' digits (core/text.py).
nik_validator = RegexValidator(r"^[0-9]{16}$", _("NIK must be exactly 16 digits."))
phone_validator = RegexValidator(
    r"^\+62[0-9]{8,13}$", _("Write the phone number as +62 followed by 8 to 13 digits, e.g. +6281234567890.")
)


class Patient(models.Model):
    class Gender(models.TextChoices):
        MALE = "M", _("Male")
        FEMALE = "F", _("Female")

    class BloodType(models.TextChoices):
        A_POS = "A+", "A+"
        A_NEG = "A-", "A-"
        B_POS = "B+", "B+"
        B_NEG = "B-", "B-"
        AB_POS = "AB+", "AB+"
        AB_NEG = "AB-", "AB-"
        O_POS = "O+", "O+"
        O_NEG = "O-", "O-"
        UNKNOWN = "", _("Unknown")

    class Religion(models.TextChoices):
        ISLAM = "islam", _("Islam")
        PROTESTANT = "protestant", _("Protestant")
        CATHOLIC = "catholic", _("Catholic")
        HINDU = "hindu", _("Hindu")
        BUDDHIST = "buddhist", _("Buddhist")
        CONFUCIAN = "confucian", _("Confucian")
        OTHER = "other", _("Other belief")

    class Education(models.TextChoices):
        NONE = "none", _("No schooling")
        SD = "sd", _("Primary school (SD)")
        SMP = "smp", _("Junior high school (SMP)")
        SMA = "sma", _("Senior high school (SMA/SMK)")
        DIPLOMA = "diploma", _("Diploma (D1–D4)")
        BACHELOR = "s1", _("Bachelor (S1)")
        MASTER = "s2", _("Master (S2)")
        DOCTORATE = "s3", _("Doctorate (S3)")

    class MaritalStatus(models.TextChoices):
        # The codes of HL7 v3 MaritalStatus, which the FHIR Patient.maritalStatus carries.
        UNMARRIED = "U", _("Not married")
        MARRIED = "M", _("Married")
        DIVORCED = "D", _("Divorced")
        WIDOWED = "W", _("Widowed")

    medical_record_number = models.CharField(
        _("medical record number (No. RM)"), max_length=20, unique=True, editable=False
    )
    # NIK, phone numbers and email are stored encrypted (core/fields.py); the validators check
    # the plain value. Exact search and NIK uniqueness go through the blind indexes (*_hash).
    nik = EncryptedCharField(
        _("NIK"),
        max_length=16,
        null=True,
        blank=True,
        validators=[nik_validator],
        help_text=_("16-digit national identity number (KTP); leave empty if unknown."),
    )
    full_name = models.CharField(_("full name"), max_length=150, validators=[validate_no_bidi_controls])
    date_of_birth = models.DateField(_("date of birth"))
    gender = models.CharField(_("gender"), max_length=1, choices=Gender.choices)
    phone = EncryptedCharField(_("phone"), max_length=20, blank=True, validators=[phone_validator])
    email = EncryptedEmailField(_("email"), blank=True)
    address = models.TextField(_("address"), blank=True, **text_limit("address"))
    blood_type = models.CharField(_("blood type"), max_length=3, choices=BloodType.choices, blank=True)
    emergency_contact_name = models.CharField(
        _("emergency contact"), max_length=150, blank=True, validators=[validate_no_bidi_controls]
    )
    emergency_contact_phone = EncryptedCharField(
        _("emergency contact phone"), max_length=20, blank=True, validators=[phone_validator]
    )
    # Keyed HMACs of the normalised values (core.crypto.blind_index), set by the pre_save
    # receiver below; NULL when the value is empty. A NIK is registered once: nik_hash is unique.
    nik_hash = BlindIndexField(source="nik", kind="nik", unique=True)
    phone_hash = BlindIndexField(source="phone", kind="phone")
    email_hash = BlindIndexField(source="email", kind="email")
    # Permenkes 24/2022's registration minimum besides No. RM, name and NIK (docs/satusehat.md).
    # db_default: the bulk loaders (sampledata.seed) insert rows without naming these columns.
    place_of_birth = models.CharField(_("place of birth"), max_length=100, blank=True, default="", db_default="")
    religion = models.CharField(
        _("religion"), max_length=20, choices=Religion.choices, blank=True, default="", db_default=""
    )
    occupation = models.CharField(_("occupation"), max_length=100, blank=True, default="", db_default="")
    education = models.CharField(
        _("education"), max_length=20, choices=Education.choices, blank=True, default="", db_default=""
    )
    marital_status = models.CharField(
        _("marital status"), max_length=1, choices=MaritalStatus.choices, blank=True, default="", db_default=""
    )
    # The national patient id (SATUSEHAT's IHS number), filled in by the look-up by NIK.
    ihs_number = models.CharField(_("IHS number (SATUSEHAT)"), max_length=20, blank=True, default="", db_default="")
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(_("registered at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        db_table = "patients"
        verbose_name = _("patient")
        verbose_name_plural = _("patients")
        ordering = ["full_name", "id"]
        indexes = [
            models.Index(fields=["full_name"], name="patients_full_name_idx"),
            models.Index(fields=["date_of_birth"], name="patients_dob_idx"),
            models.Index(fields=["phone_hash"], name="patients_phone_hash_idx"),
            models.Index(fields=["email_hash"], name="patients_email_hash_idx"),
            models.Index(fields=["created_at"], name="patients_created_idx"),
        ]
        constraints = [
            models.CheckConstraint(condition=models.Q(gender__in=["M", "F"]), name="patients_gender_valid"),
            models.CheckConstraint(
                condition=models.Q(blood_type__in=["", "A+", "A-", "B+", "B-", "AB+", "AB-", "O+", "O-"]),
                name="patients_blood_type_valid",
            ),
            models.CheckConstraint(condition=~models.Q(full_name=""), name="patients_full_name_not_empty"),
        ]

    def __str__(self):
        return f"{self.full_name} ({self.medical_record_number})"

    def save(self, *args, **kwargs):
        if self.nik == "":
            self.nik = None  # empty means unknown; NULLs do not collide in the unique index
        if not self.medical_record_number:
            self.medical_record_number = Patient.next_medical_record_number()
        # A save of only some fields writes the blind indexes of those fields with them.
        kwargs["update_fields"] = with_blind_indexes(Patient, kwargs.get("update_fields"))
        super().save(*args, **kwargs)

    def get_absolute_url(self):
        return reverse("admin:patients_patient_change", args=[self.pk])

    def validate_unique(self, exclude=None):
        """Also the NIK, whose uniqueness the database keeps on nik_hash (the admin's forms)."""
        super().validate_unique(exclude=exclude)
        if self.nik and "nik" not in (exclude or ()):
            others = Patient.objects.filter(nik_hash=blind_index("nik", self.nik))
            if self.pk is not None:
                others = others.exclude(pk=self.pk)
            if others.exists():
                raise ValidationError(
                    {"nik": ValidationError(_("A patient with this NIK is already registered."), code="unique")}
                )

    @staticmethod
    def next_medical_record_number() -> str:
        """The next No. RM: "RM-" and a zero-padded serial one above the highest so far.

        The unique index settles a race between two registrations; the loser retries."""
        last = (
            Patient.objects.filter(medical_record_number__startswith="RM-")
            .order_by("-medical_record_number")
            .values_list("medical_record_number", flat=True)
            .first()
        )
        serial = int(last[3:]) + 1 if last else 1
        return f"RM-{serial:07d}"


@receiver(pre_save, sender=Patient, dispatch_uid="patients:blind_indexes")
def patient_blind_indexes(sender, instance: Patient, raw: bool = False, **kwargs) -> None:
    """Fills nik_hash, phone_hash and email_hash before every save. A signal rather than save():
    `loaddata` sends pre_save (raw=True) and then inserts the instance's attributes, so the sample
    data loads indexed (and, through the fields, encrypted)."""
    if instance.nik == "":
        instance.nik = None
    fill_blind_indexes(instance)


class Room(models.Model):
    """A room or poli where doctors see patients; SATUSEHAT knows it as a Location."""

    name = models.CharField(_("name"), max_length=100, unique=True)
    satusehat_location_id = models.CharField(
        _("SATUSEHAT Location id"),
        max_length=64,
        blank=True,
        help_text=_("The Location's id registered for this room on the SATUSEHAT platform."),
    )
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        db_table = "rooms"
        verbose_name = _("room / poli")
        verbose_name_plural = _("rooms / poli")
        ordering = ["name", "id"]

    def __str__(self):
        return self.name


NAME_WORDS_MAX = 8  # a name's first eight words are searchable (names have two to four)
_WORD = re.compile(r"\w+")


def name_words(text: str) -> list[str]:
    """The searchable words of a name or a query, case-folded, each once, in order:
    "Dewi Tri Wijayanti" → ["dewi", "tri", "wijayanti"]; "Ni Luh Putu" → ["ni", "luh", "putu"]."""
    words = []
    for word in _WORD.findall((text or "").casefold()):
        if word not in words:
            words.append(word[:150])
    return words[:NAME_WORDS_MAX]


class PatientNameWord(models.Model):
    """One word of a patient's name: the index that finds "Wijayanti" in "Dewi Tri Wijayanti" on
    every database (a prefix of the word, through an ordinary index). Derived from full_name and
    kept by patients.services (patient_name_words_sync); rebuilt by `manage.py
    patient_name_words`. Not clinical data: it goes with its patient."""

    patient = models.ForeignKey(Patient, on_delete=models.CASCADE, related_name="name_words")
    word = models.CharField(max_length=150)

    class Meta:
        db_table = "patient_name_words"
        indexes = [
            # PostgreSQL: varchar_pattern_ops serves LIKE 'word%' under any collation; the other
            # databases ignore the operator classes (patients.selectors.word_prefix_condition).
            # With the patient's id in it, the search reads its candidates from the index alone
            # (200 row lookups fewer per search).
            models.Index(
                fields=["word", "patient"],
                name="patient_name_words_word_pt_idx",
                opclasses=["varchar_pattern_ops", "int8_ops"],
            ),
        ]
        constraints = [
            models.UniqueConstraint(fields=["patient", "word"], name="patient_name_words_unique"),
        ]

    def __str__(self):
        return self.word


class Doctor(models.Model):
    full_name = models.CharField(_("full name"), max_length=150, validators=[validate_no_bidi_controls])
    specialization = models.CharField(_("specialization"), max_length=100)
    license_number = models.CharField(_("licence number (SIP/STR)"), max_length=50, unique=True)
    phone = models.CharField(_("phone"), max_length=20, blank=True, validators=[phone_validator])
    email = models.EmailField(_("email"), blank=True)
    # Encrypted like the patients' NIK; the blind index finds a doctor by it and keeps it unique.
    nik = EncryptedCharField(_("NIK"), max_length=16, null=True, blank=True, validators=[nik_validator])
    nik_hash = BlindIndexField(source="nik", kind="nik", unique=True)
    ihs_id = models.CharField(
        _("practitioner IHS id (SATUSEHAT)"), max_length=20, blank=True, default="", db_default=""
    )
    room = models.ForeignKey(
        Room, on_delete=models.PROTECT, null=True, blank=True, related_name="doctors", verbose_name=_("room / poli")
    )
    is_active = models.BooleanField(_("active"), default=True)
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="doctor_profile",
        verbose_name=_("user account"),
        limit_choices_to={"role": "doctor"},
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        db_table = "doctors"
        verbose_name = _("doctor")
        verbose_name_plural = _("doctors")
        ordering = ["full_name", "id"]
        indexes = [
            models.Index(fields=["full_name"], name="doctors_full_name_idx"),
            models.Index(fields=["is_active", "specialization"], name="doctors_active_spec_idx"),
        ]

    def __str__(self):
        return f"{self.full_name} ({self.specialization})"

    def save(self, *args, **kwargs):
        if self.nik == "":
            self.nik = None
        kwargs["update_fields"] = with_blind_indexes(Doctor, kwargs.get("update_fields"))
        super().save(*args, **kwargs)

    def validate_unique(self, exclude=None):
        """Also the NIK, whose uniqueness the database keeps on nik_hash (the admin's form)."""
        super().validate_unique(exclude=exclude)
        if self.nik and "nik" not in (exclude or ()):
            others = Doctor.objects.filter(nik_hash=blind_index("nik", self.nik))
            if self.pk is not None:
                others = others.exclude(pk=self.pk)
            if others.exists():
                raise ValidationError(
                    {"nik": ValidationError(_("A doctor with this NIK is already registered."), code="unique")}
                )


@receiver(pre_save, sender=Doctor, dispatch_uid="patients:doctor_blind_indexes")
def doctor_blind_indexes(sender, instance: Doctor, raw: bool = False, **kwargs) -> None:
    """The doctor's nik_hash, also when `loaddata` inserts the sample data."""
    if instance.nik == "":
        instance.nik = None
    fill_blind_indexes(instance)


class WorkingHours(models.Model):
    """A weekly block in which a doctor takes appointments."""

    class Weekday(models.IntegerChoices):
        MONDAY = 0, _("Monday")
        TUESDAY = 1, _("Tuesday")
        WEDNESDAY = 2, _("Wednesday")
        THURSDAY = 3, _("Thursday")
        FRIDAY = 4, _("Friday")
        SATURDAY = 5, _("Saturday")
        SUNDAY = 6, _("Sunday")

    doctor = models.ForeignKey(Doctor, on_delete=models.CASCADE, related_name="working_hours", verbose_name=_("doctor"))
    weekday = models.PositiveSmallIntegerField(_("day"), choices=Weekday.choices)
    start_time = models.TimeField(_("from"))
    end_time = models.TimeField(_("until"))

    class Meta:
        db_table = "doctor_working_hours"
        verbose_name = _("working hours")
        verbose_name_plural = _("working hours")
        ordering = ["doctor", "weekday", "start_time"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(end_time__gt=models.F("start_time")), name="working_hours_end_after_start"
            ),
            models.CheckConstraint(condition=models.Q(weekday__lte=6), name="working_hours_weekday_valid"),
            models.UniqueConstraint(fields=["doctor", "weekday", "start_time"], name="working_hours_unique_block"),
        ]

    def __str__(self):
        return f"{self.get_weekday_display()} {self.start_time:%H.%M}–{self.end_time:%H.%M}"


class RegistrationDaily(models.Model):
    """Patients registered per clinic day (of created_at), and how many of them are active.
    Kept by patients.services in the same transaction as the patient (patients/summaries.py)."""

    day = models.DateField(_("day"), unique=True)
    registered = models.BigIntegerField(_("registered"), default=0)
    active = models.BigIntegerField(_("active"), default=0)

    class Meta:
        db_table = "summary_registration_daily"
        verbose_name = _("daily registrations")
        verbose_name_plural = _("daily registrations")

    def __str__(self):
        return str(self.day)
