"""The clinic's pharmacy: the drug catalogue, the prescriptions written on a visit, the stock by
batch and its ledger.

The stock ledger (StockMove) is append-only: a row is never changed and never deleted, as the
audit log. The on-hand quantity of a batch (Batch.on_hand) is the ledger of that batch summed,
kept by pharmacy.services in the same transaction as the move, under a row lock of the batch."""

import re

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from patients.models import Doctor, Patient
from scheduling.models import Appointment

# KFA (Kamus Farmasi dan Alat Kesehatan) codes of SATUSEHAT: digits only, the product
# codes starting with 9 (e.g. 93000312 for a product, 92000xxx for a virtual product).
KFA_CODE = re.compile(r"^9\d{7,11}$")


def validate_kfa_code(value: str) -> None:
    if value and not KFA_CODE.match(value):
        raise ValidationError(
            _("A KFA code has 8 to 12 digits and starts with 9 (for example 93000312)."), code="kfa_code"
        )


class Drug(models.Model):
    """A drug of the catalogue. Never deleted: one no longer stocked is made inactive."""

    class Form(models.TextChoices):
        TABLET = "tablet", _("Tablet")
        CAPSULE = "capsule", _("Capsule")
        CAPLET = "caplet", _("Caplet")
        SYRUP = "syrup", _("Syrup")
        SUSPENSION = "suspension", _("Suspension")
        DROPS = "drops", _("Drops")
        OINTMENT = "ointment", _("Ointment / cream")
        INJECTION = "injection", _("Injection")
        INHALER = "inhaler", _("Inhaler")
        POWDER = "powder", _("Powder")
        OTHER = "other", _("Other")

    name = models.CharField(_("name"), max_length=120, unique=True)
    generic_name = models.CharField(_("generic name"), max_length=120)
    form = models.CharField(_("form"), max_length=20, choices=Form.choices)
    strength = models.CharField(_("strength"), max_length=60, blank=True, help_text=_("For example 500 mg."))
    unit = models.CharField(_("unit"), max_length=30, help_text=_("What is counted: tablet, bottle, tube..."))
    kfa_code = models.CharField(
        _("KFA code"), max_length=12, blank=True, validators=[validate_kfa_code], help_text=_("SATUSEHAT's drug code.")
    )
    price = models.DecimalField(_("price per unit (Rp)"), max_digits=12, decimal_places=2)
    minimum_stock = models.PositiveIntegerField(_("minimum stock"), default=0)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        db_table = "drugs"
        verbose_name = _("drug")
        verbose_name_plural = _("drugs")
        ordering = ["name"]
        indexes = [models.Index(fields=["generic_name"], name="drugs_generic_idx")]
        constraints = [
            models.CheckConstraint(condition=Q(price__gte=0), name="drugs_price_not_negative"),
        ]

    def __str__(self):
        return f"{self.name} {self.strength}".strip()


class Batch(models.Model):
    """A batch of a drug as it was received; `on_hand` is its ledger summed (never below zero)."""

    drug = models.ForeignKey(Drug, on_delete=models.PROTECT, related_name="batches", verbose_name=_("drug"))
    batch_number = models.CharField(_("batch number"), max_length=40)
    expiry_date = models.DateField(_("expiry date"))
    supplier = models.CharField(_("supplier"), max_length=120)
    purchase_price = models.DecimalField(_("purchase price per unit (Rp)"), max_digits=12, decimal_places=2)
    on_hand = models.PositiveIntegerField(_("on hand"), default=0, editable=False)
    received_at = models.DateTimeField(_("received at"))

    class Meta:
        db_table = "drug_batches"
        verbose_name = _("batch")
        verbose_name_plural = _("batches")
        ordering = ["drug", "expiry_date", "id"]
        indexes = [
            # FEFO: a drug's batches in order of expiry.
            models.Index(fields=["drug", "expiry_date", "id"], name="drug_batches_fefo_idx"),
            models.Index(fields=["expiry_date"], name="drug_batches_expiry_idx"),
        ]
        constraints = [
            models.UniqueConstraint(fields=["drug", "batch_number"], name="drug_batches_unique_number"),
            models.CheckConstraint(condition=Q(on_hand__gte=0), name="drug_batches_on_hand_not_negative"),
            models.CheckConstraint(condition=Q(purchase_price__gte=0), name="drug_batches_price_not_negative"),
        ]

    def __str__(self):
        return f"{self.drug} · {self.batch_number} ({self.expiry_date:%d-%m-%Y})"


class StockMoveQuerySet(models.QuerySet):
    """Ledger rows are never changed nor deleted, not even in bulk."""

    def update(self, **kwargs):
        raise PermissionError("Stock ledger rows cannot be changed.")

    def delete(self):
        raise PermissionError("Stock ledger rows cannot be deleted.")


class StockMove(models.Model):
    """One change of a batch's stock: + received, − dispensed, ± counted, − returned or written off."""

    class Kind(models.TextChoices):
        RECEIVE = "receive", _("Received")
        DISPENSE = "dispense", _("Dispensed")
        COUNT = "count", _("Stock count adjustment")
        RETURN = "return", _("Returned to supplier")
        WRITE_OFF = "write_off", _("Written off")

    batch = models.ForeignKey(Batch, on_delete=models.PROTECT, related_name="moves", verbose_name=_("batch"))
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    quantity = models.IntegerField(_("quantity"), help_text=_("Positive: into stock; negative: out of it."))
    reason = models.CharField(_("reason"), max_length=200, blank=True)
    dispense = models.ForeignKey(
        "Dispense", on_delete=models.PROTECT, null=True, blank=True, related_name="moves", verbose_name=_("dispense")
    )
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("by"),
    )
    at = models.DateTimeField(_("at"))

    objects = StockMoveQuerySet.as_manager()

    class Meta:
        db_table = "stock_moves"
        verbose_name = _("stock movement")
        verbose_name_plural = _("stock movements")
        ordering = ["at", "id"]
        indexes = [
            models.Index(fields=["batch", "at"], name="stock_moves_batch_idx"),
            models.Index(fields=["at"], name="stock_moves_at_idx"),
        ]
        constraints = [
            models.CheckConstraint(condition=~Q(quantity=0), name="stock_moves_quantity_not_zero"),
            models.CheckConstraint(
                condition=Q(kind__in=["receive", "dispense", "count", "return", "write_off"]),
                name="stock_moves_kind_valid",
            ),
            models.CheckConstraint(
                condition=Q(kind="count") | Q(kind="receive", quantity__gt=0) | Q(~Q(kind="receive"), quantity__lt=0),
                name="stock_moves_sign_matches_kind",
            ),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} {self.quantity:+d} · {self.batch_id}"

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise PermissionError("Stock ledger rows cannot be changed.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise PermissionError("Stock ledger rows cannot be deleted.")


class Prescription(models.Model):
    """The prescription of one visit. The doctor writes it (draft); completing the visit, or the
    doctor's "send", opens it in the pharmacy's queue, in the order they were sent."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Being written")
        OPEN = "open", _("To prepare")
        PARTIAL = "partial", _("Partly dispensed")
        DISPENSED = "dispensed", _("Dispensed")

    appointment = models.OneToOneField(
        Appointment, on_delete=models.PROTECT, related_name="prescription", verbose_name=_("visit")
    )
    patient = models.ForeignKey(
        Patient, on_delete=models.PROTECT, related_name="prescriptions", verbose_name=_("patient")
    )
    doctor = models.ForeignKey(Doctor, on_delete=models.PROTECT, related_name="prescriptions", verbose_name=_("doctor"))
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.DRAFT)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    written_at = models.DateTimeField(_("sent to the pharmacy at"), null=True, blank=True)

    class Meta:
        db_table = "prescriptions"
        verbose_name = _("prescription")
        verbose_name_plural = _("prescriptions")
        ordering = ["written_at", "id"]
        indexes = [
            # The pharmacy's queue: the open ones in the order they were written.
            models.Index(fields=["status", "written_at", "id"], name="prescriptions_queue_idx"),
            models.Index(fields=["patient", "created_at"], name="prescriptions_patient_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(status="draft") | Q(written_at__isnull=False), name="prescriptions_sent_has_time"
            ),
        ]

    def __str__(self):
        return f"R/ {self.patient.full_name} {self.created_at:%d-%m-%Y}" if self.created_at else "R/"


class PrescriptionLine(models.Model):
    """A line of a prescription: one drug, or a compound (racikan) of several drugs made into
    `quantity` capsules or powders."""

    class Route(models.TextChoices):
        ORAL = "oral", _("Oral")
        TOPICAL = "topical", _("Topical (on the skin)")
        EYE = "eye", _("Eye")
        EAR = "ear", _("Ear")
        NASAL = "nasal", _("Nasal")
        INHALED = "inhaled", _("Inhaled")
        RECTAL = "rectal", _("Rectal")
        INJECTION = "injection", _("Injection")

    class Timing(models.TextChoices):
        BEFORE_MEALS = "before", _("before meals")
        AFTER_MEALS = "after", _("after meals")
        WITH_MEALS = "with", _("with meals")
        AS_NEEDED = "as_needed", _("when needed")
        NONE = "none", _("at any time")

    class CompoundForm(models.TextChoices):
        CAPSULE = "capsule", _("capsules")
        POWDER = "powder", _("powders (puyer)")
        OINTMENT = "ointment", _("ointment")

    prescription = models.ForeignKey(
        Prescription, on_delete=models.PROTECT, related_name="lines", verbose_name=_("prescription")
    )
    drug = models.ForeignKey(
        Drug, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("drug")
    )
    compound_name = models.CharField(_("compound name"), max_length=120, blank=True)
    compound_form = models.CharField(_("made into"), max_length=20, choices=CompoundForm.choices, blank=True)
    times_per_day = models.PositiveSmallIntegerField(_("times a day"))
    dose = models.CharField(_("dose each time"), max_length=60, help_text=_("For example 1 tablet, 5 ml."))
    route = models.CharField(_("route"), max_length=20, choices=Route.choices, default=Route.ORAL)
    timing = models.CharField(_("timing"), max_length=20, choices=Timing.choices, default=Timing.AFTER_MEALS)
    duration_days = models.PositiveSmallIntegerField(_("duration (days)"), null=True, blank=True)
    quantity = models.PositiveIntegerField(_("quantity"))
    instructions = models.CharField(_("instructions"), max_length=200, blank=True)
    quantity_dispensed = models.PositiveIntegerField(_("dispensed"), default=0, editable=False)

    class Meta:
        db_table = "prescription_lines"
        verbose_name = _("prescription line")
        verbose_name_plural = _("prescription lines")
        ordering = ["prescription", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(quantity__gte=1), name="prescription_lines_quantity_positive"),
            models.CheckConstraint(condition=Q(times_per_day__gte=1), name="prescription_lines_times_positive"),
            models.CheckConstraint(
                condition=Q(quantity_dispensed__lte=F("quantity")), name="prescription_lines_not_over_dispensed"
            ),
            # A drug line names its drug; a compound has a name and a form instead.
            models.CheckConstraint(
                condition=Q(drug__isnull=False, compound_name="")
                | Q(drug__isnull=True) & ~Q(compound_name="") & ~Q(compound_form=""),
                name="prescription_lines_drug_or_compound",
            ),
        ]

    def __str__(self):
        return self.title

    @property
    def is_compound(self) -> bool:
        return self.drug_id is None

    @property
    def title(self) -> str:
        if self.is_compound:
            return f"{self.compound_name} ({self.quantity} {self.get_compound_form_display()})"
        return str(self.drug)

    @property
    def usage(self) -> str:
        """What the label says: "3 × sehari 1 tablet sesudah makan"."""
        text = gettext("%(times)s × a day %(dose)s %(timing)s") % {
            "times": self.times_per_day,
            "dose": self.dose,
            "timing": self.get_timing_display() if self.timing != self.Timing.NONE else "",
        }
        return " ".join(text.split())

    @property
    def remaining(self) -> int:
        return self.quantity - self.quantity_dispensed


class CompoundIngredient(models.Model):
    """A drug mixed into a compound line: `quantity` units of it for the whole compound."""

    line = models.ForeignKey(
        PrescriptionLine, on_delete=models.PROTECT, related_name="ingredients", verbose_name=_("prescription line")
    )
    drug = models.ForeignKey(Drug, on_delete=models.PROTECT, related_name="+", verbose_name=_("drug"))
    quantity = models.PositiveIntegerField(_("quantity"))

    class Meta:
        db_table = "compound_ingredients"
        verbose_name = _("compound ingredient")
        verbose_name_plural = _("compound ingredients")
        ordering = ["line", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(quantity__gte=1), name="compound_ingredients_quantity_positive"),
            models.UniqueConstraint(fields=["line", "drug"], name="compound_ingredients_unique_drug"),
        ]

    def __str__(self):
        return f"{self.drug} × {self.quantity}"


class Dispense(models.Model):
    """One handing over of (part of) a prescription line: its stock moves are the batches it came
    from, its bill items what the patient pays for it. Never changed, never deleted."""

    line = models.ForeignKey(
        PrescriptionLine, on_delete=models.PROTECT, related_name="dispenses", verbose_name=_("prescription line")
    )
    quantity = models.PositiveIntegerField(_("quantity"))
    dispensed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("dispensed by"),
    )
    dispensed_at = models.DateTimeField(_("dispensed at"))

    class Meta:
        db_table = "dispenses"
        verbose_name = _("dispense")
        verbose_name_plural = _("dispenses")
        ordering = ["dispensed_at", "id"]
        constraints = [models.CheckConstraint(condition=Q(quantity__gte=1), name="dispenses_quantity_positive")]

    def __str__(self):
        return f"{self.line} × {self.quantity}"


class DispenseSubmission(models.Model):
    """One submit of the dispensing form, under its one-time token (core.forms.SubmitTokenField):
    written first in the dispensing's transaction, so a double click or a retry after a lost answer
    waits on the unique key, fails on it, and dispenses (and bills) nothing a second time."""

    key = models.CharField(_("key"), max_length=64, unique=True)
    prescription = models.ForeignKey(
        Prescription, on_delete=models.PROTECT, related_name="+", verbose_name=_("prescription")
    )
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("by"),
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        db_table = "dispense_submissions"
        verbose_name = _("dispensing form submission")
        verbose_name_plural = _("dispensing form submissions")

    def __str__(self):
        return f"dispensing of prescription {self.prescription_id}"
