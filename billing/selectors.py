"""Reads for the billing pages. Each list runs a fixed number of queries, whatever its length."""

import heapq
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import DecimalField, F, IntegerField, Prefetch, Q, QuerySet, Sum, Value
from django.db.models.functions import Cast, Coalesce

from billing.models import Billing, BillItem, Insurance, OutstandingDaily, Payment
from patients.models import Patient
from patients.selectors import unshown_patient_fields
from scheduling.models import AppointmentService

OPEN_STATUSES = (Billing.Status.UNPAID, Billing.Status.PARTIALLY_PAID)


def bill_list_unpaid(*, query: str = "") -> QuerySet[Billing]:
    """Bills still owed money (unpaid or partially paid), oldest first.

    `query` matches the patient's name, their No. RM or the invoice number."""
    qs = (
        Billing.objects.filter(status__in=OPEN_STATUSES)
        .select_related("patient", "appointment__doctor")
        .order_by("issued_at", "id")
    )
    query = query.replace("\x00", "").strip()  # PostgreSQL refuses NUL in a query (?q=%00 was a 500)
    if query:
        qs = qs.filter(
            Q(patient__full_name__icontains=query)
            | Q(patient__medical_record_number__icontains=query)
            | Q(number__icontains=query)
        )
    return qs


class OpenBills:
    """The open bills, oldest first, sliced for a Paginator without a query over all of them.

    `status IN (unpaid, partially_paid) ORDER BY issued_at` cannot follow one index: MariaDB
    then joined from the doctors through every appointment (over 10 minutes a page at 1M
    patients) and PostgreSQL sorted every open bill. Each status is instead read in order
    through the (status, issued_at) index, only as far as the page reaches; the two runs are
    merged here and the page's bills are read by primary key. The count comes from the
    summary (the view sets it), so a page costs the same at any size; page k reads k pages of
    keys per status, and nobody pages thousands deep."""

    def __init__(self, count: int):
        self._count = count

    def count(self) -> int:
        return self._count

    def __len__(self) -> int:
        return self._count

    def __getitem__(self, window: slice) -> list[Billing]:
        start, stop = window.start or 0, window.stop
        runs = [
            Billing.objects.filter(status=status).order_by("issued_at", "id").values_list("issued_at", "id")[:stop]
            for status in OPEN_STATUSES
        ]
        keys = [pk for _issued, pk in list(heapq.merge(*map(list, runs)))[start:stop]]
        bills = Billing.objects.select_related("patient", "appointment__doctor").in_bulk(keys)
        return [bills[pk] for pk in keys if pk in bills]


def bill_outstanding_total(*, bills: QuerySet[Billing]) -> Decimal:
    """What the given bills still owe, together: one aggregate query."""
    zero = Value(Decimal("0"), output_field=DecimalField(max_digits=14, decimal_places=2))
    total = bills.order_by().aggregate(
        outstanding=Coalesce(
            Sum(F("total_amount") - F("amount_paid"), output_field=DecimalField(max_digits=14, decimal_places=2)), zero
        )
    )["outstanding"]
    return Decimal(total)


def bill_with_details() -> QuerySet[Billing]:
    """Bills with everything the bill page and the receipt show, in a fixed number of queries:
    the bill with patient, doctor and insurance; its payments with their policy and receiving
    user. Its lines: `bill_lines`."""
    # The patient's encrypted columns and address are not shown: not decrypted either.
    return (
        Billing.objects.select_related("patient", "appointment__doctor", "insurance", "receipt")
        .defer(
            *unshown_patient_fields("patient__"),
        )
        .prefetch_related(
            Prefetch(
                "payments",
                queryset=Payment.objects.select_related("insurance", "received_by").order_by("paid_at", "id"),
            ),
        )
    )


@dataclass(frozen=True, slots=True)
class BillLine:
    """One service line of a bill as the bill page and the receipt show it."""

    code: str
    name: str
    quantity: int
    unit_price: Decimal

    @property
    def line_total(self) -> Decimal:
        return self.unit_price * self.quantity


def bill_lines(*, bill: Billing) -> list[BillLine]:
    """The bill's service lines in the order they were added (one query, plain values: a bill
    of 50 lines built 100 model instances for five columns)."""
    rows = (
        AppointmentService.objects.filter(appointment_id=bill.appointment_id)
        .order_by("id")
        .values_list("service__code", "service__name", "quantity", "unit_price")
    )
    return [BillLine(*row) for row in rows]


def bill_items(*, bill: Billing) -> list[BillLine]:
    """The bill's other lines (drugs dispensed...), in the order they were added (one query)."""
    rows = (
        BillItem.objects.filter(appointment_id=bill.appointment_id)
        .order_by("id")
        .values_list("code", "description", "quantity", "unit_price")
    )
    return [BillLine(*row) for row in rows]


def insurance_list_for(*, patient: Patient) -> QuerySet[Insurance]:
    """The patient's active policies, newest validity first: the choices for an insurance payment."""
    return Insurance.objects.filter(patient=patient, is_active=True).order_by("-valid_from", "id")


def unpaid_summary() -> dict:
    """{"total": the sum of the balances of unpaid and partially paid bills, "count"}. 1 query,
    on the outstanding balance per day of issue (OutstandingDaily), not on every bill."""
    result = OutstandingDaily.objects.aggregate(total=Sum("amount"), count=Cast(Sum("bills"), IntegerField()))
    return {"total": result["total"] or Decimal(0), "count": result["count"] or 0}
