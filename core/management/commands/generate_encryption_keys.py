"""Prints new keys for encryption at rest (core/crypto.py), as lines for .env or the environment:

    FIELD_ENCRYPTION_KEYS=k20261105-3fa2:<base64 of 32 random bytes>
    BLIND_INDEX_KEY=<base64 of 32 random bytes>
    AUDIT_KEY=<base64 of 32 random bytes>     (signs the audit log's rows, audit/services.py)

Runs without any keys configured (the settings let this one command through). With --rotate it
prints FIELD_ENCRYPTION_KEYS with a new key in front of the configured ones: put that in place,
restart, run `manage.py rotate_encryption_keys`, then drop the old key.

Keep the keys out of git and back them up apart from the database backups: without them the
encrypted values cannot be read, and with a backup they reveal everything."""

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.core.management.base import BaseCommand, CommandError

from core import crypto


class Command(BaseCommand):
    help = "Print new FIELD_ENCRYPTION_KEYS, BLIND_INDEX_KEY and AUDIT_KEY lines (for .env or the environment)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--rotate",
            action="store_true",
            help="Print only FIELD_ENCRYPTION_KEYS: a new key followed by the configured ones.",
        )

    def handle(self, *args, rotate=False, **options):
        field_key = f"{crypto.new_key_id()}:{crypto.new_key()}"
        if rotate:
            configured = settings.FIELD_ENCRYPTION_KEYS
            if isinstance(configured, str):
                configured = configured.split(",")
            configured = [item.strip() for item in configured if item and item.strip()]
            if not configured:
                raise CommandError("No FIELD_ENCRYPTION_KEYS configured to rotate from: run without --rotate.")
            try:
                crypto.parse_field_keys(configured)  # refuse to build on a malformed list
            except ImproperlyConfigured as error:
                raise CommandError(str(error)) from None
            self.stdout.write(f"FIELD_ENCRYPTION_KEYS={','.join([field_key, *configured])}")
            return
        blind_index_key = crypto.new_key()
        self.stdout.write(f"FIELD_ENCRYPTION_KEYS={field_key}")
        self.stdout.write(f"BLIND_INDEX_KEY={blind_index_key}")
        self.stdout.write(f"AUDIT_KEY={crypto.new_key()}")
