"""Dates read dd-mm-yyyy and times 24-hour HH.MM, whatever the browser (issue 17): text inputs
with the clinic's format, and the ways a receptionist types a date quickly."""

import datetime

import pytest
from django import forms

from core.forms import ClinicDateField, ClinicDateInput, ClinicDateTimeInput, ClinicTimeField


class DateForm(forms.Form):
    day = ClinicDateField()
    at = ClinicTimeField()


@pytest.mark.parametrize("typed", ["27071967", "27-07-1967", "27/07/1967", "27.07.1967", " 27-07-1967 ", "1967-07-27"])
def test_a_date_is_read_however_it_is_typed(typed):
    form = DateForm({"day": typed, "at": "13.30"})
    assert form.is_valid(), form.errors
    assert form.cleaned_data["day"] == datetime.date(1967, 7, 27)


@pytest.mark.parametrize("typed", ["07/27/1967", "31-02-2026", "2707196", "27-07-67", "kemarin", "01-01-1899"])
def test_a_wrong_date_is_refused_with_the_fields_message(typed):
    form = DateForm({"day": typed, "at": "13.30"})
    assert not form.is_valid()
    assert "day" in form.errors


@pytest.mark.parametrize(("typed", "expected"), [("13.30", (13, 30)), ("13:30", (13, 30)), ("1330", (13, 30))])
def test_a_time_is_24_hour(typed, expected):
    form = DateForm({"day": "01-12-2026", "at": typed})
    assert form.is_valid(), form.errors
    assert form.cleaned_data["at"] == datetime.time(*expected)


@pytest.mark.parametrize("typed", ["1.30 PM", "25.00", "13.61"])
def test_a_twelve_hour_or_impossible_time_is_refused(typed):
    assert "at" in DateForm({"day": "01-12-2026", "at": typed}).errors


def test_the_inputs_are_text_showing_the_clinics_format():
    html = str(DateForm(initial={"day": datetime.date(1967, 7, 27), "at": datetime.time(13, 5)}))
    assert 'type="text" name="day" value="27-07-1967"' in html and 'placeholder="dd-mm-yyyy"' in html
    assert 'name="at" value="13.05"' in html and 'placeholder="HH.MM"' in html
    assert 'type="date"' not in html and 'type="time"' not in html
    assert ClinicDateInput().format_value(datetime.date(2026, 12, 5)) == "05-12-2026"
    assert ClinicDateTimeInput().format_value(datetime.datetime(2026, 12, 5, 13, 30)) == "05-12-2026 13.30"
