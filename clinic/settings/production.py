"""Production settings: everything from base, plus what must hold on a real server.
Refuses to start without a SECRET_KEY or with DEBUG on."""

from django.core.exceptions import ImproperlyConfigured

from .base import *  # noqa: F403
from .base import env

SECRET_KEY = env("SECRET_KEY", default="")
if not SECRET_KEY or SECRET_KEY.startswith("django-insecure"):
    raise ImproperlyConfigured("SECRET_KEY must be set in the environment for production.")
DEBUG = env.bool("DEBUG", default=False)
if DEBUG:
    raise ImproperlyConfigured("DEBUG must be off in production.")
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS")
# The audit log's rows are signed under AUDIT_KEY (audit/services.py): no key, no start.
from core.crypto import check_audit_key  # noqa: E402

check_audit_key(env("AUDIT_KEY", default=""), SECRET_KEY)

STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}

SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=True)
# A load balancer probes /healthz over plain HTTP inside the network; no redirect for it.
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = True
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SESSION_COOKIE_SECURE = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SECURE = True
CSRF_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"

# Persistent connections: a new connection per request costs more than most pages' queries.
# The health check (base.py, CONN_HEALTH_CHECKS) replaces a connection the database dropped.
for _config in DATABASES.values():  # noqa: F405
    _config["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=60)

# Admins give a TOTP code after their password (accounts.middleware.OTPRequiredMiddleware).
OTP_REQUIRED_FOR_ADMIN = env.bool("OTP_REQUIRED_FOR_ADMIN", default=True)
