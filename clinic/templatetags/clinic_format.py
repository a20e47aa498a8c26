from html import escape

from django import template
from django.utils import timezone
from django.utils.html import format_html

from clinic.urlcache import pk_reverse
from core.display import rupiah

register = template.Library()


# Money is written by core.display.rupiah, the Jinja2 pages' filter too.
register.filter("rupiah", rupiah)


@register.filter
def clock(value) -> str:
    """An aware datetime → "08.30" in the clinic's time zone; what `|time:"H.i"` gives, without
    parsing the format string for every row of a long list."""
    return clock_in(value, timezone.get_current_timezone())


def clock_in(value, zone) -> str:
    """`clock` in the time zone `zone` (a loop asks for the current zone once)."""
    if not value:
        return ""
    if value.utcoffset() is not None:
        value = value.astimezone(zone)
    return f"{value.hour:02d}.{value.minute:02d}"



def csrf_input(context) -> str:
    """What {% csrf_token %} writes, for tags that write forms in Python: the hidden input with
    the masked token, or nothing without one."""
    token = context.get("csrf_token")
    if not token or token == "NOTPROVIDED":
        return ""
    return f'<input type="hidden" name="csrfmiddlewaretoken" value="{escape(str(token))}">'


@register.filter
def status_badge(appointment) -> str:
    """The coloured status label of an appointment (the board, a doctor's day, lists)."""
    return format_html('<span class="badge status-{}">{}</span>', appointment.status,
                       appointment.get_status_display())


# {% url 'scheduling:detail' appointment.pk %} resolves the pattern again for every row (about
# 25 µs each, a few milliseconds on the board); `{{ appointment.pk|pk_url:"scheduling:detail" }}`
# reverses once per URL name (clinic.urlcache) and puts each row's id in its place.
@register.filter
def pk_url(pk, name: str) -> str:
    """The URL of the view `name` that takes one integer id, for the object with id `pk`."""
    return pk_reverse(name, pk)


@register.filter
def local_minute(value) -> str:
    """An aware datetime → "2026-03-07T08:30" in the clinic's time zone (a booking link's start)."""
    return local_minute_in(value, timezone.get_current_timezone())


def local_minute_in(value, zone) -> str:
    if not value:
        return ""
    if value.utcoffset() is not None:
        value = value.astimezone(zone)
    return f"{value.year:04d}-{value.month:02d}-{value.day:02d}T{value.hour:02d}:{value.minute:02d}"
