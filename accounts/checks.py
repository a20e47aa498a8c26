"""System checks of the session set-up."""

from django.conf import settings
from django.core.cache import caches
from django.core.cache.backends.locmem import LocMemCache
from django.core.checks import Tags, Warning, register

CACHED_SESSION_ENGINES = (
    "django.contrib.sessions.backends.cached_db",
    "django.contrib.sessions.backends.cache",
    "core.sessions",  # cached_db that survives a database refusing writes
)


@register(Tags.caches, deploy=True)
def shared_session_cache_check(app_configs, **kwargs):
    """Sessions read through a per-process cache outlive a logout: the process that handled the
    logout forgets the session, the others still hold their copy. `check --deploy` says so."""
    if settings.SESSION_ENGINE not in CACHED_SESSION_ENGINES:
        return []
    cache = caches[settings.SESSION_CACHE_ALIAS]
    if not isinstance(cache, LocMemCache):
        return []
    return [
        Warning(
            "Sessions are cached in each process's own memory: a logout or a deactivated account "
            "leaves the session alive in the other processes.",
            hint="Set REDIS_URL (or CACHE_URL) to a cache every app process shares, e.g. redis://127.0.0.1:6379/0.",
            id="accounts.W001",
        )
    ]
