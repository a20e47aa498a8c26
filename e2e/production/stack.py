"""The production stack of deploy/, run by a test: nginx with a self-signed certificate in front
of gunicorn (clinic.settings.production) and the task worker, as deploy/ describes them.

systemd is not PID 1 where CI runs (a container), so the units are not started by systemd: this
module reads them (deploy/systemd/*.service) and runs their ExecStart= commands under a small
supervisor that applies their Restart= and RestartSec= settings, which is what systemd would do
with them. What differs from a server, on purpose: the paths (/opt/klinik, /etc/klinik,
/var/backups/klinik, /run/klinik, /var/cache/klinik become folders of the test's own), User=
(the processes run as the test's user), gunicorn binds its unix socket itself (KLINIK_BIND)
instead of receiving it from klinik-web.socket, and nginx listens on free ports of 127.0.0.1. The nginx site is
deploy/nginx/klinik.conf with those substitutions, inside a minimal nginx.conf of the test's.
"""

from __future__ import annotations

import os
import shlex
import shutil
import signal
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
DEPLOY = ROOT / "deploy"
VENV_BIN = Path(sys.executable).parent


# --- systemd units -----------------------------------------------------------------------------


@dataclass
class Unit:
    """The [Service] settings of a unit file that the test applies."""

    name: str
    exec_start: list[list[str]] = field(default_factory=list)
    exec_start_post: list[list[str]] = field(default_factory=list)
    environment: dict[str, str] = field(default_factory=dict)
    environment_files: list[str] = field(default_factory=list)
    restart: str = "no"
    restart_sec: float = 0.1  # systemd's default
    working_directory: str = ""


def read_unit(name: str) -> Unit:
    unit = Unit(name)
    section = ""
    for raw in (DEPLOY / "systemd" / name).read_text().splitlines():
        line = raw.strip()
        if not line or line.startswith(("#", ";")):
            continue
        if line.startswith("["):
            section = line.strip("[]")
            continue
        if section != "Service":
            continue
        key, _, value = line.partition("=")
        # systemd's specifier escape: %% is a literal %.
        value = value.replace("%%", "%")
        if key == "ExecStart":
            unit.exec_start.append(shlex.split(value))
        elif key == "ExecStartPost":
            unit.exec_start_post.append(shlex.split(value))
        elif key == "Environment":
            name_, _, val = value.partition("=")
            unit.environment[name_] = val
        elif key == "EnvironmentFile":
            unit.environment_files.append(value)
        elif key == "Restart":
            unit.restart = value
        elif key == "RestartSec":
            unit.restart_sec = float(value.rstrip("s"))
        elif key == "WorkingDirectory":
            unit.working_directory = value
    return unit


def read_environment_file(path: Path) -> dict[str, str]:
    """KEY=value lines as systemd's EnvironmentFile= reads them (no shell: spaces are kept)."""
    values = {}
    for line in path.read_text().splitlines():
        line = line.strip()
        if line and not line.startswith("#") and "=" in line:
            key, _, value = line.partition("=")
            values[key.strip()] = value.strip()
    return values


@dataclass
class Paths:
    """The test's stand-ins for the server's folders."""

    base: Path

    @property
    def replacements(self) -> list[tuple[str, str]]:
        return [
            ("/opt/klinik/venv/bin/", f"{VENV_BIN}/"),
            ("/opt/klinik/app", str(ROOT)),
            ("/opt/klinik/static", str(self.base / "static")),
            ("/etc/klinik/klinik.env", str(self.base / "klinik.env")),
            ("/etc/klinik/tls", str(self.base / "tls")),
            ("/var/backups/klinik", str(self.base / "backups")),
            ("/run/klinik", str(self.base / "run")),
            ("/var/cache/klinik", str(self.base / "cache")),
            ("/var/log/nginx", str(self.base / "log")),
            ("/var/www/letsencrypt", str(self.base / "www")),
        ]

    def local(self, text: str) -> str:
        for server_path, here in self.replacements:
            text = text.replace(server_path, here)
        return text


def unit_command(unit: Unit, paths: Paths, which: str = "exec_start") -> list[list[str]]:
    return [[paths.local(arg) for arg in command] for command in getattr(unit, which)]


def unit_environment(unit: Unit, paths: Paths, extra: dict[str, str] | None = None) -> dict[str, str]:
    env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "LANG": "C.UTF-8"}
    for file in unit.environment_files:
        env.update(read_environment_file(Path(paths.local(file))))
    env.update({key: paths.local(value) for key, value in unit.environment.items()})
    env.update(extra or {})
    return env


# --- a supervisor with systemd's restart settings ------------------------------------------------


class Supervised:
    """Runs a unit's ExecStart= and starts it again after RestartSec= when it exits, as systemd
    does with Restart=always (or on-failure, when it exited non-zero or by a signal)."""

    def __init__(self, unit: Unit, paths: Paths, log: Path, extra_env: dict[str, str] | None = None):
        assert len(unit.exec_start) == 1, f"{unit.name}: one ExecStart= expected"
        self.unit = unit
        self.command = unit_command(unit, paths)[0]
        self.env = unit_environment(unit, paths, extra_env)
        self.cwd = paths.local(unit.working_directory) or str(ROOT)
        self.log = log
        self.starts = 0
        self.process: subprocess.Popen | None = None
        self._stopping = threading.Event()
        self._lock = threading.Lock()
        self._start()
        self._thread = threading.Thread(target=self._watch, name=f"supervise-{unit.name}", daemon=True)
        self._thread.start()

    def _start(self) -> None:
        with self._lock, self.log.open("ab") as out:
            self.process = subprocess.Popen(
                self.command,
                cwd=self.cwd,
                env=self.env,
                stdin=subprocess.DEVNULL,
                stdout=out,
                stderr=out,
                start_new_session=True,
            )
            self.starts += 1

    def _should_restart(self, code: int) -> bool:
        restart = self.unit.restart
        return restart == "always" or (restart in ("on-failure", "on-abnormal") and code != 0)

    def _watch(self) -> None:
        while not self._stopping.is_set():
            code = self.process.wait()
            if self._stopping.is_set() or not self._should_restart(code):
                return
            if self._stopping.wait(self.unit.restart_sec):
                return
            self._start()

    @property
    def pid(self) -> int:
        return self.process.pid

    def stop(self) -> None:
        self._stopping.set()
        process = self.process
        if process and process.poll() is None:
            os.killpg(process.pid, signal.SIGTERM)
            try:
                process.wait(30)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait()
        self._thread.join(5)


def children(pid: int) -> set[int]:
    """The processes whose parent is pid (gunicorn's workers under its master)."""
    found = set()
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[1]) == pid:
                found.add(int(entry.name))
    return found


def wait_until(condition, seconds: float, what: str):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(0.2)
    raise AssertionError(f"not within {seconds} s: {what}")


def log_tail(path: Path, lines: int = 40) -> str:
    try:
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])
    except OSError:
        return "(no log)"


# --- TLS and nginx -------------------------------------------------------------------------------


def self_signed_certificate(folder: Path, host: str = "localhost") -> Path:
    """A self-signed certificate for host and 127.0.0.1, as deploy/install.sh makes the first one."""
    folder.mkdir(parents=True, exist_ok=True)
    subprocess.run(
        [
            "openssl",
            "req",
            "-x509",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-days",
            "2",
            "-subj",
            f"/CN={host}",
            "-addext",
            f"subjectAltName=DNS:{host},IP:127.0.0.1",
            "-keyout",
            str(folder / "privkey.pem"),
            "-out",
            str(folder / "fullchain.pem"),
        ],
        check=True,
        capture_output=True,
    )
    return folder / "fullchain.pem"


def nginx_config(paths: Paths, *, http_port: int, https_port: int, server_name: str = "localhost") -> Path:
    """deploy/nginx/klinik.conf on the test's ports and folders, in an nginx.conf of its own."""
    site = paths.local((DEPLOY / "nginx" / "klinik.conf").read_text())
    site = site.replace("klinik.example.co.id", server_name)
    lines = []
    for line in site.splitlines():
        stripped = line.strip()
        if stripped.startswith("listen [::]"):
            continue  # IPv6 may be off in CI's container
        if stripped == "listen 80;":
            line = f"    listen 127.0.0.1:{http_port};"
        elif stripped.startswith("listen 443 "):
            line = f"    listen 127.0.0.1:{https_port} " + stripped.removeprefix("listen 443 ")
        lines.append(line)
    site = "\n".join(lines)
    assert f"127.0.0.1:{https_port} ssl" in site and f"127.0.0.1:{http_port};" in site, "the site's listen lines moved"
    prefix = paths.base / "nginx"
    for folder in ("log", "www", "nginx/temp"):
        (paths.base / folder).mkdir(parents=True, exist_ok=True)
    # As root, nginx's workers would run as nobody, who cannot enter the test's private folders.
    user = "user root;\n" if os.geteuid() == 0 else ""
    temp = prefix / "temp"
    config = f"""{user}worker_processes 1;
pid {prefix}/nginx.pid;
error_log {paths.base}/log/error.log warn;
events {{ worker_connections 256; }}
http {{
    include /etc/nginx/mime.types;
    default_type application/octet-stream;
    sendfile on;
    client_body_temp_path {temp}/body;
    proxy_temp_path {temp}/proxy;
    fastcgi_temp_path {temp}/fastcgi;
    uwsgi_temp_path {temp}/uwsgi;
    scgi_temp_path {temp}/scgi;
{site}
}}
"""
    path = prefix / "nginx.conf"
    path.write_text(config)
    return path


def start_nginx(paths: Paths, config: Path) -> subprocess.Popen:
    nginx = shutil.which("nginx") or "/usr/sbin/nginx"
    prefix = str(paths.base / "nginx")
    base = [nginx, "-p", prefix, "-c", str(config), "-e", str(paths.base / "log" / "error.log")]
    test = subprocess.run([*base, "-t", "-q"], capture_output=True, text=True)
    assert test.returncode == 0, f"nginx -t refused the site:\n{test.stderr}"
    log = (paths.base / "log" / "nginx-master.log").open("ab")
    return subprocess.Popen(
        [*base, "-g", "daemon off;"], stdin=subprocess.DEVNULL, stdout=log, stderr=log, start_new_session=True
    )
