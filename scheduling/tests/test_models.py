import datetime
from decimal import Decimal

import pytest
from django.db.models import ProtectedError

from patients.tests.test_models import refuses
from scheduling.models import Appointment, AppointmentService, Service
from scheduling.tests.factories import AppointmentFactory, AppointmentServiceFactory, ServiceFactory

pytestmark = pytest.mark.django_db


class TestServiceConstraints:
    @pytest.mark.parametrize("bad", [{"price": Decimal("-1")}, {"duration_minutes": 0}])
    def test_it_refuses_negative_prices_and_empty_durations(self, bad):
        service = ServiceFactory()
        assert refuses(lambda: Service.objects.filter(pk=service.pk).update(**bad))

    def test_it_refuses_a_duplicate_code(self):
        service = ServiceFactory()
        assert refuses(lambda: ServiceFactory(code=service.code))

    def test_it_refuses_to_delete_a_service_with_history(self):
        line = AppointmentServiceFactory()
        with pytest.raises(ProtectedError):
            line.service.delete()
        assert Service.objects.filter(pk=line.service.pk).exists()
        assert AppointmentService.objects.filter(pk=line.pk).exists()


class TestAppointmentConstraints:
    def test_it_refuses_an_end_before_the_start(self):
        appointment = AppointmentFactory()
        assert refuses(
            lambda: Appointment.objects.filter(pk=appointment.pk).update(
                end_time=appointment.appointment_date - datetime.timedelta(minutes=1)
            )
        )

    def test_it_refuses_an_unknown_status(self):
        appointment = AppointmentFactory()
        assert refuses(lambda: Appointment.objects.filter(pk=appointment.pk).update(status="lost"))

    def test_it_refuses_a_cancelled_appointment_that_still_holds_its_slot(self):
        appointment = AppointmentFactory()
        assert refuses(lambda: Appointment.objects.filter(pk=appointment.pk).update(status="cancelled"))

    def test_it_refuses_queue_number_zero(self):
        appointment = AppointmentFactory()
        assert refuses(lambda: Appointment.objects.filter(pk=appointment.pk).update(queue_number=0))

    def test_it_refuses_a_second_active_booking_of_the_same_doctor_and_start(self):
        first = AppointmentFactory()
        assert refuses(lambda: AppointmentFactory(doctor=first.doctor, appointment_date=first.appointment_date))

    def test_it_frees_the_slot_when_an_appointment_is_cancelled(self):
        first = AppointmentFactory(status=Appointment.Status.CANCELLED)
        assert first.slot_active is None
        second = AppointmentFactory(doctor=first.doctor, appointment_date=first.appointment_date)
        # Two cancelled ones at the same start do not collide either: NULLs are distinct.
        AppointmentFactory(
            doctor=first.doctor, appointment_date=first.appointment_date, status=Appointment.Status.NO_SHOW
        )
        assert second.slot_active is True


class TestAppointmentServiceConstraints:
    @pytest.mark.parametrize("bad", [{"quantity": 0}, {"unit_price": Decimal("-100")}])
    def test_it_refuses_empty_quantities_and_negative_prices(self, bad):
        line = AppointmentServiceFactory()
        assert refuses(lambda: AppointmentService.objects.filter(pk=line.pk).update(**bad))

    def test_it_refuses_the_same_service_twice_on_one_appointment(self):
        line = AppointmentServiceFactory()
        assert refuses(lambda: AppointmentServiceFactory(appointment=line.appointment, service=line.service))

    def test_it_refuses_to_delete_an_appointment_with_services(self):
        line = AppointmentServiceFactory()
        with pytest.raises(ProtectedError):
            line.appointment.delete()
