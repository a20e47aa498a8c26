"""Reads for the pharmacy's pages. Each runs a fixed number of queries, whatever its length."""

import datetime

from django.db.models import F, IntegerField, Prefetch, Q, QuerySet, Sum, Value
from django.db.models.functions import Coalesce
from django.utils import timezone

from core.queries import count_of
from pharmacy.models import Batch, CompoundIngredient, Drug, Prescription, PrescriptionLine, StockMove

QUEUE_STATUSES = (Prescription.Status.OPEN, Prescription.Status.PARTIAL)
# What a row of the queue shows (templates/pharmacy/queue.html): nothing else is read, so no
# encrypted value of the patient or the doctor is decrypted.
QUEUE_FIELDS = (
    "status",
    "written_at",
    "patient__full_name",
    "patient__medical_record_number",
    "doctor__full_name",
)


def drug_search(query: str, *, limit: int = 15) -> list[Drug]:
    """Active drugs whose name or generic name contains `query` (at least two characters)."""
    query = query.replace("\x00", "").strip()[:60]
    if len(query) < 2:
        return []
    return list(
        Drug.objects.filter(Q(name__icontains=query) | Q(generic_name__icontains=query), is_active=True).order_by(
            "name"
        )[:limit]
    )


def queue() -> QuerySet[Prescription]:
    """Prescriptions to prepare, in the order they were written (through prescriptions_queue_idx):
    with patient, doctor and the number of lines, in one query per page.

    The number of lines is a subquery per row of the page, not a COUNT over a join: grouping the
    join made MariaDB start from the doctors and sort every open prescription in a temporary
    table (10 ms at 1M patients against 1 ms; docs/performance.md)."""
    return (
        Prescription.objects.filter(status__in=QUEUE_STATUSES)
        .select_related("patient", "doctor")
        .only(*QUEUE_FIELDS)
        .annotate(line_count=count_of(PrescriptionLine, "prescription"))
        .order_by("written_at", "id")
    )


def lines_with_ingredients() -> Prefetch:
    return Prefetch(
        "lines",
        queryset=PrescriptionLine.objects.select_related("drug")
        .prefetch_related(Prefetch("ingredients", queryset=CompoundIngredient.objects.select_related("drug")))
        .order_by("id"),
    )


def prescriptions_with_lines() -> QuerySet[Prescription]:
    return Prescription.objects.select_related("patient", "doctor", "appointment").prefetch_related(
        lines_with_ingredients()
    )


def stock_on_hand(*, query: str = "") -> QuerySet[Drug]:
    """Every drug with its usable units, its units in expired batches, and its minimum (one query)."""
    today = timezone.localdate()
    zero = Value(0, output_field=IntegerField())
    drugs = Drug.objects.annotate(
        usable=Coalesce(Sum("batches__on_hand", filter=Q(batches__expiry_date__gt=today)), zero),
        expired=Coalesce(Sum("batches__on_hand", filter=Q(batches__expiry_date__lte=today)), zero),
    ).order_by("name")
    query = query.replace("\x00", "").strip()[:60]
    if query:
        drugs = drugs.filter(Q(name__icontains=query) | Q(generic_name__icontains=query))
    return drugs


def below_minimum() -> QuerySet[Drug]:
    """Active drugs whose usable stock is below their minimum."""
    return stock_on_hand().filter(is_active=True, usable__lt=F("minimum_stock"))


def near_expiry(*, days: int) -> QuerySet[Batch]:
    """Batches with stock that expire within `days` days, or have expired, earliest first."""
    until = timezone.localdate() + datetime.timedelta(days=days)
    return (
        Batch.objects.filter(on_hand__gt=0, expiry_date__lte=until)
        .select_related("drug")
        .order_by("expiry_date", "drug__name", "id")
    )


def batches_of(drug: Drug) -> QuerySet[Batch]:
    return Batch.objects.filter(drug=drug).order_by("expiry_date", "id")


def movements(*, drug: Drug | None, start: datetime.date, end: datetime.date) -> QuerySet[StockMove]:
    """Ledger rows between two clinic days (inclusive), of one drug or of all."""
    tz = timezone.get_current_timezone()
    since = datetime.datetime.combine(start, datetime.time.min, tzinfo=tz)
    until = datetime.datetime.combine(end + datetime.timedelta(days=1), datetime.time.min, tzinfo=tz)
    moves = StockMove.objects.filter(at__gte=since, at__lt=until).select_related("batch__drug", "by")
    if drug is not None:
        moves = moves.filter(batch__drug=drug)
    return moves.order_by("at", "id")
