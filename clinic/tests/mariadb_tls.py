"""A throwaway MariaDB server that accepts TLS connections only, for clinic/tests/test_db_tls.py.

`tls_server()` makes, in a new temporary directory:
- a CA ("Clinic test CA") and a server certificate it signs, for 127.0.0.1 and localhost
  (subjectAltName IP:127.0.0.1, DNS:localhost); a client certificate it signs (CN clinic-app);
  and an unrelated, self-signed "Other CA" that signed nothing here;
- a data directory (mariadb-install-db), and a mariadbd on a free port of 127.0.0.1 (and of
  127.0.0.2, which the server certificate does NOT name, when this machine can bind it) with
  --require-secure-transport=ON;
- the accounts: clinic_tls (REQUIRE SSL), clinic_plain (no REQUIRE: only the server-wide
  require_secure_transport stands between it and a plain-text connection) and clinic_x509
  (REQUIRE the client certificate's subject and issuer), each with every privilege on the
  databases clinic_tls and clinic_tls_refused; root (no password) only through the Unix socket,
  in the temporary directory, which only this user may enter.

It stops the server (SIGTERM, then SIGKILL, by its pid) and removes the directory on the way out,
whatever happened; an atexit hook and PR_SET_PDEATHSIG cover an interrupted run. Every wait is
bounded. Needs /usr/sbin/mariadbd, mariadb-install-db and openssl (Debian: mariadb-server,
openssl) and mysqlclient (requirements-mysql.txt); `missing()` names what is not there.
"""

import atexit
import contextlib
import ctypes
import getpass
import os
import secrets
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

MARIADBD = "/usr/sbin/mariadbd"
TOOLS = (MARIADBD, "mariadb-install-db", "openssl")

APP_USER = "clinic_tls"  # REQUIRE SSL
PLAIN_USER = "clinic_plain"  # no REQUIRE clause
X509_USER = "clinic_x509"  # REQUIRE SUBJECT/ISSUER of the client certificate
DATABASES = ("clinic_tls", "clinic_tls_refused")

CA_SUBJECT = "/CN=Clinic test CA"
CLIENT_SUBJECT = "/CN=clinic-app"
START_TIMEOUT = 60  # seconds for mariadbd to answer on its socket
STOP_TIMEOUT = 15  # seconds for it to shut down after SIGTERM, before SIGKILL

SERVER_EXTENSIONS = """\
basicConstraints = critical, CA:FALSE
keyUsage = critical, digitalSignature, keyEncipherment
extendedKeyUsage = serverAuth
subjectAltName = IP:127.0.0.1, DNS:localhost
"""
CLIENT_EXTENSIONS = """\
basicConstraints = critical, CA:FALSE
keyUsage = critical, digitalSignature, keyEncipherment
extendedKeyUsage = clientAuth
"""


def missing():
    """What this machine lacks to run the server: [] when nothing."""
    lacking = [tool for tool in TOOLS if not shutil.which(tool)]
    try:
        import MySQLdb  # noqa: F401
    except ImportError:
        lacking.append("mysqlclient (pip install -r requirements-mysql.txt)")
    return lacking


@dataclass
class TLSServer:
    directory: Path
    port: int
    socket: Path
    ca: Path  # signed the server's and the client's certificate
    other_ca: Path  # a self-signed CA that signed nothing here
    client_cert: Path
    client_key: Path
    password: str  # of every account above
    mismatch_host: str | None  # an address the server listens on but its certificate does not name
    process: subprocess.Popen

    def url(self, user=APP_USER, *, host="127.0.0.1", database="clinic_tls", **query):
        """A DATABASE_URL for this server; `query` becomes its ?a=b&c=d."""
        tail = "&".join(f"{key}={value}" for key, value in {"charset": "utf8mb4", **query}.items())
        return f"mysql://{user}:{self.password}@{host}:{self.port}/{database}?{tail}"

    def admin(self, sql, *args):
        """Run one statement as root over the Unix socket (no TLS needed there); its rows."""
        import MySQLdb

        connection = MySQLdb.connect(unix_socket=str(self.socket), user="root", connect_timeout=5)
        try:
            with connection.cursor() as cursor:
                cursor.execute(sql, args or None)
                return cursor.fetchall()
        finally:
            connection.close()


def run(command, **kwargs):
    """Run a set-up command; a failure raises with its output."""
    result = subprocess.run(command, capture_output=True, text=True, timeout=120, **kwargs)
    if result.returncode != 0:
        raise RuntimeError(f"{command[0]} failed ({result.returncode}):\n{result.stdout}{result.stderr}")
    return result


def new_key_and_request(directory, name, subject):
    key, csr = directory / f"{name}.key", directory / f"{name}.csr"
    run(["openssl", "req", "-new", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1",
         "-nodes", "-keyout", key, "-out", csr, "-subj", subject])
    return key, csr


def self_signed_ca(directory, name, subject):
    key, cert = directory / f"{name}.key", directory / f"{name}.pem"
    run(["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1",
         "-nodes", "-keyout", key, "-out", cert, "-days", "2", "-subj", subject,
         "-addext", "basicConstraints=critical,CA:TRUE",
         "-addext", "keyUsage=critical,keyCertSign,cRLSign"])
    return key, cert


def signed_certificate(directory, name, subject, extensions, ca_key, ca_cert):
    key, csr = new_key_and_request(directory, name, subject)
    extfile, cert = directory / f"{name}.ext", directory / f"{name}.pem"
    extfile.write_text(extensions)
    run(["openssl", "x509", "-req", "-in", csr, "-CA", ca_cert, "-CAkey", ca_key,
         "-set_serial", str(secrets.randbits(63)), "-days", "2", "-extfile", extfile, "-out", cert])
    return key, cert


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
    """Stop mariadbd by its pid: SIGTERM (a clean shutdown), SIGKILL after STOP_TIMEOUT s."""
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


def wait_until_ready(process, sock, error_log):
    import MySQLdb

    deadline = time.monotonic() + START_TIMEOUT
    while True:
        if process.poll() is not None:
            raise RuntimeError(f"mariadbd exited ({process.returncode}):\n{log_tail(error_log)}")
        try:
            MySQLdb.connect(unix_socket=str(sock), user="root", connect_timeout=2).close()
            return
        except MySQLdb.OperationalError:
            if time.monotonic() > deadline:
                raise RuntimeError(
                    f"mariadbd did not answer within {START_TIMEOUT} s:\n{log_tail(error_log)}"
                ) from None
            time.sleep(0.1)


def start(directory):
    """Certificates, data directory, server, accounts: a running TLSServer."""
    ca_key, ca = self_signed_ca(directory, "ca", CA_SUBJECT)
    _, other_ca = self_signed_ca(directory, "other-ca", "/CN=Other CA")
    server_key, server_cert = signed_certificate(
        directory, "server", "/CN=127.0.0.1", SERVER_EXTENSIONS, ca_key, ca)
    client_key, client_cert = signed_certificate(
        directory, "client", CLIENT_SUBJECT, CLIENT_EXTENSIONS, ca_key, ca)

    datadir = directory / "data"
    # As root, mariadbd must be told to stay root (--user=root); as anyone else, it runs as that
    # user anyway and --user names it.
    user = "root" if os.geteuid() == 0 else getpass.getuser()
    run(["mariadb-install-db", "--no-defaults", f"--datadir={datadir}",
         "--auth-root-authentication-method=normal", f"--user={user}",
         "--skip-test-db", "--skip-name-resolve"])

    mismatch_host = "127.0.0.2" if can_bind("127.0.0.2") else None
    hosts = ["127.0.0.1"] + ([mismatch_host] if mismatch_host else [])
    port = free_port(hosts)
    sock = directory / "mariadb.sock"
    error_log = directory / "error.log"
    command = [
        MARIADBD, "--no-defaults", f"--datadir={datadir}", f"--user={user}",
        f"--port={port}", f"--bind-address={','.join(hosts)}", f"--socket={sock}",
        f"--pid-file={directory / 'mariadb.pid'}", f"--log-error={error_log}",
        f"--tmpdir={directory}", "--skip-name-resolve",
        f"--ssl-ca={ca}", f"--ssl-cert={server_cert}", f"--ssl-key={server_key}",
        "--require-secure-transport=ON",
        "--character-set-server=utf8mb4", "--collation-server=utf8mb4_unicode_ci",
        # A scratch server: speed over durability.
        "--innodb-buffer-pool-size=64M", "--innodb-doublewrite=0",
        "--innodb-flush-log-at-trx-commit=0",
    ]
    log = (directory / "mariadbd.out").open("wb")
    process = subprocess.Popen(command, stdin=subprocess.DEVNULL, stdout=log, stderr=log,
                               preexec_fn=die_with_parent)
    log.close()
    password = secrets.token_urlsafe(16)
    server = TLSServer(directory=directory, port=port, socket=sock, ca=ca, other_ca=other_ca,
                       client_cert=client_cert, client_key=client_key, password=password,
                       mismatch_host=mismatch_host, process=process)
    try:
        wait_until_ready(process, sock, error_log)
        # root only through the socket, in a directory only this user may enter (mkdtemp: 0700).
        for (host,) in server.admin("SELECT Host FROM mysql.user WHERE User = 'root'"):
            if host != "localhost":
                server.admin("DROP USER 'root'@%s", host)
        for name in DATABASES:
            server.admin(f"CREATE DATABASE `{name}` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci")
        requirements = {
            APP_USER: "REQUIRE SSL",
            PLAIN_USER: "",
            X509_USER: f"REQUIRE SUBJECT '{CLIENT_SUBJECT}' AND ISSUER '{CA_SUBJECT}'",
        }
        for account, require in requirements.items():
            # The server listens on loopback addresses only.
            server.admin(f"CREATE USER '{account}'@'%%' IDENTIFIED BY %s {require}", password)
            for name in DATABASES:
                server.admin(f"GRANT ALL PRIVILEGES ON `{name}`.* TO '{account}'@'%'")
    except BaseException:
        stop(process)
        raise
    return server


@contextlib.contextmanager
def tls_server():
    """A running TLSServer for the duration of the `with` block; nothing left afterwards."""
    directory = Path(tempfile.mkdtemp(prefix="clinic-tls-"))  # short: a socket path has ~100
    state = {"process": None}

    def clean_up():
        if state["process"] is not None:
            stop(state["process"])
            state["process"] = None
        shutil.rmtree(directory, ignore_errors=True)

    atexit.register(clean_up)
    try:
        server = start(directory)
        state["process"] = server.process
        yield server
    finally:
        clean_up()
        atexit.unregister(clean_up)
