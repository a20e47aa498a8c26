import datetime as dt

import pytest
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
