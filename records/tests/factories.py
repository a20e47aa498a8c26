from decimal import Decimal

import factory
from django.utils import timezone

from records.models import LabResult, MedicalRecord
from scheduling.models import Appointment
from scheduling.tests.factories import AppointmentFactory


class MedicalRecordFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = MedicalRecord

    appointment = factory.SubFactory(AppointmentFactory, status=Appointment.Status.COMPLETED)
    patient = factory.LazyAttribute(lambda o: o.appointment.patient)
    doctor = factory.LazyAttribute(lambda o: o.appointment.doctor)
    complaint = "Demam tiga hari, batuk"
    systolic_bp = 120
    diastolic_bp = 80
    diagnosis = "Infeksi saluran pernapasan atas"
    icd10_code = "J06.9"


class LabResultFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = LabResult

    medical_record = factory.SubFactory(MedicalRecordFactory)
    test_name = "Hemoglobin"
    value = Decimal("13.5")
    unit = "g/dL"
    reference_low = Decimal("12")
    reference_high = Decimal("16")
    sampled_at = factory.LazyFunction(timezone.now)
