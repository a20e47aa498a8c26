"""Database triggers that make audit_log append-only below the application too, and the
privileges that make TRUNCATE and DROP impossible where triggers cannot.

    python manage.py audit_protect            # install (PostgreSQL, MariaDB/MySQL, SQLite)
    python manage.py audit_protect --check    # exit non-zero unless installed
    python manage.py audit_protect --remove
    python manage.py audit_protect --grants "'clinic'@'%'"   # print the app account's GRANTs

Refused by the triggers: DELETE of any audit_log row (and TRUNCATE on PostgreSQL); UPDATE of a
sealed row; UPDATE of an unsealed row other than sealing it (filling in seq, prev_hash, hash);
on audit_head (the chain's head) DELETE (and TRUNCATE on PostgreSQL), and any UPDATE but
moving it forward to a sealed row of the chain (its seq and that row's hash). Run it once after
`migrate`, as a database user allowed to create triggers (MariaDB with binary logging also
wants log_bin_trust_function_creators or SUPER).

MariaDB/MySQL fire no trigger on TRUNCATE or DROP: there the application's account must not hold
DROP (TRUNCATE needs it), ALTER or TRIGGER. `--grants` prints the statements that leave it
SELECT, INSERT, UPDATE and DELETE on the database (migrations and this command run under a
separate owner account); `manage.py check --database default` warns (audit.W001) while the
connected account holds more. On PostgreSQL `--grants` prints the same for a role that does
not own the tables (only an owner may DROP them).

Not a migration on purpose: Django's test runner empties tables between transactional tests
with DELETE (SQLite, MariaDB) or TRUNCATE (PostgreSQL), which the triggers refuse. Whoever
may drop a trigger can still rewrite the table: the hash chain (verify_audit_chain) is what
shows that it happened."""

import re

from django.core.management.base import BaseCommand, CommandError
from django.db import DEFAULT_DB_ALIAS, connections

# A row's content (written once) is every column but the chain's (seq, prev_hash, hash), which
# sealing fills in once. The SQL below is literal on purpose: nothing in it comes from input.
NAMES = (
    "audit_log_no_update",
    "audit_log_no_delete",
    "audit_log_no_truncate",
    "audit_head_forward_only",
    "audit_head_no_delete",
    "audit_head_no_truncate",
)

SQLITE_CREATE = [
    """CREATE TRIGGER IF NOT EXISTS audit_log_no_delete BEFORE DELETE ON audit_log
    BEGIN SELECT RAISE(ABORT, 'audit_log rows cannot be deleted'); END""",
    """CREATE TRIGGER IF NOT EXISTS audit_log_no_update BEFORE UPDATE ON audit_log
    WHEN OLD.hash <> '' OR NEW.id IS NOT OLD.id OR NEW.created_at IS NOT OLD.created_at
        OR NEW.actor_id IS NOT OLD.actor_id OR NEW.actor_username IS NOT OLD.actor_username
        OR NEW.action IS NOT OLD.action OR NEW.patient_id IS NOT OLD.patient_id
        OR NEW.object_type IS NOT OLD.object_type OR NEW.object_id IS NOT OLD.object_id
        OR NEW.what IS NOT OLD.what OR NEW.changes IS NOT OLD.changes
        OR NEW.ip_address IS NOT OLD.ip_address OR NEW.user_agent IS NOT OLD.user_agent
        OR NEW.mac IS NOT OLD.mac
    BEGIN SELECT RAISE(ABORT, 'audit_log rows cannot be changed'); END""",
    """CREATE TRIGGER IF NOT EXISTS audit_head_no_delete BEFORE DELETE ON audit_head
    BEGIN SELECT RAISE(ABORT, 'audit_head cannot be deleted'); END""",
    """CREATE TRIGGER IF NOT EXISTS audit_head_forward_only BEFORE UPDATE ON audit_head
    WHEN NEW.id IS NOT OLD.id OR NEW.legacy_until_id IS NOT OLD.legacy_until_id OR NEW.seq < OLD.seq
        OR (NEW.seq = OLD.seq AND NEW.hash IS NOT OLD.hash)
        OR (NEW.seq > OLD.seq AND NEW.hash IS NOT (SELECT hash FROM audit_log WHERE seq = NEW.seq))
    BEGIN SELECT RAISE(ABORT, 'audit_head can only move forward along the chain'); END""",
]
SQLITE_DROP = [
    "DROP TRIGGER IF EXISTS audit_log_no_delete",
    "DROP TRIGGER IF EXISTS audit_log_no_update",
    "DROP TRIGGER IF EXISTS audit_head_no_delete",
    "DROP TRIGGER IF EXISTS audit_head_forward_only",
]

MYSQL_CREATE = [
    """CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log FOR EACH ROW
    SIGNAL SQLSTATE '45000' SET MESSAGE_TEXT = 'audit_log rows cannot be deleted'""",
    """CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log FOR EACH ROW
    BEGIN
        IF OLD.hash <> '' OR NOT (NEW.id <=> OLD.id AND NEW.created_at <=> OLD.created_at
                AND NEW.actor_id <=> OLD.actor_id AND NEW.actor_username <=> OLD.actor_username
                AND NEW.action <=> OLD.action AND NEW.patient_id <=> OLD.patient_id
                AND NEW.object_type <=> OLD.object_type AND NEW.object_id <=> OLD.object_id
                AND NEW.what <=> OLD.what AND NEW.changes <=> OLD.changes
                AND NEW.ip_address <=> OLD.ip_address AND NEW.user_agent <=> OLD.user_agent
                AND NEW.mac <=> OLD.mac) THEN
            SIGNAL SQLSTATE '45000' SET MESSAGE_TEXT = 'audit_log rows cannot be changed';
        END IF;
    END""",
    """CREATE TRIGGER audit_head_no_delete BEFORE DELETE ON audit_head FOR EACH ROW
    SIGNAL SQLSTATE '45000' SET MESSAGE_TEXT = 'audit_head cannot be deleted'""",
    """CREATE TRIGGER audit_head_forward_only BEFORE UPDATE ON audit_head FOR EACH ROW
    BEGIN
        IF NOT (NEW.id <=> OLD.id AND NEW.legacy_until_id <=> OLD.legacy_until_id AND NEW.seq >= OLD.seq
                AND ((NEW.seq = OLD.seq AND NEW.hash <=> OLD.hash)
                    OR (NEW.seq > OLD.seq AND NEW.hash <=> (SELECT hash FROM audit_log WHERE seq = NEW.seq)))) THEN
            SIGNAL SQLSTATE '45000' SET MESSAGE_TEXT = 'audit_head can only move forward along the chain';
        END IF;
    END""",
]
MYSQL_DROP = SQLITE_DROP

POSTGRESQL_CREATE = [
    """CREATE OR REPLACE FUNCTION audit_log_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        IF TG_OP IN ('DELETE', 'TRUNCATE') THEN
            RAISE EXCEPTION 'audit_log rows cannot be deleted';
        END IF;
        IF OLD.hash <> '' OR ROW(NEW.id, NEW.created_at, NEW.actor_id, NEW.actor_username, NEW.action,
                NEW.patient_id, NEW.object_type, NEW.object_id, NEW.what, NEW.changes, NEW.ip_address,
                NEW.user_agent)
            IS DISTINCT FROM ROW(OLD.id, OLD.created_at, OLD.actor_id, OLD.actor_username, OLD.action,
                OLD.patient_id, OLD.object_type, OLD.object_id, OLD.what, OLD.changes, OLD.ip_address,
                OLD.user_agent) THEN
            RAISE EXCEPTION 'audit_log rows cannot be changed';
        END IF;
        RETURN NEW;
    END $$""",
    "DROP TRIGGER IF EXISTS audit_log_no_update ON audit_log",
    """CREATE TRIGGER audit_log_no_update BEFORE UPDATE OR DELETE ON audit_log
    FOR EACH ROW EXECUTE FUNCTION audit_log_append_only()""",
    "DROP TRIGGER IF EXISTS audit_log_no_truncate ON audit_log",
    """CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON audit_log
    FOR EACH STATEMENT EXECUTE FUNCTION audit_log_append_only()""",
    """CREATE OR REPLACE FUNCTION audit_head_forward_only() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        IF TG_OP IN ('DELETE', 'TRUNCATE') THEN
            RAISE EXCEPTION 'audit_head cannot be deleted';
        END IF;
        IF NEW.id IS DISTINCT FROM OLD.id OR NEW.legacy_until_id IS DISTINCT FROM OLD.legacy_until_id
                OR NEW.seq < OLD.seq
                OR (NEW.seq = OLD.seq AND NEW.hash IS DISTINCT FROM OLD.hash)
                OR (NEW.seq > OLD.seq
                    AND NEW.hash IS DISTINCT FROM (SELECT hash FROM audit_log WHERE seq = NEW.seq)) THEN
            RAISE EXCEPTION 'audit_head can only move forward along the chain';
        END IF;
        RETURN NEW;
    END $$""",
    "DROP TRIGGER IF EXISTS audit_head_forward_only ON audit_head",
    """CREATE TRIGGER audit_head_forward_only BEFORE UPDATE OR DELETE ON audit_head
    FOR EACH ROW EXECUTE FUNCTION audit_head_forward_only()""",
    "DROP TRIGGER IF EXISTS audit_head_no_truncate ON audit_head",
    """CREATE TRIGGER audit_head_no_truncate BEFORE TRUNCATE ON audit_head
    FOR EACH STATEMENT EXECUTE FUNCTION audit_head_forward_only()""",
]
POSTGRESQL_DROP = [
    "DROP TRIGGER IF EXISTS audit_log_no_update ON audit_log",
    "DROP TRIGGER IF EXISTS audit_log_no_truncate ON audit_log",
    "DROP FUNCTION IF EXISTS audit_log_append_only()",
    "DROP TRIGGER IF EXISTS audit_head_forward_only ON audit_head",
    "DROP TRIGGER IF EXISTS audit_head_no_truncate ON audit_head",
    "DROP FUNCTION IF EXISTS audit_head_forward_only()",
]

SQL = {
    "sqlite": (SQLITE_CREATE, SQLITE_DROP),
    "mysql": (MYSQL_CREATE, MYSQL_DROP),
    "postgresql": (POSTGRESQL_CREATE, POSTGRESQL_DROP),
}


def installed_triggers(connection) -> set[str]:
    queries = {
        "sqlite": "SELECT name FROM sqlite_master WHERE type = 'trigger' AND tbl_name IN ('audit_log', 'audit_head')",
        "mysql": "SELECT TRIGGER_NAME FROM information_schema.TRIGGERS "
        "WHERE EVENT_OBJECT_TABLE IN ('audit_log', 'audit_head') AND TRIGGER_SCHEMA = DATABASE()",
        "postgresql": "SELECT tgname FROM pg_trigger "
        "WHERE tgrelid IN ('audit_log'::regclass, 'audit_head'::regclass) AND NOT tgisinternal",
    }
    with connection.cursor() as cursor:
        cursor.execute(queries[connection.vendor])
        return {name for (name,) in cursor.fetchall()} & set(NAMES)


def install_triggers(connection) -> None:
    create, drop = SQL[connection.vendor]
    with connection.cursor() as cursor:
        if connection.vendor == "mysql":
            for statement in drop:  # MariaDB has no CREATE OR REPLACE TRIGGER before 10.1.4 / MySQL
                cursor.execute(statement)
        for statement in create:
            cursor.execute(statement)


def remove_triggers(connection) -> None:
    _create, drop = SQL[connection.vendor]
    with connection.cursor() as cursor:
        for statement in drop:
            cursor.execute(statement)


MYSQL_ACCOUNT = re.compile(r"'?([A-Za-z0-9_.-]{1,80})'?@'?([A-Za-z0-9_.%:-]{1,255})'?")
POSTGRESQL_ROLE = re.compile(r"[A-Za-z_][A-Za-z0-9_]{0,62}")


def grant_statements(connection, account: str) -> list[str]:
    """The statements that leave `account` (MariaDB: 'user'@'host'; PostgreSQL: a role that does
    not own the tables) with reading and writing rows only: no DROP, ALTER, TRIGGER, TRUNCATE."""
    database = connection.settings_dict["NAME"]
    if connection.vendor == "mysql":
        match = MYSQL_ACCOUNT.fullmatch(account.strip())
        if match is None:
            raise CommandError("Name the account as 'user'@'host', e.g. \"'clinic'@'%'\".")
        grantee = f"'{match[1]}'@'{match[2]}'"
        schema = "`" + database.replace("`", "``") + "`"
        return [
            f"REVOKE ALL PRIVILEGES, GRANT OPTION FROM {grantee};",
            f"GRANT SELECT, INSERT, UPDATE, DELETE ON {schema}.* TO {grantee};",
        ]
    if connection.vendor == "postgresql":
        if POSTGRESQL_ROLE.fullmatch(account.strip()) is None:
            raise CommandError("Name the role, e.g. clinic.")
        role = account.strip()
        return [
            f"REVOKE ALL ON ALL TABLES IN SCHEMA public FROM {role};",
            f"GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO {role};",
            f"GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO {role};",
        ]
    raise CommandError(f"No account privileges to print for {connection.vendor}.")


class Command(BaseCommand):
    help = "Installs (or removes, or checks) the database triggers that keep audit_log append-only."

    def add_arguments(self, parser):
        parser.add_argument("--remove", action="store_true", help="Remove the triggers.")
        parser.add_argument("--check", action="store_true", help="Exit non-zero unless the triggers are installed.")
        parser.add_argument(
            "--grants",
            metavar="ACCOUNT",
            help="Print the GRANTs that leave the application's account ('user'@'host' on MariaDB, a role "
            "on PostgreSQL) no right to TRUNCATE, DROP, ALTER or unprotect the audit tables.",
        )
        parser.add_argument("--database", default=DEFAULT_DB_ALIAS)

    def handle(self, *args, remove=False, check=False, grants=None, database=DEFAULT_DB_ALIAS, **options):
        connection = connections[database]
        if grants:
            for statement in grant_statements(connection, grants):
                self.stdout.write(statement)
            return
        if connection.vendor not in SQL:
            raise CommandError(f"No audit triggers for {connection.vendor}.")
        if check:
            found = installed_triggers(connection)
            if not found:
                raise CommandError("The audit_log triggers are not installed: run manage.py audit_protect.")
            self.stdout.write(f"audit_log triggers installed: {', '.join(sorted(found))}")
            return
        if remove:
            remove_triggers(connection)
            self.stdout.write("audit_log triggers removed.")
            return
        install_triggers(connection)
        self.stdout.write(
            self.style.SUCCESS(
                f"audit_log is append-only in the database: {', '.join(sorted(installed_triggers(connection)))}"
            )
        )
