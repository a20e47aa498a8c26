import datetime

import pytest
from django.db import IntegrityError, transaction

from accounts.models import User
from accounts.tests.factories import UserFactory
from patients.models import Patient, WorkingHours
from patients.tests.factories import DoctorFactory, PatientFactory, WorkingHoursFactory

pytestmark = pytest.mark.django_db


def refuses(callable_):
    """True when the database refuses the write; the surrounding test transaction survives."""
    try:
        with transaction.atomic():
            callable_()
    except IntegrityError:
        return True
    return False


class TestPatientConstraints:
    def test_it_gives_each_patient_a_new_medical_record_number(self):
        first, second = PatientFactory(), PatientFactory()
        assert first.medical_record_number.startswith("RM-")
        assert first.medical_record_number != second.medical_record_number

    def test_it_refuses_a_duplicate_medical_record_number(self):
        patient = PatientFactory()
        assert refuses(lambda: PatientFactory(medical_record_number=patient.medical_record_number))

    def test_it_refuses_a_duplicate_nik_but_allows_many_unknown(self):
        patient = PatientFactory()
        assert refuses(lambda: PatientFactory(nik=patient.nik))
        PatientFactory(nik=None)
        PatientFactory(nik="")  # empty means unknown, stored as NULL
        assert Patient.objects.filter(nik__isnull=True).count() == 2

    @pytest.mark.parametrize("bad", [{"gender": "X"}, {"blood_type": "C+"}, {"full_name": ""}])
    def test_it_refuses_impossible_values(self, bad):
        patient = PatientFactory()
        assert refuses(lambda: Patient.objects.filter(pk=patient.pk).update(**bad))

    def test_it_links_to_its_page(self):
        patient = PatientFactory()
        assert str(patient.pk) in patient.get_absolute_url()


class TestDoctorConstraints:
    def test_it_refuses_a_duplicate_licence(self):
        doctor = DoctorFactory()
        assert refuses(lambda: DoctorFactory(license_number=doctor.license_number))

    def test_it_links_one_user_to_one_doctor(self):
        user = UserFactory(role=User.Role.DOCTOR)
        DoctorFactory(user=user)
        assert user.doctor_profile.user == user
        assert refuses(lambda: DoctorFactory(user=user))

    def test_it_refuses_working_hours_that_end_before_they_start(self):
        hours = WorkingHoursFactory()
        assert refuses(lambda: WorkingHours.objects.filter(pk=hours.pk).update(end_time=datetime.time(7, 0)))

    def test_it_refuses_a_weekday_past_sunday(self):
        hours = WorkingHoursFactory()
        assert refuses(lambda: WorkingHours.objects.filter(pk=hours.pk).update(weekday=7))

    def test_it_refuses_the_same_block_twice(self):
        hours = WorkingHoursFactory()
        assert refuses(
            lambda: WorkingHoursFactory(doctor=hours.doctor, weekday=hours.weekday, start_time=hours.start_time)
        )


class TestUser:
    def test_it_refuses_an_unknown_role(self):
        user = UserFactory()
        assert refuses(lambda: User.objects.filter(pk=user.pk).update(role="nurse"))

    @pytest.mark.parametrize(("role", "staff"), [("admin", True), ("doctor", False), ("receptionist", False)])
    def test_it_lets_only_admins_into_the_django_admin(self, role, staff):
        assert UserFactory(role=role).is_staff is staff

    def test_it_keeps_the_staff_flag_in_step_when_the_role_changes(self):
        user = UserFactory(role=User.Role.ADMIN)
        user.role = User.Role.RECEPTIONIST
        user.save(update_fields=["role"])
        user.refresh_from_db()
        assert user.is_staff is False
