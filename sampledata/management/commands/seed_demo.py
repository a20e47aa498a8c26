"""A synthetic clinic of any size, for benchmarks and load tests (the logic: sampledata/seed/).

    python manage.py seed_demo --patients 10000
    python manage.py seed_demo --patients 1000000 --flush --password bench-demo-2026

About five appointments per patient with their services, medical records and lab results for
completed visits, bills and payments, insurance; max(5, N / 10,000) doctors with 15-30 visits a
day each, so the history is as long as it must be. Staff users bench_admin, bench_receptionist
and bench_doctor (a GP with appointments today) log in with --password. The benchmark's anchors:
the patient "Pasien Benchmark Seribu" with --anchor-visits completed visits (1,000), and one
completed visit with the reason "benchmark: 50 services" whose bill has 50 lines.

Never into a real clinic's database: it refuses a database that holds patients, doctors or
services unless --flush, which empties every clinic table first (not the users).
"""

import argparse
import datetime as dt

from django.core.management.base import BaseCommand, CommandError
from django.db import DEFAULT_DB_ALIAS
from django.utils import timezone

from sampledata.seed import run

DEFAULT_SEED = 20261125
DEFAULT_PASSWORD = "bench-demo-2026"


def iso_date(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a date: use YYYY-MM-DD") from None


def positive(text: str) -> int:
    try:
        value = int(text.replace("_", ""))
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
    if value < 10:
        raise argparse.ArgumentTypeError("at least 10 patients")
    return value


def non_negative(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
    if value < 0:
        raise argparse.ArgumentTypeError("must not be negative")
    return value


class Command(BaseCommand):
    help = "Generates a synthetic clinic of N patients (about 25 rows per patient) for benchmarks."

    def add_arguments(self, parser):
        parser.add_argument("--patients", type=positive, required=True, help="Number of patients (at least 10).")
        parser.add_argument("--seed", type=int, default=DEFAULT_SEED, help=f"Random seed (default {DEFAULT_SEED}).")
        parser.add_argument(
            "--today",
            type=iso_date,
            default=None,
            help="The day the data is centred on, YYYY-MM-DD (default: today in clinic time).",
        )
        parser.add_argument(
            "--password",
            default=DEFAULT_PASSWORD,
            help=f"Password of the bench_* staff users (default {DEFAULT_PASSWORD!r}).",
        )
        parser.add_argument(
            "--anchor-visits",
            type=non_negative,
            default=1000,
            help="Completed visits of the patient 'Pasien Benchmark Seribu' (default 1000).",
        )
        parser.add_argument(
            "--flush",
            action="store_true",
            help="Empty every clinic table first (patients, appointments, records, bills...; not the users).",
        )
        parser.add_argument(
            "--workers",
            type=non_negative,
            default=None,
            help="Generator processes (default: the number of CPUs; 1 = no subprocess).",
        )
        parser.add_argument("--database", default=DEFAULT_DB_ALIAS, help="Database alias (default 'default').")

    def handle(self, *args, **options):
        verbose = options["verbosity"] >= 1

        def progress(done, total, rows):
            if options["verbosity"] >= 2:
                self.stdout.write(f"  chunk {done}/{total}: {sum(rows.values()):,} rows loaded")

        try:
            result = run.seed(
                alias=options["database"],
                n_patients=options["patients"],
                seed=options["seed"],
                today=options["today"] or timezone.localdate(),
                password=options["password"],
                anchor_visits=options["anchor_visits"],
                flush=options["flush"],
                workers=options["workers"],
                log=progress,
            )
        except run.SeedRefused as refused:
            raise CommandError(
                f"{refused} Use --flush to empty the clinic tables first (never on a real clinic's database)."
            ) from None
        if not verbose:
            return
        if result.flushed:
            self.stdout.write(f"Emptied first: {', '.join(result.flushed)}")
        width = max(len(table) for table in result.rows)
        for table, count in result.rows.items():
            self.stdout.write(f"  {table:<{width}}  {count:>12,}")
        self.stdout.write(f"  {'total':<{width}}  {result.total:>12,}")
        self.stdout.write(f"{result.total:,} rows in {result.seconds:.1f} s: {result.rows_per_second:,.0f} rows/s")
        self.stdout.write("  " + ", ".join(f"{phase} {seconds:.1f} s" for phase, seconds in result.phases.items()))
        self.stdout.write(
            f"Anchor patient: {result.anchor_mrn} 'Pasien Benchmark Seribu' with "
            f"{result.anchor_visits} completed visits"
        )
        self.stdout.write(f"Bill with 50 lines: {result.big_bill_number} ('benchmark: 50 services')")
        self.stdout.write(
            f"Staff: bench_admin, bench_receptionist, bench_doctor ({result.bench_doctor}); password from --password"
        )
        if result.summaries:
            self.stdout.write("Summary tables rebuilt.")
        if result.summaries_error:
            self.stderr.write(
                f"The summary tables were NOT rebuilt: {result.summaries_error}. "
                f"Fix that and run `manage.py rebuild_summaries`."
            )
