import datetime
from decimal import Decimal

import factory
from django.utils import timezone

from core import summaries
from patients.tests.factories import DoctorFactory, PatientFactory
from scheduling.models import Appointment, AppointmentService, Service
from scheduling.summaries import appointment_count


class ServiceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Service

    code = factory.Sequence(lambda n: f"SV{n:03d}")
    name = factory.Sequence(lambda n: f"Layanan {n}")
    price = Decimal("150000")
    duration_minutes = 15


class AppointmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Appointment

    patient = factory.SubFactory(PatientFactory)
    doctor = factory.SubFactory(DoctorFactory)
    appointment_date = factory.Sequence(
        lambda n: timezone.make_aware(datetime.datetime(2026, 12, 7, 8, 0)) + datetime.timedelta(minutes=30 * n)
    )
    end_time = factory.LazyAttribute(lambda o: o.appointment_date + datetime.timedelta(minutes=30))

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        appointment = super()._create(model_class, *args, **kwargs)
        # As the booking service does: the day's counts include the new appointment.
        summaries.apply({}, appointment_count(appointment))
        return appointment


class AppointmentServiceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = AppointmentService

    appointment = factory.SubFactory(AppointmentFactory)
    service = factory.SubFactory(ServiceFactory)
    quantity = 1
    unit_price = factory.LazyAttribute(lambda o: o.service.price)
