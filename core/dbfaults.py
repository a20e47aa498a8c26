"""What a database error means for the user: the database refuses writes, or does not answer.

A read-only database (a replica promoted late, `read_only`, `default_transaction_read_only`), a
missing privilege (a wrong GRANT) and a full disk all refuse writes while reads still work:
the error pages (core.views.server_error) answer those with 503 and "nothing was changed",
sessions live on in the cache meanwhile (core.sessions), and /healthz says so (core.views)."""

from django.db import DatabaseError, InterfaceError, OperationalError

# MariaDB/MySQL error codes: 1290 --read-only (or another option) prevents the statement, 1792
# a READ ONLY transaction, 1036 a read-only table, 1142/1143 command/column denied to the user,
# 1044 access denied to the database, 1227 a privilege missing, 1021 disk full, 1114 table full.
MYSQL_WRITE_REFUSED = {1290, 1792, 1036, 1142, 1143, 1044, 1227, 1021, 1114}
# PostgreSQL SQLSTATEs: a read-only transaction, insufficient privilege, disk full, out of memory.
POSTGRESQL_WRITE_REFUSED = {"25006", "42501", "53100", "53200"}
# SQLite's primary result codes: SQLITE_READONLY, SQLITE_FULL.
SQLITE_WRITE_REFUSED = {8, 13}


def write_refused(error: BaseException | None) -> bool:
    """The database refused to write (read-only, no privilege, full): nothing was changed."""
    if not isinstance(error, DatabaseError):
        return False
    cause = error.__cause__ or error
    sqlstate = getattr(cause, "sqlstate", None)  # psycopg
    if sqlstate is not None:
        return sqlstate in POSTGRESQL_WRITE_REFUSED
    sqlite_code = getattr(cause, "sqlite_errorcode", None)  # sqlite3
    if sqlite_code is not None:
        return sqlite_code & 0xFF in SQLITE_WRITE_REFUSED
    code = error.args[0] if error.args else None  # MySQLdb: (code, message)
    return isinstance(code, int) and code in MYSQL_WRITE_REFUSED


def unavailable(error: BaseException | None) -> bool:
    """The database did not answer (down, restarting, unreachable)."""
    return isinstance(error, (OperationalError, InterfaceError)) and not write_refused(error)
