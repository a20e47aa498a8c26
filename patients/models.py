from django.conf import settings
from django.core.validators import RegexValidator
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

nik_validator = RegexValidator(r"^\d{16}$", _("NIK must be exactly 16 digits."))
phone_validator = RegexValidator(
    r"^\+62\d{8,13}$", _("Write the phone number as +62 followed by 8 to 13 digits, e.g. +6281234567890.")
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

    medical_record_number = models.CharField(
        _("medical record number (No. RM)"), max_length=20, unique=True, editable=False
    )
    nik = models.CharField(
        _("NIK"), max_length=16, unique=True, null=True, blank=True, validators=[nik_validator],
        help_text=_("16-digit national identity number (KTP); leave empty if unknown."),
    )
    full_name = models.CharField(_("full name"), max_length=150)
    date_of_birth = models.DateField(_("date of birth"))
    gender = models.CharField(_("gender"), max_length=1, choices=Gender.choices)
    phone = models.CharField(_("phone"), max_length=20, blank=True, validators=[phone_validator])
    email = models.EmailField(_("email"), blank=True)
    address = models.TextField(_("address"), blank=True)
    blood_type = models.CharField(_("blood type"), max_length=3, choices=BloodType.choices, blank=True)
    emergency_contact_name = models.CharField(_("emergency contact"), max_length=150, blank=True)
    emergency_contact_phone = models.CharField(
        _("emergency contact phone"), max_length=20, blank=True, validators=[phone_validator]
    )
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
            models.Index(fields=["phone"], name="patients_phone_idx"),
            models.Index(fields=["email"], name="patients_email_idx"),
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
        super().save(*args, **kwargs)

    def get_absolute_url(self):
        return reverse("admin:patients_patient_change", args=[self.pk])

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


class Doctor(models.Model):
    full_name = models.CharField(_("full name"), max_length=150)
    specialization = models.CharField(_("specialization"), max_length=100)
    license_number = models.CharField(_("licence number (SIP/STR)"), max_length=50, unique=True)
    phone = models.CharField(_("phone"), max_length=20, blank=True, validators=[phone_validator])
    email = models.EmailField(_("email"), blank=True)
    is_active = models.BooleanField(_("active"), default=True)
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
        related_name="doctor_profile", verbose_name=_("user account"),
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

    doctor = models.ForeignKey(
        Doctor, on_delete=models.CASCADE, related_name="working_hours", verbose_name=_("doctor")
    )
    weekday = models.PositiveSmallIntegerField(_("day"), choices=Weekday.choices)
    start_time = models.TimeField(_("from"))
    end_time = models.TimeField(_("until"))

    class Meta:
        db_table = "doctor_working_hours"
        verbose_name = _("working hours")
        verbose_name_plural = _("working hours")
        ordering = ["doctor", "weekday", "start_time"]
        constraints = [
            models.CheckConstraint(condition=models.Q(end_time__gt=models.F("start_time")),
                                   name="working_hours_end_after_start"),
            models.CheckConstraint(condition=models.Q(weekday__lte=6), name="working_hours_weekday_valid"),
            models.UniqueConstraint(fields=["doctor", "weekday", "start_time"], name="working_hours_unique_block"),
        ]

    def __str__(self):
        return f"{self.get_weekday_display()} {self.start_time:%H.%M}–{self.end_time:%H.%M}"
