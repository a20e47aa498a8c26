"""Production settings: `manage.py check --deploy --fail-level WARNING` passes, and the security
settings of issue 4 hold there (each evaluated in a fresh interpreter with a controlled
environment, as clinic/tests/test_settings.py does)."""

import json
import subprocess
import sys

from clinic.tests.test_settings import BASE_DIR, GOOD_KEY, PRODUCTION, SHARED_CACHE, run_python

HOST = "klinik.example.co.id"


def production(**env_vars) -> dict:
    code = """
import importlib, json
s = importlib.import_module("clinic.settings.production")
names = ["SESSION_COOKIE_SECURE", "SESSION_COOKIE_HTTPONLY", "SESSION_COOKIE_SAMESITE", "SESSION_COOKIE_AGE",
         "CSRF_COOKIE_SECURE", "SECURE_HSTS_SECONDS", "SECURE_CONTENT_TYPE_NOSNIFF", "SECURE_REFERRER_POLICY",
         "SECURE_CROSS_ORIGIN_OPENER_POLICY", "X_FRAME_OPTIONS", "OTP_REQUIRED_FOR_ADMIN",
         "AUTHENTICATION_BACKENDS", "MIDDLEWARE", "AXES_LOCKOUT_PARAMETERS", "AXES_FAILURE_LIMIT",
         "SESSION_IDLE_TIMEOUT_MINUTES", "SESSION_ABSOLUTE_HOURS", "CONTENT_SECURITY_POLICY", "PASSWORD_HASHERS"]
print(json.dumps({n: getattr(s, n) for n in names}, default=str))
"""
    result = run_python(code, SECRET_KEY=GOOD_KEY, ALLOWED_HOSTS=HOST, **env_vars)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_it_passes_the_deployment_checks_through_manage_py():
    # As .ci/run and an operator run it; the project's .env is not read (NO_DOTENV in run_python).
    result = run_python(
        "from django.core.management import execute_from_command_line\n"
        "execute_from_command_line(['manage.py', 'check', '--deploy', '--fail-level', 'WARNING'])\n",
        DJANGO_SETTINGS_MODULE=PRODUCTION,
        SECRET_KEY=GOOD_KEY,
        ALLOWED_HOSTS=HOST,
        **SHARED_CACHE,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_it_fails_the_deployment_checks_when_a_safeguard_is_switched_off():
    # The check really looks: without HSTS it reports security.W004 and fails.
    result = run_python(
        "from django.core.management import execute_from_command_line\n"
        "execute_from_command_line(['manage.py', 'check', '--deploy', '--fail-level', 'WARNING'])\n",
        DJANGO_SETTINGS_MODULE=PRODUCTION,
        SECRET_KEY=GOOD_KEY,
        ALLOWED_HOSTS=HOST,
        SECURE_HSTS_SECONDS="0",
        **SHARED_CACHE,
    )
    assert result.returncode != 0
    assert "security.W004" in result.stderr + result.stdout


def test_it_uses_secure_httponly_samesite_cookies_and_hsts_in_production():
    s = production()
    assert s["SESSION_COOKIE_SECURE"] is True
    assert s["SESSION_COOKIE_HTTPONLY"] is True
    assert s["SESSION_COOKIE_SAMESITE"] == "Lax"
    assert s["CSRF_COOKIE_SECURE"] is True
    assert s["SECURE_HSTS_SECONDS"] == 31536000
    assert s["SECURE_CONTENT_TYPE_NOSNIFF"] is True
    assert s["SECURE_REFERRER_POLICY"] == "same-origin"
    assert s["SECURE_CROSS_ORIGIN_OPENER_POLICY"] == "same-origin"
    assert s["X_FRAME_OPTIONS"] == "DENY"


def test_it_requires_the_second_factor_for_admins_in_production_unless_switched_off():
    assert production()["OTP_REQUIRED_FOR_ADMIN"] is True
    assert production(OTP_REQUIRED_FOR_ADMIN="false")["OTP_REQUIRED_FOR_ADMIN"] is False


def test_it_runs_the_lockout_and_session_rules_in_production():
    s = production()
    assert s["AUTHENTICATION_BACKENDS"][0] == "axes.backends.AxesStandaloneBackend"
    assert s["MIDDLEWARE"][-1] == "axes.middleware.AxesMiddleware"
    assert s["AXES_LOCKOUT_PARAMETERS"] == ["username"]
    assert s["AXES_FAILURE_LIMIT"] == 5
    assert (s["SESSION_IDLE_TIMEOUT_MINUTES"], s["SESSION_ABSOLUTE_HOURS"]) == (15, 12)
    assert s["SESSION_COOKIE_AGE"] == 12 * 3600
    assert s["PASSWORD_HASHERS"][0].endswith("Argon2PasswordHasher")
    middleware = s["MIDDLEWARE"]
    assert middleware.index("django_otp.middleware.OTPMiddleware") > middleware.index(
        "django.contrib.auth.middleware.AuthenticationMiddleware"
    )
    for name in (
        "csp.middleware.CSPMiddleware",
        "accounts.middleware.SessionTimeoutMiddleware",
        "accounts.middleware.OTPRequiredMiddleware",
        "accounts.middleware.NoStoreMiddleware",
    ):
        assert name in middleware


def test_it_lets_the_environment_tune_the_lockout_and_the_session_limits():
    s = production(AXES_FAILURE_LIMIT="10", SESSION_IDLE_TIMEOUT_MINUTES="30", SESSION_ABSOLUTE_HOURS="9")
    assert s["AXES_FAILURE_LIMIT"] == 10
    assert (s["SESSION_IDLE_TIMEOUT_MINUTES"], s["SESSION_ABSOLUTE_HOURS"], s["SESSION_COOKIE_AGE"]) == (
        30,
        9,
        9 * 3600,
    )


def test_it_keeps_the_bandit_configuration_in_the_repository():
    # .ci/run runs `bandit -c pyproject.toml -r . -ll`; the configuration must be there.
    result = subprocess.run(
        [sys.executable, "-c", "import tomllib, json; print(json.dumps(tomllib.load(open('pyproject.toml', 'rb'))))"],
        cwd=BASE_DIR,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    bandit = json.loads(result.stdout)["tool"]["bandit"]
    assert ".venv" in ",".join(bandit["exclude_dirs"])
