"""Writes a consistent, compressed backup of the database that DATABASE_URL names.

    python manage.py backup /var/backups/clinic/clinic-$(date +%F).dump

MariaDB/MySQL: mariadb-dump --single-transaction, gzip-compressed; PostgreSQL: pg_dump
--format=custom; SQLite: the online backup API, gzip-compressed. Beside the dump goes a
manifest (PATH.json): engine, migration heads, row counts, size, SHA-256. See core/backup.py
and the README's "Backups"."""

import time
from pathlib import Path

from django.core.management.base import BaseCommand
from django.db import DEFAULT_DB_ALIAS, connections

from core.backup import backup_database, human_size, manifest_path_for


class Command(BaseCommand):
    # A backup or a restore must not be blocked by a system check about something else.
    requires_system_checks = []

    help = (
        "Write a consistent, compressed backup of the database (DATABASE_URL) to PATH, and a "
        "manifest to PATH.json. Refuses to overwrite an existing file unless --force."
    )

    def add_arguments(self, parser):
        parser.add_argument("path", type=Path, help="the backup file to write")
        parser.add_argument("--force", action="store_true", help="replace an existing file")
        parser.add_argument("--database", default=DEFAULT_DB_ALIAS, help="database alias")

    def handle(self, *args, path, force, database, **options):
        started = time.monotonic()
        manifest = backup_database(connections[database], path, force=force)
        seconds = time.monotonic() - started
        path = path.expanduser().absolute()
        self.stdout.write(
            self.style.SUCCESS(
                f"Backup written: {path} ({human_size(manifest['bytes'])}, {seconds:.1f} s; "
                f"{manifest['tables']} tables, {manifest['rows']} rows)"
            )
        )
        self.stdout.write(f"Manifest: {manifest_path_for(path)}")
