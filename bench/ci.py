"""`make bench-ci`: the benchmark at a size CI can afford, so that it cannot rot.

In a throwaway database (Django's test database for DATABASE_URL: test_<name> on MariaDB and
PostgreSQL, memory on SQLite — created, migrated and dropped here), seed_demo fills a small
clinic, every scenario runs a few times, then a clinic three times bigger, and again. It fails
when a page errors or answers other than 2xx/3xx, or when a page's query count differs between
the two sizes (a query per row somewhere). The timings are printed, not judged: a CI machine's
are noise."""

from __future__ import annotations

import dataclasses
import datetime
import time

from django.core.management import call_command, load_command_class
from django.db import connection
from django.utils import timezone

from bench import report
from bench.suite import Options, run_suite

CI_OPTIONS = Options(iterations=3, warmup=1, raw_iterations=1)
# seed_demo's anchor patient has 1,000 visits; CI scales it down when seed_demo allows it.
CI_ANCHOR_VISITS = 60


def _seed_arguments(patients: int) -> list[str]:
    """seed_demo's arguments for a fresh small clinic, using the options it offers."""
    parser = load_command_class("sampledata", "seed_demo").create_parser("manage.py", "seed_demo")
    offered = {option for action in parser._actions for option in action.option_strings}
    arguments = ["--patients", str(patients)]
    if "--flush" in offered:
        arguments.append("--flush")
    if "--anchor-visits" in offered:
        arguments += ["--anchor-visits", str(CI_ANCHOR_VISITS)]
    if "--workers" in offered:
        arguments += ["--workers", "1"]  # worker processes cost more than they save at this size
    return arguments


def _name_prefix() -> str:
    """A name prefix found at every CI size: a clinic of a few hundred may have no "Kar…", but
    seed_demo gives its first patients the same names at every size."""
    from patients.models import Patient

    second = Patient.objects.order_by("pk").values_list("full_name", flat=True)[1:2].first()
    return second[:3] if second else "Kar"


def _revenue_end() -> datetime.date:
    """Yesterday, the last day the revenue pages can show at every CI size: seed_demo's history
    is only as long as a few visits per patient need, so a small clinic's may begin this month,
    and its last complete month then has no revenue, a page that answers with one query fewer
    (no services to name)."""
    return timezone.localdate() - datetime.timedelta(days=1)


def _run_size(patients: int, stdout) -> dict:
    started = time.perf_counter()
    call_command("seed_demo", *_seed_arguments(patients), verbosity=0)
    seeded = time.perf_counter() - started
    run = run_suite(dataclasses.replace(CI_OPTIONS, name_prefix=_name_prefix(), revenue_end=_revenue_end()))
    stdout.write(
        f"\n== {patients} patients (seeded in {seeded:.1f} s, pages in {time.perf_counter() - started - seeded:.1f} s)"
    )
    stdout.write(report.table(run))
    return run


def run_ci(*, sizes: list[int], stdout) -> bool:
    """True when every page answered at both sizes with the same number of queries."""
    old_name = connection.settings_dict["NAME"]
    started = time.perf_counter()
    try:
        connection.creation.create_test_db(verbosity=0, autoclobber=True, serialize=False)
        stdout.write(
            f"throwaway database {connection.settings_dict['NAME']} migrated in {time.perf_counter() - started:.1f} s"
        )
        runs = [_run_size(patients, stdout) for patients in sizes]
    finally:
        # Also after a failed migration: create_test_db has switched NAME to the test database.
        if connection.settings_dict["NAME"] != old_name:
            connection.creation.destroy_test_db(old_name, verbosity=0)
    problems = []
    for small, big in zip(runs, runs[1:], strict=False):
        text, found = report.compare(small, big)
        stdout.write("\n" + text)
        problems += found
    stdout.write(f"\nbench-ci: {'FAILED' if problems else 'ok'} in {time.perf_counter() - started:.0f} s")
    return not problems
