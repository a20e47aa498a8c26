"""A throwaway MariaDB server that accepts TLS connections only, for clinic/tests/test_db_tls.py.

`tls_server()` starts a private MariaDB (clinic/tests/mariadb.py) with, in its temporary
directory:
- a CA ("Clinic test CA") and a server certificate it signs, for 127.0.0.1 and localhost
  (subjectAltName IP:127.0.0.1, DNS:localhost); a client certificate it signs (CN clinic-app);
  and an unrelated, self-signed "Other CA" that signed nothing here;
- a mariadbd on a free port of 127.0.0.1 (and of 127.0.0.2, which the server certificate does
  NOT name, when this machine can bind it) with --require-secure-transport=ON;
- the accounts: clinic_tls (REQUIRE SSL), clinic_plain (no REQUIRE: only the server-wide
  require_secure_transport stands between it and a plain-text connection) and clinic_x509
  (REQUIRE the client certificate's subject and issuer), each with every privilege on the
  databases clinic_tls and clinic_tls_refused; root (no password) only through the Unix socket.

Needs what clinic/tests/mariadb.py needs, and openssl; `missing()` names what is not there.
"""

import contextlib
import secrets
from dataclasses import dataclass
from pathlib import Path

from clinic.tests import mariadb

TOOLS = (*mariadb.TOOLS, "openssl")

APP_USER = "clinic_tls"  # REQUIRE SSL
PLAIN_USER = "clinic_plain"  # no REQUIRE clause
X509_USER = "clinic_x509"  # REQUIRE SUBJECT/ISSUER of the client certificate
DATABASES = ("clinic_tls", "clinic_tls_refused")

CA_SUBJECT = "/CN=Clinic test CA"
CLIENT_SUBJECT = "/CN=clinic-app"

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
    return mariadb.missing(TOOLS)


@dataclass
class TLSServer:
    server: mariadb.Server
    ca: Path  # signed the server's and the client's certificate
    other_ca: Path  # a self-signed CA that signed nothing here
    client_cert: Path
    client_key: Path
    password: str  # of every account above
    mismatch_host: str | None  # an address the server listens on but its certificate does not name

    @property
    def port(self) -> int:
        return self.server.port

    def url(self, user=APP_USER, *, host="127.0.0.1", database="clinic_tls", **query):
        """A DATABASE_URL for this server; `query` becomes its ?a=b&c=d."""
        tail = "&".join(f"{key}={value}" for key, value in {"charset": "utf8mb4", **query}.items())
        return f"mysql://{user}:{self.password}@{host}:{self.port}/{database}?{tail}"

    def admin(self, sql, *args):
        """Run one statement as root over the Unix socket (no TLS needed there); its rows."""
        return self.server.admin(sql, *args)


def new_key_and_request(directory, name, subject):
    key, csr = directory / f"{name}.key", directory / f"{name}.csr"
    mariadb.run(
        [
            "openssl",
            "req",
            "-new",
            "-newkey",
            "ec",
            "-pkeyopt",
            "ec_paramgen_curve:prime256v1",
            "-nodes",
            "-keyout",
            key,
            "-out",
            csr,
            "-subj",
            subject,
        ]
    )
    return key, csr


def self_signed_ca(directory, name, subject):
    key, cert = directory / f"{name}.key", directory / f"{name}.pem"
    mariadb.run(
        [
            "openssl",
            "req",
            "-x509",
            "-newkey",
            "ec",
            "-pkeyopt",
            "ec_paramgen_curve:prime256v1",
            "-nodes",
            "-keyout",
            key,
            "-out",
            cert,
            "-days",
            "2",
            "-subj",
            subject,
            "-addext",
            "basicConstraints=critical,CA:TRUE",
            "-addext",
            "keyUsage=critical,keyCertSign,cRLSign",
        ]
    )
    return key, cert


def signed_certificate(directory, name, subject, extensions, ca_key, ca_cert):
    key, csr = new_key_and_request(directory, name, subject)
    extfile, cert = directory / f"{name}.ext", directory / f"{name}.pem"
    extfile.write_text(extensions)
    mariadb.run(
        [
            "openssl",
            "x509",
            "-req",
            "-in",
            csr,
            "-CA",
            ca_cert,
            "-CAkey",
            ca_key,
            "-set_serial",
            str(secrets.randbits(63)),
            "-days",
            "2",
            "-extfile",
            extfile,
            "-out",
            cert,
        ]
    )
    return key, cert


@contextlib.contextmanager
def tls_server():
    """A running TLSServer for the duration of the `with` block; nothing left afterwards."""
    files = {}

    def certificates(directory):
        ca_key, files["ca"] = self_signed_ca(directory, "ca", CA_SUBJECT)
        _, files["other_ca"] = self_signed_ca(directory, "other-ca", "/CN=Other CA")
        server_key, server_cert = signed_certificate(
            directory, "server", "/CN=127.0.0.1", SERVER_EXTENSIONS, ca_key, files["ca"]
        )
        files["client_key"], files["client_cert"] = signed_certificate(
            directory, "client", CLIENT_SUBJECT, CLIENT_EXTENSIONS, ca_key, files["ca"]
        )
        return [
            f"--ssl-ca={files['ca']}",
            f"--ssl-cert={server_cert}",
            f"--ssl-key={server_key}",
            "--require-secure-transport=ON",
        ]

    mismatch_host = "127.0.0.2" if mariadb.can_bind("127.0.0.2") else None
    hosts = ["127.0.0.1"] + ([mismatch_host] if mismatch_host else [])
    with mariadb.running(certificates, prefix="clinic-tls-", hosts=hosts) as server:
        tls = TLSServer(server=server, password=secrets.token_urlsafe(16), mismatch_host=mismatch_host, **files)
        for name in DATABASES:
            server.admin(f"CREATE DATABASE `{name}` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci")
        requirements = {
            APP_USER: "REQUIRE SSL",
            PLAIN_USER: "",
            X509_USER: f"REQUIRE SUBJECT '{CLIENT_SUBJECT}' AND ISSUER '{CA_SUBJECT}'",
        }
        for account, require in requirements.items():
            # The server listens on loopback addresses only.
            server.admin(f"CREATE USER '{account}'@'%%' IDENTIFIED BY %s {require}", tls.password)
            for name in DATABASES:
                server.admin(f"GRANT ALL PRIVILEGES ON `{name}`.* TO '{account}'@'%'")
        yield tls
