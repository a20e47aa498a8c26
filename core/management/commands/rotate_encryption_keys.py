"""Re-encrypts every encrypted value (core.fields.EncryptedCharField, in every model) with the
current key, the first of FIELD_ENCRYPTION_KEYS; with --reindex it also recomputes every blind
index with the current BLIND_INDEX_KEY.

Rotating the data key (README.md, "Encryption"):
1. `manage.py generate_encryption_keys --rotate` prints FIELD_ENCRYPTION_KEYS=<new>,<old>: set
   it and restart the app (new values are written with <new>, old ones still read with <old>).
2. `manage.py rotate_encryption_keys`: every stored value is now under <new>.
3. Drop <old> from FIELD_ENCRYPTION_KEYS and restart.
Changing BLIND_INDEX_KEY: set the new key, restart, and run `rotate_encryption_keys --reindex`
straight away: until it has run, search by NIK, phone or email (and the duplicate-NIK check)
finds nothing. The values themselves must decrypt, so keep every data key that is still in use.

It works in batches, each in its own transaction with its rows locked (select_for_update), so
the clinic can go on working; running it twice does no harm.
"""

import time

from django.apps import apps
from django.core.exceptions import ImproperlyConfigured
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from core import crypto
from core.fields import blind_index_fields, encrypted_fields, fill_blind_indexes


class Command(BaseCommand):
    help = "Re-encrypt every encrypted value with the current key; --reindex also recomputes the blind indexes."

    def add_arguments(self, parser):
        parser.add_argument(
            "--reindex", action="store_true", help="Also recompute every blind index (after BLIND_INDEX_KEY changed)."
        )
        parser.add_argument("--batch-size", type=int, default=500, help="Rows per transaction (default 500).")

    def handle(self, *args, reindex=False, batch_size=500, **options):
        if batch_size < 1:
            raise CommandError("--batch-size must be at least 1.")
        try:
            current = crypto.keyring().current_id
        except ImproperlyConfigured as error:
            raise CommandError(str(error)) from None
        started = time.monotonic()
        total = 0
        for model in apps.get_models():
            encrypted = encrypted_fields(model)
            indexes = blind_index_fields(model) if reindex else []
            if not encrypted and not indexes:
                continue
            model_started = time.monotonic()
            count = self.rotate(model, encrypted, indexes, batch_size)
            total += count
            what = "re-encrypted" + (" and re-indexed" if indexes else "")
            self.stdout.write(
                f"{model._meta.label}: {count} rows {what} with key {current!r} "
                f"in {time.monotonic() - model_started:.2f} s"
            )
        self.stdout.write(self.style.SUCCESS(f"Done: {total} rows in {time.monotonic() - started:.2f} s."))

    def rotate(self, model, encrypted, indexes, batch_size) -> int:
        manager = model._base_manager
        names = [field.name for field in encrypted] + [field.name for field in indexes]
        loaded = sorted({*names, *(field.source for field in indexes)})
        count, last = 0, None
        while True:
            page = manager.order_by("pk") if last is None else manager.filter(pk__gt=last).order_by("pk")
            pks = list(page.values_list("pk", flat=True)[:batch_size])
            if not pks:
                return count
            with transaction.atomic():
                try:
                    # Reading decrypts with whichever configured key wrote each value; saving
                    # encrypts with the current one.
                    rows = list(manager.select_for_update().filter(pk__in=pks).only(*loaded))
                except crypto.DecryptionError as error:
                    raise CommandError(f"{model._meta.label}, rows {pks[0]}-{pks[-1]}: {error}") from None
                if indexes:
                    for row in rows:
                        fill_blind_indexes(row)
                manager.bulk_update(rows, names)
            count += len(rows)
            last = pks[-1]
