"""Settings shared by every environment. Values come from the environment (django-environ);
see .env.example for each variable."""

from datetime import timedelta
from pathlib import Path

import environ
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent.parent

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

# Development defaults: production.py refuses to start with either of them.
SECRET_KEY = env("SECRET_KEY", default="django-insecure-development-only-key")
DEBUG = env.bool("DEBUG", default=True)
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "testserver"])

INSTALLED_APPS = [
    "clinic.apps.ClinicAdminConfig",  # django.contrib.admin with an Admin-role-only site
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_htmx",
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "csp",
    "django_tasks",
    "django_tasks_db",
    "core",
    "clinic",
    "accounts",
    "audit",
    "patients",
    "scheduling",
    "records",
    "billing",
    "pharmacy",
    "satusehat",
    "reports",
    "sampledata",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    # Reads to a replica unless this browser wrote recently (a no-op without replicas).
    "core.db_router.ReadYourWritesMiddleware",
    "core.middleware.ClinicLocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "audit.middleware.AuditContextMiddleware",  # who and from where, for the audit log
    "django_otp.middleware.OTPMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    # Cache-Control: no-store on every response to a signed-in user (patient data).
    "accounts.middleware.NoStoreMiddleware",
    # Idle and absolute session limits; then the second factor for those who need it.
    "accounts.middleware.SessionTimeoutMiddleware",
    "accounts.middleware.OTPRequiredMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Last, as django-axes asks: turns a locked-out login into the lockout page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "clinic.urls"
# A form sent without a valid CSRF token gets the clinic's translated page, not Django's English one.
CSRF_FAILURE_VIEW = "core.views.csrf_failure"
WSGI_APPLICATION = "clinic.wsgi.application"

# The clinic's pages are Jinja2 templates (templates/, clinic/jinja2.py); Django's own engine
# renders the admin and the form widgets (their templates ship with Django and the apps).
_CONTEXT_PROCESSORS = [
    "django.template.context_processors.request",
    "django.contrib.auth.context_processors.auth",
    "django.contrib.messages.context_processors.messages",
    "django.template.context_processors.i18n",
    "clinic.context_processors.navigation",
]
TEMPLATES = [
    {
        "BACKEND": "django.template.backends.jinja2.Jinja2",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": False,
        "OPTIONS": {
            "environment": "clinic.jinja2.environment",
            "autoescape": True,
            "extensions": ["jinja2.ext.i18n"],
            "keep_trailing_newline": True,
            "context_processors": _CONTEXT_PROCESSORS,
        },
    },
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        # The Django admin's own templates (the apps' template folders); the pages are Jinja2.
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {"context_processors": _CONTEXT_PROCESSORS},
    },
]


# DATABASE_URL unset → the embedded SQLite file. Examples in .env.example:
#   mysql://clinic:secret@127.0.0.1:3306/clinic?charset=utf8mb4
#   postgres://clinic:secret@127.0.0.1:5432/clinic
def _database(config: dict, *, replica: bool = False) -> dict:
    """One DATABASES entry from a parsed URL, with the options every connection needs: the same
    for the primary and its replicas (a replica must speak utf8mb4, strict, over the same TLS)."""
    config["ATOMIC_REQUESTS"] = False
    # Connections close after each request here; production keeps them (production.py). A kept
    # connection is checked before a request reuses it, so a restarted database costs no page.
    config["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=0)
    config["CONN_HEALTH_CHECKS"] = env.bool("CONN_HEALTH_CHECKS", default=True)
    options = config.setdefault("OPTIONS", {})
    if replica and config["ENGINE"] in ("django.db.backends.mysql", "django.db.backends.postgresql"):
        # A dead replica must not stall a page: give up connecting quickly, then read from the
        # primary (core/db_router.py).
        options.setdefault("connect_timeout", env.int("REPLICA_CONNECT_TIMEOUT", default=2))
    if replica and config["ENGINE"] == "django.db.backends.mysql":
        # A replica that hangs (not refusing, just silent) must not hold a page for ever: the read
        # fails after this many seconds and the page is served from the primary.
        options.setdefault("read_timeout", env.int("REPLICA_READ_TIMEOUT", default=30))
    if config["ENGINE"] == "django.db.backends.mysql":
        _mysql_options(options)
        config["TEST"] = {"CHARSET": "utf8mb4", "COLLATION": "utf8mb4_unicode_ci"}
    if replica:
        # Tests read "replica" rows from the test database itself (Django's test mirrors).
        config.setdefault("TEST", {})["MIRROR"] = "default"
    return config


def _mysql_options(options: dict) -> None:
    options.setdefault("charset", "utf8mb4")
    # Strict mode: MariaDB refuses bad data instead of truncating it.
    options.setdefault("init_command", "SET sql_mode='STRICT_TRANS_TABLES'")
    # TLS (README.md, "MariaDB / MySQL"; proven by clinic/tests/test_db_tls.py): mysqlclient
    # takes ssl_mode="REQUIRED" | "VERIFY_CA" | "VERIFY_IDENTITY" (from ?ssl_mode= in the URL) and
    # ssl={"ca": ..., "cert": ..., "key": ...} (the files in DATABASE_SSL_CA, and for a client
    # certificate DATABASE_SSL_CERT with DATABASE_SSL_KEY).
    tls_modes = ("REQUIRED", "VERIFY_CA", "VERIFY_IDENTITY")
    if "ssl" in options:
        # ?ssl=true reaches mysqlclient as a string, which it ignores: no TLS, silently.
        raise ImproperlyConfigured(f"DATABASE_URL: use ?ssl_mode= ({', '.join(tls_modes)}), not ?ssl=")
    ssl = {key: env(f"DATABASE_SSL_{key.upper()}", default="") for key in ("ca", "cert", "key")}
    ssl = {key: path for key, path in ssl.items() if path}
    if ("cert" in ssl) != ("key" in ssl):
        raise ImproperlyConfigured("DATABASE_SSL_CERT and DATABASE_SSL_KEY go together")
    if ssl:
        options["ssl"] = ssl
    if "ca" in ssl:
        # A CA without ssl_mode: verify the server and never fall back to plain text (as the
        # mysql client does with --ssl-ca alone).
        options.setdefault("ssl_mode", "VERIFY_CA")
    if "ssl_mode" in options:
        options["ssl_mode"] = str(options["ssl_mode"]).upper()
        if options["ssl_mode"] not in ("DISABLED", "PREFERRED", *tls_modes):
            raise ImproperlyConfigured(
                f"DATABASE_URL: ssl_mode must be one of {', '.join(tls_modes)}, not {options['ssl_mode']!r}"
            )


# DATABASE_URL unset → the embedded SQLite file. Examples in .env.example:
#   mysql://clinic:secret@127.0.0.1:3306/clinic?charset=utf8mb4
#   postgres://clinic:secret@127.0.0.1:5432/clinic
DATABASES = {
    "default": _database(env.db("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}")),
}

# Read replicas (docs/scaling.md): DATABASE_REPLICA_URLS, comma-separated, become the aliases
# replica_1, replica_2, ...; core.db_router sends reads there and writes to the primary. No
# replicas: the router answers nothing and every query goes to "default", as before.
DATABASE_REPLICAS = []
for _number, _url in enumerate(env.list("DATABASE_REPLICA_URLS", default=[]), start=1):
    DATABASES[f"replica_{_number}"] = _database(environ.Env.db_url_config(_url), replica=True)
    DATABASE_REPLICAS.append(f"replica_{_number}")
DATABASE_ROUTERS = ["core.db_router.PrimaryReplicaRouter"]
# Read-your-writes: after a request that changes something, that browser reads from the primary
# for REPLICA_PIN_SECONDS. A replica is used only while its lag is at most REPLICA_MAX_LAG_SECONDS
# (re-read every REPLICA_CHECK_SECONDS per process). The window must cover the worst lag a
# replica may have while still in use (its limit plus the time until the next check), or a user
# could read older data than they just wrote.
REPLICA_MAX_LAG_SECONDS = env.float("REPLICA_MAX_LAG_SECONDS", default=5)
REPLICA_CHECK_SECONDS = env.float("REPLICA_CHECK_SECONDS", default=2)
REPLICA_PIN_SECONDS = env.float("REPLICA_PIN_SECONDS", default=10)
# A replica that did not answer at all is tried again after this long (each try of a server that
# hangs costs one request the connect timeout).
REPLICA_RETRY_SECONDS = env.float("REPLICA_RETRY_SECONDS", default=15)
if DATABASE_REPLICAS and REPLICA_PIN_SECONDS < REPLICA_MAX_LAG_SECONDS + REPLICA_CHECK_SECONDS:
    raise ImproperlyConfigured(
        "REPLICA_PIN_SECONDS must be at least REPLICA_MAX_LAG_SECONDS + REPLICA_CHECK_SECONDS: "
        "a shorter window lets a user read a replica that has not yet seen their own change."
    )
# Adds X-Clinic-Read-DB (the aliases that served the reads of a request) to every response, for
# the replica lab's tests and for debugging; off in normal use.
REPLICA_TRACE_HEADER = env.bool("REPLICA_TRACE_HEADER", default=False)

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "accounts.User"
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "accounts:login"

AUTHENTICATION_BACKENDS = [
    # django-axes: refuses a locked-out username before any password is checked.
    "axes.backends.AxesStandaloneBackend",
    "accounts.backends.ClinicModelBackend",
]

PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = env("LANGUAGE_CODE", default="id")
LANGUAGES = [("id", _("Indonesian")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
# dd-mm-yyyy and 08.30 in both languages (core/formats/).
FORMAT_MODULE_PATH = ["core.formats"]
TIME_ZONE = "Asia/Jakarta"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = env.path("STATIC_ROOT", default=str(BASE_DIR / "staticfiles"))
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
if DEBUG:
    STORAGES["staticfiles"] = {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}

FIXTURE_DIRS = [BASE_DIR / "fixtures"]

CLINIC_NAME = env("CLINIC_NAME", default="Klinik Sehat Sentosa")
CLINIC_ADDRESS = env("CLINIC_ADDRESS", default="Jl. Merdeka No. 17, Bandung 40111")
# On the receipt (kuitansi): the clinic's phone and tax number (NPWP); empty ones are left out.
CLINIC_PHONE = env("CLINIC_PHONE", default="(022) 420-1717")
CLINIC_NPWP = env("CLINIC_NPWP", default="")
# Where the receipt is signed ("Bandung, 05-12-2026"); default: the address's city, if any.
CLINIC_CITY = env("CLINIC_CITY", default="Bandung")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", default="WARNING")},
}

# Caches: CACHE_URL (or REDIS_URL), e.g. redis://127.0.0.1:6379/0, shared by every process of
# every app server; unset, each process keeps its own in memory (make run, the tests). Production
# needs the shared one: `check --deploy` warns otherwise (accounts/checks.py).
_REDIS_CACHE = "django.core.cache.backends.redis.RedisCache"


def _cache(url: str) -> dict:
    # Django's own Redis backend for redis:// and rediss:// (django-environ would pick
    # django-redis whenever it happens to be installed).
    backend = _REDIS_CACHE if url.startswith(("redis://", "rediss://")) else None
    config = environ.Env.cache_url_config(url, backend=backend)
    # django-environ spells ?key_prefix=, ?timeout= and ?version= in small letters for this
    # backend; Django reads them in capitals.
    for name in ("key_prefix", "timeout", "version"):
        if name in config:
            config[name.upper()] = config.pop(name)
    return config


_CACHE_URL = env("CACHE_URL", default="") or env("REDIS_URL", default="")
CACHES = {
    "default": _cache(_CACHE_URL) if _CACHE_URL else {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
}

# How far ahead an appointment can be booked (scheduling.services): a date years away is a typo.
BOOKING_HORIZON_DAYS = env.int("BOOKING_HORIZON_DAYS", default=365)

# --- Background work ------------------------------------------------------------------------
# Django's tasks framework (the django-tasks backport) with its database backend: a task is a
# row in the clinic's own database, enqueued in the transaction that needs it, and run by
# `manage.py db_worker` (deploy/ runs it as a service). No broker.
TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}

# --- SATUSEHAT (docs/satusehat.md) ------------------------------------------------------------
# off | mock | staging | production. Off by default: `make run` sends nothing anywhere.
SATUSEHAT_ENV = env("SATUSEHAT_ENV", default="off")
# The platform's hosts per SATUSEHAT_ENV (satusehat/conf.py); set these only to override them.
SATUSEHAT_AUTH_URL = env("SATUSEHAT_AUTH_URL", default="")
SATUSEHAT_BASE_URL = env("SATUSEHAT_BASE_URL", default="")
SATUSEHAT_CLIENT_ID = env("SATUSEHAT_CLIENT_ID", default="")
SATUSEHAT_CLIENT_SECRET = env("SATUSEHAT_CLIENT_SECRET", default="")  # only from the environment
SATUSEHAT_ORGANIZATION_ID = env("SATUSEHAT_ORGANIZATION_ID", default="")
SATUSEHAT_TIMEOUT = env.float("SATUSEHAT_TIMEOUT", default=20.0)  # seconds per HTTP request
SATUSEHAT_MAX_ATTEMPTS = env.int("SATUSEHAT_MAX_ATTEMPTS", default=8)  # then failed, retried by hand
SATUSEHAT_RETRY_BASE_SECONDS = env.float("SATUSEHAT_RETRY_BASE_SECONDS", default=30.0)  # doubled each time
# How long a worker holds a visit it is sending; after that (a killed worker) another may resend.
SATUSEHAT_CLAIM_SECONDS = env.float("SATUSEHAT_CLAIM_SECONDS", default=300.0)

# --- Logins, sessions, headers (README.md, "Security") --------------------------------------
# Brute force (django-axes): lock the USERNAME after AXES_FAILURE_LIMIT failures, for
# AXES_COOLOFF_MINUTES; never the address, which every computer of a clinic shares.
AXES_LOCKOUT_PARAMETERS = ["username"]
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = timedelta(minutes=env.int("AXES_COOLOFF_MINUTES", default=15))
AXES_RESET_ON_SUCCESS = True
# axes.W006 asks for 'ip_address' among the lockout parameters. Deliberately not: every computer
# of a clinic reaches the server from one address, and locking it would lock the whole staff out
# after one person's typos. The failures of a username are counted whatever the address, browser
# or cookies of the attempts, so rotating those does not get round the username lock.
SILENCED_SYSTEM_CHECKS = ["axes.W006"]
# A try during the lockout does not restart it: the user can count on the cool-off.
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
AXES_LOCKOUT_CALLABLE = "accounts.views.lockout"  # the 429 page, templates/accounts/lockout.html
# Unlock before the cool-off ends: `manage.py axes_reset_username USERNAME`. The Django admin
# holds the clinic's own models only (clinic/tests/test_admin.py).
AXES_ENABLE_ADMIN = False

# Second factor (django-otp, TOTP): optional for everyone; required for the Admin role when on
# (production turns it on).
OTP_REQUIRED_FOR_ADMIN = env.bool("OTP_REQUIRED_FOR_ADMIN", default=False)
OTP_TOTP_ISSUER = CLINIC_NAME

# Sessions: signed out after SESSION_IDLE_TIMEOUT_MINUTES without activity (the board's
# 30-second refresh does not count) and SESSION_ABSOLUTE_HOURS after logging in, whatever
# happens (accounts.middleware.SessionTimeoutMiddleware). The cookie lives no longer.
# Sessions live in the database and are read through the cache (CACHES): one cache lookup per
# request. Ending a session deletes both copies (accounts.middleware.end_sessions_of). core.sessions
# is Django's cached_db that keeps going in the cache while the database refuses writes.
SESSION_ENGINE = "core.sessions"
# /healthz writes nothing but tries a write that changes no row on these tables: a read-only
# database or a missing privilege makes it answer 503 "degraded" (core.views.healthz). The audit
# log first: no page shows patient data without writing its row.
HEALTHZ_WRITE_TABLES = ["audit_log", "django_session"]
SESSION_IDLE_TIMEOUT_MINUTES = env.int("SESSION_IDLE_TIMEOUT_MINUTES", default=15)
SESSION_ABSOLUTE_HOURS = env.int("SESSION_ABSOLUTE_HOURS", default=12)
SESSION_COOKIE_AGE = SESSION_ABSOLUTE_HOURS * 3600
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"

# Headers on every response (production adds HSTS and the Secure cookie flags).
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
# Content-Security-Policy (django-csp): scripts and styles from our own static files only, no
# inline script or style anywhere (behaviour lives in static/js/clinic.js).
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "frame-ancestors": ["'none'"],
        "form-action": ["'self'"],
        "base-uri": ["'none'"],
        "object-src": ["'none'"],
    },
}

# --- Encryption at rest (core/crypto.py; README.md, "Security") ---------------------------
# Patients' NIK, phone numbers and email are stored encrypted (AES-256-GCM) under
# FIELD_ENCRYPTION_KEYS ("<id>:<base64 key>,<older id>:<base64 key>": the first encrypts, all
# decrypt) and searched through HMACs under BLIND_INDEX_KEY. Neither may be SECRET_KEY. No keys,
# no start (ImproperlyConfigured) — except for `manage.py generate_encryption_keys`, which makes
# them. `make run` writes development keys to .env; the test settings have their own.
FIELD_ENCRYPTION_KEYS = env("FIELD_ENCRYPTION_KEYS", default="")
BLIND_INDEX_KEY = env("BLIND_INDEX_KEY", default="")
from core.crypto import check_keys, generating_keys  # noqa: E402  (after SECRET_KEY and the keys)

if not generating_keys():
    check_keys(FIELD_ENCRYPTION_KEYS, BLIND_INDEX_KEY, SECRET_KEY)
# The audit log's signing key (HMAC of every row and checkpoint, audit/services.py): required
# like the keys above (production refuses to start without it); never SECRET_KEY.
AUDIT_KEY = env("AUDIT_KEY", default="")

# The audit log: how many reverse proxies to trust for X-Forwarded-For (0: REMOTE_ADDR only),
# and how long a doctor's emergency access to a patient outside their care lasts.
AUDIT_TRUSTED_PROXIES = env.int("AUDIT_TRUSTED_PROXIES", default=0)
EMERGENCY_ACCESS_MINUTES = env.int("EMERGENCY_ACCESS_MINUTES", default=60)
# Seal the audit hash chain in a thread of each process after the commit (True), or inside the
# request right after it (False, the test settings: deterministic). audit/services.py explains.
AUDIT_SEAL_IN_BACKGROUND = env.bool("AUDIT_SEAL_IN_BACKGROUND", default=True)
