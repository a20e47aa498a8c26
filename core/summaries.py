"""Daily summary tables: the mechanics shared by every app that keeps one.

A summary row holds one clinic day's counters for a key (a day, or a day and a doctor, ...).
An app's services describe what a row of theirs contributes (`Contributions`) before and after
a write and call `apply()` in the same transaction; `replace()` recomputes a whole table from the
raw rows in the database, for bulk loads and the `rebuild_summaries` command. Nothing here knows
an app: the models and querysets are the callers'."""

import datetime
from typing import Any

from django.db import DEFAULT_DB_ALIAS, connections
from django.db.models import DateTimeField, ExpressionWrapper, F, Max, Min, Model, QuerySet
from django.db.models.functions import TruncDate

from core.clock import clinic_timezone

# {(summary model, ((key field, value), ...)): {counter field: amount}}
Contributions = dict[tuple[type[Model], tuple], dict[str, Any]]


def difference(old: Contributions, new: Contributions) -> Contributions:
    """What changes from `old` to `new`, counters that do not move left out."""
    result: Contributions = {}
    for sign, contributions in ((-1, old), (1, new)):
        for key, counters in contributions.items():
            target = result.setdefault(key, {})
            for name, value in counters.items():
                target[name] = target.get(name, 0) + sign * value
    return {key: counters for key, counters in result.items() if any(counters.values())}


def merge(*parts: Contributions) -> Contributions:
    """The contributions of several rows together."""
    result: Contributions = {}
    for part in parts:
        for key, counters in part.items():
            target = result.setdefault(key, {})
            for name, value in counters.items():
                target[name] = target.get(name, 0) + value
    return result


def apply(old: Contributions, new: Contributions, *, using: str = DEFAULT_DB_ALIAS) -> None:
    """Adds the difference between `old` and `new` to the summary rows, creating a row for a
    new key. Rows are written in one fixed order (by table, then key), so that two transactions
    touching the same rows lock them in the same order and cannot deadlock."""
    changes = difference(old, new)
    for (model, key), counters in sorted(changes.items(), key=lambda item: (item[0][0]._meta.db_table, item[0][1])):
        _bump(model, key, counters, using)


def _bump(model: type[Model], key: tuple, counters: dict, using: str) -> None:
    """Adds counters to the row of key in one INSERT … ON CONFLICT / ON DUPLICATE KEY UPDATE
    statement: a write costs the same whether or not its day has a row yet, and two first
    writes of a day at once cannot collide."""
    connection = connections[using]
    quote = connection.ops.quote_name
    fields = [model._meta.get_field(name) for name, _value in key] + [model._meta.get_field(n) for n in counters]
    values = [
        field.get_db_prep_save(value, connection)
        for field, value in zip(fields, [value for _name, value in key] + list(counters.values()), strict=True)
    ]
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


# --- Rebuild ------------------------------------------------------------------------------------


def _fixed_offset(low: datetime.datetime | None, high: datetime.datetime | None) -> datetime.timedelta | None:
    """The clinic zone's UTC offset if it is the same on every day from low to high, else None."""
    if low is None or high is None:
        return datetime.timedelta(0)
    zone, offsets, day = clinic_timezone(), set(), low
    while day <= high + datetime.timedelta(days=1) and len(offsets) < 2:
        offsets.add(day.astimezone(zone).utcoffset())
        day += datetime.timedelta(days=1)
    return offsets.pop() if len(offsets) == 1 else None


def day_of(field: str, *, source: tuple[QuerySet, str]) -> TruncDate:
    """The clinic day of `field`, computed by the database.

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


def replace(model: type[Model], rows: QuerySet, *, using: str = DEFAULT_DB_ALIAS, batch_size: int = 5000) -> None:
    """Empties the summary table of `model` and fills it with `rows` (a values() queryset whose
    names are the model's fields), the database aggregating and the rows written in batches.
    Call it inside a transaction."""
    manager = model._base_manager.using(using)
    manager.all().delete()
    batch = []
    for row in rows.using(using).iterator(chunk_size=batch_size):
        batch.append(model(**row))
        if len(batch) == batch_size:
            manager.bulk_create(batch)
            batch = []
    if batch:
        manager.bulk_create(batch)


def model_or_none(registry, app_label: str, name: str) -> type[Model] | None:
    """A summary model from `registry` (the app registry, or a migration's historical one, where
    an earlier state may not have the table yet)."""
    try:
        return registry.get_model(app_label, name)
    except LookupError:
        return None
