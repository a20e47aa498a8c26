import pytest
from django.db.models import ProtectedError

from accounts.models import User
from accounts.tests.factories import UserFactory
from patients.models import Doctor, Patient, WorkingHours
from patients.tests.factories import DoctorFactory, WorkingHoursFactory
from scheduling.models import Appointment
from scheduling.tests.factories import AppointmentFactory

pytestmark = pytest.mark.django_db


class TestDeletingPeopleWithHistory:
    def test_it_refuses_to_delete_a_patient_with_history_and_deletes_nothing(self):
        appointment = AppointmentFactory()
        with pytest.raises(ProtectedError):
            appointment.patient.delete()
        assert Patient.objects.filter(pk=appointment.patient.pk).exists()
        assert Appointment.objects.filter(pk=appointment.pk).exists()

    def test_it_refuses_to_delete_a_doctor_with_history_and_deletes_nothing(self):
        appointment = AppointmentFactory()
        WorkingHoursFactory(doctor=appointment.doctor)
        with pytest.raises(ProtectedError):
            appointment.doctor.delete()
        assert Doctor.objects.filter(pk=appointment.doctor.pk).exists()
        assert WorkingHours.objects.filter(doctor=appointment.doctor).exists()
        assert Appointment.objects.filter(pk=appointment.pk).exists()

    def test_it_refuses_to_delete_a_doctors_user(self):
        doctor = DoctorFactory(user=UserFactory(role=User.Role.DOCTOR))
        with pytest.raises(ProtectedError):
            doctor.user.delete()
