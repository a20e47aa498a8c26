"""Summary tables of the dashboard (issue 6): figures kept per Jakarta day so that a page reads
a few thousand rows instead of aggregating millions of payments and bills per request.

The tables (clinic/models.py) are written in the same transaction as the row they summarise:
receivers of post_save/post_delete on Payment, Billing, Appointment, AppointmentService and
Patient add the
difference between the row's summarised values before and after the write. Receivers rather
than calls in the services because every write path must keep them right - the services, the
Django admin, `loaddata` of the sample data and the tests' factories - and they all save rows.
`QuerySet.update()`, `bulk_create()` and raw SQL bypass them: whoever writes that way (the seed
generator after a bulk load) calls `rebuild_all()`, which recomputes every table from the raw
rows in SQL (`manage.py rebuild_summaries`)."""

import datetime
from collections.abc import Callable, Iterable
from decimal import Decimal
from typing import Any

from django.apps import apps as django_apps
from django.db import DEFAULT_DB_ALIAS, connections, transaction
from django.db.models import Count, DateTimeField, DecimalField, ExpressionWrapper, F, Max, Min, Q, Sum
from django.db.models.functions import TruncDate
from django.db.models.signals import post_delete, post_init, post_save, pre_save

from core.clock import clinic_timezone, local_day

OPEN_STATUSES = ("unpaid", "partially_paid")
VOID = "void"
LINE_AMOUNT = DecimalField(max_digits=18, decimal_places=2)

# The fields of each model that its summaries depend on (attnames).
TRACKED = {
    "billing.Payment": ("paid_at", "method", "amount"),
    "billing.Billing": ("appointment_id", "issued_at", "status", "total_amount", "amount_paid"),
    "scheduling.AppointmentService": ("appointment_id", "service_id", "quantity", "unit_price"),
    "patients.Patient": ("created_at", "is_active"),
    "scheduling.Appointment": ("appointment_date", "doctor_id", "status"),
}

# {(summary model label, ((key field, value), ...)): {counter field: amount}}
Contributions = dict[tuple[str, tuple], dict[str, Any]]


# --- What one row contributes -------------------------------------------------------------------


def _payment(state: dict) -> Contributions:
    key = (("day", local_day(state["paid_at"])), ("method", state["method"]))
    return {("clinic.RevenueDaily", key): {"amount": state["amount"], "payments": 1}}


def _patient(state: dict) -> Contributions:
    key = (("day", local_day(state["created_at"])),)
    return {("clinic.RegistrationDaily", key): {"registered": 1, "active": int(bool(state["is_active"]))}}


def _appointment(state: dict) -> Contributions:
    key = (("day", local_day(state["appointment_date"])), ("doctor_id", state["doctor_id"]), ("status", state["status"]))
    return {("clinic.AppointmentDaily", key): {"appointments": 1}}


def _bill_outstanding(state: dict) -> Contributions:
    if state["status"] not in OPEN_STATUSES:
        return {}
    key = (("day", local_day(state["issued_at"])),)
    return {("clinic.OutstandingDaily", key): {"amount": state["total_amount"] - state["amount_paid"], "bills": 1}}


def _lines_at(day: datetime.date, lines: Iterable[dict]) -> Contributions:
    """The billed-by-service contributions of a bill's lines on the bill's day of issue."""
    result: Contributions = {}
    for line in lines:
        key = ("clinic.BilledServiceDaily", (("day", day), ("service_id", line["service_id"])))
        counters = result.setdefault(key, {"amount": Decimal(0), "quantity": 0, "lines": 0})
        counters["amount"] += line["quantity"] * line["unit_price"]
        counters["quantity"] += line["quantity"]
        counters["lines"] += 1
    return result


def _billed_day(bill_state: dict | None) -> datetime.date | None:
    """The day a bill's lines count on, or None for no bill or a void one."""
    if not bill_state or bill_state["status"] == VOID:
        return None
    return local_day(bill_state["issued_at"])


# --- Applying differences -----------------------------------------------------------------------


def _difference(old: Contributions, new: Contributions) -> Contributions:
    result: Contributions = {}
    for sign, contributions in ((-1, old), (1, new)):
        for key, counters in contributions.items():
            target = result.setdefault(key, {})
            for name, value in counters.items():
                target[name] = target.get(name, 0) + sign * value
    return {key: counters for key, counters in result.items() if any(counters.values())}


def _bump(label: str, key: tuple, counters: dict, using: str) -> None:
    """Adds counters to the row of key, creating it for a new key: one INSERT … ON CONFLICT /
    ON DUPLICATE KEY UPDATE statement (so a write costs the same queries whether or not its day
    has a row yet, and two first writes of a day at once cannot collide)."""
    model = django_apps.get_model(label)
    connection = connections[using]
    quote = connection.ops.quote_name
    fields = [model._meta.get_field(name) for name, _value in key] + [model._meta.get_field(n) for n in counters]
    values = [field.get_db_prep_save(value, connection)
              for field, value in zip(fields, [value for _name, value in key] + list(counters.values()), strict=True)]
    table = quote(model._meta.db_table)
    columns = ", ".join(quote(field.column) for field in fields)
    placeholders = ", ".join(["%s"] * len(fields))
    added = [quote(model._meta.get_field(name).column) for name in counters]
    if connection.vendor == "mysql":
        update = ", ".join(f"{column} = {column} + VALUES({column})" for column in added)
        tail = f"ON DUPLICATE KEY UPDATE {update}"  # nosec B608: quoted names, no values
    else:
        conflict = ", ".join(quote(model._meta.get_field(name).column) for name, _value in key)
        update = ", ".join(f"{column} = {table}.{column} + EXCLUDED.{column}" for column in added)
        tail = f"ON CONFLICT ({conflict}) DO UPDATE SET {update}"  # nosec B608: quoted names, no values
    with connection.cursor() as cursor:
        # Table and column names come from the model and are quoted; every value is a parameter.
        cursor.execute(f"INSERT INTO {table} ({columns}) VALUES ({placeholders}) {tail}", values)  # nosec B608: see above


def _apply(old: Contributions, new: Contributions, using: str) -> None:
    """Writes the rows in one fixed order (by table, then key), so that two transactions
    touching the same summary rows lock them in the same order and cannot deadlock."""
    for (label, key), counters in sorted(_difference(old, new).items()):
        _bump(label, key, counters, using)


# --- Receivers ------------------------------------------------------------------------------------


def _fields(sender) -> tuple[str, ...]:
    return TRACKED[sender._meta.label]


def _remember(sender, instance, **kwargs) -> None:
    """post_init: the summarised values as loaded, to subtract them when the row changes. A row
    loaded with some of them deferred is read again in pre_save instead."""
    fields = _fields(sender)
    if instance.pk is None:
        instance._summary_state = {}
    elif all(name in instance.__dict__ for name in fields):
        instance._summary_state = {name: instance.__dict__[name] for name in fields}
    else:
        instance._summary_state = None


def _reload_if_unknown(sender, instance, raw=False, using=DEFAULT_DB_ALIAS, **kwargs) -> None:
    if getattr(instance, "_summary_state", None) is None and instance.pk is not None:
        instance._summary_state = (
            sender._base_manager.using(using).filter(pk=instance.pk).values(*_fields(sender)).first() or {})


def _state(sender, instance) -> dict:
    return {name: getattr(instance, name) for name in _fields(sender)}


def _bill_of(appointment_id, using: str) -> dict | None:
    from billing.models import Billing

    return (Billing._base_manager.using(using).filter(appointment_id=appointment_id)
            .values("issued_at", "status").first())


def _lines_of(appointment_id, using: str) -> list[dict]:
    from scheduling.models import AppointmentService

    return list(AppointmentService._base_manager.using(using).filter(appointment_id=appointment_id)
                .values("service_id", "quantity", "unit_price"))


def _bill_lines_change(old: dict, new: dict, using: str) -> tuple[Contributions, Contributions]:
    """A bill moves its lines' amounts when it is issued, voided or re-dated (one query then)."""
    old_day, new_day = _billed_day(old), _billed_day(new)
    if old_day == new_day:
        return {}, {}
    lines = _lines_of(new["appointment_id"], using)
    return (_lines_at(old_day, lines) if old_day else {}), (_lines_at(new_day, lines) if new_day else {})


def _line_contributions(state: dict, using: str, bills: dict) -> Contributions:
    if not state:
        return {}
    appointment_id = state["appointment_id"]
    if appointment_id not in bills:
        bills[appointment_id] = _bill_of(appointment_id, using)
    day = _billed_day(bills[appointment_id])
    return _lines_at(day, [state]) if day else {}


def _contributions(sender, old: dict, new: dict, using: str) -> tuple[Contributions, Contributions]:
    label = sender._meta.label
    if label == "scheduling.AppointmentService":
        bills: dict = {}
        return _line_contributions(old, using, bills), _line_contributions(new, using, bills)
    if label == "billing.Billing":
        old_lines, new_lines = _bill_lines_change(old, new, using)
        return ({**(_bill_outstanding(old) if old else {}), **old_lines},
                {**(_bill_outstanding(new) if new else {}), **new_lines})
    contribute = {"billing.Payment": _payment, "patients.Patient": _patient,
                  "scheduling.Appointment": _appointment}[label]
    return (contribute(old) if old else {}), (contribute(new) if new else {})


def _saved(sender, instance, created, raw=False, using=DEFAULT_DB_ALIAS, **kwargs) -> None:
    old = {} if created else (getattr(instance, "_summary_state", None) or {})
    new = _state(sender, instance)
    if old != new:
        _apply(*_contributions(sender, old, new, using), using)
    instance._summary_state = new


def _deleted(sender, instance, using=DEFAULT_DB_ALIAS, **kwargs) -> None:
    old = getattr(instance, "_summary_state", None) or _state(sender, instance)
    _apply(*_contributions(sender, old, {}, using), using)
    instance._summary_state = {}


def connect() -> None:
    """Hooks the receivers to the summarised models (ClinicConfig.ready)."""
    for label in TRACKED:
        model = django_apps.get_model(label)
        uid = f"clinic.summaries:{label}"
        post_init.connect(_remember, sender=model, dispatch_uid=uid)
        pre_save.connect(_reload_if_unknown, sender=model, dispatch_uid=uid)
        post_save.connect(_saved, sender=model, dispatch_uid=uid)
        post_delete.connect(_deleted, sender=model, dispatch_uid=uid)


# --- Rebuild ------------------------------------------------------------------------------------


def _fixed_offset(low: datetime.datetime | None, high: datetime.datetime | None) -> datetime.timedelta | None:
    """The clinic zone's UTC offset if it is the same on every day from low to high, else None."""
    if low is None or high is None:
        return datetime.timedelta(0)
    offsets, day = set(), low
    while day <= high + datetime.timedelta(days=1) and len(offsets) < 2:
        offsets.add(day.astimezone(clinic_timezone()).utcoffset())
        day += datetime.timedelta(days=1)
    return offsets.pop() if len(offsets) == 1 else None


def _day_of(field: str, *, source: tuple) -> TruncDate:
    """The Jakarta day of `field`, computed by the database.

    Asia/Jakarta has kept one offset (+07:00) since 1964: over such a range the day is the UTC
    date of the moment plus the offset, which needs no time zone tables in MariaDB (without them
    CONVERT_TZ gives NULL). A zone whose offset changes inside the data's range uses TruncDate
    with the zone, which does need them. `source`: (queryset, column) holding the moments, for
    a `field` that reaches them through a join."""
    queryset, column = source
    bounds = queryset.aggregate(low=Min(column), high=Max(column))
    offset = _fixed_offset(bounds["low"], bounds["high"])
    if offset is None:
        return TruncDate(field, tzinfo=clinic_timezone())
    shifted = ExpressionWrapper(F(field) + offset, output_field=DateTimeField())
    return TruncDate(shifted, tzinfo=datetime.UTC)


def _rebuild_rows(registry, using: str) -> dict[str, Callable[[], Iterable]]:
    """{summary label: a function giving the rows of its new content}, each aggregated by the
    database (functions: finding a table's range of days is a query of its own)."""
    payments = registry.get_model("billing", "Payment")._base_manager.using(using)
    bills = registry.get_model("billing", "Billing")._base_manager.using(using)
    lines = registry.get_model("scheduling", "AppointmentService")._base_manager.using(using)
    patients = registry.get_model("patients", "Patient")._base_manager.using(using)
    appointments = registry.get_model("scheduling", "Appointment")._base_manager.using(using)
    billed_lines = lines.filter(appointment__bill__isnull=False).exclude(appointment__bill__status=VOID)
    return {
        "RevenueDaily": lambda: payments.annotate(day=_day_of("paid_at", source=(payments, "paid_at")))
        .values("day", "method")
        .annotate(amount=Sum("amount"), payments=Count("id")).order_by(),
        "BilledServiceDaily": lambda: billed_lines
        .annotate(day=_day_of("appointment__bill__issued_at", source=(bills, "issued_at"))).values("day", "service_id")
        .annotate(amount=Sum(F("quantity") * F("unit_price"), output_field=LINE_AMOUNT),
                  quantity=Sum("quantity"), lines=Count("id")).order_by(),
        "OutstandingDaily": lambda: bills.filter(status__in=OPEN_STATUSES)
        .annotate(day=_day_of("issued_at", source=(bills, "issued_at"))).values("day")
        .annotate(amount=Sum(F("total_amount") - F("amount_paid"), output_field=LINE_AMOUNT),
                  bills=Count("id")).order_by(),
        "RegistrationDaily": lambda: patients.annotate(day=_day_of("created_at", source=(patients, "created_at")))
        .values("day")
        .annotate(registered=Count("id"), active=Count("id", filter=Q(is_active=True))).order_by(),
        "AppointmentDaily": lambda: appointments
        .annotate(day=_day_of("appointment_date", source=(appointments, "appointment_date")))
        .values("day", "doctor_id", "status").annotate(appointments=Count("id")).order_by(),
    }


def rebuild_all(*, registry=None, using: str = DEFAULT_DB_ALIAS, only: Iterable[str] | None = None) -> None:
    """Recomputes every summary table (or the ones named in `only`) from the raw rows, in one
    transaction.

    For after a bulk load (seed_demo) or any write that bypassed the receivers; also run by the
    migrations that create the tables. `registry`: a migration's historical apps."""
    registry = registry or django_apps
    with transaction.atomic(using=using):
        for name, rows in _rebuild_rows(registry, using).items():
            if only is not None and name not in only:
                continue
            try:
                model = registry.get_model("clinic", name)
            except LookupError:  # an earlier migration's state: a later one adds and fills the table
                continue
            model._base_manager.using(using).all().delete()
            _insert_select(model, rows(), using)


def _insert_select(model, rows, using: str) -> None:
    """INSERT INTO the summary table SELECT its rows: the database aggregates and writes in one
    statement (a chain's 700,000 daily counts by doctor took 50 s through bulk_create)."""
    compiler = rows.query.get_compiler(using=using)
    sql, params = compiler.as_sql()
    # Each selected column by its alias (annotations) or its field (grouped columns).
    names = [alias or expression.target.attname for expression, _sql, alias in compiler.select]
    columns = [model._meta.get_field(name).column for name in names]
    connection = connections[using]
    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        # The names are the model's, quoted; the SELECT and its parameters are the ORM's.
        cursor.execute(f"INSERT INTO {quote(model._meta.db_table)} ({', '.join(map(quote, columns))}) {sql}",  # nosec B608
                       params)
