"""CI for Klinik: the checks and the whole test suite on SQLite, MariaDB and PostgreSQL.

.ci/run installs the system packages, then runs this file with the system python3 (standard
library only: the project's .venv does not exist yet). Set-up: the virtualenv (`make
install-dev`); MariaDB, PostgreSQL and Redis, each started if it is down; the `clinic` databases,
through a user with a password when root/postgres cannot connect over TCP without one; MariaDB's
time zone tables. Then every step of `plan()` runs, each one even after an earlier one failed;
a summary table and the line `CI: N passed, M failed` close the run, and the exit status is 1
when a step failed. CI_TEST_TIMEOUT limits each step's command (seconds, 1200 by default).
"""

from __future__ import annotations

import os
import re
import secrets
import shlex
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TIMEOUT = int(os.environ.get("CI_TEST_TIMEOUT", "1200"))
LOGDIR = Path(tempfile.mkdtemp(prefix="clinic-ci."))
MAKE = "make --no-print-directory"
PYTHON = ".venv/bin/python"
MYSQL = "mysql --no-defaults"
CHROMIUM = "/usr/bin/chromium"
REDIS_URL = "redis://127.0.0.1:6379/0"
# Only for the fallback users below, on a CI machine's local servers.
CI_DB_PASSWORD = "clinic-ci"

# How a step's command passes. PYTEST: exit status 0 and at least one test passed, failed or
# errored (a run that collected nothing fails); PYTEST_NO_SKIPS: the same, and nothing skipped.
PYTEST = "pytest"
PYTEST_NO_SKIPS = "pytest, nothing skipped"
EXIT_0 = "exit 0"

# pytest's closing line, with or without its ===== frame (-q drops it).
PYTEST_SUMMARY = re.compile(r"^(?:=+ )?((?:no tests ran|[0-9]+ [a-z]+.*) in [0-9.]+s(?: \([0-9:]+\))?)(?: =+)?$")


@dataclass
class Check:
    """A command that must exit 0; the `checks` column of the summary."""

    label: str
    command: str
    env: dict[str, str] = field(default_factory=dict)


@dataclass
class Step:
    """One row of the summary: its checks, then its command, which passes by `rule`.

    A `problem` (a database that did not come up, a missing browser) means NOT RUN, a failure.
    `before` must pass first; `after` always runs after the command (clean-up)."""

    name: str
    command: str = ""
    rule: str = EXIT_0
    checks: list[Check] = field(default_factory=list)
    env: dict[str, str] = field(default_factory=dict)
    problem: str = ""
    before: Check | None = None
    after: str = ""


@dataclass
class Service:
    """A server set up for the steps: the environment that points to it, or why it is missing."""

    env: dict[str, str] = field(default_factory=dict)
    problem: str = ""


def plan(mariadb: Service, postgres: Service) -> list[Step]:
    test = f"{MAKE} test PYTEST_ARGS=--create-db"
    bench = f"{MAKE} bench-ci"
    tls = ".venv/bin/pytest -m tls clinic/tests/test_db_tls.py"
    stop_lab = "env LAB_DIR=/tmp/clinic-replica-ci bash lab/replica-lab.sh stop"
    lint = Check("ruff check, ruff format --check, lint-imports", f"{MAKE} lint")
    bandit = Check("bandit -ll", ".venv/bin/bandit -c pyproject.toml -r . -ll -q")
    deploy = Check("check --deploy", f"{PYTHON} manage.py check --deploy --fail-level WARNING", production_env())
    mysqlclient = Check("mysqlclient did not install (make install-mysql)", f"{MAKE} install-mysql")
    browser = Service(problem="" if os.access(CHROMIUM, os.X_OK) else f"no {CHROMIUM} (apt-get install chromium)")
    # The production smoke test (e2e/production, docs/deploy.md): deploy/'s nginx site, gunicorn and
    # task worker units (under a supervisor with the units' restart settings: systemd is not PID 1
    # here) on MariaDB with Redis; the browser walk-through over HTTPS. Its own ports and folders.
    production = ".venv/bin/pytest e2e/production --create-db"
    production_tools = Check("the MariaDB driver and Playwright", f"{MAKE} install-mysql .venv/.installed-e2e")
    production_problem = mariadb.problem or browser.problem
    smoke_env = {**mariadb.env, "CLINIC_PRODUCTION_TESTS": "1", "REDIS_URL": REDIS_URL}
    return [
        # The README's test command on each database. On MariaDB and PostgreSQL, first: do the
        # migrations match the models, and are the system checks clean against that server
        # (MariaDB warns there, and only there, about a conditional unique constraint it skips)?
        Step("SQLite", test, PYTEST),
        Step("MariaDB", test, PYTEST, checks=schema_checks(mariadb), **needs(mariadb)),
        Step("PostgreSQL", test, PYTEST, checks=schema_checks(postgres), **needs(postgres)),
        # ruff (lint and format) and the apps' import layers (.importlinter).
        Step("Lint", checks=[lint]),
        # No medium or high bandit finding, no warning from Django's deployment checks.
        Step("Security", checks=[bandit, deploy]),
        # The database connection over TLS, against a MariaDB with a self-signed certificate that
        # the tests start themselves (the runs above skip them).
        Step("TLS", tls, PYTEST_NO_SKIPS, env={"CLINIC_TLS_TESTS": "1"}, before=mysqlclient),
        # The browser tests (e2e/, Playwright in Debian's Chromium), once, on SQLite.
        Step("Browser", f"{MAKE} test-e2e", PYTEST, **needs(browser)),
        # The benchmark suite at a small size, so that it cannot rot: fails when a page errors or
        # its query count grows with the data. The figures themselves come from `make bench`.
        Step("Bench-SQLite", bench),
        Step("Bench-MariaDB", bench, **needs(mariadb)),
        Step("Bench-PG", bench, **needs(postgres)),
        # The database router on a MariaDB primary and replica of its own. make replica-ci stops
        # them, but a timeout kills make first: so they are stopped here too.
        Step("Replica", f"{MAKE} replica-ci", PYTEST_NO_SKIPS, before=mysqlclient, after=stop_lab),
        Step(
            "Production",
            production,
            PYTEST_NO_SKIPS,
            env=smoke_env,
            problem=production_problem,
            before=production_tools,
        ),
        # The README's quick start on a fresh clone: `make run` on SQLite, MariaDB and PostgreSQL
        # until GET /healthz answers 200 (.ci/quickstart.py; its virtualenv reuses pip's cache).
        Step("Quick start", f"{shlex.quote(sys.executable)} .ci/quickstart.py", env=quickstart_env(mariadb, postgres)),
    ]


def quickstart_env(mariadb: Service, postgres: Service) -> dict[str, str]:
    """The servers .ci/quickstart.py makes its own databases on (a missing one fails it there)."""
    urls = {
        "QUICKSTART_MARIADB_URL": mariadb.env.get("DATABASE_URL", ""),
        "QUICKSTART_POSTGRES_URL": postgres.env.get("DATABASE_URL", ""),
    }
    return {name: url for name, url in urls.items() if url}


def needs(service: Service) -> dict:
    return {"env": service.env, "problem": service.problem}


def schema_checks(database: Service) -> list[Check]:
    env = {**database.env, "DJANGO_SETTINGS_MODULE": "clinic.settings.test"}
    return [
        Check("makemigrations --check", f"{PYTHON} manage.py makemigrations --check --dry-run", env),
        Check("check --database default", f"{PYTHON} manage.py check --database default --fail-level WARNING", env),
    ]


def production_env() -> dict[str, str]:
    """The production settings with throwaway secrets: the deployment checks read the settings."""
    keys = dict(line.split("=", 1) for line in output(f"{PYTHON} manage.py generate_encryption_keys").splitlines())
    return {
        "DJANGO_SETTINGS_MODULE": "clinic.settings.production",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "ALLOWED_HOSTS": "klinik.example.co.id",
        "DEBUG": "false",
        "REDIS_URL": REDIS_URL,  # the shared cache production needs; the check does not connect
        "FIELD_ENCRYPTION_KEYS": keys.get("FIELD_ENCRYPTION_KEYS", ""),
        "BLIND_INDEX_KEY": keys.get("BLIND_INDEX_KEY", ""),
        "AUDIT_KEY": keys.get("AUDIT_KEY", ""),
    }


# --- running a step ------------------------------------------------------------------------------


@dataclass
class Result:
    checks: str = "-"
    tests: str = "-"
    secs: int = 0
    summary: str = ""

    @property
    def failed(self) -> bool:
        return "FAILED" in (self.checks, self.tests) or self.tests == "NOT RUN"


def run_step(step: Step) -> Result:
    started = time.monotonic()
    result = Result()
    if step.problem:
        note(f"error: {step.name}: {step.problem}")
        result.tests, result.summary = "NOT RUN", step.problem
    else:
        if step.checks:
            failed = [check.label for check in step.checks if not run_check(step.name, check)]
            result.checks = "FAILED" if failed else "ok"
            result.summary = ", ".join(failed or [check.label for check in step.checks])
            result.summary = f"failed: {result.summary}" if failed else result.summary
        if step.command:
            result.tests, result.summary = run_command(step)
    result.secs = round(time.monotonic() - started)
    return result


def run_check(name: str, check: Check) -> bool:
    header(f"{name}: {check.command}")
    ok = run(check.command, env=check.env) == 0
    note(f"{name}: {check.label}: " + ("ok" if ok else "error"))
    return ok


def run_command(step: Step) -> tuple[str, str]:
    """Runs the step's command under the time limit, shown and logged; returns (tests, summary)."""
    if step.before and run(step.before.command) != 0:
        return failure(step, step.before.label)
    header(f"{step.name}: {step.command}")
    log = LOGDIR / f"{step.name}.log"
    command = ["timeout", "-k", "30", str(TIMEOUT), *shlex.split(step.command)]
    env = {**os.environ, **step.env}
    pipe = {"stdout": subprocess.PIPE, "stderr": subprocess.STDOUT}
    with log.open("wb") as out, subprocess.Popen(command, cwd=ROOT, env=env, **pipe) as process:
        for line in process.stdout:
            sys.stdout.buffer.write(line)
            sys.stdout.flush()
            out.write(line)
    code = process.returncode
    if step.after:
        run(step.after, quiet=True)
    lines = log.read_text(errors="replace").splitlines()

    if code in (124, 137):
        return failure(step, f"did not finish within {TIMEOUT} s")
    if step.rule == EXIT_0:
        return ("ok", lines[-1] if lines else "") if code == 0 else failure(step, f"failed (exit code {code})")
    summaries = [match[1] for line in lines if (match := PYTEST_SUMMARY.match(line))]
    summary = summaries[-1] if summaries else "(no pytest summary)"
    if not re.search(r"[0-9]+ (passed|failed|error)", summary):
        return failure(step, "no test was executed (pytest exit code 5 or nothing collected)", summary)
    if code != 0:
        return failure(step, f"tests failed (exit code {code})", summary)
    if step.rule == PYTEST_NO_SKIPS and re.search(r"[0-9]+ skipped", summary):
        return failure(step, "tests were skipped (see the SKIPPED lines above)", summary)
    return "ok", summary


def failure(step: Step, why: str, summary: str = "") -> tuple[str, str]:
    note(f"error: {step.name}: {why}")
    return "FAILED", summary or why


# --- set-up --------------------------------------------------------------------------------------


def setup_venv() -> None:
    header("Python environment (.venv, requirements-dev.txt)")
    if run(f"{MAKE} install-dev") != 0:
        sys.exit("CI FAILED: make install-dev did not set up the virtualenv")
    run([PYTHON, "-c", 'import django; print("Django", django.get_version())'])


def setup_mariadb() -> Service:
    header("MariaDB")

    def up() -> bool:
        return run("mysqladmin --no-defaults --connect-timeout=2 ping", quiet=True) == 0

    if not up():
        note("MariaDB is down: starting it")
        run("install -d -o mysql -g mysql /run/mysqld", quiet=True)
        run("start-stop-daemon --start --oknodo --background --exec /usr/sbin/mariadbd")
        wait_for(up, 60)
    if not up():
        return Service(problem="MariaDB did not answer mysqladmin ping within 60 s")
    run(f"{MYSQL} -u root -N -e 'SELECT VERSION()'")
    # Root over TCP with an empty password, as on this kind of machine? Otherwise (root with
    # unix_socket authentication only) a user of its own, created through the socket.
    if run(f"{MYSQL} --protocol=TCP -h 127.0.0.1 -P 3306 -u root -e 'SELECT 1'", quiet=True) == 0:
        note("root connects over TCP without a password")
        url, sql = "mysql://root@127.0.0.1:3306/clinic?charset=utf8mb4", ""
    else:
        note("root cannot connect over TCP without a password: using user clinic")
        url = f"mysql://clinic:{CI_DB_PASSWORD}@127.0.0.1:3306/clinic?charset=utf8mb4"
        sql = "".join(
            f"CREATE USER IF NOT EXISTS 'clinic'@'{host}' IDENTIFIED BY '{CI_DB_PASSWORD}';"
            f"ALTER USER 'clinic'@'{host}' IDENTIFIED BY '{CI_DB_PASSWORD}';"
            f"GRANT ALL PRIVILEGES ON clinic.* TO 'clinic'@'{host}';"
            f"GRANT ALL PRIVILEGES ON test_clinic.* TO 'clinic'@'{host}';"
            for host in ("127.0.0.1", "localhost")
        )
        sql += "FLUSH PRIVILEGES;"
    sql += "CREATE DATABASE IF NOT EXISTS clinic CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci;"
    sql += "DROP DATABASE IF EXISTS test_clinic;"
    if run(f"{MYSQL} -u root", input=sql) != 0:
        return Service(problem="could not create the database clinic")
    note("database clinic ready, stale test_clinic dropped")
    # Django converts datetimes to the clinic's time zone inside MariaDB (date_hierarchy, __date
    # lookups): that needs MariaDB's time zone tables, which a new server has empty.
    if output([*shlex.split(MYSQL), "-u", "root", "-N", "-e", "SELECT COUNT(*) FROM mysql.time_zone_name"]) == "0":
        if run(f"{MYSQL} -u root mysql", input=output("mysql_tzinfo_to_sql /usr/share/zoneinfo")) != 0:
            return Service(problem="could not load MariaDB's time zone tables")
        note("time zone tables loaded")
    if run(f"{MAKE} install-mysql") != 0:
        return Service(problem="mysqlclient did not install")
    return Service(env={"DATABASE_URL": url})


def setup_postgres() -> Service:
    header("PostgreSQL")
    psql = ["runuser", "-u", "postgres", "--", "psql", "-X", "-q", "-v", "ON_ERROR_STOP=1", "-d", "postgres"]

    def up() -> bool:
        return run("pg_isready -q -h 127.0.0.1 -p 5432", quiet=True) == 0

    if not up():
        note("PostgreSQL is down: starting it")
        newest = max(os.listdir("/etc/postgresql"), key=lambda v: [int(n) for n in re.findall(r"[0-9]+", v)])
        run(f"pg_ctlcluster --skip-systemctl-redirect {newest} main start")
        wait_for(up, 60)
    if not up():
        return Service(problem="PostgreSQL did not answer pg_isready within 60 s")
    run([*psql, "-tA", "-c", "SELECT version()"], cwd="/")
    if run("psql -X -w -h 127.0.0.1 -p 5432 -U postgres -d postgres -c 'SELECT 1'", quiet=True) == 0:
        note("postgres connects over TCP without a password")
        url, owner = "postgres://postgres@127.0.0.1:5432/clinic", "postgres"
    else:
        note("postgres cannot connect over TCP without a password: using role clinic")
        url, owner = f"postgres://clinic:{CI_DB_PASSWORD}@127.0.0.1:5432/clinic", "clinic"
        role = (
            "DO $$ BEGIN IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'clinic') THEN"
            " CREATE ROLE clinic LOGIN CREATEDB; END IF; END $$;"
            " ALTER ROLE clinic LOGIN CREATEDB PASSWORD :'password';"
        )
        run([*psql, "-v", f"password={CI_DB_PASSWORD}"], input=role, cwd="/")
    statements = [f"GRANT ALL PRIVILEGES ON DATABASE clinic TO {owner}"]
    statements += ["DROP DATABASE IF EXISTS test_clinic WITH (FORCE)"]
    if output([*psql, "-tA", "-c", "SELECT 1 FROM pg_database WHERE datname = 'clinic'"], cwd="/") != "1":
        statements.insert(0, f"CREATE DATABASE clinic OWNER {owner} ENCODING 'UTF8'")
    # One statement a call: CREATE and DROP DATABASE cannot run inside a transaction block.
    if any(run([*psql, "-c", statement], cwd="/") != 0 for statement in statements):
        return Service(problem="could not create the database clinic")
    note("database clinic ready, stale test_clinic dropped")
    return Service(env={"DATABASE_URL": url})


def setup_redis() -> Service:
    """Redis for the tests that need one (REDIS_URL); every other test runs without it."""
    header("Redis")

    def up() -> bool:
        return output("redis-cli -h 127.0.0.1 -p 6379 ping") == "PONG"

    if not up():
        note("Redis is down: starting it")
        run("redis-server --daemonize yes --bind 127.0.0.1 --port 6379 --save '' --appendonly no")
        wait_for(up, 30)
    if not up():
        return Service(problem="Redis did not answer redis-cli ping within 30 s")
    print(*re.findall(r"^redis_version:.*$", output("redis-cli -h 127.0.0.1 -p 6379 info server"), re.M))
    note(f"REDIS_URL={REDIS_URL}")
    return Service(env={"REDIS_URL": REDIS_URL})


# --- helpers -------------------------------------------------------------------------------------


def header(text: str) -> None:
    print(f"\n======== {text} ========")


def note(text: str) -> None:
    print(f"--- {text}")


def run(
    command: str | list[str],
    *,
    env: dict | None = None,
    input: str | None = None,
    quiet: bool = False,
    cwd: str | Path = ROOT,
) -> int:
    """Runs a command (a string is split like a shell's words); returns its exit status."""
    args = shlex.split(command) if isinstance(command, str) else command
    hidden = subprocess.DEVNULL if quiet else None
    try:
        return subprocess.run(
            args, cwd=cwd, env={**os.environ, **(env or {})}, input=input, text=True, stdout=hidden, stderr=hidden
        ).returncode
    except FileNotFoundError as error:
        note(f"error: {error}")
        return 127


def output(command: str | list[str], cwd: str | Path = ROOT) -> str:
    """The command's standard output, stripped ("" when it cannot run)."""
    args = shlex.split(command) if isinstance(command, str) else command
    try:
        return subprocess.run(args, cwd=cwd, capture_output=True, text=True).stdout.strip()
    except FileNotFoundError:
        return ""


def wait_for(ready, seconds: int) -> None:
    for _ in range(seconds):
        if ready():
            return
        time.sleep(1)


def count(summaries: list[str], words: str) -> int:
    return sum(int(n) for summary in summaries for n in re.findall(rf"([0-9]+) (?:{words})\b", summary))


# --- main ----------------------------------------------------------------------------------------


def main() -> int:
    sys.stdout.reconfigure(line_buffering=True)
    started = float(os.environ.get("CI_STARTED") or time.time())
    os.environ.update(PIP_DISABLE_PIP_VERSION_CHECK="1", PIP_NO_INPUT="1", PYTHONDONTWRITEBYTECODE="1")
    # No .pytest_cache in the clone.
    os.environ["PYTEST_ADDOPTS"] = "-p no:cacheprovider " + os.environ.get("PYTEST_ADDOPTS", "")
    for name in ("DATABASE_URL", "DJANGO_SETTINGS_MODULE", "DATABASE_SSL_CA", "REDIS_URL", "CACHE_URL"):
        os.environ.pop(name, None)
    if (ROOT / ".env").exists():
        note("warning: .env exists here; its DATABASE_URL (if any) applies to the SQLite run")

    setup_times = {"packages": int(os.environ.get("CI_PACKAGES_SECONDS") or 0)}

    def timed(name, setup):
        t = time.monotonic()
        value = setup()
        setup_times[name] = round(time.monotonic() - t)
        return value

    timed("venv", setup_venv)
    mariadb = timed("MariaDB", setup_mariadb)
    postgres = timed("PostgreSQL", setup_postgres)
    redis = timed("Redis", setup_redis)
    os.environ.update(redis.env)  # for the tests that need Redis
    # The database-restart test starts its own mariadbd: here a missing tool fails it, not skips it.
    os.environ["CLINIC_MARIADBD_TESTS"] = "1"
    for name, service in (("MariaDB", mariadb), ("PostgreSQL", postgres), ("Redis", redis)):
        if service.problem:
            note(f"error: {name}: {service.problem}")

    steps = plan(mariadb, postgres)
    results = {step.name: run_step(step) for step in steps}

    # The clone must stay as it was checked out (ignored files such as .venv aside).
    dirty = output(f"git -C {shlex.quote(str(ROOT))} status --porcelain")
    if dirty:
        header("Warning: the run changed the work tree")
        print(dirty)

    header("Summary")
    print(f"{'database':<13} | {'checks':<7} | {'tests':<7} | {'secs':>6} | pytest")
    print("--------------+---------+---------+--------+------------------------------------------")
    for name, r in results.items():
        print(f"{name:<13} | {r.checks:<7} | {r.tests:<7} | {r.secs:>6} | {r.summary}")
    times = ", ".join(f"{name} {secs}" for name, secs in setup_times.items())
    print(f"\nSet-up times (s): {times}; total {round(time.time() - started)} s. Logs: {LOGDIR}")
    if redis.problem:
        print(f"Set-up failed: Redis: {redis.problem}")

    # One plain closing line for all the pytest runs together.
    pytest_runs = [results[step.name].summary for step in steps if step.command and step.rule != EXIT_0]
    print(f"\nCI: {count(pytest_runs, 'passed')} passed, {count(pytest_runs, 'failed|errors?')} failed")
    if redis.problem or any(r.failed for r in results.values()):
        print("CI FAILED")
        return 1
    print("CI PASSED")
    return 0


if __name__ == "__main__":
    sys.exit(main())
