"""Backup and restore of the clinic database, for `manage.py backup` and `manage.py restore`.

One file per backup, plus a JSON manifest beside it (PATH + ".json"):

- MariaDB/MySQL: `mariadb-dump --single-transaction` (one consistent snapshot, no table locks),
  gzip-compressed here as it streams by. Credentials go in a temporary option file (0600), never
  on the command line where `ps` would show them.
- PostgreSQL: `pg_dump --format=custom` (compressed by pg_dump itself), run on a snapshot
  exported by a transaction of ours, so the manifest's row counts are those of the dump.
  The password goes in PGPASSWORD (the environment), never in argv.
- SQLite: SQLite's online backup API from the live connection (readers and writers may go on),
  then gzip.

The dump is written to a temporary file beside PATH and renamed into place only when every
process of the pipeline succeeded: a failed backup leaves no file that looks like a backup.
The manifest records the engine, the applied migration heads, each table's row count, the
dump's size and SHA-256; `restore` refuses a dump of another engine, checks the SHA-256, and
compares the restored row counts with the manifest. A restore is all or nothing (pg_restore
--single-transaction; on MariaDB the dump is checked whole first and a failed load into the empty
database is removed again), and a database that does not answer is one line, not a traceback.
"""

import datetime
import gzip
import hashlib
import json
import os
import shutil
import sqlite3
import subprocess
import tempfile
import time
import zlib
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import django
from django.core.management.base import CommandError
from django.db import DatabaseError
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.migrations.loader import MigrationLoader

MANIFEST_FORMAT = "clinic-backup/1"
CHUNK = 1024 * 1024
ENGINE_NAMES = {"mysql": "MariaDB/MySQL", "postgresql": "PostgreSQL", "sqlite": "SQLite"}
# Debian/Ubuntu packages that provide the client tools.
TOOL_PACKAGES = {
    "mariadb-dump": "mariadb-client",
    "mariadb": "mariadb-client",
    "pg_dump": "postgresql-client",
    "pg_restore": "postgresql-client",
}


@dataclass
class Facts:
    """What the manifest says about the data in the dump."""

    row_counts: dict[str, int]
    migration_heads: dict[str, list[str]]
    # True when the counts come from the dump's own snapshot (PostgreSQL, SQLite); on
    # MariaDB they are taken just before the dump, so a busy database may differ slightly.
    exact: bool


def manifest_path_for(path: Path) -> Path:
    return path.with_name(path.name + ".json")


def utc_now() -> str:
    return datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds")


def human_size(n: int) -> str:
    size = float(n)
    for unit in ("B", "KB", "MB", "GB"):
        if size < 1024 or unit == "GB":
            return f"{size:.0f} {unit}" if unit == "B" else f"{size:.1f} {unit}"
        size /= 1024
    return f"{n} B"


# --- backup -----------------------------------------------------------------------------


def backup_database(connection: BaseDatabaseWrapper, path: Path, *, force: bool = False) -> dict:
    """Write a compressed dump of `connection`'s database to `path` and its manifest beside it.
    Returns the manifest."""
    vendor = connection.vendor
    if vendor not in DUMPERS:
        raise CommandError(f"Backups of a {vendor} database are not supported.")
    path = Path(path).expanduser().absolute()
    manifest_path = manifest_path_for(path)
    if not path.parent.is_dir():
        raise CommandError(f"The folder {path.parent} does not exist.")
    if not force:
        for existing in (path, manifest_path):
            if existing.exists():
                raise CommandError(
                    f"{existing} already exists: choose a new file name (for example with the "
                    "date in it), or use --force to replace it."
                )

    started = time.monotonic()
    # mkstemp: a new file readable by its owner only (0600); dumps hold patient data.
    fd, tmp_name = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".part")
    os.close(fd)
    tmp = Path(tmp_name)
    tmp_manifest = tmp.with_name(tmp.name + ".json")
    try:
        try:
            facts = DUMPERS[vendor](connection, tmp)
            version = server_version(connection)
        except DatabaseError as exc:
            raise CommandError(unreachable(connection, exc)) from None
        with open(tmp, "rb+") as written:
            os.fsync(written.fileno())
        size = tmp.stat().st_size
        manifest = {
            "format": MANIFEST_FORMAT,
            "engine": vendor,
            "server_version": version,
            "database": str(connection.settings_dict["NAME"]),
            "file": path.name,
            "bytes": size,
            "sha256": sha256_of(tmp),
            "created_at": utc_now(),
            "seconds": round(time.monotonic() - started, 3),
            "django_version": django.get_version(),
            "migration_heads": facts.migration_heads,
            "row_counts": facts.row_counts,
            "row_counts_exact": facts.exact,
            "tables": len(facts.row_counts),
            "rows": sum(facts.row_counts.values()),
        }
        tmp_manifest.write_text(json.dumps(manifest, indent=2, sort_keys=True) + "\n")
        os.replace(tmp, path)
        os.replace(tmp_manifest, manifest_path)
    except OSError as exc:  # a full disk, a folder we may not write to...
        raise CommandError(f"Could not write the backup {path}: {exc}") from exc
    finally:
        tmp.unlink(missing_ok=True)
        tmp_manifest.unlink(missing_ok=True)
    return manifest


def dump_mysql(connection: BaseDatabaseWrapper, target: Path) -> Facts:
    tool = find_tool("mariadb-dump", "mysqldump")
    facts = mysql_facts(connection)
    name = connection.settings_dict["NAME"]
    with mysql_option_file(connection.settings_dict, tool) as option_file:
        args = [
            tool,
            f"--defaults-extra-file={option_file}",  # must come first
            "--single-transaction",
            "--routines",
            "--triggers",
            "--hex-blob",
            "--default-character-set=utf8mb4",
            "--no-tablespaces",
            name,
        ]
        with tempfile.TemporaryFile() as errors, gzip_writer(target) as out:
            process = start(args, stdout=subprocess.PIPE, stderr=errors)
            try:
                while chunk := process.stdout.read(CHUNK):
                    out.write(chunk)
            finally:
                process.stdout.close()
                returncode = process.wait()
            check_returncode(tool, returncode, errors)
    return facts


def dump_postgresql(connection: BaseDatabaseWrapper, target: Path) -> Facts:
    tool = find_tool("pg_dump")
    args, env = postgresql_args_env(connection.settings_dict)
    # A transaction of ours exports its snapshot and pg_dump dumps exactly that snapshot:
    # the manifest's row counts are those of the dump.
    snapshot_connection = connection.copy()
    try:
        with snapshot_connection.cursor() as cursor:
            cursor.execute("BEGIN ISOLATION LEVEL REPEATABLE READ, READ ONLY")
            cursor.execute("SELECT pg_export_snapshot()")
            snapshot = cursor.fetchone()[0]
            facts = facts_from(
                cursor,
                snapshot_connection.introspection.table_names(cursor),
                snapshot_connection.ops.quote_name,
            )
            with tempfile.TemporaryFile() as errors:
                process = start(
                    [tool, "--format=custom", f"--snapshot={snapshot}", f"--file={target}", *args],
                    env=env,
                    stdout=errors,
                    stderr=errors,
                )
                check_returncode(tool, process.wait(), errors)
            cursor.execute("COMMIT")
    finally:
        snapshot_connection.close()
    return Facts(facts.row_counts, facts.migration_heads, exact=True)


def dump_sqlite(connection: BaseDatabaseWrapper, target: Path) -> Facts:
    # The online backup API copies the live database page by page into a plain file beside
    # the target; the counts come from that copy, so they are exactly the dump's.
    fd, copy_name = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".db")
    os.close(fd)
    copy_path = Path(copy_name)
    try:
        connection.ensure_connection()
        try:
            sqlite_online_copy(connection.connection, copy_path)
        except sqlite3.Error as exc:
            raise CommandError(f"The SQLite backup failed: {exc}") from exc
        copy = sqlite3.connect(copy_path)
        try:
            cursor = copy.cursor()
            cursor.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table' "
                "AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\' ORDER BY name"
            )
            facts = facts_from(cursor, [row[0] for row in cursor.fetchall()], '"{}"'.format)
        finally:
            copy.close()
        with open(copy_path, "rb") as source, gzip_writer(target) as out:
            shutil.copyfileobj(source, out, CHUNK)
    finally:
        copy_path.unlink(missing_ok=True)
    return Facts(facts.row_counts, facts.migration_heads, exact=True)


@contextmanager
def gzip_writer(target: Path) -> Iterator[gzip.GzipFile]:
    # No file name in the gzip header: it would be the temporary one.
    with open(target, "wb") as raw, gzip.GzipFile(filename="", mode="wb", fileobj=raw) as out:
        yield out


def sqlite_online_copy(source: sqlite3.Connection, target_path: Path) -> None:
    target = sqlite3.connect(target_path)
    try:
        source.backup(target)
    finally:
        target.close()


DUMPERS: dict[str, Callable[[BaseDatabaseWrapper, Path], Facts]] = {
    "mysql": dump_mysql,
    "postgresql": dump_postgresql,
    "sqlite": dump_sqlite,
}


def mysql_facts(connection: BaseDatabaseWrapper) -> Facts:
    """Row counts and migration heads from one consistent snapshot, just before the dump
    (mariadb-dump cannot share a snapshot with another session)."""
    other = connection.copy()
    try:
        with other.cursor() as cursor:
            cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")
            cursor.execute("START TRANSACTION WITH CONSISTENT SNAPSHOT, READ ONLY")
            tables = other.introspection.table_names(cursor)
            facts = facts_from(cursor, tables, other.ops.quote_name)
            cursor.execute("COMMIT")
    finally:
        other.close()
    return Facts(facts.row_counts, facts.migration_heads, exact=False)


def facts_from(cursor, tables: list[str], quote: Callable[[str], str]) -> Facts:
    counts = {}
    for table in sorted(tables):
        # Table names come from the database's own catalogue and are quoted by the backend.
        cursor.execute(f"SELECT COUNT(*) FROM {quote(table)}")  # nosec B608
        counts[table] = int(cursor.fetchone()[0])
    applied = set()
    if "django_migrations" in counts:
        cursor.execute("SELECT app, name FROM django_migrations")
        applied = {(app, name) for app, name in cursor.fetchall()}
    return Facts(counts, migration_heads(applied), exact=True)


def migration_heads(applied: set[tuple[str, str]]) -> dict[str, list[str]]:
    """Per app, the applied migrations none of whose children are applied: where each app's
    schema stands in the dump."""
    graph = MigrationLoader(None, ignore_no_migrations=True).graph
    heads: dict[str, list[str]] = {}
    for key in sorted(applied):
        node = graph.node_map.get(key)
        if node is None:  # a migration that no longer exists in the code
            heads.setdefault(key[0], []).append(key[1])
            continue
        if not any(child.key in applied for child in node.children if child.key[0] == key[0]):
            heads.setdefault(key[0], []).append(key[1])
    return heads


# --- restore ----------------------------------------------------------------------------


def restore_database(
    connection: BaseDatabaseWrapper, path: Path, *, force: bool = False
) -> tuple[dict | None, dict[str, int]]:
    """Load the dump at `path` into `connection`'s (empty) database. Returns the manifest (or
    None when there is none beside the dump) and the restored row counts."""
    path = Path(path).expanduser().absolute()
    if not path.is_file():
        raise CommandError(f"{path} does not exist.")
    manifest = read_manifest(path)
    engine = sniff_engine(path)
    if manifest is not None and manifest.get("engine") != engine:
        raise CommandError(
            f"{path} does not match its manifest: the file is a {ENGINE_NAMES[engine]} dump, "
            f"the manifest says {manifest.get('engine')}."
        )
    vendor = connection.vendor
    if engine != vendor:
        raise CommandError(
            f"{path} is a backup of a {ENGINE_NAMES[engine]} database, but DATABASE_URL names a "
            f"{ENGINE_NAMES.get(vendor, vendor)} database. Restore it into a "
            f"{ENGINE_NAMES[engine]} database."
        )
    if manifest is not None and manifest.get("sha256") and sha256_of(path) != manifest["sha256"]:
        raise CommandError(f"{path} is damaged or incomplete: its SHA-256 differs from the manifest's.")
    try:
        tables = connection.introspection.table_names()
    except DatabaseError as exc:
        raise CommandError(unreachable(connection, exc)) from None
    if tables and not force:
        raise CommandError(
            f"The database {connection.settings_dict['NAME']} already has {len(tables)} tables "
            f"({', '.join(tables[:5])}{', ...' if len(tables) > 5 else ''}). A restore loads "
            "only into an empty database: create a new, empty one and point DATABASE_URL at it "
            "(or use --force to load over this one). Nothing was changed."
        )
    RESTORERS[vendor](connection, path, force=force)
    connection.close()  # SQLite: the file was replaced; elsewhere: start afresh
    return manifest, row_counts(connection)


def unreachable(connection: BaseDatabaseWrapper, exc: DatabaseError) -> str:
    """One line for a database that does not answer (the driver's messages run over lines)."""
    settings_dict = connection.settings_dict
    where = settings_dict.get("HOST") or "localhost"
    if settings_dict.get("PORT"):
        where += f":{settings_dict['PORT']}"
    if connection.vendor == "sqlite":
        where = "SQLite"
    detail = next((line.strip() for line in str(exc).splitlines() if line.strip()), type(exc).__name__)
    return f"Cannot reach the database {settings_dict['NAME']} ({where}): {detail}. Nothing was written."


# The last comment mariadb-dump writes; a dump without it stopped early (a full disk, a killed
# dump, a file cut in two), even when it ends between two statements and would load "fine".
MYSQL_DUMP_END = b"-- Dump completed"


def mysql_dump_check(path: Path) -> None:
    """Reads the whole dump before the database is touched: a damaged compressed stream or a dump
    that stops before mariadb-dump's last line is refused (with or without a manifest)."""
    tail = b""
    try:
        with gzip.open(path, "rb") as dump:
            while chunk := dump.read(CHUNK):
                tail = (tail + chunk)[-4096:]
    except (OSError, EOFError, zlib.error) as exc:
        raise CommandError(f"{path} is damaged or incomplete ({exc}). Nothing was changed.") from None
    if MYSQL_DUMP_END not in tail:
        raise CommandError(
            f"{path} is incomplete: it stops before the end of the dump (no '-- Dump completed' line). "
            "Nothing was changed."
        )


def mysql_drop_everything(connection: BaseDatabaseWrapper) -> None:
    """Empties the database again after a load that failed half-way (it was empty before)."""
    connection.close()
    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        cursor.execute("SET FOREIGN_KEY_CHECKS = 0")
        cursor.execute("SELECT TABLE_NAME, TABLE_TYPE FROM information_schema.TABLES WHERE TABLE_SCHEMA = DATABASE()")
        for name, kind in cursor.fetchall():
            cursor.execute(f"DROP {'VIEW' if kind == 'VIEW' else 'TABLE'} IF EXISTS {quote(name)}")
        cursor.execute(
            "SELECT ROUTINE_NAME, ROUTINE_TYPE FROM information_schema.ROUTINES WHERE ROUTINE_SCHEMA = DATABASE()"
        )
        for name, kind in cursor.fetchall():
            cursor.execute(f"DROP {'FUNCTION' if kind == 'FUNCTION' else 'PROCEDURE'} IF EXISTS {quote(name)}")
        cursor.execute("SET FOREIGN_KEY_CHECKS = 1")
    connection.close()


def restore_mysql(connection: BaseDatabaseWrapper, path: Path, *, force: bool) -> None:
    """All or nothing: the whole dump is checked before anything is loaded, and a load that fails
    half-way (a bad statement, a full disk) into the empty database leaves it empty again. The
    mariadb client commits table by table, so this is done here (PostgreSQL's pg_restore rolls
    back by itself)."""
    mysql_dump_check(path)
    try:
        mysql_load(connection, path)
    except CommandError as error:
        if force:
            raise CommandError(
                f"{error} The database may now hold part of the backup: restore into a new, empty database."
            ) from None
        try:
            mysql_drop_everything(connection)
        except DatabaseError as exc:
            raise CommandError(f"{error} The tables it loaded could not be removed: {exc}") from None
        raise CommandError(f"{error} The tables it had loaded were removed: the database is empty again.") from None


def mysql_load(connection: BaseDatabaseWrapper, path: Path) -> None:
    # The dump drops and creates each table it holds (mariadb-dump's --add-drop-table
    # default), so --force simply loads over what is there.
    tool = find_tool("mariadb", "mysql")
    with mysql_option_file(connection.settings_dict, tool) as option_file:
        args = [
            tool,
            f"--defaults-extra-file={option_file}",
            "--default-character-set=utf8mb4",
            "--batch",
            connection.settings_dict["NAME"],
        ]
        with tempfile.TemporaryFile() as errors:
            process = start(args, stdin=subprocess.PIPE, stdout=errors, stderr=errors)
            try:
                with gzip.open(path, "rb") as dump:
                    while chunk := dump.read(CHUNK):
                        process.stdin.write(chunk)
            except BrokenPipeError:
                pass  # the client stopped at an error: its exit code and message follow
            except (OSError, EOFError) as exc:
                process.kill()
                process.wait()
                raise CommandError(f"Could not read {path}: {exc}") from exc
            finally:
                try:
                    process.stdin.close()
                except BrokenPipeError:
                    pass
            check_returncode(tool, process.wait(), errors)


def restore_postgresql(connection: BaseDatabaseWrapper, path: Path, *, force: bool) -> None:
    tool = find_tool("pg_restore")
    args, env = postgresql_args_env(connection.settings_dict)
    options = ["--no-owner", "--no-privileges", "--exit-on-error", "--single-transaction"]
    if force:
        options += ["--clean", "--if-exists"]
    connection.close()
    with tempfile.TemporaryFile() as errors:
        process = start([tool, *options, *args, str(path)], env=env, stdout=errors, stderr=errors)
        check_returncode(tool, process.wait(), errors)


def restore_sqlite(connection: BaseDatabaseWrapper, path: Path, *, force: bool) -> None:
    name = str(connection.settings_dict["NAME"])
    if connection.is_in_memory_db():
        raise CommandError("The database is in memory: restore needs a SQLite file.")
    target = Path(name).absolute()
    connection.close()
    fd, tmp_name = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".part")
    tmp = Path(tmp_name)
    try:
        with os.fdopen(fd, "wb") as out, gzip.open(path, "rb") as dump:
            shutil.copyfileobj(dump, out, CHUNK)
            out.flush()
            os.fsync(out.fileno())
        check = sqlite3.connect(tmp)
        try:
            result = check.execute("PRAGMA integrity_check").fetchone()[0]
        finally:
            check.close()
        if result != "ok":
            raise CommandError(f"{path} holds a damaged SQLite database: {result}")
        if target.exists():  # keep who may read it (the app's user), not mkstemp's 0600
            shutil.copymode(target, tmp)
        # A write-ahead log of the database being replaced must not be applied to the new one.
        for suffix in ("-wal", "-shm", "-journal"):
            Path(name + suffix).unlink(missing_ok=True)
        os.replace(tmp, target)
    except (OSError, EOFError, sqlite3.Error) as exc:
        raise CommandError(f"Could not restore {path}: {exc}") from exc
    finally:
        tmp.unlink(missing_ok=True)


RESTORERS = {"mysql": restore_mysql, "postgresql": restore_postgresql, "sqlite": restore_sqlite}


def read_manifest(path: Path) -> dict | None:
    manifest_path = manifest_path_for(path)
    if not manifest_path.exists():
        return None
    try:
        manifest = json.loads(manifest_path.read_text())
    except (OSError, ValueError) as exc:
        raise CommandError(f"{manifest_path} is not a readable manifest: {exc}") from exc
    if not isinstance(manifest, dict) or manifest.get("format") != MANIFEST_FORMAT:
        raise CommandError(f"{manifest_path} is not a manifest of this clinic's backups.")
    return manifest


def sniff_engine(path: Path) -> str:
    """Which engine wrote the dump, from its first bytes."""
    with open(path, "rb") as raw:
        head = raw.read(5)
    if head == b"PGDMP":
        return "postgresql"
    if head[:2] != b"\x1f\x8b":
        raise CommandError(f"{path} is not a backup made by `manage.py backup`.")
    try:
        with gzip.open(path, "rb") as dump:
            start_of_dump = dump.read(4096)
    except (OSError, EOFError) as exc:
        raise CommandError(f"{path} is damaged: {exc}") from exc
    if start_of_dump.startswith(b"SQLite format 3\x00"):
        return "sqlite"
    if b"MariaDB dump" in start_of_dump or b"MySQL dump" in start_of_dump:
        return "mysql"
    raise CommandError(f"{path} is not a backup made by `manage.py backup`.")


def row_counts(connection: BaseDatabaseWrapper) -> dict[str, int]:
    with connection.cursor() as cursor:
        tables = connection.introspection.table_names(cursor)
        return facts_from(cursor, tables, connection.ops.quote_name).row_counts


def compare_with_manifest(manifest: dict, counts: dict[str, int]) -> list[str]:
    """The differences between the manifest's row counts and the restored ones."""
    expected = manifest.get("row_counts", {})
    problems = []
    for table in sorted(set(expected) | set(counts)):
        if table not in counts:
            problems.append(f"{table}: missing")
        elif table not in expected:
            problems.append(f"{table}: not in the backup ({counts[table]} rows)")
        elif counts[table] != expected[table]:
            problems.append(f"{table}: {counts[table]} rows, the backup had {expected[table]}")
    return problems


# --- helpers ----------------------------------------------------------------------------


def find_tool(*names: str) -> str:
    for name in names:
        found = shutil.which(name)
        if found:
            return found
    package = TOOL_PACKAGES.get(names[0], "its client package")
    raise CommandError(
        f"{' or '.join(names)} was not found on PATH. Install it (Debian/Ubuntu: "
        f"apt-get install {package}) and try again."
    )


def start(args: list[str], **kwargs) -> subprocess.Popen:
    try:
        return subprocess.Popen(args, **kwargs)
    except OSError as exc:
        raise CommandError(f"Could not run {args[0]}: {exc}") from exc


def check_returncode(tool: str, returncode: int, errors) -> None:
    if returncode == 0:
        return
    errors.seek(0)
    message = errors.read()[-2000:].decode(errors="replace").strip()
    raise CommandError(f"{Path(tool).name} failed (exit code {returncode}): {message or 'no message'}")


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        while chunk := f.read(CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def server_version(connection: BaseDatabaseWrapper) -> str:
    if connection.vendor == "sqlite":
        return sqlite3.sqlite_version
    with connection.cursor() as cursor:
        if connection.vendor == "mysql":
            cursor.execute("SELECT VERSION()")
        else:
            cursor.execute("SHOW server_version")
        return str(cursor.fetchone()[0])


def option_value(value) -> str:
    """A value for a MariaDB/MySQL option file: quoted, with backslash escapes (so `#`, spaces,
    quotes and backslashes in a password survive)."""
    text = str(value)
    escapes = {"\\": "\\\\", '"': '\\"', "\n": "\\n", "\r": "\\r", "\t": "\\t"}
    text = "".join(escapes.get(char, char) for char in text)
    return f'"{text}"'


@contextmanager
def mysql_option_file(settings_dict: dict, tool: str) -> Iterator[str]:
    """A temporary [client] option file (mode 0600) with the connection settings: the password
    never appears in argv or the environment."""
    options = settings_dict.get("OPTIONS", {})
    lines = ["[client]"]
    user = options.get("user") or settings_dict.get("USER")
    password = options.get("password") or options.get("passwd") or settings_dict.get("PASSWORD")
    host = options.get("host") or settings_dict.get("HOST")
    port = options.get("port") or settings_dict.get("PORT")
    socket = options.get("unix_socket")
    if host and str(host).startswith("/"):
        socket, host = host, None
    for key, value in (("user", user), ("password", password), ("host", host), ("port", port), ("socket", socket)):
        if value:
            lines.append(f"{key}={option_value(value)}")
    ssl = options.get("ssl") or {}
    for key in ("ca", "cert", "key"):
        if ssl.get(key):
            lines.append(f"ssl-{key}={option_value(ssl[key])}")
    ssl_mode = str(options.get("ssl_mode", "")).upper()
    if ssl_mode:
        if client_is_mariadb(tool):
            if ssl_mode == "DISABLED":
                lines.append("skip-ssl")
            else:
                lines.append("ssl")
                if ssl_mode in ("VERIFY_CA", "VERIFY_IDENTITY"):
                    lines.append("ssl-verify-server-cert")
        else:
            lines.append(f"ssl-mode={ssl_mode}")
    elif ssl:
        lines.append("ssl")
    fd, name = tempfile.mkstemp(prefix="clinic-", suffix=".cnf")  # 0600
    try:
        with os.fdopen(fd, "w") as f:
            f.write("\n".join(lines) + "\n")
        yield name
    finally:
        os.unlink(name)


def client_is_mariadb(tool: str) -> bool:
    try:
        version = subprocess.run([tool, "--version"], capture_output=True, text=True, timeout=30)
    except (OSError, subprocess.SubprocessError):
        return True
    return "mariadb" in (version.stdout + version.stderr).lower() or "mariadb" in tool


def postgresql_args_env(settings_dict: dict) -> tuple[list[str], dict[str, str]]:
    """Connection arguments for pg_dump/pg_restore, and their environment: the password goes
    in PGPASSWORD, never in argv."""
    options = settings_dict.get("OPTIONS", {})
    args = []
    if settings_dict.get("HOST"):
        args.append(f"--host={settings_dict['HOST']}")
    if settings_dict.get("PORT"):
        args.append(f"--port={settings_dict['PORT']}")
    if settings_dict.get("USER"):
        args.append(f"--username={settings_dict['USER']}")
    args.append("--no-password")  # never wait for a password on a terminal
    args.append(f"--dbname={settings_dict['NAME']}")
    env = dict(os.environ)
    if settings_dict.get("PASSWORD"):
        env["PGPASSWORD"] = str(settings_dict["PASSWORD"])
    for option, variable in (
        ("sslmode", "PGSSLMODE"),
        ("sslrootcert", "PGSSLROOTCERT"),
        ("sslcert", "PGSSLCERT"),
        ("sslkey", "PGSSLKEY"),
        ("passfile", "PGPASSFILE"),
        ("service", "PGSERVICE"),
    ):
        if options.get(option):
            env[variable] = str(options[option])
    return args, env
