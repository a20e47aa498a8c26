"""The mock SATUSEHAT on a free port, the settings that point the app at it, and a finished visit
of a patient and doctor the mock knows."""

import datetime
from decimal import Decimal

import httpx
import pytest
from django.core.cache import cache
from django.core.management import call_command
from django.utils import timezone

from accounts.models import User
from accounts.tests.factories import UserFactory
from patients.models import Room
from patients.tests.factories import DoctorFactory, PatientFactory
from records.models import LabResult, MedicalRecord
from satusehat.mock import DEFAULT_DATASET, MockServer
from scheduling import services as scheduling
from scheduling.tests.factories import AppointmentFactory

ORG = DEFAULT_DATASET["organization_id"]
PATIENT_NIKS = list(DEFAULT_DATASET["patients"])
PRACTITIONER_NIKS = list(DEFAULT_DATASET["practitioners"])
LOCATION = DEFAULT_DATASET["locations"][0]


@pytest.fixture(scope="session")
def mock_server():
    server = MockServer().start()
    yield server
    server.stop()


@pytest.fixture
def mock(mock_server, settings):
    """The mock, emptied, and the app pointed at it."""
    httpx.post(f"{mock_server.url}/__mock__/reset")
    settings.SATUSEHAT_ENV = "mock"
    settings.SATUSEHAT_AUTH_URL = mock_server.url
    settings.SATUSEHAT_BASE_URL = mock_server.url
    settings.SATUSEHAT_CLIENT_ID = DEFAULT_DATASET["client_id"]
    settings.SATUSEHAT_CLIENT_SECRET = DEFAULT_DATASET["client_secret"]
    settings.SATUSEHAT_ORGANIZATION_ID = ORG
    settings.SATUSEHAT_TIMEOUT = 1.0
    settings.SATUSEHAT_RETRY_BASE_SECONDS = 0
    settings.SATUSEHAT_MAX_ATTEMPTS = 5
    cache.clear()
    yield mock_server
    cache.clear()


def fault(server, name: str, times: int = 1, delay: float = 0.0) -> None:
    httpx.post(f"{server.url}/__mock__/faults", json={"fault": name, "times": times, "delay": delay})


def state(server) -> dict:
    return httpx.get(f"{server.url}/__mock__/state").json()


def run_worker() -> None:
    """The real worker of the task backend, until the queue is empty."""
    call_command("db_worker", "--batch", "--no-startup-delay", "--interval", "0", verbosity=0)


def at(hour: int, minute: int = 0) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime(2026, 12, 7, hour, minute))


@pytest.fixture
def room(db):
    return Room.objects.create(name="Poli Umum", satusehat_location_id=LOCATION)


@pytest.fixture
def doctor(db, room):
    user = UserFactory(username="dokter_ss", role=User.Role.DOCTOR)
    return DoctorFactory(
        user=user, nik=PRACTITIONER_NIKS[0], ihs_id=DEFAULT_DATASET["practitioners"][PRACTITIONER_NIKS[0]], room=room
    )


def finish_visit(doctor, patient=None, *, labs: bool = True):
    """A visit through the real services: check-in, consultation with its record, completion."""
    patient = patient or PatientFactory(nik=PATIENT_NIKS[0])
    appointment = AppointmentFactory(patient=patient, doctor=doctor)
    appointment = scheduling.appointment_check_in(appointment=appointment, by=None)
    appointment = scheduling.appointment_start_consultation(appointment=appointment, by=None)
    record = MedicalRecord.objects.create(
        appointment=appointment,
        patient=patient,
        doctor=doctor,
        complaint="Demam dan batuk tiga hari",
        allergies="Amoksisilin",
        systolic_bp=128,
        diastolic_bp=84,
        heart_rate=88,
        respiratory_rate=20,
        temperature_c=Decimal("38.2"),
        oxygen_saturation=97,
        weight_kg=Decimal("61.5"),
        height_cm=Decimal("158.0"),
        diagnosis="ISPA",
        icd10_code="J06.9",
    )
    if labs:
        LabResult.objects.create(
            medical_record=record,
            test_name="Hemoglobin",
            value=Decimal("10.9"),
            unit="g/dL",
            reference_low=12,
            reference_high=16,
            sampled_at=timezone.now(),
            reported_at=timezone.now(),
        )
    return scheduling.appointment_complete(appointment=appointment, by=None)
