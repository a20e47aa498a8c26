"""Hot read queries whose SQL is compiled once and run again with new values.

Turning a QuerySet into SQL costs Django 0.15–0.3 ms per query on this machine (building the
filters, resolving the joins, compiling), as much as the database then takes to answer a short
indexed read. The pages read on every request by every doctor (a doctor's day: their working
hours and their appointments) pay that twice. A PreparedValues keeps the SQL of such a query,
compiled by the ORM from the QuerySet its function builds, and runs it with the call's values:

    day_rows = PreparedValues(
        lambda doctor_id, start, end: Appointment.objects.filter(
            doctor_id=doctor_id, appointment_date__gte=start, appointment_date__lt=end,
        ).order_by("appointment_date").values_list("pk", "status"),
        doctor_id=int, start=datetime.datetime, end=datetime.datetime,
    )
    rows = day_rows(doctor_id=7, start=..., end=...)   # a list of tuples, as values_list gives

How: the function is called once per database connection with stand-in values (an unusual
number or text, a datetime in 1901) and compiled; each stand-in is then found among the
compiled parameters, and a call puts its own values there, adapted for the database as the ORM
adapts them (aware datetimes to the connection's form). The rows get the same converters the
ORM applies (aware datetimes, booleans, decimals). The database is chosen as the ORM chooses it
(the router's db_for_read: a replica inside a GET request), and the statement goes through
Django's cursor, so query logging, execute wrappers and the query count see it.

Whenever the SQL does not come out as expected — a stand-in not found exactly once, or a query
with extra select columns — the PreparedValues runs the QuerySet through the ORM on every call
instead. It is therefore never wrong, only sometimes not faster; tests compare its rows with the
ORM's on every database.
"""

from __future__ import annotations

import datetime
import threading
from collections.abc import Callable
from itertools import count

from django.db import connections, router
from django.db.models import QuerySet

# Within every integer field's range (Django answers a lookup beyond it with no query at all).
_STAND_IN_NUMBERS = count(31_331)
_STAND_IN_BASE = datetime.datetime(1901, 2, 3, 4, 5, 6, tzinfo=datetime.timezone.utc)


class _Compiled:
    """One database connection's SQL of a PreparedValues: the SQL, where each value goes, and the
    compiler that converts the rows; or None for `sql` when the ORM must run the query."""

    def __init__(self, sql: str | None, params: list, positions: dict[str, int], compiler):
        self.sql, self.params, self.positions, self.compiler = sql, params, positions, compiler


class PreparedValues:
    """A values_list() query built by `build(**values)`, compiled once per database connection.
    `kinds` names each value and its type: int, str or datetime.datetime (aware)."""

    def __init__(self, build: Callable[..., QuerySet], **kinds: type):
        unsupported = {name for name, kind in kinds.items() if kind not in (int, str, datetime.datetime)}
        if unsupported:
            raise TypeError(f"PreparedValues takes int, str and datetime values, not {sorted(unsupported)}")
        self.build, self.kinds = build, kinds
        self.stand_ins = {}
        for name, kind in kinds.items():
            number = next(_STAND_IN_NUMBERS)
            self.stand_ins[name] = {int: number, str: f"prepared-stand-in-{number}",
                                    datetime.datetime: _STAND_IN_BASE + datetime.timedelta(seconds=number)}[kind]
        self.model = None  # known at the first call: building a QuerySet needs the apps loaded
        self._local = threading.local()  # Django's connections are per thread; so is what holds them

    def _compiled(self, alias: str) -> _Compiled:
        cache = self._local.__dict__.setdefault("compiled", {})
        connection = connections[alias]
        compiled = cache.get(alias)
        if compiled is not None and compiled.compiler.connection is connection:
            return compiled
        compiler = self.build(**self.stand_ins).query.get_compiler(using=alias)
        sql, params = compiler.as_sql()
        params = list(params)
        positions = {}
        for name, value in self.stand_ins.items():
            adapted = self._adapt(connection, name, value)
            found = [index for index, param in enumerate(params) if param == adapted]
            if len(found) != 1:
                positions = None
                break
            positions[name] = found[0]
        usable = positions is not None and not compiler.has_extra_select
        compiled = _Compiled(sql if usable else None, params, positions or {}, compiler)
        cache[alias] = compiled
        return compiled

    def _adapt(self, connection, name: str, value):
        if self.kinds[name] is datetime.datetime:
            return connection.ops.adapt_datetimefield_value(value)
        return value

    def __call__(self, **values) -> list[tuple]:
        return self.fetch(**values)[1]

    def fetch(self, **values) -> tuple[str, list[tuple]]:
        """The database alias read from, and the rows."""
        if values.keys() != self.kinds.keys():
            raise TypeError(f"PreparedValues needs exactly {sorted(self.kinds)}")
        if self.model is None:
            self.model = self.build(**self.stand_ins).model
        alias = router.db_for_read(self.model)
        compiled = self._compiled(alias)
        if compiled.sql is None:
            return alias, list(self.build(**values).using(alias))
        connection = connections[alias]
        params = list(compiled.params)
        for name, position in compiled.positions.items():
            params[position] = self._adapt(connection, name, values[name])
        with connection.cursor() as cursor:
            cursor.execute(compiled.sql, params)
            rows = cursor.fetchall()
        return alias, list(compiled.compiler.results_iter(results=[rows], tuple_expected=True))
