from django.conf import settings
from django.core.checks import Warning, register
from django.core.exceptions import ImproperlyConfigured
from django.db import DatabaseError, connections

from core.crypto import check_keys


@register()
def encryption_keys_check(app_configs, **kwargs):
    """The keyless commands (core.crypto.KEYLESS_COMMANDS) start without keys; say so here.

    A warning, so `check` and `makemigrations` work on a machine without keys, while
    `check --deploy --fail-level WARNING` (CI, deployments) still fails."""
    try:
        check_keys(settings.FIELD_ENCRYPTION_KEYS, settings.BLIND_INDEX_KEY, settings.SECRET_KEY)
    except ImproperlyConfigured as error:
        return [
            Warning(
                str(error),
                hint="Patients' NIK, phone and email cannot be read or written until it is fixed.",
                id="clinic.W101",
            )
        ]
    return []


TZ_TABLES_FIX = "mariadb-tzinfo-to-sql /usr/share/zoneinfo | mariadb -u root mysql"


def timezone_tables_messages(converted) -> list:
    """What the check says, given MariaDB's answer to CONVERT_TZ from UTC to the clinic's zone:
    NULL when the server's time-zone tables are empty (then every date hierarchy and date
    truncation of the Django admin fails with "Database returned an invalid datetime value")."""
    if converted is not None:
        return []
    return [
        Warning(
            f"MariaDB has no time-zone tables: CONVERT_TZ to {settings.TIME_ZONE} returns NULL, so the "
            "admin's date lists and every date grouped in the clinic's time zone fail.",
            hint=f"Load them once on the database server: {TZ_TABLES_FIX}",
            id="clinic.W140",
        )
    ]


def convert_tz_from_utc(connection, zone: str):
    """MariaDB's CONVERT_TZ of a fixed moment into `zone`: NULL without time-zone tables."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT CONVERT_TZ('2000-01-01 00:00:00', 'UTC', %s)", [zone])
        return cursor.fetchone()[0]


@register()
def mariadb_timezone_tables_check(app_configs, databases=None, **kwargs):
    """On MariaDB with USE_TZ only; a database that cannot be reached is left to the other
    checks and to /healthz (this one says nothing then)."""
    if not settings.USE_TZ:
        return []
    messages = []
    for alias in connections:
        connection = connections[alias]
        if connection.vendor != "mysql":
            continue
        try:
            converted = convert_tz_from_utc(connection, settings.TIME_ZONE)
        except DatabaseError:
            continue
        messages += timezone_tables_messages(converted)
    return messages
