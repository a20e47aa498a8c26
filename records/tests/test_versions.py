"""Corrections keep the earlier version of a medical record or lab result, visible to those who
may read the record, and never editable."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from records.models import LabResult, LabResultVersion, MedicalRecord, MedicalRecordVersion
from records.services import lab_result_correct, medical_record_save
from records.tests.factories import LabResultFactory, MedicalRecordFactory
from scheduling.models import Appointment
from scheduling.tests.factories import AppointmentFactory

pytestmark = pytest.mark.django_db

S = Appointment.Status
REASON = "Salah ketik diagnosis, seharusnya tifoid."


def visit_of(user, status=S.IN_CONSULTATION, days_ago: int = 0) -> Appointment:
    start = timezone.now().replace(microsecond=0) - datetime.timedelta(days=days_ago)
    return AppointmentFactory(
        doctor=user.doctor_profile,
        status=status,
        appointment_date=start,
        end_time=start + datetime.timedelta(minutes=30),
    )


def record_form(**overrides) -> dict:
    data = {
        "complaint": "Demam lima hari",
        "allergies": "tidak ada",
        "systolic_bp": 120,
        "diastolic_bp": 80,
        "diagnosis": "Demam",
        "icd10_code": "R50.9",
        "treatment": "Istirahat",
        "prescription": "Parasetamol",
        "notes": "",
    }
    return {**data, **overrides}


@pytest.fixture
def completed(doctor_user):
    """A completed visit of doctor_user with its record and one lab result."""
    visit = visit_of(doctor_user, S.COMPLETED)
    record = MedicalRecordFactory(appointment=visit, diagnosis="Demam", icd10_code="R50.9")
    LabResultFactory(medical_record=record, value=Decimal("13.5"))
    return visit


@pytest.fixture
def doctor_client(client, doctor_user):
    client.force_login(doctor_user)
    return client


# --- the service ------------------------------------------------------------------------------


def test_it_keeps_the_earlier_state_when_a_record_changes(doctor_user):
    visit = visit_of(doctor_user)
    medical_record_save(appointment=visit, data=record_form(), by=doctor_user)
    assert not MedicalRecordVersion.objects.exists()  # the first save has nothing earlier to keep
    medical_record_save(
        appointment=visit, data=record_form(diagnosis="Demam tifoid", icd10_code="A01.0"), by=doctor_user
    )
    record = MedicalRecord.objects.get()
    [version] = MedicalRecordVersion.objects.all()
    assert record.diagnosis == "Demam tifoid"
    assert version.record == record and version.version == 1 and version.changed_by == doctor_user
    assert version.snapshot["diagnosis"] == "Demam" and version.snapshot["icd10_code"] == "R50.9"
    assert version.snapshot["systolic_bp"] == 120 and version.snapshot["complaint"] == "Demam lima hari"


def test_it_keeps_no_version_for_a_save_that_changed_nothing(doctor_user):
    visit = visit_of(doctor_user)
    medical_record_save(appointment=visit, data=record_form(), by=doctor_user)
    medical_record_save(appointment=visit, data=record_form(), by=doctor_user)
    assert not MedicalRecordVersion.objects.exists()


def test_it_numbers_the_versions(doctor_user):
    visit = visit_of(doctor_user)
    for diagnosis in ("Demam", "Demam tifoid", "Demam berdarah", "Tifoid"):
        medical_record_save(appointment=visit, data=record_form(diagnosis=diagnosis), by=doctor_user)
    assert list(MedicalRecordVersion.objects.order_by("version").values_list("version", "snapshot__diagnosis")) == [
        (1, "Demam"),
        (2, "Demam tifoid"),
        (3, "Demam berdarah"),
    ]


def test_it_corrects_a_completed_visit_only_with_a_reason(doctor_user, completed):
    with pytest.raises(ValidationError) as error:
        medical_record_save(appointment=completed, data=record_form(diagnosis="Tifoid"), by=doctor_user)
    assert "reason" in error.value.message_dict
    assert MedicalRecord.objects.get().diagnosis == "Demam"
    medical_record_save(
        appointment=completed, data=record_form(diagnosis="Tifoid", icd10_code="A01.0"), by=doctor_user, reason=REASON
    )
    [version] = MedicalRecordVersion.objects.all()
    assert version.reason == REASON and version.snapshot["diagnosis"] == "Demam"
    assert MedicalRecord.objects.get().diagnosis == "Tifoid"


def test_only_the_visits_doctor_corrects_it(other_doctor_user, completed):
    with pytest.raises(ValidationError):
        medical_record_save(
            appointment=completed, data=record_form(diagnosis="Tifoid"), by=other_doctor_user, reason=REASON
        )
    assert not MedicalRecordVersion.objects.exists()


def test_it_keeps_the_earlier_value_of_a_corrected_lab_result(doctor_user, completed):
    lab = LabResult.objects.get()
    lab_result_correct(
        appointment=completed, lab_result=lab, by=doctor_user, reason=REASON, data={"value": Decimal("10.1")}
    )
    lab.refresh_from_db()
    assert lab.value == Decimal("10.1") and lab.is_abnormal
    [version] = LabResultVersion.objects.all()
    assert version.snapshot["value"] == "13.500" and version.snapshot["is_abnormal"] is False
    assert version.reason == REASON and version.changed_by == doctor_user


def test_it_refuses_to_correct_a_lab_result_of_another_visit(doctor_user, completed):
    elsewhere = LabResultFactory(
        medical_record=MedicalRecordFactory(appointment=visit_of(doctor_user, S.COMPLETED, days_ago=3))
    )
    with pytest.raises(ValidationError):
        lab_result_correct(
            appointment=completed, lab_result=elsewhere, by=doctor_user, reason=REASON, data={"value": Decimal("1")}
        )


# --- the pages --------------------------------------------------------------------------------


def test_it_offers_the_doctor_a_correction_of_a_completed_visit(doctor_client, completed):
    page = doctor_client.get(reverse("records:visit", args=[completed.pk])).content.decode()
    assert reverse("records:record", args=[completed.pk]) in page
    response = doctor_client.get(reverse("records:record", args=[completed.pk]))
    assert response.status_code == 200 and 'name="reason"' in response.content.decode()


def test_it_refuses_a_correction_without_a_reason(doctor_client, completed):
    response = doctor_client.post(reverse("records:record", args=[completed.pk]), record_form(diagnosis="Tifoid"))
    assert response.status_code == 200
    assert response.context["form"].errors["reason"]
    assert MedicalRecord.objects.get().diagnosis == "Demam"
    assert not MedicalRecordVersion.objects.exists()


def test_it_shows_the_earlier_versions_on_the_visit_page(doctor_client, completed):
    response = doctor_client.post(
        reverse("records:record", args=[completed.pk]),
        record_form(diagnosis="Demam tifoid", icd10_code="A01.0", reason=REASON),
    )
    assert response.status_code == 302
    page = doctor_client.get(reverse("records:visit", args=[completed.pk])).content.decode()
    assert 'id="record-versions"' in page
    assert "dikoreksi 1 kali" in page or "corrected 1 time" in page
    assert REASON in page
    current = page.split('id="record-versions"')[0]
    earlier = page.split('id="record-versions"')[1]
    assert "Demam tifoid" in current and "R50.9" in earlier


def test_it_shows_the_versions_to_an_admin(client, admin_user, doctor_user, completed):
    medical_record_save(appointment=completed, data=record_form(diagnosis="Tifoid"), by=doctor_user, reason=REASON)
    client.force_login(admin_user)
    page = client.get(reverse("records:visit", args=[completed.pk])).content.decode()
    assert 'id="record-versions"' in page and REASON in page


def test_it_marks_a_corrected_earlier_visit_in_the_history(doctor_client, doctor_user, completed):
    medical_record_save(appointment=completed, data=record_form(diagnosis="Tifoid"), by=doctor_user, reason=REASON)
    later = AppointmentFactory(
        doctor=doctor_user.doctor_profile,
        patient=completed.patient,
        status=S.IN_CONSULTATION,
        appointment_date=completed.appointment_date + datetime.timedelta(days=7),
    )
    history = doctor_client.get(reverse("records:visit", args=[later.pk])).context["visit"].history
    assert [r.version_count for r in history] == [1]


def test_it_hides_the_versions_from_other_doctors_and_receptionists(
    client, other_doctor_user, receptionist, doctor_user, completed
):
    medical_record_save(appointment=completed, data=record_form(diagnosis="Tifoid"), by=doctor_user, reason=REASON)
    client.force_login(other_doctor_user)
    assert client.get(reverse("records:visit", args=[completed.pk])).status_code == 404
    assert client.get(reverse("records:record", args=[completed.pk])).status_code == 404
    client.force_login(receptionist)
    assert client.get(reverse("records:visit", args=[completed.pk])).status_code == 403
    assert client.get(reverse("admin:records_medicalrecordversion_changelist")).status_code == 302


def test_it_corrects_a_lab_result_from_the_visit_page(doctor_client, completed):
    lab = LabResult.objects.get()
    url = reverse("records:lab_edit", args=[completed.pk, lab.pk])
    assert url in doctor_client.get(reverse("records:visit", args=[completed.pk])).content.decode()
    data = {
        "test_name": "Hemoglobin",
        "value": "10,1",
        "unit": "g/dL",
        "reference_low": "12",
        "reference_high": "16",
        "sampled_at": timezone.localtime(lab.sampled_at).strftime("%Y-%m-%dT%H:%M"),
    }
    response = doctor_client.post(url, data)
    assert response.status_code == 200 and response.context["form"].errors["reason"]  # completed: needs a reason
    response = doctor_client.post(url, {**data, "value": "10.1", "reason": REASON})
    assert response.status_code == 302
    lab.refresh_from_db()
    assert lab.value == Decimal("10.1")
    assert LabResultVersion.objects.get().snapshot["value"] == "13.500"
    page = doctor_client.get(reverse("records:visit", args=[completed.pk])).content.decode()
    assert 'class="border rounded p-2 mt-2 lab-version"' in page


def test_it_answers_404_for_a_lab_result_of_another_visit(doctor_client, doctor_user, completed):
    elsewhere = LabResultFactory(
        medical_record=MedicalRecordFactory(appointment=visit_of(doctor_user, S.COMPLETED, days_ago=3))
    )
    assert doctor_client.get(reverse("records:lab_edit", args=[completed.pk, elsewhere.pk])).status_code == 404


def test_it_answers_404_to_another_doctor_correcting_a_lab_result(client, other_doctor_user, completed):
    client.force_login(other_doctor_user)
    lab = LabResult.objects.get()
    response = client.post(reverse("records:lab_edit", args=[completed.pk, lab.pk]), {"value": "1", "reason": REASON})
    assert response.status_code == 404
    assert LabResult.objects.get().value == Decimal("13.5")


def test_it_refuses_a_correction_of_a_cancelled_visit(doctor_client, doctor_user):
    visit = visit_of(doctor_user, S.CANCELLED)
    response = doctor_client.get(reverse("records:record", args=[visit.pk]))
    assert response.status_code == 302


# --- the admin: read only ---------------------------------------------------------------------


@pytest.mark.parametrize("model", ["medicalrecordversion", "labresultversion"])
def test_it_shows_versions_read_only_in_the_admin(client, admin_user, doctor_user, completed, model):
    medical_record_save(appointment=completed, data=record_form(diagnosis="Tifoid"), by=doctor_user, reason=REASON)
    lab_result_correct(
        appointment=completed,
        lab_result=LabResult.objects.get(),
        by=doctor_user,
        reason=REASON,
        data={"value": Decimal("10")},
    )
    version = (MedicalRecordVersion if model == "medicalrecordversion" else LabResultVersion).objects.get()
    client.force_login(admin_user)
    assert client.get(reverse(f"admin:records_{model}_changelist")).status_code == 200
    assert client.get(reverse(f"admin:records_{model}_change", args=[version.pk])).status_code == 200
    assert client.get(reverse(f"admin:records_{model}_add")).status_code == 403
    assert (
        client.post(reverse(f"admin:records_{model}_change", args=[version.pk]), {"reason": "rewritten"}).status_code
        == 403
    )
    assert client.post(reverse(f"admin:records_{model}_delete", args=[version.pk]), {"post": "yes"}).status_code == 403
    version.refresh_from_db()
    assert version.reason == REASON
