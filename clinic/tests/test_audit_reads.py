"""Reads that used to write no audit row: the registration's duplicate warning (it shows other
patients' NIK and phone) and a 404 on a page of patient data (another doctor's visit, record or
lab result), logged as a refusal like a 403."""

import pytest
from django.urls import reverse

from audit.models import AuditLog
from patients.tests.factories import PatientFactory
from records.tests.factories import LabResultFactory, MedicalRecordFactory
from scheduling.tests.factories import AppointmentFactory

pytestmark = pytest.mark.django_db

A = AuditLog.Action
NIK = "3273016509870001"


def test_the_duplicate_warning_logs_a_read_of_the_patients_it_shows(client, receptionist):
    existing = PatientFactory(full_name="Siti Aminah", date_of_birth="1987-09-25", nik=NIK)
    client.force_login(receptionist)
    response = client.post(
        reverse("patients:create"),
        {
            "full_name": "Siti Aminah",
            "nik": "3273016509870002",
            "date_of_birth": "1987-09-25",
            "gender": "F",
            "phone": "+6281299990001",
        },
    )
    assert response.status_code == 200 and existing.medical_record_number in response.content.decode()
    [row] = AuditLog.objects.filter(action=A.READ, patient=existing)
    assert row.actor == receptionist and row.what == "possible duplicates"


@pytest.mark.parametrize("kind", ["visit", "record", "lab_add", "lab_edit", "scheduling"])
def test_a_doctors_404_on_another_doctors_visit_is_logged_as_a_refusal(client, doctor_user, other_doctor_user, kind):
    appointment = AppointmentFactory(doctor=other_doctor_user.doctor_profile)
    lab = LabResultFactory(medical_record=MedicalRecordFactory(appointment=appointment))
    url = {
        "visit": reverse("records:visit", args=[appointment.pk]),
        "record": reverse("records:record", args=[appointment.pk]),
        "lab_add": reverse("records:lab_add", args=[appointment.pk]),
        "lab_edit": reverse("records:lab_edit", args=[appointment.pk, lab.pk]),
        "scheduling": reverse("scheduling:detail", args=[appointment.pk]),
    }[kind]
    client.force_login(doctor_user)
    assert client.get(url).status_code == 404
    [row] = AuditLog.objects.filter(action=A.DENIED)
    assert row.actor == doctor_user and row.what == f"GET {url}"
    assert row.changes == {"status": 404}
    assert not AuditLog.objects.filter(action=A.READ, actor=doctor_user).exists()


def test_a_404_outside_patient_data_is_not_a_refusal(client, receptionist):
    client.force_login(receptionist)
    assert client.get("/no-such-page/").status_code == 404
    assert not AuditLog.objects.filter(action=A.DENIED).exists()
