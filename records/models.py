from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from core.text import text_limit
from patients.models import Doctor, Patient
from records.icd10 import icd10_name
from scheduling.models import Appointment


class MedicalRecord(models.Model):
    """What the doctor wrote about one visit. One record per appointment."""

    patient = models.ForeignKey(
        Patient, on_delete=models.PROTECT, related_name="medical_records", verbose_name=_("patient")
    )
    doctor = models.ForeignKey(
        Doctor, on_delete=models.PROTECT, related_name="medical_records", verbose_name=_("doctor")
    )
    appointment = models.OneToOneField(
        Appointment, on_delete=models.PROTECT, related_name="medical_record", verbose_name=_("appointment")
    )
    complaint = models.TextField(_("complaint and symptoms"), blank=True, **text_limit("note"))
    allergies = models.TextField(_("allergies"), blank=True, **text_limit("note"))
    systolic_bp = models.PositiveSmallIntegerField(
        _("systolic blood pressure (mmHg)"),
        null=True,
        blank=True,
        validators=[MinValueValidator(50), MaxValueValidator(300)],
    )
    diastolic_bp = models.PositiveSmallIntegerField(
        _("diastolic blood pressure (mmHg)"),
        null=True,
        blank=True,
        validators=[MinValueValidator(20), MaxValueValidator(200)],
    )
    heart_rate = models.PositiveSmallIntegerField(
        _("heart rate (/min)"), null=True, blank=True, validators=[MinValueValidator(20), MaxValueValidator(300)]
    )
    respiratory_rate = models.PositiveSmallIntegerField(
        _("respiratory rate (/min)"), null=True, blank=True, validators=[MinValueValidator(4), MaxValueValidator(80)]
    )
    temperature_c = models.DecimalField(
        _("temperature (°C)"),
        max_digits=4,
        decimal_places=1,
        null=True,
        blank=True,
        validators=[MinValueValidator(30), MaxValueValidator(45)],
    )
    oxygen_saturation = models.PositiveSmallIntegerField(
        _("SpO₂ (%)"), null=True, blank=True, validators=[MinValueValidator(50), MaxValueValidator(100)]
    )
    weight_kg = models.DecimalField(
        _("weight (kg)"),
        max_digits=5,
        decimal_places=1,
        null=True,
        blank=True,
        validators=[MinValueValidator(0.5), MaxValueValidator(500)],
    )
    height_cm = models.DecimalField(
        _("height (cm)"),
        max_digits=4,
        decimal_places=1,
        null=True,
        blank=True,
        validators=[MinValueValidator(20), MaxValueValidator(260)],
    )
    diagnosis = models.TextField(_("diagnosis"), blank=True, **text_limit("note"))
    icd10_code = models.CharField(_("ICD-10 code"), max_length=10, blank=True)
    treatment = models.TextField(_("treatment"), blank=True, **text_limit("clinical"))
    prescription = models.TextField(_("prescription"), blank=True, **text_limit("clinical"))
    notes = models.TextField(_("notes"), blank=True, **text_limit("clinical"))
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        db_table = "medical_records"
        verbose_name = _("medical record")
        verbose_name_plural = _("medical records")
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["patient", "created_at"], name="medical_records_patient_idx"),
            models.Index(fields=["doctor", "created_at"], name="medical_records_doctor_idx"),
            models.Index(fields=["icd10_code"], name="medical_records_icd10_idx"),
            # The admin's list, newest first, stops after one page.
            models.Index(fields=["created_at", "id"], name="medical_records_created_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(systolic_bp__isnull=True) | Q(systolic_bp__gte=50, systolic_bp__lte=300),
                name="medical_records_systolic_plausible",
            ),
            models.CheckConstraint(
                condition=Q(diastolic_bp__isnull=True) | Q(diastolic_bp__gte=20, diastolic_bp__lte=200),
                name="medical_records_diastolic_plausible",
            ),
            models.CheckConstraint(
                condition=Q(systolic_bp__isnull=True)
                | Q(diastolic_bp__isnull=True)
                | Q(systolic_bp__gt=F("diastolic_bp")),
                name="medical_records_systolic_above_diastolic",
            ),
            models.CheckConstraint(
                condition=Q(temperature_c__isnull=True) | Q(temperature_c__gte=30, temperature_c__lte=45),
                name="medical_records_temperature_plausible",
            ),
            models.CheckConstraint(
                condition=Q(heart_rate__isnull=True) | Q(heart_rate__gte=20, heart_rate__lte=300),
                name="medical_records_heart_rate_plausible",
            ),
            models.CheckConstraint(
                condition=Q(oxygen_saturation__isnull=True) | Q(oxygen_saturation__gte=50, oxygen_saturation__lte=100),
                name="medical_records_spo2_plausible",
            ),
        ]

    def __str__(self):
        return f"{self.patient.full_name}, {self.created_at:%d-%m-%Y}" if self.created_at else self.patient.full_name

    @property
    def icd10_name(self) -> str:
        """The ICD-10 code's name in the active language (Indonesian or English)."""
        return icd10_name(self.icd10_code)

    def clean(self):
        if self.systolic_bp and self.diastolic_bp and self.systolic_bp <= self.diastolic_bp:
            raise ValidationError({"diastolic_bp": _("The diastolic pressure must be below the systolic pressure.")})
        if self.appointment_id and (
            self.patient_id != self.appointment.patient_id or self.doctor_id != self.appointment.doctor_id
        ):
            raise ValidationError(_("The record must belong to the appointment's patient and doctor."))


class LabResult(models.Model):
    """A numeric laboratory result; it is flagged abnormal when outside its reference range."""

    medical_record = models.ForeignKey(
        MedicalRecord, on_delete=models.PROTECT, related_name="lab_results", verbose_name=_("medical record")
    )
    test_name = models.CharField(_("test"), max_length=100)
    value = models.DecimalField(_("value"), max_digits=12, decimal_places=3)
    unit = models.CharField(_("unit"), max_length=30, blank=True)
    reference_low = models.DecimalField(_("reference low"), max_digits=12, decimal_places=3, null=True, blank=True)
    reference_high = models.DecimalField(_("reference high"), max_digits=12, decimal_places=3, null=True, blank=True)
    is_abnormal = models.BooleanField(_("abnormal"), default=False, editable=False)
    sampled_at = models.DateTimeField(_("sampled at"))
    reported_at = models.DateTimeField(_("reported at"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("entered by"),
    )

    class Meta:
        db_table = "lab_results"
        verbose_name = _("lab result")
        verbose_name_plural = _("lab results")
        ordering = ["sampled_at", "id"]
        indexes = [
            models.Index(fields=["medical_record", "sampled_at"], name="lab_results_record_idx"),
            models.Index(fields=["test_name"], name="lab_results_test_idx"),
            # The admin's list, newest first, stops after one page.
            models.Index(fields=["sampled_at", "id"], name="lab_results_sampled_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(reference_low__isnull=True)
                | Q(reference_high__isnull=True)
                | Q(reference_low__lte=F("reference_high")),
                name="lab_results_reference_range_ordered",
            ),
            models.CheckConstraint(
                condition=Q(reported_at__isnull=True) | Q(reported_at__gte=F("sampled_at")),
                name="lab_results_reported_after_sampled",
            ),
        ]

    def __str__(self):
        return f"{self.test_name}: {self.value} {self.unit}"

    def save(self, *args, **kwargs):
        self.is_abnormal = self.compute_abnormal()
        update_fields = kwargs.get("update_fields")
        if update_fields is not None:
            kwargs["update_fields"] = {*update_fields, "is_abnormal"}
        super().save(*args, **kwargs)

    def clean(self):
        if (
            self.reference_low is not None
            and self.reference_high is not None
            and self.reference_low > self.reference_high
        ):
            raise ValidationError({"reference_high": _("The upper limit must not be below the lower limit.")})
        if self.reported_at and self.sampled_at and self.reported_at < self.sampled_at:
            raise ValidationError({"reported_at": _("A result cannot be reported before it was sampled.")})

    def compute_abnormal(self) -> bool:
        if self.value is None:
            return False
        low, high = self.reference_low, self.reference_high
        return (low is not None and self.value < low) or (high is not None and self.value > high)


class Version(models.Model):
    """What every earlier version holds: its number, the snapshot, why and by whom it changed."""

    version = models.PositiveIntegerField(_("version"))
    snapshot = models.JSONField(_("content"))
    reason = models.TextField(_("reason for correction"), blank=True, **text_limit("note"))
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("changed by"),
    )
    changed_at = models.DateTimeField(_("changed at"))

    class Meta:
        abstract = True


class MedicalRecordVersion(Version):
    """The state of a medical record before one of its changes. A correction never loses what
    was written: version 1 is the first saved text, the record itself is always the newest."""

    record = models.ForeignKey(
        MedicalRecord, on_delete=models.PROTECT, related_name="versions", verbose_name=_("medical record")
    )

    class Meta:
        db_table = "medical_record_versions"
        verbose_name = _("earlier version of a medical record")
        verbose_name_plural = _("earlier versions of medical records")
        ordering = ["record", "version"]
        constraints = [
            models.UniqueConstraint(fields=["record", "version"], name="medical_record_versions_unique"),
        ]

    def __str__(self):
        return f"{self.record_id} v{self.version}"


class LabResultVersion(Version):
    """The state of a lab result before one of its corrections."""

    lab_result = models.ForeignKey(
        LabResult, on_delete=models.PROTECT, related_name="versions", verbose_name=_("lab result")
    )

    class Meta:
        db_table = "lab_result_versions"
        verbose_name = _("earlier version of a lab result")
        verbose_name_plural = _("earlier versions of lab results")
        ordering = ["lab_result", "version"]
        constraints = [
            models.UniqueConstraint(fields=["lab_result", "version"], name="lab_result_versions_unique"),
        ]

    def __str__(self):
        return f"{self.lab_result_id} v{self.version}"
