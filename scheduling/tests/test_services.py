import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from patients.tests.factories import DoctorFactory, PatientFactory, WorkingHoursFactory
from scheduling import services
from scheduling.models import Appointment
from scheduling.tests.factories import AppointmentFactory, AppointmentServiceFactory, ServiceFactory

pytestmark = pytest.mark.django_db

MONDAY = datetime.date(2026, 12, 7)


def at(hour, minute=0, day=MONDAY):
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour, minute)))


@pytest.fixture
def doctor():
    doctor = DoctorFactory()
    WorkingHoursFactory(doctor=doctor, weekday=0, start_time=datetime.time(8), end_time=datetime.time(12))
    return doctor


@pytest.fixture
def consult():
    return ServiceFactory(name="Konsultasi", price=Decimal("150000"), duration_minutes=15)


def book(doctor, start, service, **kwargs):
    return services.appointment_book(
        patient=kwargs.pop("patient", None) or PatientFactory(),
        doctor=doctor,
        start=start,
        services=[service],
        booked_by=None,
        **kwargs,
    )


class TestBooking:
    def test_it_books_inside_working_hours_and_copies_prices(self, doctor, consult):
        lab = ServiceFactory(price=Decimal("85000"), duration_minutes=10)
        appointment = services.appointment_book(
            patient=PatientFactory(), doctor=doctor, start=at(9), services=[consult, (lab, 2)], booked_by=None
        )
        consult.price = Decimal("999999")
        consult.save()

        assert appointment.status == Appointment.Status.SCHEDULED
        assert appointment.end_time == at(9, 30)  # 15 + 10 minutes, rounded up to whole slots
        assert sorted((line.quantity, line.unit_price) for line in appointment.lines.all()) == [
            (1, Decimal("150000")),
            (2, Decimal("85000")),
        ]

    @pytest.mark.parametrize("start", [at(7, 45), at(11, 50), at(13), at(9, day=MONDAY + datetime.timedelta(days=1))])
    def test_it_refuses_a_booking_outside_working_hours(self, doctor, consult, start):
        with pytest.raises(ValidationError, match="working hours|jam praktik"):
            book(doctor, start, consult)
        assert Appointment.objects.count() == 0

    def test_it_accepts_the_last_slot_that_ends_with_the_working_hours(self, doctor, consult):
        assert book(doctor, at(11, 45), consult).end_time == at(12)

    @pytest.mark.parametrize("start", [at(9), at(9, 15), at(8, 45)])
    def test_it_refuses_an_overlapping_booking(self, doctor, consult, start):
        long = ServiceFactory(duration_minutes=30)
        book(doctor, at(9), long)  # 9.00–9.30
        with pytest.raises(ValidationError) as error:
            book(doctor, start, long)
        assert error.value.messages == [services.slot_taken_message()]
        assert Appointment.objects.count() == 1

    def test_it_allows_back_to_back_bookings_and_other_doctors(self, doctor, consult):
        book(doctor, at(9), consult)
        book(doctor, at(9, 15), consult)
        other = DoctorFactory()
        WorkingHoursFactory(doctor=other, weekday=0)
        book(other, at(9), consult)
        assert Appointment.objects.count() == 3

    def test_it_frees_the_slot_when_cancelled(self, doctor, consult):
        first = book(doctor, at(9), consult)
        services.appointment_cancel(appointment=first, by=None)
        second = book(doctor, at(9), consult)
        assert second.status == Appointment.Status.SCHEDULED

    def test_it_refuses_no_services_inactive_services_and_inactive_people(self, doctor, consult):
        with pytest.raises(ValidationError):
            services.appointment_book(patient=PatientFactory(), doctor=doctor, start=at(9), services=[], booked_by=None)
        with pytest.raises(ValidationError):
            book(doctor, at(9), ServiceFactory(is_active=False))
        with pytest.raises(ValidationError):
            book(doctor, at(9), consult, patient=PatientFactory(is_active=False))
        doctor.is_active = False
        doctor.save()
        with pytest.raises(ValidationError):
            book(doctor, at(9), consult)
        assert Appointment.objects.count() == 0

    def test_it_checks_a_walk_in_straight_in_with_a_queue_number(self, doctor, consult):
        appointment = book(doctor, at(9), consult, walk_in=True)
        assert appointment.status == Appointment.Status.CHECKED_IN
        assert appointment.queue_number == 1
        assert appointment.arrived_at is not None

    def test_it_reschedules_into_a_free_slot_only(self, doctor, consult):
        first, second = book(doctor, at(9), consult), book(doctor, at(10), consult)
        with pytest.raises(ValidationError):
            services.appointment_reschedule(appointment=second, start=at(9), by=None)
        moved = services.appointment_reschedule(appointment=second, start=at(11), by=None)
        assert (moved.appointment_date, moved.end_time) == (at(11), at(11, 15))
        assert first.pk != moved.pk


ALLOWED = [
    ("scheduled", "checked_in"),
    ("scheduled", "cancelled"),
    ("scheduled", "no_show"),
    ("checked_in", "in_consultation"),
    ("checked_in", "cancelled"),
    ("checked_in", "no_show"),
    ("in_consultation", "completed"),
]
ALL = ["scheduled", "checked_in", "in_consultation", "completed", "cancelled", "no_show"]


class TestStatusTransitions:
    @pytest.mark.parametrize(("current", "new"), ALLOWED)
    def test_it_allows_the_moves_of_the_workflow(self, current, new):
        line = AppointmentServiceFactory(appointment__status=current)
        moved = services.appointment_set_status(appointment=line.appointment, status=new, by=None)
        moved.refresh_from_db()
        assert moved.status == new

    @pytest.mark.parametrize(("current", "new"), [(c, n) for c in ALL for n in ALL if c != n and (c, n) not in ALLOWED])
    def test_it_refuses_every_other_move(self, current, new):
        appointment = AppointmentFactory(status=current)
        with pytest.raises(ValidationError):
            services.appointment_set_status(appointment=appointment, status=new, by=None)
        appointment.refresh_from_db()
        assert appointment.status == current

    def test_it_numbers_the_queue_per_doctor_per_day(self, doctor, consult):
        first, second = book(doctor, at(9), consult), book(doctor, at(9, 30), consult)
        other_day = AppointmentFactory(doctor=doctor, appointment_date=at(9, day=MONDAY + datetime.timedelta(days=7)))
        services.appointment_check_in(appointment=second, by=None)
        services.appointment_check_in(appointment=first, by=None)
        services.appointment_check_in(appointment=other_day, by=None)
        first.refresh_from_db()
        second.refresh_from_db()
        other_day.refresh_from_db()
        assert (second.queue_number, first.queue_number, other_day.queue_number) == (1, 2, 1)
