"""Writes the demo data set as JSON fixtures (the generator: sampledata.fixtures).

python manage.py generate_sample_data            # writes fixtures/*.json
python manage.py loaddata users patients scheduling records billing
"""

import argparse
import datetime as dt
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from sampledata.fixtures import DEFAULT_TODAY, SampleDataError, write_fixtures


def anchor_date(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a date: use YYYY-MM-DD") from None


class Command(BaseCommand):
    help = "Writes the demo data set (users, patients, scheduling, records, billing) as JSON fixtures."

    def add_arguments(self, parser):
        parser.add_argument("--out", default=None, help="Directory to write to (default: BASE_DIR/fixtures).")
        parser.add_argument(
            "--today",
            default=None,
            type=anchor_date,
            help="Anchor date YYYY-MM-DD the data is centred on (default: 2026-11-25); "
            "a clinic day (Monday to Saturday), so the day's board has patients.",
        )

    def handle(self, *args, out=None, today=None, **options):
        try:
            from faker import Faker
        except ImportError:
            raise CommandError("Faker is needed to generate sample data: pip install -r requirements-dev.txt") from None
        out_dir = Path(out) if out else Path(settings.BASE_DIR) / "fixtures"
        try:
            counts = write_fixtures(out_dir, today or DEFAULT_TODAY, Faker)
        except SampleDataError as error:
            raise CommandError(str(error)) from None
        if options["verbosity"] >= 1:
            for name, models in counts.items():
                summary = ", ".join(f"{count} {model}" for model, count in models.items())
                self.stdout.write(f"{out_dir / f'{name}.json'}: {summary}")
