"""The database connection over TLS (issue 4): what DATABASE_URL and DATABASE_SSL_* make of the
connection options, and, against a real MariaDB that accepts TLS connections only
(clinic/tests/mariadb_tls.py starts it with a self-signed CA), that Django migrates and queries
over verified TLS and is refused whenever the connection is not what the settings promise.

The server tests run only with CLINIC_TLS_TESTS=1 (.ci/run's TLS step runs this module once:
`CLINIC_TLS_TESTS=1 .venv/bin/pytest -m tls clinic/tests/test_db_tls.py`); with it set, a
missing mariadbd, mariadb-install-db, openssl or mysqlclient is an error, not a skip. The
settings tests need none of that and run in every suite.

Django runs in a fresh interpreter for each connection, with the DATABASE_URL under test and
without the project's .env: settings are read once per process, as in production.
"""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from clinic.tests import mariadb_tls

pytestmark = pytest.mark.tls

BASE_DIR = Path(__file__).resolve().parents[2]

# Turns off reading the project's .env file (clinic/settings/base.py calls Env.read_env).
NO_DOTENV = "import environ\nenviron.Env.read_env = staticmethod(lambda *args, **kwargs: None)\n"
DROPPED = ("DATABASE_URL", "DATABASE_SSL_CA", "DATABASE_SSL_CERT", "DATABASE_SSL_KEY", "CONN_MAX_AGE")

MIGRATE = (
    "from django.core.management import execute_from_command_line\n"
    "execute_from_command_line(['manage.py', 'migrate', '--no-input'])\n"
)

# Connects, reads and writes through the ORM, and reports what the server says of the session.
QUERY = """
import json
import django
django.setup()
from django.conf import settings
from django.contrib.auth.models import Group
from django.db import connection
with connection.cursor() as cursor:
    cursor.execute("SHOW SESSION STATUS LIKE 'Ssl_cipher'")
    cipher = cursor.fetchone()[1]
    cursor.execute("SHOW SESSION STATUS LIKE 'Ssl_version'")
    version = cursor.fetchone()[1]
    cursor.execute("SELECT CURRENT_USER()")
    user = cursor.fetchone()[0]
    cursor.execute("SELECT COUNT(*) FROM django_migrations")
    migrations = cursor.fetchone()[0]
group = Group.objects.create(name="tls-check")
written = Group.objects.filter(pk=group.pk).exists()
group.delete()
print(json.dumps({"cipher": cipher, "version": version, "user": user,
                  "migrations": migrations, "written": written}))
"""


def run_django(code, **env_vars):
    """Python `code` in a fresh interpreter with the test settings and exactly the database
    variables in `env_vars`."""
    env = {name: value for name, value in os.environ.items() if name not in DROPPED}
    env.update(DJANGO_SETTINGS_MODULE="clinic.settings.test", PYTHONDONTWRITEBYTECODE="1", **env_vars)
    return subprocess.run(
        [sys.executable, "-c", NO_DOTENV + code],
        cwd=BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=180,
    )


def database_options(**env_vars):
    code = """
import json
from django.conf import settings
print(json.dumps(settings.DATABASES["default"].get("OPTIONS", {})))
"""
    result = run_django(code, **env_vars)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def session(**env_vars):
    """Connect with these settings; what the session reports."""
    result = run_django(QUERY, **env_vars)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def refused(**env_vars):
    """Connect with these settings, expecting a refusal; the error as Django printed it."""
    result = run_django(QUERY, **env_vars)
    assert result.returncode != 0, f"connected, expected a refusal: {result.stdout}"
    assert "OperationalError" in result.stderr, result.stderr
    assert "{" not in result.stdout  # no session report: nothing was read
    return result.stderr.strip().splitlines()[-1]


# --- settings: what mysqlclient and psycopg are given -----------------------------------------


def test_it_passes_ssl_mode_and_the_certificate_files_to_mysqlclient():
    options = database_options(
        DATABASE_URL="mysql://clinic:secret@db.klinik.lan:3306/clinic?ssl_mode=verify_identity",
        DATABASE_SSL_CA="/etc/clinic/ca.pem",
        DATABASE_SSL_CERT="/etc/clinic/client.pem",
        DATABASE_SSL_KEY="/etc/clinic/client.key",
    )

    # mysqlclient's own spelling: ssl_mode in capitals, and the files in the ssl mapping.
    assert options["ssl_mode"] == "VERIFY_IDENTITY"
    assert options["ssl"] == {
        "ca": "/etc/clinic/ca.pem",
        "cert": "/etc/clinic/client.pem",
        "key": "/etc/clinic/client.key",
    }
    assert options["charset"] == "utf8mb4"


def test_it_verifies_the_server_when_only_a_ca_is_given():
    options = database_options(
        DATABASE_URL="mysql://clinic:secret@db.klinik.lan:3306/clinic",
        DATABASE_SSL_CA="/etc/clinic/ca.pem",
    )

    # Not PREFERRED, which would go on in plain text when the server offers no TLS.
    assert options["ssl_mode"] == "VERIFY_CA"
    assert options["ssl"] == {"ca": "/etc/clinic/ca.pem"}


def test_it_leaves_tls_alone_when_nothing_asks_for_it():
    options = database_options(DATABASE_URL="mysql://clinic:secret@127.0.0.1:3306/clinic")

    assert "ssl" not in options
    assert "ssl_mode" not in options


@pytest.mark.parametrize(
    "env_vars, message",
    [
        # mysqlclient ignores a string in `ssl`: the connection would silently stay plain text.
        ({"DATABASE_URL": "mysql://clinic:secret@db:3306/clinic?ssl=true"}, "not ?ssl="),
        ({"DATABASE_URL": "mysql://clinic:secret@db:3306/clinic?ssl_mode=VERIFY"}, "ssl_mode must be"),
        (
            {"DATABASE_URL": "mysql://clinic:secret@db:3306/clinic", "DATABASE_SSL_CERT": "/c.pem"},
            "DATABASE_SSL_CERT and DATABASE_SSL_KEY go together",
        ),
    ],
)
def test_it_refuses_tls_settings_that_would_not_do_what_they_say(env_vars, message):
    result = run_django("from django.conf import settings\nsettings.DATABASES\n", **env_vars)

    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert message in result.stderr


def test_it_passes_sslmode_and_sslrootcert_from_a_postgres_url_to_psycopg():
    code = """
import json
import django
django.setup()
from django.db import connection
params = connection.get_connection_params()  # what Django hands psycopg.connect(); no connection
print(json.dumps({key: params.get(key) for key in ("sslmode", "sslrootcert", "host")}))
"""
    result = run_django(
        code,
        DATABASE_URL="postgres://clinic:secret@db.klinik.lan:5432/clinic"
        "?sslmode=verify-full&sslrootcert=/etc/clinic/ca.pem",
    )

    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout.strip().splitlines()[-1]) == {
        "sslmode": "verify-full",
        "sslrootcert": "/etc/clinic/ca.pem",
        "host": "db.klinik.lan",
    }


# --- a real MariaDB that accepts TLS only -------------------------------------------------------


@pytest.fixture(scope="module")
def server():
    if os.environ.get("CLINIC_TLS_TESTS") != "1":
        pytest.skip(
            "starts its own MariaDB with a self-signed certificate: set CLINIC_TLS_TESTS=1 (.ci/run's TLS step does)"
        )
    lacking = mariadb_tls.missing()
    if lacking:
        pytest.fail(f"CLINIC_TLS_TESTS=1 but this machine lacks: {', '.join(lacking)}")
    with mariadb_tls.tls_server() as running:
        yield running


@pytest.fixture(scope="module")
def migrated(server):
    """The database clinic_tls with the project's schema, migrated over verified TLS."""
    result = run_django(MIGRATE, DATABASE_URL=server.url(ssl_mode="VERIFY_CA"), DATABASE_SSL_CA=str(server.ca))
    assert result.returncode == 0, result.stdout + result.stderr
    return server


def test_it_migrates_and_queries_over_tls_with_the_server_certificate_verified(migrated):
    report = session(DATABASE_URL=migrated.url(ssl_mode="VERIFY_CA"), DATABASE_SSL_CA=str(migrated.ca))

    assert report["cipher"]  # empty on a plain-text connection
    assert report["version"] in ("TLSv1.2", "TLSv1.3")
    assert report["user"] == "clinic_tls@%"
    assert report["migrations"] > 0
    assert report["written"] is True


def test_it_is_refused_without_tls_and_writes_nothing(server):
    assert server.admin("SELECT @@require_secure_transport") == ((1,),)

    # The application's account (REQUIRE SSL), and one without a REQUIRE clause: the server
    # (require_secure_transport) turns it away all the same. MariaDB 10.11 answers 1045 to both.
    for user in (mariadb_tls.APP_USER, mariadb_tls.PLAIN_USER):
        url = server.url(user, ssl_mode="DISABLED", database="clinic_tls_refused")
        error = refused(DATABASE_URL=url)
        assert "1045" in error and "Access denied" in error, error
        migrate = run_django(MIGRATE, DATABASE_URL=url)
        assert migrate.returncode != 0
        assert "OperationalError" in migrate.stderr

    assert server.admin("SELECT COUNT(*) FROM information_schema.tables WHERE table_schema = 'clinic_tls_refused'") == (
        (0,),
    )


def test_it_refuses_a_server_certificate_that_another_ca_signed(migrated):
    error = refused(DATABASE_URL=migrated.url(ssl_mode="VERIFY_CA"), DATABASE_SSL_CA=str(migrated.other_ca))

    assert "TLS/SSL error" in error, error
    assert "certificate" in error, error  # "self-signed certificate in certificate chain"


def test_it_refuses_verification_without_the_ca(migrated):
    # The server's CA is not among the system's: VERIFY_CA without DATABASE_SSL_CA fails.
    error = refused(DATABASE_URL=migrated.url(ssl_mode="VERIFY_CA"))

    assert "TLS/SSL error" in error, error


def test_it_checks_the_host_name_against_the_certificate(migrated):
    # The certificate names IP:127.0.0.1 (and DNS:localhost).
    report = session(DATABASE_URL=migrated.url(ssl_mode="VERIFY_IDENTITY"), DATABASE_SSL_CA=str(migrated.ca))
    assert report["version"] in ("TLSv1.2", "TLSv1.3")

    if migrated.mismatch_host is None:
        pytest.skip("cannot bind 127.0.0.2 here: no address the certificate does not name")
    # The same server and CA at an address the certificate does not name.
    error = refused(
        DATABASE_URL=migrated.url(ssl_mode="VERIFY_IDENTITY", host=migrated.mismatch_host),
        DATABASE_SSL_CA=str(migrated.ca),
    )
    assert "TLS/SSL error" in error, error
    # REQUIRED encrypts without checking the name: what VERIFY_IDENTITY adds.
    report = session(
        DATABASE_URL=migrated.url(ssl_mode="REQUIRED", host=migrated.mismatch_host),
        DATABASE_SSL_CA=str(migrated.ca),
    )
    assert report["cipher"]


def test_it_logs_in_with_a_client_certificate(migrated):
    url = migrated.url(mariadb_tls.X509_USER, ssl_mode="VERIFY_IDENTITY")

    report = session(
        DATABASE_URL=url,
        DATABASE_SSL_CA=str(migrated.ca),
        DATABASE_SSL_CERT=str(migrated.client_cert),
        DATABASE_SSL_KEY=str(migrated.client_key),
    )
    assert report["user"] == "clinic_x509@%"
    assert report["cipher"]

    # The right password over verified TLS, but no certificate: refused.
    error = refused(DATABASE_URL=url, DATABASE_SSL_CA=str(migrated.ca))
    assert "Access denied" in error, error
