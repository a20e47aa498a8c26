import secrets

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from core.text import text_limit
from patients.models import Doctor, Patient


def validate_whole_rupiah(value) -> None:
    """Prices are whole rupiah: the cashier's form takes no cents (billing.forms.parse_rupiah)."""
    if value is not None and (value < 0 or value != value.to_integral_value()):
        raise ValidationError(_("Enter the price in whole rupiah (no cents), 0 or more."), code="whole_rupiah")


class Service(models.Model):
    """An item of the clinic's price list."""

    code = models.CharField(_("code"), max_length=20, unique=True)
    name = models.CharField(_("name"), max_length=150)
    price = models.DecimalField(_("price (Rp)"), max_digits=12, decimal_places=2, validators=[validate_whole_rupiah])
    duration_minutes = models.PositiveSmallIntegerField(_("duration (minutes)"), default=15)
    is_active = models.BooleanField(_("active"), default=True)
    # The doctors who give this service (e.g. "USG Kandungan" only the obstetrician); a service
    # linked to no doctor is offered with every doctor. Booking refuses any other pairing.
    doctors = models.ManyToManyField(
        Doctor,
        blank=True,
        related_name="services",
        db_table="service_doctors",
        verbose_name=_("given only by"),
        help_text=_("Leave empty when every doctor gives this service."),
    )

    class Meta:
        db_table = "services"
        verbose_name = _("service")
        verbose_name_plural = _("services")
        ordering = ["name", "id"]
        indexes = [models.Index(fields=["name"], name="services_name_idx")]
        constraints = [
            models.CheckConstraint(condition=Q(price__gte=0), name="services_price_not_negative"),
            models.CheckConstraint(condition=Q(duration_minutes__gt=0), name="services_duration_positive"),
        ]

    def __str__(self):
        return f"{self.code} — {self.name}"


class Appointment(models.Model):
    class Status(models.TextChoices):
        SCHEDULED = "scheduled", _("Scheduled")
        CHECKED_IN = "checked_in", _("Checked in")
        IN_CONSULTATION = "in_consultation", _("In consultation")
        COMPLETED = "completed", _("Completed")
        CANCELLED = "cancelled", _("Cancelled")
        NO_SHOW = "no_show", _("No-show")

        @classmethod
        def labels_by_value(cls) -> dict[str, str]:
            """{value: label} translated into the active language now: for a page that shows a
            status on every row, so that each label is looked up once (the templates' `{% set %}`)."""
            return {value: str(label) for value, label in cls.choices}

    # Which status may follow which: the same rules on every path (pages, admin, commands).
    TRANSITIONS = {
        Status.SCHEDULED: {Status.CHECKED_IN, Status.CANCELLED, Status.NO_SHOW},
        Status.CHECKED_IN: {Status.IN_CONSULTATION, Status.CANCELLED, Status.NO_SHOW},
        Status.IN_CONSULTATION: {Status.COMPLETED},
        Status.COMPLETED: set(),
        Status.CANCELLED: set(),
        Status.NO_SHOW: set(),
    }
    ACTIVE_STATUSES = (Status.SCHEDULED, Status.CHECKED_IN, Status.IN_CONSULTATION, Status.COMPLETED)

    patient = models.ForeignKey(
        Patient, on_delete=models.PROTECT, related_name="appointments", verbose_name=_("patient")
    )
    doctor = models.ForeignKey(Doctor, on_delete=models.PROTECT, related_name="appointments", verbose_name=_("doctor"))
    appointment_date = models.DateTimeField(_("start"))
    end_time = models.DateTimeField(_("end"))
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.SCHEDULED)
    # True while the appointment holds its slot, NULL once cancelled or a no-show. A plain
    # unique constraint over (doctor, start, slot_active) then refuses a second booking of the
    # same slot on every database; MariaDB ignores conditional unique constraints.
    slot_active = models.BooleanField(default=True, null=True, editable=False)
    queue_number = models.PositiveSmallIntegerField(_("queue number"), null=True, blank=True)
    arrived_at = models.DateTimeField(_("arrived at"), null=True, blank=True)
    # When the consultation started and when the visit was completed (SATUSEHAT's
    # Encounter.statusHistory: arrived → in-progress → finished).
    # The last time the doctor called the patient to the room ("call next", "call again") and
    # how many times: the waiting room's screen shows the number and chimes when it changes.
    called_at = models.DateTimeField(_("called at"), null=True, blank=True)
    call_count = models.PositiveSmallIntegerField(_("times called"), default=0, db_default=0)
    started_at = models.DateTimeField(_("consultation started at"), null=True, blank=True)
    completed_at = models.DateTimeField(_("completed at"), null=True, blank=True)
    reason = models.CharField(_("reason for visit"), max_length=255, blank=True)
    notes = models.TextField(_("notes"), blank=True, **text_limit("note"))
    services = models.ManyToManyField(
        "Service", through="AppointmentService", related_name="appointments", verbose_name=_("services")
    )
    booked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("booked by"),
    )
    created_at = models.DateTimeField(_("booked at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        db_table = "appointments"
        verbose_name = _("appointment")
        verbose_name_plural = _("appointments")
        ordering = ["appointment_date", "id"]
        indexes = [
            models.Index(fields=["doctor", "appointment_date"], name="appointments_doctor_date_idx"),
            # A day's appointments by doctor and status (the dashboard, the board's counts) read
            # from this index alone: a chain has ~1,800 a day, each a row lookup otherwise.
            models.Index(fields=["appointment_date", "doctor", "status"], name="appointments_date_doctor_idx"),
            models.Index(fields=["status", "appointment_date"], name="appointments_status_date_idx"),
            models.Index(fields=["patient", "appointment_date"], name="appointments_patient_date_idx"),
            # The admin's list, newest first, stops after one page (its ordering, id included).
            models.Index(fields=["appointment_date", "id"], name="appointments_date_id_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(end_time__gt=models.F("appointment_date")), name="appointments_end_after_start"
            ),
            models.CheckConstraint(
                condition=Q(
                    status__in=["scheduled", "checked_in", "in_consultation", "completed", "cancelled", "no_show"]
                ),
                name="appointments_status_valid",
            ),
            # slot_active is TRUE exactly while the status holds the slot.
            models.CheckConstraint(
                condition=(
                    Q(status__in=["scheduled", "checked_in", "in_consultation", "completed"], slot_active=True)
                    | Q(status__in=["cancelled", "no_show"], slot_active__isnull=True)
                ),
                name="appointments_slot_active_matches_status",
            ),
            models.CheckConstraint(
                condition=Q(queue_number__isnull=True) | Q(queue_number__gt=0),
                name="appointments_queue_number_positive",
            ),
            models.UniqueConstraint(
                fields=["doctor", "appointment_date", "slot_active"], name="appointments_one_active_per_doctor_slot"
            ),
        ]

    def __str__(self):
        return f"{self.patient.full_name} — {self.doctor.full_name}, {self.appointment_date:%d-%m-%Y %H.%M}"

    def save(self, *args, **kwargs):
        self.slot_active = True if self.status in self.ACTIVE_STATUSES else None
        update_fields = kwargs.get("update_fields")
        if update_fields is not None and "status" in update_fields:
            kwargs["update_fields"] = {*update_fields, "slot_active"}
        super().save(*args, **kwargs)

    def clean(self):
        if self.appointment_date and self.end_time and self.end_time <= self.appointment_date:
            raise ValidationError({"end_time": _("The end must be after the start.")})

    def can_change_to(self, status: str) -> bool:
        return status in self.TRANSITIONS[self.Status(self.status)]

    @property
    def holds_slot(self) -> bool:
        return self.status in self.ACTIVE_STATUSES


class AppointmentService(models.Model):
    """A service booked for an appointment, with the price of the day it was booked."""

    appointment = models.ForeignKey(
        Appointment, on_delete=models.PROTECT, related_name="lines", verbose_name=_("appointment")
    )
    service = models.ForeignKey(
        Service, on_delete=models.PROTECT, related_name="appointment_lines", verbose_name=_("service")
    )
    quantity = models.PositiveSmallIntegerField(_("quantity"), default=1)
    unit_price = models.DecimalField(_("unit price (Rp)"), max_digits=12, decimal_places=2)

    class Meta:
        db_table = "appointment_services"
        verbose_name = _("appointment service")
        verbose_name_plural = _("appointment services")
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(fields=["appointment", "service"], name="appointment_services_unique"),
            models.CheckConstraint(condition=Q(quantity__gte=1), name="appointment_services_quantity_positive"),
            models.CheckConstraint(condition=Q(unit_price__gte=0), name="appointment_services_price_not_negative"),
        ]

    def __str__(self):
        return f"{self.service.name} × {self.quantity}"

    @property
    def line_total(self):
        return self.unit_price * self.quantity


class AppointmentDaily(models.Model):
    """Appointments per clinic day (of their start), doctor and status: a day's figures for the
    whole clinic (the board's counts, the dashboard's table by doctor) read its few hundred rows
    instead of counting its appointments. Kept by scheduling.services in the same transaction
    as the appointment (scheduling/summaries.py)."""

    day = models.DateField(_("day"))
    doctor = models.ForeignKey(Doctor, on_delete=models.PROTECT, related_name="+", verbose_name=_("doctor"))
    status = models.CharField(_("status"), max_length=20)
    appointments = models.BigIntegerField(_("appointments"), default=0)

    class Meta:
        db_table = "summary_appointment_daily"
        verbose_name = _("daily appointments")
        verbose_name_plural = _("daily appointments")
        # Also the index of a day's rows (its leading column); the doctor's own index serves the key.
        constraints = [
            models.UniqueConstraint(fields=["day", "doctor", "status"], name="summary_appointment_day_doctor_status")
        ]

    def __str__(self):
        return f"{self.day} {self.doctor_id} {self.status}"


def new_display_token() -> str:
    """A display's token: 32 random bytes, URL-safe (it is the whole of the screen's access)."""
    return secrets.token_urlsafe(32)


class QueueDisplay(models.Model):
    """A screen in the waiting room (/queue/display/<token>/): no login, the token is its key.
    It shows the queue numbers of its doctors (all active doctors when none are chosen) and
    nothing else of the patients. Set up and switched off in the Django admin."""

    name = models.CharField(_("name"), max_length=100)
    token = models.CharField(_("token"), max_length=64, unique=True, default=new_display_token)
    doctors = models.ManyToManyField(
        Doctor,
        blank=True,
        related_name="+",
        verbose_name=_("doctors"),
        help_text=_("Leave empty to show every active doctor."),
    )
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        db_table = "queue_displays"
        verbose_name = _("queue display")
        verbose_name_plural = _("queue displays")
        ordering = ["name", "id"]

    def __str__(self):
        return self.name
