"""The production smoke test's stack (stack.py): nginx + gunicorn + the task worker + Redis on
the test's MariaDB database. Run by CI's "Production" step (.ci/ci.py):

    CLINIC_PRODUCTION_TESTS=1 DATABASE_URL=mysql://... REDIS_URL=redis://... \\
        .venv/bin/pytest e2e/production --create-db

Without CLINIC_PRODUCTION_TESTS=1 these tests are skipped (a plain `make test-e2e` has no nginx
or MariaDB); with it, anything missing fails them.

gunicorn and the worker serve the very database pytest-django made for the test session
(test_<name>), with the test settings' encryption keys, so the browser test's own queries see
what the browser did, as with live_server.
"""

import os
import secrets
import shutil
import socket
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.db import connection

from clinic.tests.test_upgrade import database_url
from e2e.production import stack

ENABLED = os.environ.get("CLINIC_PRODUCTION_TESTS") == "1"
HOST = "localhost"


def pytest_collection_modifyitems(config, items):
    if ENABLED:
        return
    skip = pytest.mark.skip(reason="the production smoke test runs with CLINIC_PRODUCTION_TESTS=1 (.ci/ci.py)")
    for item in items:
        if "e2e/production/" in str(item.fspath):
            item.add_marker(skip)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Stack:
    """What the tests reach: the URLs, the certificate, the supervised processes, the folders."""

    def __init__(self, base: Path, env: dict, https_port: int, http_port: int):
        self.base = base
        self.paths = stack.Paths(base)
        self.env = env
        self.https_port = https_port
        self.http_port = http_port
        self.url = f"https://{HOST}:{https_port}"
        self.certificate = base / "tls" / "fullchain.pem"
        self.web: stack.Supervised | None = None
        self.worker: stack.Supervised | None = None
        self.nginx: subprocess.Popen | None = None

    def manage(self, *args: str) -> str:
        env = {"PATH": os.environ.get("PATH", ""), "LANG": "C.UTF-8", **self.env}
        env["DJANGO_SETTINGS_MODULE"] = "clinic.settings.production"
        result = subprocess.run(
            [sys.executable, "manage.py", *args], cwd=stack.ROOT, env=env, capture_output=True, text=True, timeout=300
        )
        assert result.returncode == 0, f"manage.py {' '.join(args)}:\n{result.stdout}\n{result.stderr}"
        return result.stdout

    def run_unit(self, name: str) -> str:
        """A oneshot unit's ExecStart= (then ExecStartPost=) as the timer would start it."""
        unit = stack.read_unit(name)
        env = stack.unit_environment(unit, self.paths)
        out = []
        for command in stack.unit_command(unit, self.paths) + stack.unit_command(unit, self.paths, "exec_start_post"):
            result = subprocess.run(
                command,
                cwd=self.paths.local(unit.working_directory),
                env=env,
                capture_output=True,
                text=True,
                timeout=300,
            )
            assert result.returncode == 0, f"{name}: {command}:\n{result.stdout}\n{result.stderr}"
            out.append(result.stdout)
        return "".join(out)


@pytest.fixture(scope="session")
def production(django_db_setup, django_db_blocker, tmp_path_factory):
    if not ENABLED:
        pytest.skip("CLINIC_PRODUCTION_TESTS=1 is not set")
    missing = [tool for tool in ("nginx", "openssl") if not (shutil.which(tool) or Path(f"/usr/sbin/{tool}").exists())]
    assert not missing, f"missing: {', '.join(missing)} (apt-get install nginx openssl)"
    assert connection.vendor == "mysql", "the production smoke test runs on MariaDB (DATABASE_URL=mysql://...)"
    redis_url = os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/0")
    base = tmp_path_factory.mktemp("production")
    base.chmod(0o755)
    for folder in ("static", "backups", "run", "log", "cache"):
        (base / folder).mkdir()
    stack.self_signed_certificate(base / "tls", HOST)

    # deploy/klinik.env.example filled in as install.sh fills it, pointing at the test database.
    values = {
        "SECRET_KEY": secrets.token_urlsafe(50),
        "ALLOWED_HOSTS": f"{HOST},127.0.0.1",
        "DATABASE_URL": database_url(connection.settings_dict, "mysql", connection.settings_dict["NAME"]),
        "REDIS_URL": redis_url,
        "FIELD_ENCRYPTION_KEYS": django_settings.FIELD_ENCRYPTION_KEYS,
        "BLIND_INDEX_KEY": django_settings.BLIND_INDEX_KEY,
        "AUDIT_KEY": django_settings.AUDIT_KEY,
        "STATIC_ROOT": str(base / "static"),
    }
    lines = []
    for line in (stack.DEPLOY / "klinik.env.example").read_text().splitlines():
        key = line.split("=", 1)[0]
        lines.append(f"{key}={values.pop(key)}" if key in values and not line.startswith("#") else line)
    assert not values, f"deploy/klinik.env.example lacks {sorted(values)}"
    (base / "klinik.env").write_text("\n".join(lines) + "\n")
    env = stack.read_environment_file(base / "klinik.env")

    https_port, http_port = free_port(), free_port()
    result = Stack(base, env, https_port, http_port)
    result.manage("collectstatic", "--no-input", "--verbosity", "0")
    result.manage("check", "--deploy", "--fail-level", "WARNING")

    bind = {"KLINIK_BIND": f"unix:{base / 'run' / 'gunicorn.sock'}", "GUNICORN_WORKERS": "2"}
    result.web = stack.Supervised(stack.read_unit("klinik-web.service"), result.paths, base / "log" / "web.log", bind)
    result.worker = stack.Supervised(
        stack.read_unit("klinik-worker.service"), result.paths, base / "log" / "worker.log"
    )
    config = stack.nginx_config(result.paths, http_port=http_port, https_port=https_port, server_name=HOST)
    result.nginx = stack.start_nginx(result.paths, config)
    try:
        from e2e.production.client import Client

        client = Client(result)

        def answers() -> bool:
            try:
                return client.get("/healthz").status == 200
            except OSError:
                return False

        stack.wait_until(
            answers,
            60,
            f"https://{HOST}:{https_port}/healthz through nginx:\n{stack.log_tail(base / 'log' / 'web.log')}"
            f"\n{stack.log_tail(base / 'log' / 'error.log')}",
        )
        yield result
    finally:
        if result.nginx.poll() is None:
            result.nginx.terminate()
            result.nginx.wait(30)
        result.worker.stop()
        result.web.stop()


@pytest.fixture(scope="session")
def base_url(production):
    """The browser walk-through goes to nginx over HTTPS instead of the live server."""
    return production.url


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args):
    # The certificate is self-signed; the Python client below verifies it properly.
    return {**browser_context_args, "ignore_https_errors": True}


@pytest.fixture(autouse=True)
def production_password_hashers(settings):
    """Users made by the tests get passwords the production settings can check (the test
    settings hash with MD5, which production does not accept)."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.Argon2PasswordHasher"]
