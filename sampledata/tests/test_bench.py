"""The benchmark suite (bench/, `make bench`): it measures every page of a seeded clinic, leaves
the database as it found it, and its comparison catches a query count that grows with size."""

import datetime

import pytest
import time_machine
from django.contrib.sessions.models import Session
from django.core.management import call_command

from bench import ci, report
from bench.measure import percentile
from bench.scenarios import _revenue_ranges
from bench.suite import Options, run_suite
from billing.models import Billing
from scheduling.models import Appointment, AppointmentService


def _run(name: str, queries: int, p50: float, error: str = "") -> dict:
    result = {
        "name": name,
        "queries": queries,
        "writes": 0,
        "p50_ms": p50,
        "p95_ms": p50,
        "error": error,
        "r_sql": 2.0,
        "raw": {"p50_ms": p50 / 2, "slowest_ms": 0.1, "slowest_sql": "SELECT 1"},
    }
    machine = {"patients": 100, "database": "x", "vendor": "sqlite", "server_version": "3"}
    return {"machine": machine, "results": [result]}


def test_it_reports_a_percentile_that_was_measured():
    assert percentile([5.0, 1.0, 3.0, 2.0, 4.0], 0.5) == 3.0
    assert percentile([float(n) for n in range(1, 101)], 0.95) == 95.0


def test_it_flags_a_query_count_that_changes_with_the_size():
    _text, problems = report.compare(_run("board", 5, 10.0), _run("board", 6, 11.0))
    assert problems == ["board: 5 queries at the small size, 6 at the big one"]


def test_it_flags_a_page_that_failed_and_computes_the_growth():
    text, problems = report.compare(_run("board", 5, 10.0), _run("board", 5, 20.0, error="HTTP 500"))
    assert problems == ["board: HTTP 500"]
    text, problems = report.compare(_run("board", 5, 10.0), _run("board", 5, 20.0))
    assert problems == [] and "2.00" in text and "MISS R_N>1.5" in text


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_it_measures_every_page_of_a_seeded_clinic_and_cleans_up():
    call_command("seed_demo", "--patients", "30", "--anchor-visits", "15", "--workers", "1", verbosity=0)
    appointments, lines = Appointment.objects.count(), AppointmentService.objects.count()

    run = run_suite(Options(iterations=2, warmup=1, raw_iterations=1))

    assert run["notes"] == []  # seed_demo's users and anchors were found, no fallback
    results = {result.name: result for result in run["results"]}
    assert {
        "search name",
        "search NIK",
        "search phone",
        "doctor day",
        "board",
        "booking",
        "history: patient page",
        "bill 50 lines",
        "dashboard",
        "revenue year",
        "audit search",
        "audit search patient",
        "audit access report",
    } <= set(results)
    chain = run["audit_chain"]  # verify_audit_chain: in full, then resumed from its checkpoint
    assert chain["ok"] and chain["full_rows"] > 10 * 15 and chain["resumed_rows"] == 1
    for result in results.values():
        assert result.error == "", result.name
        assert 200 <= result.status < 400 and result.queries > 0, result.name
        assert result.p50_ms > 0 and result.raw.p50_ms > 0, result.name
    assert results["booking"].status == 302  # booked, redirected to the appointment
    assert results["search NIK"].raw.commits >= 1  # the audit row of the patient found
    # The bookings were deleted again and the benchmark's sessions ended.
    assert (Appointment.objects.count(), AppointmentService.objects.count()) == (appointments, lines)
    assert not Session.objects.exists()


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_ci_asks_the_revenue_pages_for_a_period_a_small_clinic_has_bills_in():
    # Early in a month a small clinic's history has not reached the last complete month.
    with time_machine.travel(datetime.datetime(2027, 1, 5, 2, tzinfo=datetime.UTC), tick=True):
        call_command("seed_demo", "--patients", "30", "--anchor-visits", "15", "--workers", "1", verbosity=0)
        for period in _revenue_ranges(ci._revenue_end()):
            start, end = (datetime.date.fromisoformat(period[key]) for key in ("start", "end"))
            assert Billing.objects.filter(issued_at__date__range=(start, end)).exists(), period


def test_best_of_keeps_each_page_from_the_run_where_it_was_fastest():
    first, second = _run("board", 5, 30.0), _run("board", 5, 20.0)
    first["created"], second["created"] = "t1", "t2"
    for run in (first, second):
        run["machine"]["load_average"] = [1.0, 1.0, 1.0]
        run["results"].append(
            {**run["results"][0], "name": "bill 1 line", "p50_ms": 50.0 - run["results"][0]["p50_ms"]}
        )
    merged = report.best_of([first, second])
    assert [(r["name"], r["p50_ms"], r["from_run"]) for r in merged["results"]] == [
        ("board", 20.0, "t2"),
        ("bill 1 line", 20.0, "t1"),
    ]
    assert [m["created"] for m in merged["merged_from"]] == ["t1", "t2"]
