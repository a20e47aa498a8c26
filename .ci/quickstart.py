"""The README's quick start on a fresh clone: `make run` against SQLite, MariaDB and PostgreSQL.

    python3 .ci/quickstart.py        (standard library only; .ci/ci.py runs it as a step)

The repository is cloned into a temporary folder (what someone who follows the README has: no
.venv, no .env, no database). For each engine: a new, empty database (MariaDB and PostgreSQL, as
the README's steps create it), `make setup` (what `make run` does before serving: the virtualenv,
the engine's driver, development keys, migrations, sample data), then `make run` itself on a free
port until GET /healthz answers 200, then stopped. The clone's one virtualenv serves the three
engines; pip's cache makes its installs quick. DATABASE_URLs to start from (their user is kept,
the database becomes QUICKSTART_DB): QUICKSTART_MARIADB_URL, QUICKSTART_POSTGRES_URL; an engine
without its URL fails. Exit status 0 only when all three served.
"""

from __future__ import annotations

import os
import shlex
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
DATABASE = os.environ.get("QUICKSTART_DB", "clinic_quickstart")
SETUP_TIMEOUT = int(os.environ.get("QUICKSTART_SETUP_TIMEOUT", "900"))
SERVE_TIMEOUT = 120


def note(text: str) -> None:
    print(f"--- quick start: {text}", flush=True)


def with_database(url: str, name: str) -> str:
    parts = urlsplit(url)
    return urlunsplit(parts._replace(path=f"/{name}"))


def create_mariadb(url: str) -> None:
    """As the README does: a new database, and the URL's user may use it."""
    user = urlsplit(url).username or "root"
    sql = f"DROP DATABASE IF EXISTS `{DATABASE}`;"
    sql += f"CREATE DATABASE `{DATABASE}` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci;"
    if user != "root":
        sql += "".join(
            f"GRANT ALL PRIVILEGES ON `{DATABASE}`.* TO '{user}'@'{host}';" for host in ("127.0.0.1", "localhost")
        )
    subprocess.run(["mysql", "--no-defaults", "-u", "root"], input=sql, text=True, check=True)


def create_postgres(url: str) -> None:
    owner = urlsplit(url).username or "postgres"
    psql = ["runuser", "-u", "postgres", "--", "psql", "-X", "-q", "-v", "ON_ERROR_STOP=1", "-d", "postgres"]
    for statement in (
        f'DROP DATABASE IF EXISTS "{DATABASE}" WITH (FORCE)',
        f'CREATE DATABASE "{DATABASE}" OWNER "{owner}"',
    ):
        subprocess.run([*psql, "-c", statement], check=True, cwd="/")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def healthz(port: int) -> int | None:
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=5) as response:  # noqa: S310  # nosec B310: our own server on 127.0.0.1
            return response.status
    except urllib.error.HTTPError as error:
        return error.code
    except OSError:
        return None


def serve_and_probe(clone: Path, env: dict[str, str]) -> str:
    """`make run` on a free port until /healthz answers; '' when it answered 200, else why not."""
    port = free_port()
    command = ["make", "--no-print-directory", "run", f"RUN_ADDR=127.0.0.1:{port}"]
    note(f"$ {shlex.join(command)}")
    # Its own process group: runserver's autoreloader runs a child that must stop with it.
    server = subprocess.Popen(command, cwd=clone, env=env, start_new_session=True)
    try:
        deadline = time.monotonic() + SERVE_TIMEOUT
        status = None
        while time.monotonic() < deadline and server.poll() is None:
            status = healthz(port)
            if status is not None:
                break
            time.sleep(1)
        if status == 200:
            return ""
        if server.poll() is not None:
            return f"make run exited with {server.returncode} before serving"
        return f"GET /healthz answered {status}" if status else f"nothing served within {SERVE_TIMEOUT} s"
    finally:
        if server.poll() is None:
            os.killpg(server.pid, signal.SIGTERM)
            try:
                server.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(server.pid, signal.SIGKILL)
                server.wait()


def quick_start(clone: Path, engine: str, url: str | None) -> str:
    """One engine's quick start; '' when it served, else what went wrong."""
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "DJANGO_SETTINGS_MODULE", "VIRTUAL_ENV")}
    if engine != "SQLite":
        if not url:
            return "no server URL (QUICKSTART_MARIADB_URL / QUICKSTART_POSTGRES_URL)"
        url = with_database(url, DATABASE)
        try:
            (create_mariadb if engine == "MariaDB" else create_postgres)(url)
        except (OSError, subprocess.CalledProcessError) as error:
            return f"could not create the database {DATABASE}: {error}"
        env["DATABASE_URL"] = url
    note(f"{engine}: DATABASE_URL={env.get('DATABASE_URL', '(unset: SQLite, db.sqlite3)')}")
    started = time.monotonic()
    try:
        setup = subprocess.run(["make", "--no-print-directory", "setup"], cwd=clone, env=env, timeout=SETUP_TIMEOUT)
    except subprocess.TimeoutExpired:
        return f"make setup did not finish within {SETUP_TIMEOUT} s"
    if setup.returncode != 0:
        return f"make setup failed (exit code {setup.returncode})"
    note(f"{engine}: make setup took {time.monotonic() - started:.0f} s")
    return serve_and_probe(clone, env)


def main() -> int:
    urls = {
        "SQLite": None,
        "MariaDB": os.environ.get("QUICKSTART_MARIADB_URL"),
        "PostgreSQL": os.environ.get("QUICKSTART_POSTGRES_URL"),
    }
    problems = {}
    with tempfile.TemporaryDirectory(prefix="clinic-quickstart.") as tmp:
        clone = Path(tmp) / "clinic"
        subprocess.run(["git", "clone", "--quiet", str(ROOT), str(clone)], check=True)
        head = subprocess.run(["git", "-C", str(clone), "rev-parse", "--short", "HEAD"], capture_output=True, text=True)
        note(f"fresh clone of {ROOT} at {clone} ({head.stdout.strip()})")
        for engine, url in urls.items():
            problems[engine] = quick_start(clone, engine, url)
            note(f"{engine}: " + (problems[engine] or "served, GET /healthz 200, stopped"))
        for engine in ("MariaDB", "PostgreSQL"):
            if urls[engine]:
                try:
                    (drop_mariadb if engine == "MariaDB" else drop_postgres)()
                except (OSError, subprocess.CalledProcessError):
                    pass
    failed = {engine: why for engine, why in problems.items() if why}
    print(
        f"Quick start: {len(problems) - len(failed)} of {len(problems)} engines served"
        + "".join(f"; {e}: {w}" for e, w in failed.items())
    )
    return 1 if failed else 0


def drop_mariadb() -> None:
    subprocess.run(["mysql", "--no-defaults", "-u", "root", "-e", f"DROP DATABASE IF EXISTS `{DATABASE}`"], check=True)


def drop_postgres() -> None:
    psql = ["runuser", "-u", "postgres", "--", "psql", "-X", "-q", "-d", "postgres"]
    subprocess.run([*psql, "-c", f'DROP DATABASE IF EXISTS "{DATABASE}" WITH (FORCE)'], check=True, cwd="/")


if __name__ == "__main__":
    sys.exit(main())
