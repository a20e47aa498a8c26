import datetime

import factory

from core import summaries
from patients.models import Doctor, Patient, WorkingHours
from patients.services import patient_name_words_sync
from patients.summaries import registration


class PatientFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Patient

    full_name = factory.Faker("name", locale="id_ID")
    nik = factory.Sequence(lambda n: f"3273{n:012d}")
    date_of_birth = factory.Faker("date_of_birth", minimum_age=1, maximum_age=90)
    gender = Patient.Gender.FEMALE
    phone = factory.Sequence(lambda n: f"+62812{n:08d}")
    email = factory.Sequence(lambda n: f"pasien{n}@contoh.id")
    address = factory.Faker("address", locale="id_ID")

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        patient = super()._create(model_class, *args, **kwargs)
        # As patient_register does: the day's registrations include the new patient.
        summaries.apply({}, registration(patient))
        patient_name_words_sync(patient, new=True)  # as patient_register does: searchable by any word
        return patient


class DoctorFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Doctor

    full_name = factory.Sequence(lambda n: f"dr. Dokter {n}")
    specialization = "Dokter Umum"
    license_number = factory.Sequence(lambda n: f"SIP/{n:05d}/2026")
    phone = factory.Sequence(lambda n: f"+62813{n:08d}")


class WorkingHoursFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = WorkingHours

    doctor = factory.SubFactory(DoctorFactory)
    weekday = 0
    start_time = datetime.time(8, 0)
    end_time = datetime.time(16, 0)
