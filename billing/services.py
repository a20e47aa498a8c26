"""Bills, payments and the patients' insurance policies change only through these functions."""

from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from billing.models import (
    Billing,
    BillItem,
    Insurance,
    Payment,
    PaymentMethod,
    Receipt,
    ReceiptSequence,
    SubmitToken,
)
from billing.summaries import billed_lines, outstanding, revenue
from core import summaries
from patients.models import Patient
from scheduling.models import Appointment, AppointmentService

INSURANCE_FIELDS = ("kind", "provider_name", "policy_number", "valid_from", "valid_until", "is_active")
BPJS_PROVIDER = "BPJS Kesehatan"


def bill_total_for(*, appointment: Appointment) -> Decimal:
    """The visit's services and its other items (drugs dispensed...), together."""
    services_total = AppointmentService.objects.filter(appointment=appointment).aggregate(
        total=Sum(F("unit_price") * F("quantity"))
    )["total"]
    items_total = BillItem.objects.filter(appointment=appointment).aggregate(
        total=Sum(F("unit_price") * F("quantity"))
    )["total"]
    return (Decimal(services_total or 0) + Decimal(items_total or 0)).quantize(Decimal("0.01"))


@transaction.atomic
def bill_item_add(
    *,
    appointment: Appointment,
    description: str,
    quantity: int,
    unit_price: Decimal,
    source: str,
    code: str = "",
) -> BillItem:
    """Adds a line to the visit's bill (a drug dispensed...) at the given price, a snapshot.

    The appointment row is locked first, as completing the visit does, so a bill issued at the
    same moment either counts the line or is raised by it, never neither. When the bill exists,
    its total and status follow in the same transaction (a paid bill becomes partially paid);
    before it is issued, the line waits on the visit and the bill counts it when issued. A void
    bill takes no lines."""
    Appointment.objects.select_for_update().filter(pk=appointment.pk).first()
    quantity = int(quantity)
    unit_price = Decimal(unit_price).quantize(Decimal("0.01"))
    if quantity < 1:
        raise ValidationError({"quantity": _("The quantity must be at least 1.")})
    if unit_price < 0:
        raise ValidationError({"unit_price": _("The price must not be negative.")})
    bill = Billing.objects.select_for_update().filter(appointment_id=appointment.pk).first()
    if bill is not None and bill.status == Billing.Status.VOID:
        raise ValidationError(_("This visit's bill has been voided and takes no more lines."))
    item = BillItem(
        appointment_id=appointment.pk,
        code=code[:30],
        description=description[:200],
        quantity=quantity,
        unit_price=unit_price,
        source=source,
    )
    try:
        with transaction.atomic():
            item.save()
    except IntegrityError:
        raise ValidationError(_("This line is already on the bill.")) from None
    if bill is not None:
        before = outstanding(bill)
        bill.total_amount += item.line_total
        bill.status = Billing.status_for(total=bill.total_amount, paid=bill.amount_paid)
        bill.save(update_fields=["total_amount", "status", "updated_at"])
        summaries.apply(before, outstanding(bill))
    return item


@transaction.atomic
def bill_issue_for(*, appointment: Appointment) -> Billing:
    """The appointment's bill, issued from its services if it has none yet."""
    existing = Billing.objects.filter(appointment=appointment).first()
    if existing is not None:
        return existing
    if appointment.status != Appointment.Status.COMPLETED:
        raise ValidationError(_("A bill is issued only for a completed visit."))
    total = bill_total_for(appointment=appointment)
    issued_at = timezone.now()
    bill = Billing(
        appointment=appointment,
        patient_id=appointment.patient_id,
        total_amount=total,
        status=Billing.status_for(total=total, paid=Decimal(0)),
        issued_at=issued_at,
        number=f"INV-{issued_at:%Y%m}-P{appointment.pk:07d}",
    )
    bill.full_clean(exclude=["appointment"])
    bill.save()
    summaries.apply({}, summaries.merge(outstanding(bill), billed_lines(bill)))
    return bill


RECEIPT_PREFIX = "KW"


def receipt_number_next(*, year: int) -> str:
    """The year's next receipt number, KW-2026-000001; call inside the paying transaction.

    The year's row is there already (migration billing 0005 writes 2000–2100), so payments at
    once queue on its row lock; creating it here as well, at the same moment, could deadlock on
    InnoDB's gap locks — only a year outside those would."""
    try:
        sequence = ReceiptSequence.objects.select_for_update().get(year=year)
    except ReceiptSequence.DoesNotExist:
        ReceiptSequence.objects.get_or_create(year=year)
        sequence = ReceiptSequence.objects.select_for_update().get(year=year)
    sequence.last += 1
    sequence.save(update_fields=["last"])
    return f"{RECEIPT_PREFIX}-{year}-{sequence.last:06d}"


@transaction.atomic
def payment_record(
    *,
    bill: Billing,
    amount: Decimal,
    method: str,
    received_by: User | None,
    insurance: Insurance | None = None,
    reference: str = "",
) -> Payment:
    """Records a payment and updates the bill's status in the same transaction.

    The bill row is locked first, so two payments at once cannot both pass the balance check."""
    bill = Billing.objects.select_for_update().select_related("appointment").get(pk=bill.pk)
    amount = Decimal(amount)
    if amount <= 0:
        raise ValidationError({"amount": _("The amount must be more than zero.")})
    if amount != amount.quantize(Decimal("0.01")):
        raise ValidationError({"amount": _("The amount can have at most two decimals.")})
    if bill.status == Billing.Status.VOID:
        raise ValidationError(_("This bill has been voided and takes no payments."))
    if bill.status == Billing.Status.PAID:
        raise ValidationError(_("This bill is already paid in full."))
    if amount > bill.balance:
        raise ValidationError(
            {
                "amount": _("The amount is more than what is owed (Rp %(balance)s).")
                % {"balance": f"{bill.balance:,.0f}".replace(",", ".")}
            }
        )
    if method not in PaymentMethod.values:
        raise ValidationError({"method": _("Choose a payment method.")})
    if method == PaymentMethod.INSURANCE:
        visit_day = timezone.localtime(bill.appointment.appointment_date).date()
        if insurance is None:
            raise ValidationError({"insurance": _("Choose the patient's insurance policy.")})
        if insurance.patient_id != bill.patient_id or not insurance.covers(visit_day):
            raise ValidationError({"insurance": _("This policy does not cover this patient on the visit date.")})
    else:
        insurance = None
    before = outstanding(bill)
    payment = Payment.objects.create(
        billing=bill,
        amount=amount,
        method=method,
        insurance=insurance,
        reference=reference,
        paid_at=timezone.now(),
        received_by=received_by,
    )
    bill.amount_paid += amount
    bill.status = Billing.status_for(total=bill.total_amount, paid=bill.amount_paid)
    bill.payment_method = method
    update_fields = ["amount_paid", "status", "payment_method", "updated_at"]
    if insurance is not None:
        bill.insurance = insurance
        update_fields.append("insurance")
    bill.save(update_fields=update_fields)
    if bill.status == Billing.Status.PAID:  # paid in full: once, since a paid bill takes no payment
        year = timezone.localtime(payment.paid_at).year
        Receipt.objects.create(billing=bill, number=receipt_number_next(year=year), issued_at=payment.paid_at)
    summaries.apply(before, summaries.merge(outstanding(bill), revenue(payment)))
    return payment


@transaction.atomic
def bill_void(*, bill: Billing, by: User | None) -> Billing:
    """Voids a bill that has no payments; it stays in the history."""
    bill = Billing.objects.select_for_update().get(pk=bill.pk)
    if bill.status == Billing.Status.VOID:
        raise ValidationError(_("This bill has already been voided."))
    if bill.payments.exists():
        raise ValidationError(_("A bill with payments cannot be voided."))
    before = summaries.merge(outstanding(bill), billed_lines(bill))
    bill.status = Billing.Status.VOID
    bill.save(update_fields=["status", "updated_at"])
    summaries.apply(before, {})
    return bill


def _submit_once(*, key: str, action: str, bill: Billing, by: User | None, do) -> tuple[SubmitToken, bool]:
    """Runs do(submission) once per key: (the submission, True), or (the first one, False) on a replay.

    The token's row goes in first: a second submit of the same key (a double click, a retry after
    a lost answer, two tabs) waits on the unique key until the first commits, then fails on it."""
    try:
        with transaction.atomic():
            submission = SubmitToken.objects.create(key=key, action=action, billing_id=bill.pk, by=by)
            do(submission)
    except IntegrityError:
        earlier = SubmitToken.objects.select_related("billing", "payment").filter(key=key).first()
        if earlier is None or earlier.billing_id != bill.pk or earlier.action != action:
            raise
        return earlier, False
    return submission, True


def payment_record_once(*, key: str, bill: Billing, received_by: User | None, **payment) -> tuple[Payment, bool]:
    """payment_record under a form's one-time key: (the payment, True), or (the first one, False)."""

    def record(submission: SubmitToken) -> None:
        submission.payment = payment_record(bill=bill, received_by=received_by, **payment)
        submission.save(update_fields=["payment"])

    submission, new = _submit_once(key=key, action=SubmitToken.Action.PAYMENT, bill=bill, by=received_by, do=record)
    return submission.payment, new


def bill_void_once(*, key: str, bill: Billing, by: User | None) -> tuple[Billing, bool]:
    """bill_void under a form's one-time key: (the bill, True), or (the bill, False) on a replay."""
    voided = {}

    def void(submission: SubmitToken) -> None:
        voided["bill"] = bill_void(bill=bill, by=by)

    submission, new = _submit_once(key=key, action=SubmitToken.Action.VOID, bill=bill, by=by, do=void)
    return (voided["bill"] if new else submission.billing), new


def _insurance_apply(insurance: Insurance, data: Mapping[str, Any]) -> None:
    for name in INSURANCE_FIELDS:
        if name in data:
            setattr(insurance, name, data[name])
    insurance.provider_name = " ".join((insurance.provider_name or "").split())
    insurance.policy_number = "".join((insurance.policy_number or "").split())
    if insurance.kind == Insurance.Kind.BPJS and not insurance.provider_name:
        insurance.provider_name = BPJS_PROVIDER


def _insurance_save(insurance: Insurance) -> Insurance:
    insurance.full_clean(validate_unique=False, validate_constraints=False)
    duplicate = (
        Insurance.objects.filter(provider_name__iexact=insurance.provider_name, policy_number=insurance.policy_number)
        .exclude(pk=insurance.pk)
        .select_related("patient")
        .first()
    )
    policy_taken = ValidationError(
        {
            "policy_number": _("This policy number of %(provider)s is already registered.")
            % {"provider": insurance.provider_name}
        },
        code="unique",
    )
    if duplicate is not None:
        raise policy_taken
    try:
        with transaction.atomic():
            insurance.save()
    except IntegrityError:
        raise policy_taken from None
    return insurance


@transaction.atomic
def insurance_add(*, patient: Patient, data: Mapping[str, Any], by: User | None) -> Insurance:
    insurance = Insurance(patient=patient)
    _insurance_apply(insurance, data)
    return _insurance_save(insurance)


@transaction.atomic
def insurance_update(*, insurance: Insurance, data: Mapping[str, Any], by: User | None) -> Insurance:
    insurance = Insurance.objects.select_for_update().get(pk=insurance.pk)
    _insurance_apply(insurance, data)
    return _insurance_save(insurance)
