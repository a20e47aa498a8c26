"""The formatting functions of the pages (core/display.py)."""

import datetime
import zoneinfo
from decimal import Decimal

import pytest

from core import display

UTC = datetime.UTC


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (150000, "Rp 150.000"),
        (Decimal("1234567.89"), "Rp 1.234.568"),
        (Decimal("-2500"), "-Rp 2.500"),
        (0, "Rp 0"),
        (None, ""),
        ("", ""),
        ("abc", ""),
    ],
)
def test_rupiah_writes_whole_rupiah_with_dots(value, expected):
    assert display.rupiah(value) == expected


def test_clock_and_local_minute_write_the_clinics_time():
    moment = datetime.datetime(2026, 3, 6, 17, 5, tzinfo=UTC)  # 00.05 on the 7th in Jakarta
    assert display.clock(moment) == "00.05"
    assert display.local_minute(moment) == "2026-03-07T00:05"
    assert display.clock(datetime.time(8, 30)) == "08.30"
    assert display.clock(None) == display.local_minute(None) == ""


def test_date_and_time_format_like_djangos_filters_in_the_clinics_time_zone():
    moment = datetime.datetime(2026, 3, 6, 17, 5, 9, tzinfo=UTC)
    assert display.date(moment, "d-m-Y") == "07-03-2026"
    assert display.date(moment) == "07-03-2026"  # DATE_FORMAT of the project's format modules
    assert display.time(moment, "H.i.s") == "00.05.09"
    assert display.date(datetime.date(199, 1, 2), "d-m-Y") == "02-01-0199"
    assert display.date(None, "d-m-Y") == display.time("", "H.i") == ""


def test_date_follows_the_active_time_zone(settings):
    from django.utils import timezone

    moment = datetime.datetime(2026, 3, 6, 17, 5, tzinfo=UTC)
    with timezone.override(zoneinfo.ZoneInfo("UTC")):
        assert display.date(moment, "d-m-Y H.i") == "06-03-2026 17.05"


def test_capfirst_leaves_the_rest_as_it_is():
    assert display.capfirst("nomor RM") == "Nomor RM"
    assert display.capfirst(None) == display.capfirst("") == ""


@pytest.mark.parametrize(
    ("born", "expected"),
    [
        (datetime.date(1967, 7, 27), "59 yrs"),
        (datetime.date(1967, 12, 6), "58 yrs"),  # the birthday is tomorrow
        (datetime.date(2024, 12, 5), "2 yrs"),
        (datetime.date(2024, 12, 6), "23 mos"),  # under 2: in months
        (datetime.date(2026, 11, 5), "1 mo"),
        (datetime.date(2026, 12, 1), "0 mos"),
        (datetime.date(2027, 1, 1), ""),  # not born yet: nothing rather than a negative age
        (None, ""),
    ],
)
def test_age_is_in_years_and_in_months_under_two(born, expected):
    from django.utils import translation

    with translation.override("en"):
        assert display.age(born, datetime.date(2026, 12, 5)) == expected


def test_age_speaks_indonesian():
    from django.utils import translation

    with translation.override("id"):
        assert display.age(datetime.date(1967, 7, 27), datetime.date(2026, 12, 5)) == "59 tahun"
        assert display.age(datetime.date(2025, 6, 5), datetime.date(2026, 12, 5)) == "18 bulan"


@pytest.mark.parametrize(
    ("stored", "expected"),
    [
        ("+6281231090355", "+62 812-3109-0355"),
        ("+628123456789", "+62 812-3456-789"),
        ("+62812345678901", "+62 812-3456-78901"),
        ("+62221234567", "+62 221-2345-67"),
        ("+15551234", "+15551234"),
        ("nomor saya", "nomor saya"),
        ("", ""),
        (None, ""),
    ],
)
def test_phone_is_written_in_groups(stored, expected):
    assert display.phone(stored) == expected
