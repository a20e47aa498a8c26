"""The load of the waiting room's screens: N screens polling /queue/display/<token>/numbers/.

    python bench/queue_screens.py --screens 10 --interval 3 --seconds 60 --port 8190

Makes a throw-away SQLite database (or uses DATABASE_URL when given: it must be disposable),
seeds D doctors with A checked-in appointments each today (half of the doctors with a called
number), counts the queries of one poll in-process, then starts `manage.py runserver` and lets
N threads poll it as the screens do (every `interval` seconds, spread out), and reports the
latency of a poll and the server's CPU time per poll and per second (from /proc). A second phase
polls back to back with the same N threads: the most polls a second this server gives.
docs/performance.md, "Queue screen", has the figures."""

import argparse
import datetime
import os
import random
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(BASE_DIR))


def seed(doctors: int, per_doctor: int) -> str:
    from django.utils import timezone

    from core.clock import day_bounds
    from patients.tests.factories import DoctorFactory, PatientFactory
    from scheduling import services
    from scheduling.models import Appointment, QueueDisplay

    start, _end = day_bounds(timezone.localdate())
    patients = [PatientFactory() for _ in range(per_doctor)]
    for index in range(doctors):
        doctor = DoctorFactory()
        Appointment.objects.bulk_create(
            Appointment(
                patient=patients[number - 1],
                doctor=doctor,
                appointment_date=start + datetime.timedelta(minutes=10 * number),
                end_time=start + datetime.timedelta(minutes=10 * number + 10),
                status=Appointment.Status.CHECKED_IN,
                queue_number=number,
                arrived_at=timezone.now(),
            )
            for number in range(1, per_doctor + 1)
        )
        if index % 2 == 0:
            services.appointment_call_next(doctor=doctor, by=None)
    return QueueDisplay.objects.create(name="Bench").token


def count_queries(path: str) -> int:
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    client = Client()
    client.get(path)
    with CaptureQueriesContext(connection) as queries:
        assert client.get(path).status_code == 200
    return len(queries)


def cpu_seconds(pid: int) -> float:
    """User + system CPU of the process and its waited-for children (/proc/<pid>/stat)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return sum(int(v) for v in fields[11:15]) / os.sysconf("SC_CLK_TCK")


def poll(url: str, stop: float, interval: float, latencies: list, errors: list) -> None:
    if interval:
        time.sleep(random.uniform(0, interval))
    while time.monotonic() < stop:
        began = time.monotonic()
        try:
            with urllib.request.urlopen(url, timeout=10) as response:  # nosec B310: the local server's http URL
                response.read()
                if response.status != 200:
                    errors.append(response.status)
        except Exception as error:  # noqa: BLE001 — counted and reported
            errors.append(repr(error))
        took = time.monotonic() - began
        latencies.append(took * 1000)
        if interval:
            time.sleep(max(0.0, interval - took))


def phase(url: str, pid: int, screens: int, seconds: float, interval: float) -> dict:
    latencies, errors = [], []
    cpu_before, began = cpu_seconds(pid), time.monotonic()
    stop = began + seconds
    threads = [threading.Thread(target=poll, args=(url, stop, interval, latencies, errors)) for _ in range(screens)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed, cpu = time.monotonic() - began, cpu_seconds(pid) - cpu_before
    latencies.sort()
    return {
        "polls": len(latencies),
        "errors": len(errors),
        "polls/s": len(latencies) / elapsed,
        "p50 ms": statistics.median(latencies),
        "p95 ms": latencies[int(len(latencies) * 0.95) - 1],
        "server CPU ms/poll": 1000 * cpu / max(1, len(latencies)),
        "server CPU % of a core": 100 * cpu / elapsed,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--screens", type=int, default=10)
    parser.add_argument("--interval", type=float, default=3.0)
    parser.add_argument("--seconds", type=float, default=60.0)
    parser.add_argument("--doctors", type=int, default=12)
    parser.add_argument("--per-doctor", type=int, default=40)
    parser.add_argument("--port", type=int, default=8190)
    args = parser.parse_args()

    workdir = tempfile.mkdtemp(prefix="queue-bench-")
    env = dict(os.environ)
    env.setdefault("DJANGO_SETTINGS_MODULE", "clinic.settings.test")
    env.setdefault("DATABASE_URL", f"sqlite:///{workdir}/bench.sqlite3")
    os.environ.update(env)
    manage = [sys.executable, str(BASE_DIR / "manage.py")]
    subprocess.run([*manage, "migrate", "--noinput", "-v", "0"], env=env, check=True)

    import django

    django.setup()
    from django.urls import reverse

    token = seed(args.doctors, args.per_doctor)
    path = reverse("queue:display_poll", args=[token])
    queries = count_queries(path)

    server = subprocess.Popen(
        [*manage, "runserver", f"127.0.0.1:{args.port}", "--noreload"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{args.port}{path}"
    try:
        for _ in range(100):
            try:
                urllib.request.urlopen(url, timeout=2).read()  # nosec B310: the local server's http URL
                break
            except OSError:
                time.sleep(0.2)
        print(f"{args.doctors} doctors x {args.per_doctor} checked in; one poll = {queries} queries")
        for name, interval in (("screens", args.interval), ("back to back", 0.0)):
            result = phase(url, server.pid, args.screens, args.seconds, interval)
            figures = ", ".join(f"{k} {v:.1f}" if isinstance(v, float) else f"{k} {v}" for k, v in result.items())
            print(f"{args.screens} {name}: {figures}")
    finally:
        server.terminate()
        server.wait()


if __name__ == "__main__":
    main()
