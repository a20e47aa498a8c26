import datetime

import pytest
from django.utils import timezone

from patients.tests.factories import DoctorFactory, PatientFactory, WorkingHoursFactory
from scheduling import selectors
from scheduling.models import Appointment
from scheduling.tests.factories import AppointmentFactory

pytestmark = pytest.mark.django_db

MONDAY = datetime.date(2026, 12, 7)


def at(hour, minute=0, day=MONDAY):
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour, minute)))


@pytest.fixture
def doctor():
    doctor = DoctorFactory()
    WorkingHoursFactory(doctor=doctor, weekday=0, start_time=datetime.time(8), end_time=datetime.time(9))
    WorkingHoursFactory(doctor=doctor, weekday=0, start_time=datetime.time(13), end_time=datetime.time(14))
    return doctor


def booked(doctor, start, minutes=15, **kwargs):
    return AppointmentFactory(
        doctor=doctor, appointment_date=start, end_time=start + datetime.timedelta(minutes=minutes), **kwargs
    )


# NIK and phone are encrypted: they match in full (through their blind indexes), in any spelling.
@pytest.mark.parametrize(
    "query", ["siti", "SITI RAH", "RM-0", "3273000000009999", "0812-9999-0000", "6281299990000", "+62 812 9999 0000"]
)
def test_it_finds_an_active_patient_by_name_number_nik_or_phone(query):
    patient = PatientFactory(full_name="Siti Rahmawati", nik="3273000000009999", phone="+6281299990000")
    assert patient in selectors.patient_lookup(query=query)


def test_it_finds_no_one_for_a_short_query_or_an_inactive_patient():
    PatientFactory(full_name="Budi Santoso", is_active=False)
    assert selectors.patient_lookup(query="b") == []
    assert selectors.patient_lookup(query="budi") == []


def test_it_splits_the_working_hours_into_free_and_taken_slots(doctor):
    long_one = booked(doctor, at(8, 15), minutes=30)
    cancelled = booked(doctor, at(13), status=Appointment.Status.CANCELLED)
    outside = booked(doctor, at(10))
    day = selectors.doctor_day(doctor=doctor, day=MONDAY)
    assert [s["start"] for s in day["slots"]] == [
        at(8),
        at(8, 15),
        at(8, 30),
        at(8, 45),
        at(13),
        at(13, 15),
        at(13, 30),
        at(13, 45),
    ]
    taken = [s["appointment"] and s["appointment"].pk for s in day["slots"]]
    assert taken == [None, long_one.pk, long_one.pk, None, None, None, None, None]
    assert [s["first"] for s in day["slots"]][1:3] == [True, False]
    assert [a.pk for a in day["outside"]] == [outside.pk]
    assert [a.pk for a in day["released"]] == [cancelled.pk]
    assert day["released"][0].patient_name == cancelled.patient.full_name


def test_a_slot_shows_the_earliest_of_overlapping_appointments(doctor):
    """Two appointments holding overlapping time (an overbooking made in the admin): each slot
    shows the earliest that overlaps it, and one that ended never returns on a later slot."""
    long_one = booked(doctor, at(8), minutes=45)
    short_one = booked(doctor, at(8, 15), minutes=15)
    day = selectors.doctor_day(doctor=doctor, day=MONDAY)
    taken = [s["appointment"] and s["appointment"].pk for s in day["slots"]]
    assert taken == [long_one.pk, long_one.pk, long_one.pk, None, None, None, None, None]
    assert [a.pk for a in day["outside"]] == [short_one.pk]


def test_it_lists_the_free_starts_that_fit_a_duration(doctor):
    booked(doctor, at(8, 15))
    starts = selectors.doctor_free_starts(
        doctor=doctor, day=MONDAY, duration=datetime.timedelta(minutes=30), not_before=at(8, 10)
    )
    assert starts == [at(8, 30), at(13), at(13, 15), at(13, 30)]


def test_it_counts_the_days_appointments_by_status(doctor):
    booked(doctor, at(8))
    booked(doctor, at(8, 15), status=Appointment.Status.NO_SHOW)
    booked(DoctorFactory(), at(8))
    booked(doctor, at(8) + datetime.timedelta(days=1))
    counts = {c["status"]: c["count"] for c in selectors.board_status_counts(day=MONDAY, doctor=doctor)}
    assert counts == {
        "scheduled": 1,
        "checked_in": 0,
        "in_consultation": 0,
        "completed": 0,
        "cancelled": 0,
        "no_show": 1,
    }
    assert sum(c["count"] for c in selectors.board_status_counts(day=MONDAY)) == 3


def test_it_gives_the_checked_in_their_waiting_minutes(doctor):
    waiting = booked(doctor, at(8), status=Appointment.Status.CHECKED_IN, queue_number=1, arrived_at=at(8, 5))
    booked(doctor, at(8, 30))
    rows = selectors.board_appointments(day=MONDAY, now=at(8, 47))
    assert [(row.pk, row.waiting_minutes) for row in rows][0] == (waiting.pk, 42)
    assert rows[1].waiting_minutes is None


def test_it_gives_a_doctors_working_blocks_of_the_day_in_order(doctor, django_assert_num_queries):
    WorkingHoursFactory(doctor=doctor, weekday=0, start_time=datetime.time(10), end_time=datetime.time(11))
    WorkingHoursFactory(doctor=doctor, weekday=1, start_time=datetime.time(7), end_time=datetime.time(8))
    WorkingHoursFactory(doctor=DoctorFactory(), weekday=0, start_time=datetime.time(7), end_time=datetime.time(8))
    with django_assert_num_queries(1):
        blocks = selectors.doctor_working_blocks(doctor=doctor, day=MONDAY)
    assert blocks == [(at(8), at(9)), (at(10), at(11)), (at(13), at(14))]  # aware, in clinic time


def test_it_lists_a_doctors_appointments_of_the_day_as_plain_rows(doctor, django_assert_num_queries):
    late = booked(doctor, at(23, 45), status=Appointment.Status.CHECKED_IN, patient=PatientFactory(full_name="Budi"))
    early = booked(doctor, at(8), minutes=30, patient=PatientFactory(full_name="Ani"))
    cancelled = booked(doctor, at(9), status=Appointment.Status.CANCELLED)
    booked(doctor, at(8, day=MONDAY + datetime.timedelta(days=1)))  # the next day
    booked(DoctorFactory(), at(10))  # another doctor
    with django_assert_num_queries(1):
        rows = selectors.doctor_day_appointments(doctor=doctor, day=MONDAY)
    assert [row.pk for row in rows] == [early.pk, cancelled.pk, late.pk]
    first = rows[0]
    assert (first.start, first.end, first.status) == (at(8), at(8, 30), Appointment.Status.SCHEDULED)
    assert (first.patient_name, first.patient_mrn) == ("Ani", early.patient.medical_record_number)
    assert [row.slot_active for row in rows] == [True, None, True]  # NULL once the slot is released
