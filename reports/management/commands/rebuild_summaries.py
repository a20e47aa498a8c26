"""Recomputes the dashboard's summary tables from the raw rows (reports/summaries.py).

Needed after writes that bypass the services (loaddata, bulk_create, QuerySet.update, raw SQL, a
restore of some tables only); harmless at any time. Runs in one transaction."""

import time

from django.core.management.base import BaseCommand
from django.db import DEFAULT_DB_ALIAS
from django.utils.translation import gettext as _

from reports.summaries import rebuild_all


class Command(BaseCommand):
    help = "Recompute the dashboard's daily summary tables from payments, bills and patients."

    def add_arguments(self, parser):
        parser.add_argument("--database", default=DEFAULT_DB_ALIAS)

    def handle(self, *args, database: str, **options):
        started = time.monotonic()
        rebuild_all(using=database)
        self.stdout.write(_("Summary tables rebuilt in %(seconds).1f s.") % {"seconds": time.monotonic() - started})
