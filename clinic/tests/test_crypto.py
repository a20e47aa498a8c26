"""Encryption at rest as the project uses it: the settings' refusal to start without keys
(fresh interpreters, as test_settings.py) and the encrypted fields of Patient."""

import os

import pytest
from django.core.exceptions import FieldError

from clinic.tests.test_settings import ENCRYPTION_ENV, GOOD_KEY, run_python
from core import crypto
from patients.models import Patient

NIK = "3273015708850003"


# --- the settings refuse to start without keys (fresh interpreters, as test_settings.py) ------


def start(module="clinic.settings.base", **env_vars):
    return run_python(
        "import django\nfrom django.core.management import call_command\ndjango.setup()\n"
        "call_command('check')\nprint('STARTED')\n",
        DJANGO_SETTINGS_MODULE=module,
        **env_vars,
    )


def test_it_starts_with_keys_in_the_environment():
    result = start()
    assert result.returncode == 0, result.stderr
    assert "STARTED" in result.stdout


@pytest.mark.parametrize("missing", ["FIELD_ENCRYPTION_KEYS", "BLIND_INDEX_KEY"])
@pytest.mark.parametrize("module", ["clinic.settings.base", "clinic.settings.production"])
def test_it_refuses_to_start_without_a_key_and_says_how_to_make_one(module, missing):
    result = start(module, SECRET_KEY=GOOD_KEY, ALLOWED_HOSTS="klinik.example.co.id", **{missing: ""})
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert f"{missing} is not set" in result.stderr
    assert "python manage.py generate_encryption_keys" in result.stderr


def test_production_refuses_to_start_without_an_audit_key():
    result = start(
        "clinic.settings.production", SECRET_KEY=GOOD_KEY, ALLOWED_HOSTS="klinik.example.co.id", AUDIT_KEY=""
    )
    assert result.returncode != 0
    assert "AUDIT_KEY is not set" in result.stderr


def test_it_refuses_to_start_when_a_key_is_the_secret_key():
    key = crypto.new_key()
    result = start(
        "clinic.settings.production",
        SECRET_KEY=key,
        ALLOWED_HOSTS="klinik.example.co.id",
        FIELD_ENCRYPTION_KEYS=f"k1:{key}",
    )
    assert result.returncode != 0
    assert "is SECRET_KEY" in result.stderr


def test_it_generates_keys_without_any_configured_and_they_start_the_app():
    result = run_python(
        "import sys\nfrom django.core.management import execute_from_command_line\n"
        "sys.argv = ['manage.py', 'generate_encryption_keys']\nexecute_from_command_line(sys.argv)\n",
        DJANGO_SETTINGS_MODULE="clinic.settings.base",
        FIELD_ENCRYPTION_KEYS="",
        BLIND_INDEX_KEY="",
    )
    assert result.returncode == 0, result.stderr
    lines = dict(line.split("=", 1) for line in result.stdout.strip().splitlines())
    assert set(lines) == {"FIELD_ENCRYPTION_KEYS", "BLIND_INDEX_KEY", "AUDIT_KEY"}
    assert start(**lines).returncode == 0


def test_the_subprocesses_of_these_tests_get_keys_of_their_own():
    assert ENCRYPTION_ENV["FIELD_ENCRYPTION_KEYS"].startswith("t1:")


# --- the fields ------------------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize(
    "lookup",
    [
        {"nik": NIK},
        {"phone__startswith": "+62"},
        {"email__iexact": "a@b.c"},
        {"nik__in": [NIK]},
        {"phone__lower": "x"},
        {"nik": None},
    ],
)
def test_it_refuses_to_filter_on_an_encrypted_column(lookup):
    with pytest.raises(FieldError, match="is encrypted"):
        list(Patient.objects.filter(**lookup))


@pytest.mark.django_db
def test_it_allows_isnull_on_an_encrypted_column():
    assert list(Patient.objects.filter(nik__isnull=True)) == []


def test_it_sizes_the_column_for_the_ciphertext():
    from django.db import connection

    assert f"({crypto.stored_length(254)})" in Patient._meta.get_field("email").db_type(connection)
    assert "(64)" in Patient._meta.get_field("email_hash").db_type(connection)


def test_it_lets_check_and_makemigrations_run_without_keys_but_warns():
    # The schema and translation tools start without keys; check reports their absence.
    import subprocess
    import sys

    from clinic.tests.test_settings import BASE_DIR, KEEP, NO_DOTENV

    env = {name: os.environ[name] for name in KEEP if name in os.environ}
    code = (
        NO_DOTENV + "import sys; from django.core.management import execute_from_command_line; "
        "import os; os.environ['DJANGO_SETTINGS_MODULE'] = 'clinic.settings.base'; "
        "execute_from_command_line(['manage.py'] + sys.argv[1:])"
    )
    check = subprocess.run(
        [sys.executable, "-c", code, "check"], cwd=BASE_DIR, env=env, capture_output=True, text=True, timeout=120
    )
    assert check.returncode == 0, check.stderr
    assert "clinic.W101" in check.stderr + check.stdout
    migrations = subprocess.run(
        [sys.executable, "-c", code, "makemigrations", "--check", "--dry-run"],
        cwd=BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert migrations.returncode == 0, migrations.stderr
    served = subprocess.run(
        [sys.executable, "-c", code, "migrate", "--plan"],
        cwd=BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert served.returncode != 0
    assert "FIELD_ENCRYPTION_KEYS is not set" in served.stderr
