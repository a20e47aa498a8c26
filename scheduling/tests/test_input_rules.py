"""Plausible bookings and prices: a booking years ahead is a typing mistake, prices are whole rupiah,
and numbers are written with 0–9."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone, translation

from core.clock import clinic_datetime
from patients.tests.factories import DoctorFactory, PatientFactory, WorkingHoursFactory
from scheduling import services
from scheduling.forms import BookingForm
from scheduling.tests.factories import AppointmentFactory, ServiceFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def doctor():
    doctor = DoctorFactory()
    for weekday in range(7):
        WorkingHoursFactory(doctor=doctor, weekday=weekday, start_time=datetime.time(8), end_time=datetime.time(12))
    return doctor


def start_in(days: int) -> datetime.datetime:
    return clinic_datetime(timezone.localdate() + datetime.timedelta(days=days), datetime.time(9))


def book(doctor, start):
    return services.appointment_book(
        patient=PatientFactory(), doctor=doctor, start=start, services=[ServiceFactory()], booked_by=None
    )


@pytest.mark.parametrize("start", [start_in(366), clinic_datetime(datetime.date(2999, 12, 31), datetime.time(9))])
def test_a_booking_beyond_the_horizon_is_refused_with_the_last_day(doctor, start, settings):
    settings.BOOKING_HORIZON_DAYS = 365
    with translation.override("en"), pytest.raises(ValidationError) as error:
        book(doctor, start)
    last_day = timezone.localdate() + datetime.timedelta(days=365)
    assert f"365 days ahead, until {last_day:%d-%m-%Y}" in error.value.messages[0]


def test_a_booking_inside_the_horizon_is_taken_and_the_horizon_is_a_setting(doctor, settings):
    settings.BOOKING_HORIZON_DAYS = 365
    assert book(doctor, start_in(365)).pk
    settings.BOOKING_HORIZON_DAYS = 30
    with pytest.raises(ValidationError):
        book(doctor, start_in(31))


def test_a_reschedule_beyond_the_horizon_is_refused(doctor, settings):
    settings.BOOKING_HORIZON_DAYS = 365
    appointment = AppointmentFactory(doctor=doctor, appointment_date=start_in(1))
    with pytest.raises(ValidationError):
        services.appointment_reschedule(appointment=appointment, start=start_in(400), by=None)


@pytest.mark.parametrize("price", [Decimal("150000.50"), Decimal("-1")])
def test_a_price_with_cents_or_below_zero_is_refused(price):
    service = ServiceFactory.build(price=price)
    with pytest.raises(ValidationError) as error:
        service.full_clean()
    assert "price" in error.value.message_dict


def test_a_quantity_in_other_digits_is_refused(doctor):
    service = ServiceFactory()
    data = {
        "patient": PatientFactory().pk,
        "doctor": doctor.pk,
        "date": start_in(1).date().isoformat(),
        "time": "09:00",
        "services": [service.pk],
        f"quantity_{service.pk}": "٢",
    }
    with translation.override("en"):
        form = BookingForm(data)
        assert not form.is_valid()
        assert form.errors[f"quantity_{service.pk}"] == ["Use only the digits 0–9."]
