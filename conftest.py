"""Fixtures shared by every app's tests: one user per role, plus an outsider."""

import pytest

from accounts.tests.factories import UserFactory
from accounts.models import User
from patients.tests.factories import DoctorFactory


@pytest.fixture
def admin_user(db):
    return UserFactory(username="admin_t", role=User.Role.ADMIN)


@pytest.fixture
def receptionist(db):
    return UserFactory(username="resepsionis_t", role=User.Role.RECEPTIONIST)


@pytest.fixture
def doctor_user(db):
    user = UserFactory(username="dokter_t", role=User.Role.DOCTOR)
    DoctorFactory(user=user, full_name="dr. Test Dokter")
    return user


@pytest.fixture
def other_doctor_user(db):
    """A doctor who has no business with the other doctor's patients."""
    user = UserFactory(username="dokter_lain_t", role=User.Role.DOCTOR)
    DoctorFactory(user=user, full_name="dr. Dokter Lain")
    return user


@pytest.fixture
def inactive_user(db):
    return UserFactory(username="nonaktif_t", role=User.Role.RECEPTIONIST, is_active=False)
