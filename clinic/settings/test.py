"""Test settings: the database still comes from DATABASE_URL, so one suite runs on
SQLite, MariaDB and PostgreSQL."""

import base64
import hashlib
import os


def _test_key(label: str) -> str:
    """A fixed, obviously-test key (32 bytes, base64) so `make test` needs no .env."""
    return base64.urlsafe_b64encode(hashlib.sha256(f"clinic test key: {label}".encode()).digest()).decode()


# Fixed keys for encryption at rest, set before base reads (and checks) them; a developer's .env
# cannot change them (environment variables win over .env), and subprocesses of the tests inherit them.
TEST_FIELD_ENCRYPTION_KEYS = f"test1:{_test_key('field 1')}"
TEST_BLIND_INDEX_KEY = _test_key("blind index 1")
os.environ["FIELD_ENCRYPTION_KEYS"] = TEST_FIELD_ENCRYPTION_KEYS
os.environ["BLIND_INDEX_KEY"] = TEST_BLIND_INDEX_KEY
TEST_AUDIT_KEY = _test_key("audit 1")
os.environ["AUDIT_KEY"] = TEST_AUDIT_KEY

from .base import *  # noqa: E402, F403
from .base import env  # noqa: E402

DEBUG = False
# Argon2 is deliberately slow; tests log in hundreds of times.
# MD5 makes the tests' users fast; Argon2 (second: never used for new hashes) only verifies the
# accounts seed_demo writes with the production hasher.
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher", "django.contrib.auth.hashers.Argon2PasswordHasher"]
# whitenoise's manifest storage fails until collectstatic has run: plain storage in tests.
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
LANGUAGE_CODE = "id"
# Seal the audit chain inside the request, so a test sees its rows sealed when the request returns
# (clinic/tests/test_audit_sealer.py tests the background sealer of the other settings).
AUDIT_SEAL_IN_BACKGROUND = False
# django-axes stays on (the lockout tests need it); client.login() has no request to give it.
AUTHENTICATION_BACKENDS = [
    "accounts.tests.backends.TestClientAwareAxesBackend",
    "accounts.backends.ClinicModelBackend",
]
# Each test process keeps its cache in memory, whatever REDIS_URL says: CI exports it so that the
# Redis tests find their server, and those start app processes of their own with CACHE_URL.
if not env("CACHE_URL", default=""):
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
# The tests' database account creates and drops the test databases, so it holds DROP: the
# warning that the application's account could TRUNCATE the audit log (audit/checks.py) does
# not apply to it.
SILENCED_SYSTEM_CHECKS = [*SILENCED_SYSTEM_CHECKS, "audit.W001"]  # noqa: F405
