"""reverse() once per URL name in a process, for the URLs every page or every row writes.

Resolving a URL name walks the URL patterns; the navigation's ten links on every page and the
links of each row of a long list add up (docs/performance.md). The cache is keyed by the URL conf and
the script prefix in force, and emptied whenever a setting changes (tests)."""

from django.core.signals import setting_changed
from django.dispatch import receiver
from django.urls import get_script_prefix, get_urlconf, reverse

_STAND_IN = 9_081_726_354
_cache: dict[tuple, str] = {}


@receiver(setting_changed)
def _forget(**kwargs) -> None:
    _cache.clear()


def cached_reverse(name: str) -> str:
    """reverse(name) for a URL that takes no arguments."""
    key = (name, None, get_urlconf(), get_script_prefix())
    url = _cache.get(key)
    if url is None:
        url = _cache[key] = reverse(name)
    return url


def pk_url_parts(name: str) -> tuple[str, str]:
    """(before, after): the URL of the view `name` for id N is before + N + after. For a loop
    that writes one URL per row: the lookup of the URL conf and prefix in force once, not per row."""
    key = (name, _STAND_IN, get_urlconf(), get_script_prefix())
    parts = _cache.get(key)
    if parts is None:
        before, _, after = reverse(name, args=[_STAND_IN]).partition(str(_STAND_IN))
        parts = _cache[key] = (before, after)
    return parts
