"""Settings: what each environment variable does, and what production refuses.

Each settings module is evaluated in a fresh interpreter with a controlled environment:
settings are read once per process, and the environment under test must not leak into the
test process (or the test process's DATABASE_URL into the check). The project's .env file is
not read there either, so a developer's .env cannot change the outcome.
"""

import base64
import json
import os
import secrets
import subprocess
import sys
from pathlib import Path

from django.conf import settings

BASE_DIR = Path(__file__).resolve().parents[2]

# Turns off reading the project's .env file (clinic/settings/base.py calls Env.read_env).
NO_DOTENV = "import environ\nenviron.Env.read_env = staticmethod(lambda *args, **kwargs: None)\n"

# Passed through from the test process; everything else is left out.
KEEP = ("PATH", "HOME", "LANG", "LC_ALL", "TMPDIR", "PYTHONDONTWRITEBYTECODE")

PRODUCTION = "clinic.settings.production"
GOOD_KEY = secrets.token_urlsafe(50)  # starts with a letter, digit, - or _, never `$`
# Production's deployment checks ask for a cache shared by every process (accounts.W001); the
# check does not connect to it.
SHARED_CACHE = {"REDIS_URL": "redis://127.0.0.1:6379/0"}
# Every settings module refuses to start without encryption keys (core/crypto.py); given to
# each subprocess unless a test passes its own (an empty value means "unset").
ENCRYPTION_ENV = {
    "FIELD_ENCRYPTION_KEYS": f"t1:{base64.urlsafe_b64encode(secrets.token_bytes(32)).decode()}",
    "BLIND_INDEX_KEY": base64.urlsafe_b64encode(secrets.token_bytes(32)).decode(),
    "AUDIT_KEY": base64.urlsafe_b64encode(secrets.token_bytes(32)).decode(),
}


def run_python(code, **env_vars):
    env = {name: os.environ[name] for name in KEEP if name in os.environ}
    env.update(ENCRYPTION_ENV)
    env.update(env_vars)
    return subprocess.run(
        [sys.executable, "-c", NO_DOTENV + code],
        cwd=BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def settings_of(module, **env_vars):
    """The settings module `module` as evaluated with exactly `env_vars` set: a dict of the
    values these tests look at."""
    code = f"""
import importlib, json
s = importlib.import_module({module!r})
print(json.dumps({{
    "DATABASE": s.DATABASES["default"],
    "DEBUG": s.DEBUG,
    "ALLOWED_HOSTS": s.ALLOWED_HOSTS,
    "TIME_ZONE": s.TIME_ZONE,
    "USE_TZ": s.USE_TZ,
    "LANGUAGE_CODE": s.LANGUAGE_CODE,
    "LANGUAGES": [code for code, name in s.LANGUAGES],
    "CLINIC_NAME": s.CLINIC_NAME,
    "SECURE_SSL_REDIRECT": getattr(s, "SECURE_SSL_REDIRECT", None),
    "SECURE_HSTS_SECONDS": getattr(s, "SECURE_HSTS_SECONDS", None),
}}, default=str))
"""
    result = run_python(code, **env_vars)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def start_production(**env_vars):
    """Start Django with the production settings and run the deployment checks, as
    `DJANGO_SETTINGS_MODULE=clinic.settings.production manage.py check --deploy` would."""
    code = (
        "import django\n"
        "from django.core.management import call_command\n"
        "django.setup()\n"
        "call_command('check', '--deploy', '--fail-level', 'WARNING')\n"
        "print('STARTED')\n"
    )
    return run_python(code, DJANGO_SETTINGS_MODULE=PRODUCTION, **env_vars)


# --- production refuses to start unsafely -----------------------------------------------------


def test_it_refuses_production_without_a_secret_key():
    result = start_production(ALLOWED_HOSTS="klinik.example.co.id")
    assert result.returncode != 0
    assert "SECRET_KEY must be set" in result.stderr


def test_it_refuses_production_with_the_development_key():
    result = start_production(SECRET_KEY="django-insecure-development-only-key", ALLOWED_HOSTS="klinik.example.co.id")
    assert result.returncode != 0
    assert "SECRET_KEY must be set" in result.stderr


def test_it_refuses_production_with_debug_on():
    result = start_production(SECRET_KEY=GOOD_KEY, DEBUG="true", ALLOWED_HOSTS="klinik.example.co.id")
    assert result.returncode != 0
    assert "DEBUG must be off in production" in result.stderr


def test_it_refuses_production_without_allowed_hosts():
    result = start_production(SECRET_KEY=GOOD_KEY)
    assert result.returncode != 0
    assert "ALLOWED_HOSTS" in result.stderr


def test_it_reads_a_secret_key_starting_with_dollar_as_a_reference_and_refuses_it():
    # django-environ treats "$name" as "the value of $name": such a key must
    # not silently become empty; production refuses it.
    result = start_production(SECRET_KEY="$" + GOOD_KEY, ALLOWED_HOSTS="klinik.example.co.id")
    assert result.returncode != 0
    assert "SECRET_KEY must be set" in result.stderr


def test_it_starts_production_with_a_secret_key_and_allowed_hosts_and_passes_deploy_checks():
    result = start_production(SECRET_KEY=GOOD_KEY, ALLOWED_HOSTS="klinik.example.co.id", **SHARED_CACHE)
    assert result.returncode == 0, result.stderr
    assert "STARTED" in result.stdout


def test_it_defaults_production_to_https_with_hsts_and_debug_off():
    s = settings_of(PRODUCTION, SECRET_KEY=GOOD_KEY, ALLOWED_HOSTS="a.example,b.example")
    assert s["DEBUG"] is False
    assert s["ALLOWED_HOSTS"] == ["a.example", "b.example"]
    assert s["SECURE_SSL_REDIRECT"] is True
    assert s["SECURE_HSTS_SECONDS"] == 31536000


def test_it_lets_production_turn_off_the_https_redirect_behind_a_proxy():
    s = settings_of(
        PRODUCTION,
        SECRET_KEY=GOOD_KEY,
        ALLOWED_HOSTS="klinik.example.co.id",
        SECURE_SSL_REDIRECT="false",
        SECURE_HSTS_SECONDS="3600",
    )
    assert s["SECURE_SSL_REDIRECT"] is False
    assert s["SECURE_HSTS_SECONDS"] == 3600


# --- DATABASE_URL -------------------------------------------------------------------------------


def test_it_uses_the_sqlite_file_in_the_project_when_database_url_is_unset():
    db = settings_of("clinic.settings.base")["DATABASE"]
    assert db["ENGINE"] == "django.db.backends.sqlite3"
    assert Path(db["NAME"]) == BASE_DIR / "db.sqlite3"
    assert db["CONN_MAX_AGE"] == 0


def test_it_uses_mysqlclient_with_utf8mb4_and_strict_mode_for_a_mysql_url():
    db = settings_of(
        "clinic.settings.base",
        DATABASE_URL="mysql://clinic:secret@127.0.0.1:3306/clinic?charset=utf8mb4",
    )["DATABASE"]
    assert db["ENGINE"] == "django.db.backends.mysql"
    assert (db["NAME"], db["USER"], db["PASSWORD"]) == ("clinic", "clinic", "secret")
    assert (db["HOST"], int(db["PORT"])) == ("127.0.0.1", 3306)
    assert db["OPTIONS"]["charset"] == "utf8mb4"
    assert "STRICT_TRANS_TABLES" in db["OPTIONS"]["init_command"]
    assert db["TEST"]["CHARSET"] == "utf8mb4"


def test_it_defaults_a_mysql_url_without_charset_to_utf8mb4():
    db = settings_of("clinic.settings.base", DATABASE_URL="mysql://clinic:secret@127.0.0.1:3306/clinic")["DATABASE"]
    assert db["OPTIONS"]["charset"] == "utf8mb4"


def test_it_passes_mysql_tls_options_and_a_percent_encoded_password():
    db = settings_of(
        "clinic.settings.base",
        DATABASE_URL="mysql://clinic:p%40ss%23word@db.example:3306/clinic?ssl_mode=VERIFY_CA",
        DATABASE_SSL_CA="/etc/ssl/certs/clinic-db-ca.pem",
    )["DATABASE"]
    assert db["PASSWORD"] == "p@ss#word"
    assert db["OPTIONS"]["ssl_mode"] == "VERIFY_CA"
    assert db["OPTIONS"]["ssl"] == {"ca": "/etc/ssl/certs/clinic-db-ca.pem"}


def test_it_uses_psycopg_for_a_postgres_url():
    db = settings_of(
        "clinic.settings.base",
        DATABASE_URL=(
            "postgres://clinic:secret@127.0.0.1:5432/clinic"
            "?sslmode=verify-full&sslrootcert=/etc/ssl/certs/clinic-db-ca.pem"
        ),
        CONN_MAX_AGE="60",
    )["DATABASE"]
    assert db["ENGINE"] == "django.db.backends.postgresql"
    assert (db["NAME"], db["HOST"], int(db["PORT"])) == ("clinic", "127.0.0.1", 5432)
    assert db["OPTIONS"]["sslmode"] == "verify-full"
    assert db["CONN_MAX_AGE"] == 60


# --- time and language --------------------------------------------------------------------------


def test_it_runs_in_jakarta_time_in_indonesian_with_english_available():
    s = settings_of("clinic.settings.base")
    assert s["TIME_ZONE"] == "Asia/Jakarta"
    assert s["USE_TZ"] is True
    assert s["LANGUAGE_CODE"] == "id"
    assert s["LANGUAGES"] == ["id", "en"]
    assert s["DEBUG"] is True  # development default; production forces it off


def test_it_lets_the_environment_choose_english_and_the_clinic_name():
    s = settings_of("clinic.settings.base", LANGUAGE_CODE="en", CLINIC_NAME="Klinik Uji")
    assert s["LANGUAGE_CODE"] == "en"
    assert s["CLINIC_NAME"] == "Klinik Uji"


def test_it_runs_the_tests_in_jakarta_time_and_indonesian():
    assert settings.TIME_ZONE == "Asia/Jakarta"
    assert settings.USE_TZ is True
    assert settings.LANGUAGE_CODE == "id"
    assert "en" in dict(settings.LANGUAGES)
