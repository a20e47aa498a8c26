"""Benchmark settings (`make bench`, docs/performance.md): the production middleware stack and
DEBUG off, so the timings are those of a served page, on the database DATABASE_URL names.

The encryption keys are the test settings' fixed ones on purpose: seed_demo fills the benchmark
databases under clinic.settings.test, so only these keys decrypt their NIKs and phone numbers and
reproduce their blind indexes (a search by NIK must find the seeded patient)."""

from .test import TEST_BLIND_INDEX_KEY, TEST_FIELD_ENCRYPTION_KEYS  # noqa: F401  (sets the keys)
from .base import *  # noqa: E402, F403
from .base import AUTHENTICATION_BACKENDS as _BASE_BACKENDS  # noqa: E402

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
