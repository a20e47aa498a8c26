"""Benchmark settings (`make bench`, docs/performance.md): the production middleware stack and
DEBUG off, so the timings are those of a served page, on the database DATABASE_URL names.

The encryption keys are the test settings' fixed ones on purpose: seed_demo fills the benchmark
databases under clinic.settings.test, so only these keys decrypt their NIKs and phone numbers and
reproduce their blind indexes (a search by NIK must find the seeded patient). BENCH_KEYS=env
uses the environment's keys instead, for a database seeded under other keys."""

import os

# BENCH_KEYS=env: a database seeded under other keys; keep the environment's (or .env's) keys.
_KEEP_ENV_KEYS = os.environ.get("BENCH_KEYS") == "env"
_ENV_KEYS = {name: os.environ.get(name) for name in ("FIELD_ENCRYPTION_KEYS", "BLIND_INDEX_KEY", "AUDIT_KEY")}

# First: importing the test settings sets the fixed keys in the environment base reads.
from .test import TEST_BLIND_INDEX_KEY, TEST_FIELD_ENCRYPTION_KEYS  # noqa: E402, F401  (sets the keys)

# isort: split
from .base import *  # noqa: E402, F403
from .base import AUTHENTICATION_BACKENDS as _BASE_BACKENDS  # noqa: E402
from .base import BASE_DIR, SECRET_KEY, env  # noqa: E402

if _KEEP_ENV_KEYS:
    # base has already read the test keys the import above set: put the given ones back (the
    # process environment first, then .env, as base reads them) and read them again.
    for _name, _value in _ENV_KEYS.items():
        if _value is None:
            os.environ.pop(_name, None)
        else:
            os.environ[_name] = _value
    env.read_env(BASE_DIR / ".env", overwrite=False)
    FIELD_ENCRYPTION_KEYS = env("FIELD_ENCRYPTION_KEYS", default="")
    BLIND_INDEX_KEY = env("BLIND_INDEX_KEY", default="")
    AUDIT_KEY = env("AUDIT_KEY", default="")
    from core.crypto import check_keys  # noqa: E402

    check_keys(FIELD_ENCRYPTION_KEYS, BLIND_INDEX_KEY, SECRET_KEY)

DEBUG = False
ALLOWED_HOSTS = ["testserver", "127.0.0.1", "localhost"]
# The benchmark signs users in with Client.force_login: no password is checked, so the hasher is
# irrelevant; the authentication backends are production's (django-axes first).
AUTHENTICATION_BACKENDS = _BASE_BACKENDS
# Production serves static files from the collectstatic manifest; a lookup in it costs about what
# the plain storage costs, and the plain one needs no collectstatic before a run.
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
# Production asks Admins for a TOTP code; a forced login carries no verified device, so the
# benchmark's Admin would only ever see the code page. The rest of the stack is production's.
OTP_REQUIRED_FOR_ADMIN = False
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": "ERROR"},
}
