"""The dashboard's money figures per clinic day: payments received (RevenueDaily), the lines of
the bills issued per service (BilledServiceDaily) and the open balance per day of issue
(OutstandingDaily). Kept by billing.services in the same transaction as the bill or payment,
and rebuilt from the bills and payments for bulk loads."""

from django.apps import apps as django_apps
from django.db import DEFAULT_DB_ALIAS, transaction
from django.db.models import Count, DecimalField, F, Sum

from billing.models import BilledServiceDaily, Billing, OutstandingDaily, Payment, RevenueDaily
from core import summaries
from core.clock import local_day
from scheduling.models import AppointmentService

OPEN = (Billing.Status.UNPAID, Billing.Status.PARTIALLY_PAID)
LINE_AMOUNT = DecimalField(max_digits=18, decimal_places=2)


def revenue(payment: Payment) -> summaries.Contributions:
    key = (("day", local_day(payment.paid_at)), ("method", payment.method))
    return {(RevenueDaily, key): {"amount": payment.amount, "payments": 1}}


def outstanding(bill: Billing) -> summaries.Contributions:
    """An open bill's balance on its day of issue; nothing for a paid or void one."""
    if bill.status not in OPEN:
        return {}
    return {
        (OutstandingDaily, (("day", local_day(bill.issued_at)),)): {
            "amount": bill.total_amount - bill.amount_paid,
            "bills": 1,
        }
    }


def billed_lines(bill: Billing) -> summaries.Contributions:
    """The bill's lines per service on its day of issue (one query); nothing for a void bill."""
    if bill.status == Billing.Status.VOID:
        return {}
    day = local_day(bill.issued_at)
    result: summaries.Contributions = {}
    for line in AppointmentService.objects.filter(appointment_id=bill.appointment_id).values(
        "service_id", "quantity", "unit_price"
    ):
        counters = result.setdefault(
            (BilledServiceDaily, (("day", day), ("service_id", line["service_id"]))),
            {"amount": 0, "quantity": 0, "lines": 0},
        )
        counters["amount"] += line["quantity"] * line["unit_price"]
        counters["quantity"] += line["quantity"]
        counters["lines"] += 1
    return result


def rebuild(*, using: str = DEFAULT_DB_ALIAS, registry=django_apps, app_label: str = "billing") -> None:
    """Recomputes the three tables from the bills and payments, in one transaction. `registry`,
    `app_label`: a migration's historical models and the app that held the tables then."""
    payments = registry.get_model("billing", "Payment")._base_manager.using(using)
    bills = registry.get_model("billing", "Billing")._base_manager.using(using)
    lines = registry.get_model("scheduling", "AppointmentService")._base_manager.using(using)
    billed = lines.filter(appointment__bill__isnull=False).exclude(appointment__bill__status=Billing.Status.VOID)
    tables = {
        "RevenueDaily": lambda: (
            payments.annotate(day=summaries.day_of("paid_at", source=(payments, "paid_at")))
            .values("day", "method")
            .annotate(amount=Sum("amount"), payments=Count("id"))
            .order_by()
        ),
        "BilledServiceDaily": lambda: (
            billed.annotate(day=summaries.day_of("appointment__bill__issued_at", source=(bills, "issued_at")))
            .values("day", "service_id")
            .annotate(
                amount=Sum(F("quantity") * F("unit_price"), output_field=LINE_AMOUNT),
                quantity=Sum("quantity"),
                lines=Count("id"),
            )
            .order_by()
        ),
        "OutstandingDaily": lambda: (
            bills.filter(status__in=OPEN)
            .annotate(day=summaries.day_of("issued_at", source=(bills, "issued_at")))
            .values("day")
            .annotate(amount=Sum(F("total_amount") - F("amount_paid"), output_field=LINE_AMOUNT), bills=Count("id"))
            .order_by()
        ),
    }
    with transaction.atomic(using=using):
        for name, rows in tables.items():
            if (model := summaries.model_or_none(registry, app_label, name)) is not None:
                summaries.replace(model, rows(), using=using)
