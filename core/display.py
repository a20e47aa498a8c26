"""How values are written on the clinic's pages: money, clock times, dates.

Pure formatting functions (no app imported); the Jinja2 environment (clinic/jinja2.py) offers
them to templates as filters."""

import datetime
from decimal import Decimal, InvalidOperation

from django.utils import formats, timezone
from django.utils.text import capfirst as _capfirst
from django.utils.translation import get_language, ngettext
from num2words import num2words


def rupiah(value) -> str:
    """150000 → "Rp 150.000": whole rupiah with dots, in every language (Indonesian style)."""
    if value is None or value == "":
        return ""
    try:
        amount = Decimal(value).quantize(Decimal("1"))
    except (InvalidOperation, TypeError, ValueError):
        return ""
    sign = "-" if amount < 0 else ""
    return f"{sign}Rp {abs(amount):,.0f}".replace(",", ".")


def _local(value, zone=None):
    """An aware datetime in `zone`, by default the current (the clinic's) time zone; anything
    else unchanged."""
    if isinstance(value, datetime.datetime) and value.utcoffset() is not None:
        return timezone.localtime(value) if zone is None else value.astimezone(zone)
    return value


def clock(value, zone=None) -> str:
    """An aware datetime (or a time) → "08.30" in the clinic's time zone. A long list passes the
    zone, looked up once (`{% set zone = current_timezone() %}`), instead of once per row."""
    if not value:
        return ""
    value = _local(value, zone)
    return f"{value.hour:02d}.{value.minute:02d}"


def local_minute(value, zone=None) -> str:
    """An aware datetime → "2026-03-07T08:30" in the clinic's time zone (a booking link's start);
    `zone` as for `clock`."""
    if not value:
        return ""
    value = _local(value, zone)
    return f"{value.year:04d}-{value.month:02d}-{value.day:02d}T{value.hour:02d}:{value.minute:02d}"


def date(value, format_string: str | None = None) -> str:
    """Django's `date` filter: a date or datetime (aware ones in the clinic's time zone) written
    with a format string or a named format of the project's format modules."""
    if value in (None, ""):
        return ""
    value = _local(value)
    if format_string == "d-m-Y" and isinstance(value, datetime.date):
        # The clinic's date, in every list row: written directly, as Django's "d-m-Y" writes it,
        # instead of parsing the format string again for each row.
        return f"{value.day:02d}-{value.month:02d}-{value.year:04d}"
    try:
        return formats.date_format(value, format_string)
    except AttributeError:
        return ""


def time(value, format_string: str | None = None) -> str:
    """Django's `time` filter, aware datetimes in the clinic's time zone."""
    if value in (None, ""):
        return ""
    try:
        return formats.time_format(_local(value), format_string)
    except (AttributeError, TypeError):
        return ""


def measurement(value) -> str:
    """13.500 → "13,5": a measured value without trailing zeros (never "1E+2"), with the decimal
    mark of the active formats."""
    if value is None or value == "":
        return ""
    try:
        number = Decimal(value)
    except (InvalidOperation, TypeError, ValueError):
        return ""
    number = number.quantize(Decimal(1)) if number == number.to_integral_value() else number.normalize()
    return formats.number_format(number)


def capfirst(value) -> str:
    """The first letter upper case, the rest unchanged (Django's `capfirst`)."""
    return _capfirst(value) if value not in (None, "") else ""


def age(date_of_birth, day=None) -> str:
    """A patient's age on `day` (default today, clinic time): "57 tahun" in years, and in months
    under 2 years ("18 bulan"), as a small child's age is written."""
    if not isinstance(date_of_birth, datetime.date):
        return ""
    day = day or timezone.localdate()
    months = (day.year - date_of_birth.year) * 12 + day.month - date_of_birth.month - (day.day < date_of_birth.day)
    if months < 0:
        return ""
    if months < 24:
        return ngettext("%(months)s mo", "%(months)s mos", months) % {"months": months}
    years = months // 12
    return ngettext("%(years)s yr", "%(years)s yrs", years) % {"years": years}


def phone(value) -> str:
    """ "+6281231090355" → "+62 812-3109-0355": an Indonesian number (as stored, normalised) in
    the groups people read it in; anything else unchanged."""
    if not value:
        return ""
    text = str(value)
    if not (text.startswith("+62") and text[1:].isdigit() and len(text) >= 10):
        return text
    rest = text[3:]
    groups = [rest[:3]] + [rest[i : i + 4] for i in range(3, len(rest), 4)]
    if len(groups) > 2 and len(groups[-1]) == 1:  # no lone digit at the end: 812-3456-78901
        groups[-2:] = [groups[-2] + groups[-1]]
    return "+62 " + "-".join(groups)


def terbilang(value) -> str:
    """An amount in words, as a receipt writes it: 105000 → "Seratus lima ribu rupiah" (in
    English when the page is: "One hundred and five thousand rupiah"). Whole rupiah."""
    if value is None or value == "":
        return ""
    try:
        amount = int(Decimal(value).quantize(Decimal("1")))
    except (InvalidOperation, TypeError, ValueError):
        return ""
    lang = "en" if (get_language() or "id").startswith("en") else "id"
    words = num2words(amount, lang=lang) if amount else ("nol" if lang == "id" else "zero")
    return _capfirst(f"{words} rupiah")
