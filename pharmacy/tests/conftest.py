import pytest

from scheduling.models import Appointment
from scheduling.tests.factories import AppointmentFactory, AppointmentServiceFactory


@pytest.fixture
def consult(db, doctor_user):
    """A visit of doctor_user's, in consultation, with one service."""
    appointment = AppointmentFactory(doctor=doctor_user.doctor_profile, status=Appointment.Status.IN_CONSULTATION)
    AppointmentServiceFactory(appointment=appointment)
    return appointment
