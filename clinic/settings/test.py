"""Test settings: the database still comes from DATABASE_URL, so one suite runs on
SQLite, MariaDB and PostgreSQL."""

from .base import *  # noqa: F403

DEBUG = False
# Argon2 is deliberately slow; tests log in hundreds of times.
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
# The manifest storage needs collectstatic first (PITFALLS.md).
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
LANGUAGE_CODE = "id"
# django-axes stays on (the lockout tests need it); client.login() has no request to give it.
AUTHENTICATION_BACKENDS = [
    "accounts.tests.backends.TestClientAwareAxesBackend",
    "django.contrib.auth.backends.ModelBackend",
]
