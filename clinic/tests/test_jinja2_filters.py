"""The Jinja2 environment's shortcuts for long lists give what Django's own filters and reverse()
give: `clock` and `local_minute` (a time and a booking link's start in the clinic's time zone) and
`url_parts` (a row's link from the URL reversed once per page)."""

import datetime
import zoneinfo
from decimal import Decimal

import pytest
from django.template import Context, Template, engines
from django.urls import get_script_prefix, include, path, reverse, set_script_prefix, set_urlconf
from django.utils import timezone, translation

JAKARTA = zoneinfo.ZoneInfo("Asia/Jakarta")
UTC = datetime.UTC


def django(source: str, **context) -> str:
    return Template(source).render(Context(context))


def jinja(source: str, **context) -> str:
    return engines["jinja2"].from_string(source).render(context)


# --- clock and local_minute ------------------------------------------------------------------

AWARE = [
    datetime.datetime(2026, 3, 7, 8, 30, tzinfo=JAKARTA),
    datetime.datetime(2026, 3, 6, 16, 59, 59, tzinfo=UTC),  # 23.59 in Jakarta
    datetime.datetime(2026, 3, 6, 17, 0, tzinfo=UTC),  # Jakarta midnight: the next day
    datetime.datetime(2026, 12, 31, 17, 0, tzinfo=UTC),  # the new year in Jakarta only
    datetime.datetime(2026, 3, 7, 1, 5, 30, 999_999, tzinfo=UTC),
    datetime.datetime(2026, 3, 7, 8, 30, tzinfo=zoneinfo.ZoneInfo("America/New_York")),
    datetime.datetime(2026, 3, 7, 0, 0, tzinfo=JAKARTA),
]
NAIVE = datetime.datetime(2026, 3, 7, 8, 30)


@pytest.mark.parametrize("value", AWARE + [NAIVE], ids=str)
def test_clock_gives_what_the_time_filter_gives(value):
    assert jinja("{{ value|clock }}", value=value) == django('{{ value|time:"H.i" }}', value=value)


@pytest.mark.parametrize("value", AWARE + [NAIVE], ids=str)
def test_local_minute_gives_what_the_date_filter_gives(value):
    assert jinja("{{ value|local_minute }}", value=value) == django("{{ value|date:'Y-m-d\\TH:i' }}", value=value)


def test_clock_and_local_minute_show_jakarta_time_around_its_midnight():
    before, at_midnight = (
        datetime.datetime(2026, 3, 6, 16, 59, tzinfo=UTC),
        datetime.datetime(2026, 3, 6, 17, tzinfo=UTC),
    )
    assert jinja("{{ v|clock }} {{ v|local_minute }}", v=before) == "23.59 2026-03-06T23:59"
    assert jinja("{{ v|clock }} {{ v|local_minute }}", v=at_midnight) == "00.00 2026-03-07T00:00"


def test_clock_and_local_minute_follow_the_active_time_zone_as_the_filters_do():
    value = datetime.datetime(2026, 3, 6, 17, 0, tzinfo=UTC)
    with timezone.override("UTC"):
        assert jinja("{{ v|clock }}", v=value) == django('{{ v|time:"H.i" }}', v=value) == "17.00"
        assert jinja("{{ v|local_minute }}", v=value) == django("{{ v|date:'Y-m-d\\TH:i' }}", v=value)


@pytest.mark.parametrize("empty", [None, ""])
def test_clock_and_local_minute_give_nothing_for_no_value(empty):
    assert jinja("{{ v|clock }}{{ v|local_minute }}", v=empty) == ""


# --- measurement -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (Decimal("13.500"), "13,5"),
        (Decimal("100"), "100"),
        (Decimal("1E+2"), "100"),
        (Decimal("36.0"), "36"),
        ("0.25", "0,25"),
        (None, ""),
        ("", ""),
        ("x", ""),
    ],
)
@pytest.mark.parametrize("language", ["id", "en"])
def test_measurement_drops_trailing_zeros_and_writes_the_clinics_decimal_comma(value, expected, language):
    with translation.override(language):  # English pages write numbers the clinic's way too (clinic/formats)
        assert jinja("{{ v|measurement }}", v=value) == expected


# --- url_parts -------------------------------------------------------------------------------

PK_URL_NAMES = [
    "scheduling:detail",
    "scheduling:check_in",
    "scheduling:no_show",
    "scheduling:cancel",
    "records:visit",
    "records:start",
    "patients:detail",
    "billing:detail",
]
ROW_LINK = "{% set before, after = url_parts(name) %}{{ before }}{{ pk }}{{ after }}"


def row_link(name: str, pk) -> str:
    return jinja(ROW_LINK, name=name, pk=pk)


@pytest.mark.parametrize("name", PK_URL_NAMES)
@pytest.mark.parametrize("pk", [1, 7, 42, 1234567, "35"])
def test_url_parts_give_what_reverse_gives(name, pk):
    assert row_link(name, pk) == reverse(name, args=[pk])
    assert row_link(name, pk) == row_link(name, pk)  # from the cache the second time


def test_url_parts_follow_the_script_prefix():
    before = row_link("scheduling:detail", 5)  # cached for the prefix in force
    previous = get_script_prefix()
    try:
        set_script_prefix("/klinik/")
        for name in PK_URL_NAMES:
            prefixed = row_link(name, 5)
            assert prefixed == reverse(name, args=[5])
            assert prefixed.startswith("/klinik/")
    finally:
        set_script_prefix(previous)
    assert row_link("scheduling:detail", 5) == before == reverse("scheduling:detail", args=[5])
    assert not before.startswith("/klinik/")


# A URL conf of its own for the tests below: the appointments under another path.
urlpatterns = [path("lain/janji/", include("scheduling.urls"))]


def test_url_parts_follow_a_changed_root_urlconf(settings):
    assert row_link("scheduling:detail", 5) == reverse("scheduling:detail", args=[5])  # now cached
    settings.ROOT_URLCONF = __name__  # setting_changed: the cached URLs are forgotten
    assert row_link("scheduling:detail", 5) == reverse("scheduling:detail", args=[5]) == "/lain/janji/5/"


def test_url_parts_follow_the_urlconf_of_the_request():
    before = row_link("scheduling:detail", 5)
    try:
        set_urlconf(__name__)  # what a middleware setting request.urlconf does
        assert row_link("scheduling:detail", 5) == reverse("scheduling:detail", args=[5]) == "/lain/janji/5/"
    finally:
        set_urlconf(None)
    assert row_link("scheduling:detail", 5) == before
