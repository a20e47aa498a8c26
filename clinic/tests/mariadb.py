"""A throwaway MariaDB server of the tests' own, beside the machine's: for the TLS tests
(clinic/tests/mariadb_tls.py) and the database restart test (clinic/tests/test_db_restart.py).

`running()` makes, in a new temporary directory, a data directory (mariadb-install-db) and a
mariadbd on a free port of 127.0.0.1 (and of any other loopback address asked for), root without
a password through the Unix socket in that directory, which only this user may enter. The
server can be stopped and started again on the same port and data (`Server.restart()`). On the
way out it is stopped (SIGTERM, then SIGKILL, by its pid) and the directory removed, whatever
happened; an atexit hook and PR_SET_PDEATHSIG cover an interrupted run. Every wait is bounded.
Needs /usr/sbin/mariadbd and mariadb-install-db (Debian: mariadb-server) and mysqlclient
(requirements-mysql.txt); `missing()` names what is not there.
"""

import atexit
import contextlib
import ctypes
import getpass
import os
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

MARIADBD = "/usr/sbin/mariadbd"
TOOLS = (MARIADBD, "mariadb-install-db")
START_TIMEOUT = 60  # seconds for mariadbd to answer on its socket
STOP_TIMEOUT = 15  # seconds for it to shut down after SIGTERM, before SIGKILL


def missing(tools: Sequence[str] = TOOLS) -> list[str]:
    """What this machine lacks to run the server: [] when nothing."""
    lacking = [tool for tool in tools if not shutil.which(tool)]
    try:
        import MySQLdb  # noqa: F401
    except ImportError:
        lacking.append("mysqlclient (pip install -r requirements-mysql.txt)")
    return lacking


def run(command, **kwargs):
    """Run a set-up command; a failure raises with its output."""
    result = subprocess.run(command, capture_output=True, text=True, timeout=120, **kwargs)
    if result.returncode != 0:
        raise RuntimeError(f"{command[0]} failed ({result.returncode}):\n{result.stdout}{result.stderr}")
    return result


def can_bind(host, port=0):
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        try:
            probe.bind((host, port))
        except OSError:
            return False
        return True


def free_port(hosts):
    """A TCP port free on every host in `hosts` (as far as one can tell before using it)."""
    for _ in range(50):
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
            probe.bind((hosts[0], 0))
            port = probe.getsockname()[1]
        if all(can_bind(host, port) for host in hosts[1:]):
            return port
    raise RuntimeError("no free TCP port")


def die_with_parent():
    """In the child before exec: SIGKILL when the test process dies, even by SIGKILL (Linux)."""
    with contextlib.suppress(Exception):
        ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGKILL)  # 1 = PR_SET_PDEATHSIG


def stop(process):
    """Stop a child by its pid: SIGTERM (for mariadbd a clean shutdown), SIGKILL after
    STOP_TIMEOUT s."""
    if process.poll() is not None:
        return
    process.terminate()
    try:
        process.wait(timeout=STOP_TIMEOUT)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(timeout=STOP_TIMEOUT)


def log_tail(path, lines=30):
    try:
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])
    except OSError:
        return "(no log)"


@dataclass
class Server:
    directory: Path
    port: int
    hosts: list[str]
    extra_args: list[str]
    process: subprocess.Popen | None = field(default=None, repr=False)

    @property
    def socket(self) -> Path:
        return self.directory / "mariadb.sock"

    @property
    def datadir(self) -> Path:
        return self.directory / "data"

    @property
    def error_log(self) -> Path:
        return self.directory / "error.log"

    def command(self) -> list[str]:
        # As root, mariadbd must be told to stay root (--user=root); as anyone else, it runs as
        # that user anyway and --user names it.
        return [
            MARIADBD,
            "--no-defaults",
            f"--datadir={self.datadir}",
            f"--user={_user()}",
            f"--port={self.port}",
            f"--bind-address={','.join(self.hosts)}",
            f"--socket={self.socket}",
            f"--pid-file={self.directory / 'mariadb.pid'}",
            f"--log-error={self.error_log}",
            f"--tmpdir={self.directory}",
            "--skip-name-resolve",
            "--character-set-server=utf8mb4",
            "--collation-server=utf8mb4_unicode_ci",
            # A scratch server: speed over durability.
            "--innodb-buffer-pool-size=64M",
            "--innodb-doublewrite=0",
            "--innodb-flush-log-at-trx-commit=0",
            *self.extra_args,
        ]

    def start(self):
        """Start mariadbd and wait until it answers on its socket."""
        log = (self.directory / "mariadbd.out").open("ab")
        self.process = subprocess.Popen(
            self.command(), stdin=subprocess.DEVNULL, stdout=log, stderr=log, preexec_fn=die_with_parent
        )
        log.close()
        self.wait_until_ready()

    def stop(self):
        if self.process is not None:
            stop(self.process)

    def restart(self):
        """A clean shutdown, then the same server again: same port, same data."""
        self.stop()
        self.start()

    def wait_until_ready(self):
        import MySQLdb

        deadline = time.monotonic() + START_TIMEOUT
        while True:
            if self.process.poll() is not None:
                raise RuntimeError(f"mariadbd exited ({self.process.returncode}):\n{log_tail(self.error_log)}")
            try:
                MySQLdb.connect(unix_socket=str(self.socket), user="root", connect_timeout=2).close()
                return
            except MySQLdb.OperationalError:
                if time.monotonic() > deadline:
                    raise RuntimeError(
                        f"mariadbd did not answer within {START_TIMEOUT} s:\n{log_tail(self.error_log)}"
                    ) from None
                time.sleep(0.1)

    def admin(self, sql, *args):
        """Run one statement as root over the Unix socket; its rows."""
        import MySQLdb

        connection = MySQLdb.connect(unix_socket=str(self.socket), user="root", connect_timeout=5)
        try:
            with connection.cursor() as cursor:
                cursor.execute(sql, args or None)
                return cursor.fetchall()
        finally:
            connection.close()


def _user() -> str:
    return "root" if os.geteuid() == 0 else getpass.getuser()


def _start(directory: Path, prepare, hosts) -> Server:
    extra_args = list(prepare(directory)) if prepare else []
    run(
        [
            "mariadb-install-db",
            "--no-defaults",
            f"--datadir={directory / 'data'}",
            "--auth-root-authentication-method=normal",
            f"--user={_user()}",
            "--skip-test-db",
            "--skip-name-resolve",
        ]
    )
    server = Server(directory=directory, port=free_port(hosts), hosts=hosts, extra_args=extra_args)
    try:
        server.start()
        # root only through the socket, in a directory only this user may enter (mkdtemp: 0700).
        for (host,) in server.admin("SELECT Host FROM mysql.user WHERE User = 'root'"):
            if host != "localhost":
                server.admin("DROP USER 'root'@%s", host)
    except BaseException:
        server.stop()
        raise
    return server


@contextlib.contextmanager
def running(
    prepare: Callable[[Path], Sequence[str]] | None = None,
    *,
    prefix: str = "clinic-db-",
    hosts: Sequence[str] = ("127.0.0.1",),
):
    """A running Server for the duration of the `with` block; nothing left afterwards.
    `prepare(directory)`, called first, returns more mariadbd arguments (e.g. certificates it
    made there)."""
    directory = Path(tempfile.mkdtemp(prefix=prefix))  # short: a socket path has ~100 characters
    state = {"server": None}

    def clean_up():
        if state["server"] is not None:
            state["server"].stop()
            state["server"] = None
        shutil.rmtree(directory, ignore_errors=True)

    atexit.register(clean_up)
    try:
        state["server"] = _start(directory, prepare, list(hosts))
        yield state["server"]
    finally:
        clean_up()
        atexit.unregister(clean_up)
