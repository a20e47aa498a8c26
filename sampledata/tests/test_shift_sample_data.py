import datetime as dt
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.management import call_command
from django.utils import timezone

from billing.models import BilledServiceDaily, OutstandingDaily, Payment, RevenueDaily
from patients.models import Patient, RegistrationDaily, WorkingHours
from sampledata.fixtures import DEFAULT_TODAY
from sampledata.summaries import rebuild_summaries
from scheduling.models import Appointment
from scheduling.selectors import appointment_overlapping, working_hours_cover

pytestmark = pytest.mark.django_db(transaction=False)


@pytest.mark.parametrize("days", [1, 2, 45, -3])
def test_it_moves_the_sample_day_to_the_given_day_and_keeps_it_consistent(days):
    call_command("loaddata", "users", "patients", "scheduling", "records", "billing", verbosity=0)
    before = {a.pk: a.appointment_date for a in Appointment.objects.all()}
    births = dict(Patient.objects.values_list("pk", "date_of_birth"))
    # A day or two moves bookings onto slots not moved yet: the unique slot key must not trip.
    target = DEFAULT_TODAY + dt.timedelta(days=days)

    call_command("shift_sample_data", to=target, verbosity=0)

    for appointment in Appointment.objects.select_related("doctor"):
        assert appointment.appointment_date - before[appointment.pk] == dt.timedelta(days=days)
        if appointment.holds_slot:
            # Still inside the (moved) working hours, and still alone in its slot.
            assert working_hours_cover(
                doctor=appointment.doctor, start=appointment.appointment_date, end=appointment.end_time
            ), appointment.pk
            assert not appointment_overlapping(
                doctor=appointment.doctor,
                start=appointment.appointment_date,
                end=appointment.end_time,
                exclude_pk=appointment.pk,
            ).exists()
    assert dict(Patient.objects.values_list("pk", "date_of_birth")) == births
    todays = Appointment.objects.filter(appointment_date__date=target)
    assert todays.exists()
    assert WorkingHours.objects.count() == 41


def summary_rows() -> dict:
    return {
        model.__name__: sorted(
            model.objects.values_list(*[f.attname for f in model._meta.concrete_fields if f.attname != "id"])
        )
        for model in (RevenueDaily, BilledServiceDaily, OutstandingDaily, RegistrationDaily)
    }


def test_it_moves_the_dashboards_summaries_with_the_rows():
    """loaddata and the shift's UPDATEs bypass the services that keep the summaries, so without
    a rebuild the dashboard would show the sample's revenue on its old days (or none)."""
    call_command("loaddata", "users", "patients", "scheduling", "records", "billing", verbosity=0)
    rebuild_summaries()
    payment_days = {timezone.localdate(moment) for moment in Payment.objects.values_list("paid_at", flat=True)}
    assert payment_days == set(RevenueDaily.objects.values_list("day", flat=True))

    call_command("shift_sample_data", to=DEFAULT_TODAY + dt.timedelta(days=30), verbosity=0)

    moved = {day + dt.timedelta(days=30) for day in payment_days}
    assert set(RevenueDaily.objects.values_list("day", flat=True)) == moved
    shifted = summary_rows()
    rebuild_summaries()
    assert summary_rows() == shifted  # what a rebuild from the moved rows gives
    assert all(shifted.values())


def test_it_refuses_a_date_that_is_not_one():
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="YYYY-MM-DD"):
        call_command("shift_sample_data", "--to", "kemarin")


JAKARTA = ZoneInfo("Asia/Jakarta")


def todays_visits_against_the_clock(now: dt.datetime) -> tuple[list, list]:
    """Today's visits that contradict the clock: (done or arrived after now, scheduled but over)."""
    day = timezone.localdate(now)
    todays = list(Appointment.objects.filter(appointment_date__date=day))
    assert todays, "the board would be empty"
    early = [
        a.pk
        for a in todays
        if any(moment is not None and moment > now for moment in (a.arrived_at, a.started_at, a.completed_at))
        or (a.status == Appointment.Status.COMPLETED and a.end_time > now and a.completed_at is None)
    ]
    stale = [a.pk for a in todays if a.status == Appointment.Status.SCHEDULED and a.end_time <= now]
    return early, stale


@pytest.mark.parametrize(
    "clock", [(6, 0), (9, 0), (10, 30), (14, 0), (22, 0)], ids=["06.00", "09.00", "10.30", "14.00", "22.00"]
)
def test_make_runs_shift_leaves_the_past_done_and_the_future_scheduled(clock):
    """At 06.00 the board showed visits completed at 08.00 and arrivals at 09.54 (the data is a
    10.30 snapshot moved by whole days): now nothing of today lies after the clock, and nothing
    still scheduled lies before it."""
    call_command("loaddata", "users", "patients", "scheduling", "records", "billing", verbosity=0)
    now = dt.datetime.combine(dt.date(2026, 12, 7), dt.time(*clock), tzinfo=JAKARTA)
    with time_machine.travel(now, tick=False):
        call_command("shift_sample_data", verbosity=0)
        early, stale = todays_visits_against_the_clock(now)
    assert early == []
    assert stale == []
    # Nothing anywhere waits from an earlier day, or is still booked for a time gone by.
    assert not Appointment.objects.filter(status=Appointment.Status.SCHEDULED, end_time__lte=now).exists()
    assert not Appointment.objects.filter(
        status=Appointment.Status.CHECKED_IN, appointment_date__date__lt=now.date()
    ).exists()
    # Every date and time of a visit moved with it: no consultation started before its booking.
    for a in Appointment.objects.exclude(started_at=None):
        assert a.started_at >= a.created_at, a.pk
    # Still consistent: the daily summaries are what a rebuild gives.
    shifted = summary_rows()
    rebuild_summaries()
    assert summary_rows() == shifted


def test_before_the_snapshots_time_the_data_is_centred_on_yesterday():
    from sampledata.management.commands.shift_sample_data import data_today_for

    assert data_today_for(dt.datetime(2026, 12, 7, 6, 0, tzinfo=JAKARTA)) == dt.date(2026, 12, 6)
    assert data_today_for(dt.datetime(2026, 12, 7, 10, 30, tzinfo=JAKARTA)) == dt.date(2026, 12, 7)
