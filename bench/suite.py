"""Runs every scenario against the database DATABASE_URL names and collects the results."""

from __future__ import annotations

import datetime
import os
import platform
import time
from dataclasses import dataclass, field

import django
from django.conf import settings
from django.db import connection
from django.test import Client

from bench.measure import PageError, Result, capture, percentile, time_commit, time_raw, time_requests
from bench.scenarios import Scenario, build_scenarios
from bench.targets import Targets, find_targets
from patients.models import Patient
from scheduling.models import Appointment

CAPTURES = 3


class UnknownScenario(ValueError):
    """--only named a page the suite does not have."""


@dataclass
class Options:
    iterations: int = 50
    warmup: int = 5
    raw_iterations: int | None = None  # default: iterations
    only: list[str] = field(default_factory=list)
    name_prefix: str | None = None
    revenue_end: datetime.date | None = None  # default: the end of the last complete month


def server_version() -> str:
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("select sqlite_version()")
        else:
            cursor.execute("select version()")
        return str(cursor.fetchone()[0]).split(" on ")[0]


def machine() -> dict:
    """Where the figures come from; the counts tell the database's size."""
    return {
        "cpus": os.cpu_count(),
        "memory_gb": _memory_gb(),
        "platform": platform.platform(),
        "python": platform.python_version(),
        "django": django.get_version(),
        "vendor": connection.vendor,
        "server_version": server_version(),
        "database": str(connection.settings_dict["NAME"]),
        "patients": Patient.objects.count(),
        "appointments": Appointment.objects.count(),
        "settings": os.environ.get("DJANGO_SETTINGS_MODULE", ""),
        "debug": settings.DEBUG,
        "load_average": list(os.getloadavg()),
    }


def _memory_gb() -> float | None:
    try:
        with open("/proc/meminfo") as meminfo:
            kib = int(meminfo.readline().split()[1])
    except (OSError, ValueError, IndexError):
        return None
    return round(kib / 1024 / 1024, 1)


def _client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _request_of(client: Client, scenario: Scenario):
    if scenario.method == "POST":
        headers = {"HTTP_HX_REQUEST": "true"} if scenario.htmx else {}
        return lambda: client.post(scenario.path, scenario.data, **headers)
    return lambda: client.get(scenario.path)


def run_scenario(scenario: Scenario, client: Client, options: Options, commit_ms: float) -> Result:
    """Warm-up requests, three captured ones (queries and their SQL), K timed ones, then K
    replays of the captured SQL."""
    result = Result(scenario.name, scenario.method, scenario.path.split("?")[0])
    request = _request_of(client, scenario)
    try:
        time_requests(request, scenario.after, options.warmup)
        # The middle one of three captures by query count: one request in a while does a little
        # more (the session's last activity, written once a minute) or less (another process
        # using the database, e.g. a load test, sealed this page's audit row first).
        captures = sorted((capture(request, scenario.after) for _ in range(CAPTURES)), key=lambda c: c[1])
        response, result.queries, statements, commits = captures[len(captures) // 2]
        result.status = response.status_code
        result.writes = sum(1 for s in statements if not s.is_read and not s.is_control)
        timings, cpu = time_requests(request, scenario.after, options.iterations)
        result.raw = time_raw(
            statements, options.raw_iterations or options.iterations, commits=commits, commit_ms=commit_ms
        )
    except (PageError, AssertionError) as error:
        result.error = str(error)
        return result
    except Exception as error:  # noqa: BLE001 — one broken page must not hide the others' figures
        result.error = f"{type(error).__name__}: {(str(error).splitlines() or [''])[0][:120]}"
        return result
    result.p50_ms, result.p95_ms = percentile(timings, 0.50), percentile(timings, 0.95)
    result.cpu_p50_ms = percentile(cpu, 0.50)
    return result


def describe_targets(targets: Targets) -> dict:
    return {
        "name_prefix": targets.name_prefix,
        "doctor": targets.doctor.pk,
        "doctor_user": targets.doctor_user.username,
        "history_patient": targets.history_patient.pk,
        "history_visit": targets.history_visit.pk,
        "bill_1_line": targets.bill_1_line.pk,
        "bill_50_lines": targets.bill_50_lines.pk,
        "booking_start": targets.booking_start.isoformat(),
    }


VERIFY_CHAIN = "verify_audit_chain"


def time_verify_chain() -> dict:
    """verify_audit_chain as the nightly job runs it: once in full (--full: every row, then a
    checkpoint at the head), then resumed from that checkpoint after one more page's rows."""
    from audit import services as audit  # (the audit app is set up by now)

    started = time.perf_counter()
    full = audit.verify_chain(full=True)
    full_s = time.perf_counter() - started
    audit.audit_write(action=audit.Action.READ, what="benchmark: one more row")
    started = time.perf_counter()
    resumed = audit.verify_chain()
    resumed_s = time.perf_counter() - started
    return {
        "ok": full.ok and resumed.ok,
        "problems": (full.problems + resumed.problems)[:3],
        "full_rows": full.checked,
        "full_s": round(full_s, 3),
        "resumed_rows": resumed.checked,
        "resumed_s": round(resumed_s, 4),
    }


def run_suite(options: Options) -> dict:
    targets = find_targets(name_prefix=options.name_prefix)
    every = build_scenarios(targets, revenue_end=options.revenue_end)
    unknown = set(options.only) - {s.name for s in every} - {VERIFY_CHAIN}
    if unknown:
        raise UnknownScenario(
            f"no scenario {', '.join(sorted(unknown))}; there are: {', '.join(s.name for s in every)}"
        )
    scenarios = [s for s in every if not options.only or s.name in options.only]
    clients = {user: _client_for(getattr(targets, user)) for user in ("receptionist", "doctor_user", "admin")}
    try:
        commit_ms = time_commit(
            session_key=clients["receptionist"].session.session_key,
            iterations=options.raw_iterations or options.iterations,
        )
        results = [run_scenario(scenario, clients[scenario.user], options, commit_ms) for scenario in scenarios]
        chain = time_verify_chain() if not options.only or VERIFY_CHAIN in options.only else None
    finally:
        for client in clients.values():
            client.logout()  # deletes the session rows force_login made
    return {
        "version": 1,
        "created": datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds"),
        "machine": machine(),
        "options": {
            "iterations": options.iterations,
            "warmup": options.warmup,
            "raw_iterations": options.raw_iterations or options.iterations,
        },
        "targets": describe_targets(targets),
        "notes": targets.notes,
        "commit_ms": commit_ms,
        "results": results,
        "audit_chain": chain,
    }
