"""Loads a backup made by `manage.py backup` into the EMPTY database that DATABASE_URL names.

    DATABASE_URL=mysql://clinic:secret@127.0.0.1:3306/clinic_restore \
        python manage.py restore /var/backups/clinic/clinic-2026-03-01.dump

Refuses a database that already has tables (unless --force), a dump of another engine, and a
dump whose SHA-256 differs from its manifest; afterwards compares each table's row count with
the manifest. See core/backup.py and the README's "Backups"."""

import time
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.db import DEFAULT_DB_ALIAS, connections

from core.backup import compare_with_manifest, restore_database


class Command(BaseCommand):
    # A backup or a restore must not be blocked by a system check about something else.
    requires_system_checks = []

    help = (
        "Load a backup made by `manage.py backup` into the empty database that DATABASE_URL "
        "names, then compare its row counts with the backup's manifest."
    )

    def add_arguments(self, parser):
        parser.add_argument("path", type=Path, help="the backup file to load")
        parser.add_argument(
            "--force",
            action="store_true",
            help="load even though the database already has tables (the backup's tables replace them)",
        )
        parser.add_argument("--database", default=DEFAULT_DB_ALIAS, help="database alias")

    def handle(self, *args, path, force, database, **options):
        connection = connections[database]
        started = time.monotonic()
        manifest, counts = restore_database(connection, path, force=force)
        seconds = time.monotonic() - started
        self.stdout.write(
            self.style.SUCCESS(
                f"Restored {path} into {connection.settings_dict['NAME']} in {seconds:.1f} s: "
                f"{len(counts)} tables, {sum(counts.values())} rows."
            )
        )
        if manifest is None:
            self.stdout.write(self.style.WARNING("No manifest beside the backup: row counts not checked."))
            return
        problems = compare_with_manifest(manifest, counts)
        if not problems:
            self.stdout.write(
                f"Row counts match the manifest of {manifest['created_at']} "
                f"({manifest['tables']} tables, {manifest['rows']} rows)."
            )
            return
        listing = "; ".join(problems)
        if manifest.get("row_counts_exact"):
            raise CommandError(f"The restored row counts differ from the manifest: {listing}")
        # MariaDB: the manifest's counts were taken just before the dump, not in its snapshot.
        self.stdout.write(
            self.style.WARNING(
                "Row counts differ from the manifest, whose counts were taken just before the "
                f"dump (writes in between explain small differences): {listing}"
            )
        )
