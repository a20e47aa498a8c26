from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ObjectDoesNotExist, ValidationError
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from patients.models import Patient
from scheduling.models import Appointment, Service


class PaymentMethod(models.TextChoices):
    CASH = "Cash", _("Cash")
    CREDIT_CARD = "CreditCard", _("Credit card")
    INSURANCE = "Insurance", _("Insurance")
    TRANSFER = "Transfer", _("Bank transfer")


class Insurance(models.Model):
    class Kind(models.TextChoices):
        BPJS = "bpjs", _("BPJS Kesehatan")
        PRIVATE = "private", _("Private insurance")

    patient = models.ForeignKey(Patient, on_delete=models.PROTECT, related_name="insurances", verbose_name=_("patient"))
    kind = models.CharField(_("type"), max_length=10, choices=Kind.choices)
    provider_name = models.CharField(_("provider"), max_length=100)
    policy_number = models.CharField(_("policy / card number"), max_length=50)
    valid_from = models.DateField(_("valid from"))
    valid_until = models.DateField(_("valid until"), null=True, blank=True)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        db_table = "insurance"
        verbose_name = _("insurance policy")
        verbose_name_plural = _("insurance policies")
        ordering = ["patient", "-valid_from"]
        indexes = [models.Index(fields=["policy_number"], name="insurance_policy_idx")]
        constraints = [
            models.UniqueConstraint(fields=["provider_name", "policy_number"], name="insurance_unique_policy"),
            models.CheckConstraint(
                condition=Q(valid_until__isnull=True) | Q(valid_until__gte=F("valid_from")),
                name="insurance_valid_range",
            ),
            models.CheckConstraint(condition=Q(kind__in=["bpjs", "private"]), name="insurance_kind_valid"),
        ]

    def __str__(self):
        return f"{self.provider_name} {self.policy_number}"

    def clean(self):
        if self.valid_from and self.valid_until and self.valid_until < self.valid_from:
            raise ValidationError({"valid_until": _("The end of validity must not be before its start.")})

    def covers(self, day) -> bool:
        return self.is_active and self.valid_from <= day and (self.valid_until is None or day <= self.valid_until)


class Billing(models.Model):
    """The bill of one appointment; its lines are the appointment's services."""

    class Status(models.TextChoices):
        UNPAID = "unpaid", _("Unpaid")
        PARTIALLY_PAID = "partially_paid", _("Partially paid")
        PAID = "paid", _("Paid")
        VOID = "void", _("Void")

    number = models.CharField(_("invoice number"), max_length=30, unique=True)
    patient = models.ForeignKey(Patient, on_delete=models.PROTECT, related_name="bills", verbose_name=_("patient"))
    appointment = models.OneToOneField(
        Appointment, on_delete=models.PROTECT, related_name="bill", verbose_name=_("appointment")
    )
    total_amount = models.DecimalField(_("total (Rp)"), max_digits=14, decimal_places=2)
    amount_paid = models.DecimalField(_("paid (Rp)"), max_digits=14, decimal_places=2, default=Decimal("0"))
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.UNPAID)
    payment_method = models.CharField(
        _("payment method"),
        max_length=20,
        choices=PaymentMethod.choices,
        blank=True,
        help_text=_("The method of the latest payment."),
    )
    insurance = models.ForeignKey(
        Insurance,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="bills",
        verbose_name=_("insurance used"),
    )
    issued_at = models.DateTimeField(_("issued at"))
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        db_table = "billing"
        verbose_name = _("bill")
        verbose_name_plural = _("bills")
        ordering = ["-issued_at", "-id"]
        indexes = [
            models.Index(fields=["issued_at"], name="billing_issued_idx"),
            models.Index(fields=["status", "issued_at", "id"], name="billing_status_issued_idx"),
            models.Index(fields=["patient", "issued_at"], name="billing_patient_idx"),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(total_amount__gte=0), name="billing_total_not_negative"),
            models.CheckConstraint(condition=Q(amount_paid__gte=0), name="billing_paid_not_negative"),
            models.CheckConstraint(
                condition=Q(amount_paid__lte=F("total_amount")), name="billing_paid_not_above_total"
            ),
            # The status always matches the money received.
            models.CheckConstraint(
                condition=Q(status="void")
                | Q(status="unpaid", amount_paid=0, total_amount__gt=0)
                | Q(status="partially_paid", amount_paid__gt=0, amount_paid__lt=F("total_amount"))
                | Q(status="paid", amount_paid=F("total_amount")),
                name="billing_status_matches_amounts",
            ),
        ]

    def __str__(self):
        return self.number

    @property
    def receipt_number(self) -> str | None:
        """The receipt's (kuitansi's) number once the bill is paid in full (Receipt); None before.
        bill_with_details() reads it with the bill."""
        try:
            return self.receipt.number
        except ObjectDoesNotExist:
            return None

    @property
    def balance(self) -> Decimal:
        return self.total_amount - self.amount_paid

    @staticmethod
    def status_for(*, total: Decimal, paid: Decimal) -> str:
        if paid >= total:
            return Billing.Status.PAID
        if paid > 0:
            return Billing.Status.PARTIALLY_PAID
        return Billing.Status.UNPAID


class Payment(models.Model):
    """One payment towards a bill. Payments are a ledger: never edited, never deleted."""

    billing = models.ForeignKey(Billing, on_delete=models.PROTECT, related_name="payments", verbose_name=_("bill"))
    amount = models.DecimalField(_("amount (Rp)"), max_digits=14, decimal_places=2)
    method = models.CharField(_("method"), max_length=20, choices=PaymentMethod.choices)
    insurance = models.ForeignKey(
        Insurance,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="payments",
        verbose_name=_("insurance policy"),
    )
    reference = models.CharField(
        _("reference"), max_length=100, blank=True, help_text=_("Card slip, transfer or claim number.")
    )
    paid_at = models.DateTimeField(_("paid at"))
    received_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("received by"),
    )

    class Meta:
        db_table = "payments"
        verbose_name = _("payment")
        verbose_name_plural = _("payments")
        ordering = ["paid_at", "id"]
        indexes = [
            models.Index(fields=["paid_at"], name="payments_paid_at_idx"),
            models.Index(fields=["billing", "paid_at"], name="payments_billing_idx"),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="payments_amount_positive"),
            models.CheckConstraint(
                condition=Q(method__in=["Cash", "CreditCard", "Insurance", "Transfer"]), name="payments_method_valid"
            ),
            models.CheckConstraint(
                condition=~Q(method="Insurance") | Q(insurance__isnull=False), name="payments_insurance_has_policy"
            ),
        ]

    def __str__(self):
        return f"{self.billing.number}: Rp {self.amount:,.0f}".replace(",", ".")


# --- Daily summaries of the dashboard, kept by billing.services in the same transaction as the
# bill or payment (billing/summaries.py). Each row holds one clinic day's figure, so a page reads
# at most a few thousand rows whatever the number of bills and payments.

MONEY = {"max_digits": 18, "decimal_places": 2, "default": 0}


class RevenueDaily(models.Model):
    """Payments received per clinic day (of paid_at) and method."""

    day = models.DateField(_("day"))
    method = models.CharField(_("method"), max_length=20, choices=PaymentMethod.choices)
    amount = models.DecimalField(_("amount (Rp)"), **MONEY)
    payments = models.BigIntegerField(_("payments"), default=0)

    class Meta:
        db_table = "summary_revenue_daily"
        verbose_name = _("daily revenue")
        verbose_name_plural = _("daily revenue")
        constraints = [models.UniqueConstraint(fields=["day", "method"], name="summary_revenue_day_method")]
        # The dashboard's sums by day and by method read a range of days from this index alone,
        # without fetching the table's rows through the unique key (docs/performance.md).
        indexes = [models.Index(fields=["day", "method", "amount", "payments"], name="summary_revenue_day_cover")]

    def __str__(self):
        return f"{self.day} {self.method}"


class BilledServiceDaily(models.Model):
    """Lines of the bills issued per clinic day (of issued_at), void bills left out, per service."""

    day = models.DateField(_("day"))
    # Its own index serves the foreign key; the figures are read through the covering
    # (day, service, sums) index below, without a join.
    service = models.ForeignKey(Service, on_delete=models.PROTECT, related_name="+", verbose_name=_("service"))
    amount = models.DecimalField(_("amount (Rp)"), **MONEY)
    quantity = models.BigIntegerField(_("quantity"), default=0)
    lines = models.BigIntegerField(_("lines"), default=0)

    class Meta:
        db_table = "summary_billed_service_daily"
        verbose_name = _("daily billed per service")
        verbose_name_plural = _("daily billed per service")
        constraints = [models.UniqueConstraint(fields=["day", "service"], name="summary_billed_day_service")]
        # A range of days with the sums' columns: a year's figures per service are read from
        # this index alone, not by walking each service's every day through a (service, day) index.
        indexes = [
            models.Index(fields=["day", "service", "amount", "quantity", "lines"], name="summary_billed_day_cover")
        ]

    def __str__(self):
        return f"{self.day} {self.service_id}"


class OutstandingDaily(models.Model):
    """The balance of the unpaid and partially paid bills, per clinic day of issue."""

    day = models.DateField(_("day"), unique=True)
    amount = models.DecimalField(_("amount (Rp)"), **MONEY)
    bills = models.BigIntegerField(_("bills"), default=0)

    class Meta:
        db_table = "summary_outstanding_daily"
        verbose_name = _("daily outstanding balance")
        verbose_name_plural = _("daily outstanding balance")

    def __str__(self):
        return str(self.day)


class Receipt(models.Model):
    """The receipt (kuitansi) of a bill paid in full: its number, KW-2026-000001, gapless within
    a year (ReceiptSequence, billing.services.receipt_number_next). A table of its own: the
    bills' table keeps its columns, so a rollback of this release loses nothing of it."""

    billing = models.OneToOneField(
        Billing, on_delete=models.PROTECT, primary_key=True, related_name="receipt", verbose_name=_("bill")
    )
    number = models.CharField(_("receipt number"), max_length=20, unique=True)
    issued_at = models.DateTimeField(_("issued at"))

    class Meta:
        db_table = "billing_receipts"
        verbose_name = _("receipt")
        verbose_name_plural = _("receipts")

    def __str__(self):
        return self.number


class ReceiptSequence(models.Model):
    """The last receipt number of a year: its row is locked while the next number is taken, so
    two payments at once never get the same number and no number is skipped (a rolled-back
    payment rolls its number back too)."""

    year = models.PositiveIntegerField(primary_key=True)
    last = models.PositiveIntegerField(default=0)

    class Meta:
        db_table = "billing_receipt_sequence"

    def __str__(self):
        return f"{self.year}: {self.last}"


class SubmitToken(models.Model):
    """What one submit of a money form did, under its one-time token (core.forms.SubmitTokenField).

    The row is written first in the submit's transaction: a second submit of the same token waits
    on the unique key, fails, and is shown this row's result instead of moving the money again."""

    class Action(models.TextChoices):
        PAYMENT = "payment", _("Payment")
        VOID = "void", _("Void")

    key = models.CharField(_("key"), max_length=64, unique=True)
    action = models.CharField(_("action"), max_length=10, choices=Action.choices)
    billing = models.ForeignKey(Billing, on_delete=models.PROTECT, related_name="+", verbose_name=_("bill"))
    payment = models.ForeignKey(
        Payment, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("payment")
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
        db_table = "billing_submit_token"
        verbose_name = _("form submission")
        verbose_name_plural = _("form submissions")

    def __str__(self):
        return f"{self.action} {self.billing_id}"


class BillItem(models.Model):
    """A line of a visit's bill that is not one of its services: a drug dispensed by the
    pharmacy, for instance. Written only through billing.services.bill_item_add, which keeps the
    bill's total in the same transaction; the description and price are a snapshot, so the line
    never changes when the catalogue does. `source` names what the line came from
    ("pharmacy.dispense:12"), so the app that created it can find it without billing knowing it.
    Never edited, never deleted."""

    appointment = models.ForeignKey(
        Appointment, on_delete=models.PROTECT, related_name="bill_items", verbose_name=_("appointment")
    )
    code = models.CharField(_("code"), max_length=30, blank=True)
    description = models.CharField(_("description"), max_length=200)
    quantity = models.PositiveIntegerField(_("quantity"))
    unit_price = models.DecimalField(_("unit price (Rp)"), max_digits=12, decimal_places=2)
    source = models.CharField(_("source"), max_length=60, unique=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        db_table = "bill_items"
        verbose_name = _("bill item")
        verbose_name_plural = _("bill items")
        ordering = ["appointment", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(quantity__gte=1), name="bill_items_quantity_positive"),
            models.CheckConstraint(condition=Q(unit_price__gte=0), name="bill_items_price_not_negative"),
        ]

    def __str__(self):
        return f"{self.description} × {self.quantity}"

    @property
    def line_total(self) -> Decimal:
        return self.unit_price * self.quantity
