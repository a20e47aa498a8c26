import pytest

from accounts.models import User
from accounts.tests.factories import UserFactory
from scheduling.models import Appointment
from scheduling.tests.factories import AppointmentFactory, AppointmentServiceFactory


@pytest.fixture
def pharmacist(db):
    return UserFactory(username="apoteker_t", role=User.Role.PHARMACIST)


@pytest.fixture
def consult(db, doctor_user):
    """A visit of doctor_user's, in consultation, with one service."""
    appointment = AppointmentFactory(doctor=doctor_user.doctor_profile, status=Appointment.Status.IN_CONSULTATION)
    AppointmentServiceFactory(appointment=appointment)
    return appointment
