"""`manage.py check --database default` on MariaDB/MySQL: may the application's database account
empty or rewrite the audit log below the application?

MariaDB's triggers cannot refuse TRUNCATE (it fires no DELETE trigger) nor DROP, and whoever
holds TRIGGER may drop the triggers themselves; only the account's privileges stop those. The
application's account should hold SELECT, INSERT, UPDATE and DELETE only (migrations run under a
separate owner account): `manage.py audit_protect --grants USER@HOST` prints the statements.
PostgreSQL refuses TRUNCATE with triggers (audit_protect), so the check is MariaDB's only."""

from django.core.checks import Tags, Warning, register
from django.db import DatabaseError, connections

AUDIT_TABLES = ("audit_log", "audit_head", "audit_checkpoint")
# TRUNCATE and DROP need DROP; ALTER rewrites the table; TRIGGER drops the triggers.
DANGEROUS = ("DROP", "ALTER", "TRIGGER")


def dangerous_privileges(connection) -> list[str]:
    """The privileges of the connected account that let it empty, drop or unprotect an audit
    table (global, on the database, or on the table), as "DROP on *.*" and the like."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT CURRENT_USER(), DATABASE()")
        current, database = cursor.fetchone()
        user, _, host = current.rpartition("@")
        grantee = f"'{user}'@'{host}'"
        placeholders = ", ".join(["%s"] * len(DANGEROUS))
        tables = ", ".join(["%s"] * len(AUDIT_TABLES))
        cursor.execute(
            f"SELECT PRIVILEGE_TYPE, '*.*' FROM information_schema.USER_PRIVILEGES "  # nosec B608: literal SQL
            f"WHERE GRANTEE = %s AND PRIVILEGE_TYPE IN ({placeholders}) "
            f"UNION ALL SELECT PRIVILEGE_TYPE, CONCAT(TABLE_SCHEMA, '.*') FROM information_schema.SCHEMA_PRIVILEGES "
            f"WHERE GRANTEE = %s AND PRIVILEGE_TYPE IN ({placeholders}) AND %s LIKE TABLE_SCHEMA "
            f"UNION ALL SELECT PRIVILEGE_TYPE, CONCAT(TABLE_SCHEMA, '.', TABLE_NAME) "
            f"FROM information_schema.TABLE_PRIVILEGES "
            f"WHERE GRANTEE = %s AND PRIVILEGE_TYPE IN ({placeholders}) AND TABLE_SCHEMA = %s "
            f"AND TABLE_NAME IN ({tables})",
            [grantee, *DANGEROUS, grantee, *DANGEROUS, database, grantee, *DANGEROUS, database, *AUDIT_TABLES],
        )
        return sorted({f"{privilege} on {scope}" for privilege, scope in cursor.fetchall()})


@register(Tags.database)
def audit_privileges_check(app_configs, databases=None, **kwargs):
    problems = []
    for alias in databases or []:
        connection = connections[alias]
        if connection.vendor != "mysql":
            continue
        try:
            found = dangerous_privileges(connection)
        except DatabaseError:
            continue  # an unreachable database is reported by the checks that need it
        if found:
            problems.append(
                Warning(
                    f"The database account of {alias!r} may empty, drop or unprotect the audit log "
                    f"({', '.join(found)}): MariaDB's triggers cannot refuse TRUNCATE or DROP.",
                    hint="Run the application under an account with SELECT, INSERT, UPDATE and DELETE only "
                    "(`manage.py audit_protect --grants 'clinic'@'%'` prints the statements); "
                    "run migrations under a separate owner account.",
                    id="audit.W001",
                )
            )
    return problems
