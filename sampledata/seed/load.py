"""Loading the generated text into the database, the fastest way each vendor offers.

MariaDB/MySQL: LOAD DATA LOCAL INFILE on connections of our own (mysqlclient's `local_infile`
must be asked for when connecting; Django's connection cannot be changed afterwards), with
foreign key and unique checks off for the session: the generator guarantees both. Two files load
at once, each on its own thread's connection, and the dropped indexes are built again on the same
two connections, so the server uses both cores; with the checks off the order of the files does
not matter.
PostgreSQL: COPY ... FROM STDIN through psycopg 3 (`cursor.copy`), on Django's connection;
foreign keys (deferred in Django's schema) are not queued per row when the session may set
`session_replication_role = replica` (a superuser), otherwise they are checked at each commit.
SQLite: executemany of the same rows (unescaped), in one transaction per file.
"""

from __future__ import annotations

import os
import re
import threading
from collections.abc import Callable

from django.apps import apps
from django.core.management.color import no_style
from django.db import connections, transaction

from .generate import COLUMNS

# The clinic's own tables, parents first.
CLINIC_MODELS = (
    "accounts.User",
    "patients.Doctor",
    "patients.WorkingHours",
    "scheduling.Service",
    "patients.Patient",
    "patients.PatientNameWord",
    "billing.Insurance",
    "scheduling.Appointment",
    "scheduling.AppointmentService",
    "records.MedicalRecord",
    "records.LabResult",
    "billing.Billing",
    "billing.Payment",
    "audit.AuditLog",
)
FLUSH_APPS = ("patients", "scheduling", "records", "billing", "pharmacy")
BLOCK = 1 << 20


def flush_models() -> list:
    """The clinic's data tables and every table that points at one of them (audit log, record
    versions, summaries...), children first; never the users."""
    user = apps.get_model("accounts.User")
    chosen = [
        m for m in apps.get_models(include_auto_created=True) if m._meta.app_label in FLUSH_APPS and not m._meta.proxy
    ]
    grown = True
    while grown:
        grown = False
        for model in apps.get_models(include_auto_created=True):
            if model in chosen or model is user or model._meta.proxy:
                continue
            if any(
                f.is_relation and (f.many_to_one or f.one_to_one) and f.related_model in chosen
                for f in model._meta.concrete_fields
            ):
                chosen.append(model)
                grown = True
    return list(reversed(chosen))


def _unescape(field: str):
    if field == "\\N":
        return None
    if "\\" not in field:
        return field
    out, i = [], 0
    while i < len(field):
        ch = field[i]
        if ch == "\\" and i + 1 < len(field):
            out.append({"n": "\n", "t": "\t", "r": "\r", "\\": "\\"}.get(field[i + 1], field[i + 1]))
            i += 2
        else:
            out.append(ch)
            i += 1
    return "".join(out)


class Loader:
    vendor = ""
    timestamp_suffix = ""
    # Connections of our own building indexes (index_builds) at the same time; more than one
    # only where `load` and the builds may run on any thread, each on that thread's connection.
    threads = 1
    # Of those, how many load files at the same time (only where files may commit in any order).
    load_threads = 1

    def __init__(self, alias: str):
        self.alias = alias
        self.connection = connections[alias]

    def start(self) -> None:
        pass

    def load(self, table: str, path: str) -> None:
        raise NotImplementedError

    def index_builds(self) -> list[tuple[str, Callable[[], None]]]:
        """(table, build) for each table whose indexes were dropped, biggest first; each build
        runs on the calling thread's connection. Empty where the indexes are rebuilt by finish()."""
        return []

    def finish(self) -> None:
        pass

    def flush(self) -> list[str]:
        raise NotImplementedError

    def reset_sequences(self) -> None:
        models = [apps.get_model(label) for label in CLINIC_MODELS]
        statements = self.connection.ops.sequence_reset_sql(no_style(), models)
        with self.connection.cursor() as cursor:
            for sql in statements:
                cursor.execute(sql)

    def clinic_tables(self) -> list[str]:
        return [apps.get_model(label)._meta.db_table for label in CLINIC_MODELS]

    def analyze(self, tables: list[str] | None = None) -> None:
        """Fresh statistics for the clinic's tables (those given, else all)."""
        tables = self.clinic_tables() if tables is None else tables
        with self.connection.cursor() as cursor:
            for table in tables:
                cursor.execute(f"ANALYZE {self.connection.ops.quote_name(table)}")


class MySQLLoader(Loader):
    """The secondary indexes of the bulk tables are dropped before the load and built again
    after it: InnoDB then sorts each index once instead of inserting millions of random keys
    (NIK hashes, patient ids) into B-trees that outgrow the buffer pool (on a default 128 MB pool
    the 1M-patient load crawled at ~3,000 patients/s). The tables are empty at that point."""

    vendor = "mysql"
    KEY_LINE = re.compile(r"^\s*((?:UNIQUE )?KEY `[^`]+` \(.*\))(?: USING BTREE)?,?$")

    # Two connections, each on its own thread (mysqlclient releases the GIL during a query): they
    # load two files (of different tables) at once, then build the indexes two tables at a time
    # (docs/performance.md, "seed_demo's speed", has the figures).
    threads = 2
    load_threads = 2

    def _connect(self):
        """A connection for LOAD DATA: local_infile, no foreign key or unique checks."""
        import MySQLdb

        params = self.connection.get_connection_params()
        params["local_infile"] = 1
        raw = MySQLdb.connect(**params)
        with self._lock:
            self._raws.append(raw)
        cursor = raw.cursor()
        cursor.execute("SET SESSION foreign_key_checks = 0, unique_checks = 0")
        try:
            cursor.execute("SET SESSION sql_log_bin = 0")  # needs a privilege; only spares the binary log
        except MySQLdb.OperationalError:
            pass
        return raw

    def _raw(self):
        """The calling thread's own connection (a MySQLdb connection is not shared between threads)."""
        raw = getattr(self._local, "raw", None)
        if raw is None:
            raw = self._local.raw = self._connect()
        return raw

    def start(self) -> None:
        self._lock = threading.Lock()
        self._local = threading.local()
        self._raws: list = []
        cursor = self._raw().cursor()
        self.dropped: dict[str, list[str]] = {}
        for table in COLUMNS:
            cursor.execute(f"SHOW CREATE TABLE `{table}`")
            keys = [m[1] for line in cursor.fetchone()[1].splitlines() if (m := self.KEY_LINE.match(line))]
            if keys:
                names = [key.split("`")[1] for key in keys]
                cursor.execute(f"ALTER TABLE `{table}` " + ", ".join(f"DROP INDEX `{n}`" for n in names))
                self.dropped[table] = keys

    def _build(self, table: str) -> None:
        keys = self.dropped.pop(table)
        self._raw().cursor().execute(f"ALTER TABLE `{table}` " + ", ".join(f"ADD {key}" for key in keys))

    def index_builds(self) -> list[tuple[str, Callable[[], None]]]:
        """One ALTER per table (InnoDB sorts all its indexes in one pass over the rows), the
        biggest work first (rows times indexes) so two connections end at about the same time."""
        if not self.dropped:
            return []
        cursor = self._raw().cursor()
        cursor.execute("SELECT table_name, data_length FROM information_schema.tables WHERE table_schema = DATABASE()")
        sizes = dict(cursor.fetchall())
        tables = sorted(self.dropped, key=lambda t: -(sizes.get(t) or 0) * len(self.dropped[t]))
        return [(table, lambda table=table: self._build(table)) for table in tables]

    def rebuild_indexes(self) -> None:
        for _table, build in self.index_builds():
            build()

    def load(self, table: str, path: str) -> None:
        columns = ", ".join(f"`{c}`" for c in COLUMNS[table])
        raw = self._raw()
        cursor = raw.cursor()
        try:
            cursor.execute(
                f"LOAD DATA LOCAL INFILE %s INTO TABLE `{table}` CHARACTER SET utf8mb4 "
                f"FIELDS TERMINATED BY '\\t' ESCAPED BY '\\\\' LINES TERMINATED BY '\\n' ({columns})",
                [path],
            )
            warnings = cursor.execute("SHOW WARNINGS")
            if warnings:
                problems = cursor.fetchall()[:5]
                raise RuntimeError(f"LOAD DATA into {table} from {path} gave warnings: {problems}")
        except BaseException:
            # Nothing half-loaded stays open: an open transaction would hold the table's metadata
            # lock, and finish()'s ALTER TABLE would wait on it instead of the error being raised.
            raw.rollback()
            raise
        raw.commit()

    def finish(self) -> None:
        """The indexes not built yet (all of them unless index_builds() ran), then the connections
        closed. Again after that: nothing."""
        try:
            self.rebuild_indexes()
        finally:
            with self._lock:
                raws, self._raws, self._local = self._raws, [], threading.local()
            for raw in raws:
                raw.close()

    def flush(self) -> list[str]:
        tables = [m._meta.db_table for m in flush_models()]
        with self.connection.cursor() as cursor:
            cursor.execute("SET foreign_key_checks = 0")
            try:
                for table in tables:
                    cursor.execute(f"TRUNCATE TABLE `{table}`")
            finally:
                cursor.execute("SET foreign_key_checks = 1")
        return tables

    def reset_sequences(self) -> None:
        """Each table's AUTO_INCREMENT back to just past its highest id (asking for 1 gives
        MAX(id) + 1, a change of the table's metadata only). Django has no reset SQL for MariaDB,
        and a table emptied by DELETE (a transactional test's flush) keeps its old counter: the
        staff's audit rows then took ids of the seeded history, and the load failed on them."""
        with self.connection.cursor() as cursor:
            for table in self.clinic_tables():
                cursor.execute(f"ALTER TABLE `{table}` AUTO_INCREMENT = 1")

    def analyze(self, tables: list[str] | None = None) -> None:
        tables = self.clinic_tables() if tables is None else tables
        if not tables:
            return
        with self.connection.cursor() as cursor:
            cursor.execute("ANALYZE TABLE " + ", ".join(f"`{table}`" for table in tables))
            cursor.fetchall()


class PostgreSQLLoader(Loader):
    """As on MariaDB, the bulk tables' secondary indexes and unique constraints are dropped for
    the load and built once after it (CREATE INDEX sorts; maintenance_work_mem gives it room)."""

    vendor = "postgresql"
    timestamp_suffix = "+00"
    UNIQUES = (
        "SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint "
        "WHERE conrelid = %s::regclass AND contype = 'u' ORDER BY conname"
    )
    INDEXES = (
        "SELECT i.relname, pg_get_indexdef(i.oid) FROM pg_index x JOIN pg_class i ON i.oid = x.indexrelid "
        "WHERE x.indrelid = %s::regclass AND NOT x.indisprimary "
        "AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = x.indexrelid) ORDER BY i.relname"
    )

    def start(self) -> None:
        self.connection.ensure_connection()
        with self.connection.cursor() as cursor:
            try:
                with transaction.atomic(using=self.alias):
                    cursor.execute("SET session_replication_role = replica")
            except Exception:  # not a superuser: foreign keys are checked at each commit instead
                pass
            cursor.execute("SET maintenance_work_mem = '512MB'")
        self.dropped: list[str] = []  # the statements that rebuild what was dropped
        with transaction.atomic(using=self.alias), self.connection.cursor() as cursor:
            for table in COLUMNS:
                cursor.execute(self.UNIQUES, [f'"{table}"'])
                for name, definition in cursor.fetchall():
                    cursor.execute(f'ALTER TABLE "{table}" DROP CONSTRAINT "{name}"')
                    self.dropped.append(f'ALTER TABLE "{table}" ADD CONSTRAINT "{name}" {definition}')
                cursor.execute(self.INDEXES, [f'"{table}"'])
                for name, definition in cursor.fetchall():
                    cursor.execute(f'DROP INDEX "{name}"')
                    self.dropped.append(definition)

    def rebuild_indexes(self) -> None:
        with self.connection.cursor() as cursor:
            for statement in self.dropped:
                cursor.execute(statement)
        self.dropped = []

    def load(self, table: str, path: str) -> None:
        columns = ", ".join(f'"{c}"' for c in COLUMNS[table])
        with transaction.atomic(using=self.alias), self.connection.cursor() as cursor:
            with cursor.cursor.copy(f'COPY "{table}" ({columns}) FROM STDIN') as copy, open(path, "rb") as handle:
                while block := handle.read(BLOCK):
                    copy.write(block)

    def finish(self) -> None:
        try:
            with transaction.atomic(using=self.alias):
                self.rebuild_indexes()
        finally:
            with self.connection.cursor() as cursor:
                cursor.execute("SET session_replication_role = DEFAULT")
                cursor.execute("RESET maintenance_work_mem")

    def flush(self) -> list[str]:
        tables = [m._meta.db_table for m in flush_models()]
        with self.connection.cursor() as cursor:
            cursor.execute("TRUNCATE " + ", ".join(f'"{t}"' for t in tables) + " RESTART IDENTITY")
        return tables


class SQLiteLoader(Loader):
    vendor = "sqlite"

    def reset_sequences(self) -> None:
        """Each table's AUTOINCREMENT counter back to its highest id (Django has no reset SQL for
        SQLite): a table emptied by DELETE keeps its old counter in sqlite_sequence."""
        quote = self.connection.ops.quote_name
        with self.connection.cursor() as cursor:
            for model in (apps.get_model(label) for label in CLINIC_MODELS):
                table, key = model._meta.db_table, model._meta.pk.column
                # Identifiers from the models' own table and column names.
                cursor.execute(
                    f"UPDATE sqlite_sequence SET seq = (SELECT COALESCE(MAX({quote(key)}), 0) "  # nosec B608
                    f"FROM {quote(table)}) WHERE name = %s",
                    [table],
                )

    def load(self, table: str, path: str) -> None:
        columns = COLUMNS[table]
        # Identifiers from the models' own table and column lists; the values are parameters.
        sql = (
            f'INSERT INTO "{table}" ({", ".join(f"{chr(34)}{c}{chr(34)}" for c in columns)}) '  # nosec B608
            f"VALUES ({', '.join(['%s'] * len(columns))})"
        )
        with open(path, encoding="utf-8") as handle:
            rows = [[_unescape(f) for f in line.rstrip("\n").split("\t")] for line in handle]
        with transaction.atomic(using=self.alias), self.connection.cursor() as cursor:
            cursor.executemany(sql, rows)

    def flush(self) -> list[str]:
        models = flush_models()
        with transaction.atomic(using=self.alias), self.connection.cursor() as cursor:
            for model in models:
                cursor.execute(f'DELETE FROM "{model._meta.db_table}"')  # nosec B608: the models' own names
        return [m._meta.db_table for m in models]

    def analyze(self, tables: list[str] | None = None) -> None:
        """Nothing: SQLite's ANALYZE leaves a sqlite_stat1 table that no migration owns (the
        migrations test then finds it after migrating to zero), and a SQLite clinic is small."""


def loader_for(alias: str) -> Loader:
    vendor = connections[alias].vendor
    classes = {"mysql": MySQLLoader, "postgresql": PostgreSQLLoader, "sqlite": SQLiteLoader}
    if vendor not in classes:
        raise ValueError(f"seed_demo cannot load into a {vendor} database")
    return classes[vendor](alias)


def remove(path: str) -> None:
    try:
        os.remove(path)
    except FileNotFoundError:
        pass
