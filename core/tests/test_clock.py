"""The clinic clock (core/clock.py): days are Asia/Jakarta's, slots are 15 minutes."""

import datetime
from zoneinfo import ZoneInfo

import pytest

from core import clock

JAKARTA = ZoneInfo("Asia/Jakarta")
MONDAY = datetime.date(2026, 12, 7)


def at(hour, minute=0, second=0, day=MONDAY):
    return datetime.datetime.combine(day, datetime.time(hour, minute, second), tzinfo=JAKARTA)


def test_it_uses_the_settings_time_zone():
    assert clock.clinic_timezone() == JAKARTA


def test_it_rounds_a_moment_down_to_its_slot():
    assert clock.slot_floor(at(10, 14)) == at(10)
    assert clock.slot_floor(at(10, 15)) == at(10, 15)
    assert clock.slot_floor(at(10, 59, 59)) == at(10, 45)


def test_it_rounds_a_utc_moment_in_clinic_time():
    utc = datetime.datetime(2026, 12, 6, 23, 50, tzinfo=datetime.UTC)  # 06.50 on Monday in Jakarta
    floor = clock.slot_floor(utc)
    assert floor == at(6, 45)
    assert floor.tzinfo == JAKARTA


def test_it_counts_a_late_utc_moment_on_the_next_clinic_day():
    assert clock.local_day(datetime.datetime(2026, 12, 6, 17, 30, tzinfo=datetime.UTC)) == MONDAY
    assert clock.local_day(datetime.datetime(2026, 12, 6, 16, 59, tzinfo=datetime.UTC)) == MONDAY - datetime.timedelta(
        days=1
    )


def test_it_bounds_a_day_from_clinic_midnight_to_the_next():
    start, end = clock.day_bounds(MONDAY)
    assert start == at(0) and end == at(0, day=MONDAY + datetime.timedelta(days=1))
    assert start.utcoffset() == datetime.timedelta(hours=7)


def test_it_bounds_a_range_of_days_including_its_last():
    start, end = clock.range_bounds(MONDAY, MONDAY + datetime.timedelta(days=6))
    assert (start, end) == (at(0), at(0, day=MONDAY + datetime.timedelta(days=7)))
    assert clock.range_bounds(MONDAY, MONDAY) == clock.day_bounds(MONDAY)


@pytest.mark.parametrize(("minutes", "slots"), [(0, 1), (1, 1), (15, 1), (16, 2), (30, 2), (45, 3)])
def test_it_rounds_a_length_up_to_whole_slots(minutes, slots):
    assert clock.whole_slots(minutes) == slots * clock.SLOT


@pytest.mark.parametrize(
    ("time", "expected"),
    [
        (datetime.time(8), True),
        (datetime.time(8, 45), True),
        (datetime.time(8, 10), False),
        (datetime.time(8, 15, 1), False),
        (datetime.time(8, 15, 0, 1), False),
    ],
)
def test_it_knows_a_slot_boundary(time, expected):
    assert clock.on_slot_boundary(time) is expected
