"""The app in processes of its own, for tests about what several processes share (sessions in
a cache, connections to a database): `manage.py` commands and `runserver` with the test settings
and the environment a test gives, plain HTTP requests to them.

The caller's database and cache variables do not leak into these processes: each gets exactly
the DATABASE_URL (and the rest) its test passes.
"""

import os
import subprocess
import sys
import time
import urllib.error
import urllib.request
from http.cookies import SimpleCookie
from pathlib import Path

from clinic.tests import mariadb

BASE_DIR = Path(__file__).resolve().parents[2]
READY_TIMEOUT = 30  # seconds for a server to answer
DROPPED = ("DATABASE_URL", "DATABASE_REPLICA_URLS", "CONN_MAX_AGE", "CONN_HEALTH_CHECKS", "CACHE_URL", "REDIS_URL")

# Prints the key of a new session of a new receptionist named CLINIC_TEST_USERNAME.
SIGNED_IN = """
import os
import django
django.setup()
from django.test import Client
from accounts.models import User
user = User.objects.create_user(os.environ["CLINIC_TEST_USERNAME"], password=None, role=User.Role.RECEPTIONIST)
client = Client()
client.force_login(user)
print(client.cookies["sessionid"].value)
"""


def environment(**env_vars) -> dict:
    env = {name: value for name, value in os.environ.items() if name not in DROPPED}
    env.update(DJANGO_SETTINGS_MODULE="clinic.settings.test", PYTHONDONTWRITEBYTECODE="1", **env_vars)
    return env


def manage(*args, **env_vars) -> str:
    """Runs a manage.py command to its end; its output. A failure fails the test."""
    result = subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=BASE_DIR,
        env=environment(**env_vars),
        capture_output=True,
        text=True,
        timeout=180,
    )
    if result.returncode != 0:
        raise AssertionError(f"manage.py {' '.join(args)} failed:\n{result.stdout}{result.stderr}")
    return result.stdout


def signed_in(username: str, **env_vars) -> str:
    """A new receptionist and a session of theirs, written by a process of its own: the key."""
    return manage("shell", "-c", SIGNED_IN, CLINIC_TEST_USERNAME=username, **env_vars).strip().splitlines()[-1]


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


class Response:
    def __init__(self, status: int, headers=None):
        self.status = status
        self.headers = headers or {}

    @property
    def location(self) -> str:
        return self.headers.get("Location", "")

    def cookie(self, name: str) -> str | None:
        cookies = SimpleCookie()
        for header in self.headers.get_all("Set-Cookie") or []:
            cookies.load(header)
        return cookies[name].value if name in cookies else None


def request(
    port: int, path: str, *, cookies: dict | None = None, method: str = "GET", headers: dict | None = None
) -> Response:
    """One request, redirects not followed. Status 0 when nothing answered."""
    outgoing = urllib.request.Request(
        f"http://127.0.0.1:{port}{path}", method=method, headers=headers or {}, data=b"" if method == "POST" else None
    )
    if cookies:
        outgoing.add_header("Cookie", "; ".join(f"{name}={value}" for name, value in cookies.items()))
    try:
        with urllib.request.build_opener(NoRedirect).open(outgoing, timeout=30) as response:
            return Response(response.status, response.headers)
    except urllib.error.HTTPError as error:
        return Response(error.code, error.headers)
    except OSError:
        return Response(0)


class Servers:
    """`manage.py runserver` processes, each started with its own environment and stopped by
    stop_all(); their output goes to files in `directory`."""

    def __init__(self, directory: Path):
        self.directory = directory
        self.processes = []

    def start(self, *, threads: bool = True, **env_vars) -> int:
        """A server answering on 127.0.0.1; its port. `threads=False`: one request at a time in
        one thread, so one database connection, kept from request to request as in a gunicorn
        worker."""
        port = mariadb.free_port(["127.0.0.1"])
        log_path = self.directory / f"runserver-{port}.log"
        options = ["--noreload", "--skip-checks"] + ([] if threads else ["--nothreading"])
        with log_path.open("wb") as log:
            process = subprocess.Popen(
                [sys.executable, "manage.py", "runserver", *options, f"127.0.0.1:{port}"],
                cwd=BASE_DIR,
                env=environment(**env_vars),
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=log,
                preexec_fn=mariadb.die_with_parent,
            )
        self.processes.append(process)
        deadline = time.monotonic() + READY_TIMEOUT
        while request(port, "/healthz").status != 200:
            if process.poll() is not None or time.monotonic() > deadline:
                raise AssertionError(f"the app server did not start:\n{mariadb.log_tail(log_path)}")
            time.sleep(0.2)
        return port

    def stop_all(self):
        for process in self.processes:
            mariadb.stop(process)
        self.processes = []
