"""Emergency access ("break the glass"): a doctor may read a patient outside their care for an
hour after giving a reason; it is logged and listed for the admins. Without it the IDOR rule
stands: 404."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from audit.models import AuditLog, EmergencyAccess
from patients.tests.factories import PatientFactory
from records.tests.factories import MedicalRecordFactory
from scheduling.models import Appointment
from scheduling.tests.factories import AppointmentFactory

pytestmark = pytest.mark.django_db

A = AuditLog.Action
REASON = "Pasien tidak sadar di IGD, perlu riwayat alergi dan obat."


@pytest.fixture
def stranger(other_doctor_user):
    """A patient of the other doctor: not in doctor_user's care. Their completed visit has a record."""
    patient = PatientFactory(full_name="Rahmat Hidayat")
    visit = AppointmentFactory(
        patient=patient, doctor=other_doctor_user.doctor_profile, status=Appointment.Status.COMPLETED
    )
    MedicalRecordFactory(appointment=visit, diagnosis="Asma bronkial", allergies="Penisilin")
    patient.visit = visit
    return patient


@pytest.fixture
def doctor_client(client, doctor_user):
    client.force_login(doctor_user)
    return client


def grant(doctor_user, patient, **kwargs) -> EmergencyAccess:
    now = timezone.now()
    return EmergencyAccess.objects.create(
        doctor=doctor_user,
        patient=patient,
        reason=REASON,
        created_at=now,
        expires_at=now + datetime.timedelta(hours=1),
        **kwargs,
    )


def test_it_offers_emergency_access_instead_of_the_patient_page(doctor_client, stranger):
    response = doctor_client.get(reverse("patients:detail", args=[stranger.pk]))
    assert response.status_code == 404  # still the IDOR answer, with a way out for emergencies
    page = response.content.decode()
    assert f'action="{reverse("audit:emergency_access", args=[stranger.pk])}"' in page
    assert stranger.full_name not in page  # nothing of the patient before the glass is broken
    [row] = AuditLog.objects.filter(action=A.DENIED)
    assert row.patient == stranger and row.what == "patient detail (not in care)"


def test_it_answers_a_plain_404_for_a_patient_who_does_not_exist(doctor_client):
    response = doctor_client.get(reverse("patients:detail", args=[999999]))
    assert response.status_code == 404
    assert reverse("audit:emergency_access", args=[999999]) not in response.content.decode()


def test_it_shows_the_reason_form(doctor_client, stranger):
    response = doctor_client.get(reverse("audit:emergency_access", args=[stranger.pk]))
    assert response.status_code == 200
    assert 'name="reason"' in response.content.decode()


def test_it_shows_the_form_again_for_an_empty_post(doctor_client, stranger):
    response = doctor_client.post(reverse("audit:emergency_access", args=[stranger.pk]))
    assert response.status_code == 200
    assert response.context["form"].errors["reason"]
    assert not EmergencyAccess.objects.exists()


def test_it_refuses_a_short_reason(doctor_client, stranger):
    response = doctor_client.post(reverse("audit:emergency_access", args=[stranger.pk]), {"reason": "darurat"})
    assert response.status_code == 200
    assert response.context["form"].errors["reason"]
    assert not EmergencyAccess.objects.exists()
    assert not AuditLog.objects.filter(action=A.EMERGENCY_ACCESS).exists()


def test_it_opens_an_hour_of_read_access_with_a_reason(doctor_client, doctor_user, stranger):
    response = doctor_client.post(
        reverse("audit:emergency_access", args=[stranger.pk]), {"reason": REASON}, REMOTE_ADDR="10.2.3.4"
    )
    assert response.status_code == 302 and response["Location"] == reverse("patients:detail", args=[stranger.pk])
    access = EmergencyAccess.objects.get()
    assert access.doctor == doctor_user and access.patient == stranger and access.reason == REASON
    assert datetime.timedelta(minutes=59) < access.expires_at - access.created_at <= datetime.timedelta(hours=1)
    assert access.ip_address == "10.2.3.4"
    [row] = AuditLog.objects.filter(action=A.EMERGENCY_ACCESS)
    assert row.actor == doctor_user and row.patient == stranger and row.changes["reason"] == REASON

    page = doctor_client.get(reverse("patients:detail", args=[stranger.pk]))
    assert page.status_code == 200 and stranger.full_name in page.content.decode()
    html = page.content.decode()
    assert 'id="emergency-access-banner"' in html
    assert reverse("records:visit", args=[stranger.visit.pk]) in html  # on to the visits and their records
    read = AuditLog.objects.filter(action=A.READ).get()
    assert read.what == "patient detail (emergency access)" and read.changes == {"emergency_access": access.pk}


def test_it_lets_the_doctor_read_the_visits_but_not_write_them(doctor_client, doctor_user, stranger):
    grant(doctor_user, stranger)
    response = doctor_client.get(reverse("records:visit", args=[stranger.visit.pk]))
    assert response.status_code == 200
    page = response.content.decode()
    assert "Asma bronkial" in page and "Penisilin" in page
    assert reverse("records:record", args=[stranger.visit.pk]) not in page
    assert response.context["can_write"] is False
    assert doctor_client.get(reverse("records:record", args=[stranger.visit.pk])).status_code == 404
    assert doctor_client.post(reverse("records:lab_add", args=[stranger.visit.pk]), {}).status_code == 404
    assert AuditLog.objects.filter(action=A.READ, what="visit and medical record (emergency access)").exists()


def test_it_keeps_other_doctors_visits_closed_without_a_grant(doctor_client, stranger):
    assert doctor_client.get(reverse("records:visit", args=[stranger.visit.pk])).status_code == 404


def test_it_closes_again_when_the_access_expires(doctor_client, doctor_user, stranger):
    access = grant(doctor_user, stranger)
    EmergencyAccess.objects.filter(pk=access.pk).update(
        created_at=timezone.now() - datetime.timedelta(hours=2), expires_at=timezone.now() - datetime.timedelta(hours=1)
    )
    assert doctor_client.get(reverse("records:visit", args=[stranger.visit.pk])).status_code == 404
    assert doctor_client.get(reverse("patients:detail", args=[stranger.pk])).status_code == 404


def test_it_opens_only_the_patient_it_was_given_for(doctor_client, doctor_user, stranger, other_doctor_user):
    grant(doctor_user, stranger)
    another = AppointmentFactory(doctor=other_doctor_user.doctor_profile)
    assert doctor_client.get(reverse("records:visit", args=[another.pk])).status_code == 404
    assert doctor_client.get(reverse("patients:detail", args=[another.patient.pk])).status_code == 404


def test_it_is_personal_to_the_doctor(client, doctor_user, other_doctor_user, stranger, db):
    from accounts.tests.factories import UserFactory
    from patients.tests.factories import DoctorFactory

    third = UserFactory(username="dokter_ketiga", role="doctor")
    DoctorFactory(user=third)
    grant(doctor_user, stranger)
    client.force_login(third)
    assert client.get(reverse("records:visit", args=[stranger.visit.pk])).status_code == 404


def test_it_sends_a_doctor_who_already_cares_for_the_patient_to_the_page(doctor_client, doctor_user):
    patient = AppointmentFactory(doctor=doctor_user.doctor_profile).patient
    response = doctor_client.get(reverse("audit:emergency_access", args=[patient.pk]))
    assert response.status_code == 302
    assert not EmergencyAccess.objects.exists()


@pytest.mark.parametrize("role", ["admin_user", "receptionist"])
def test_it_is_for_doctors_only(client, request, role, stranger):
    client.force_login(request.getfixturevalue(role))
    assert client.post(reverse("audit:emergency_access", args=[stranger.pk]), {"reason": REASON}).status_code == 403
    assert not EmergencyAccess.objects.exists()


def test_it_sends_anonymous_visitors_to_login(client, stranger):
    response = client.post(reverse("audit:emergency_access", args=[stranger.pk]), {"reason": REASON})
    assert response.status_code == 302 and response["Location"].startswith(reverse("accounts:login"))
    assert not EmergencyAccess.objects.exists()


def test_it_answers_404_for_an_unknown_patient(doctor_client):
    response = doctor_client.post(reverse("audit:emergency_access", args=[999999]), {"reason": REASON})
    assert response.status_code == 404


def test_it_ignores_extra_fields(doctor_client, doctor_user, stranger, other_doctor_user):
    doctor_client.post(
        reverse("audit:emergency_access", args=[stranger.pk]),
        {"reason": REASON, "doctor": other_doctor_user.pk, "expires_at": "2099-01-01T00:00"},
    )
    access = EmergencyAccess.objects.get()
    assert access.doctor == doctor_user and access.expires_at < timezone.now() + datetime.timedelta(hours=2)


def test_it_lists_emergency_accesses_for_the_admins(client, admin_user, doctor_user, stranger):
    grant(doctor_user, stranger)
    client.force_login(admin_user)
    response = client.get(reverse("audit:emergency_list"))
    assert response.status_code == 200
    page = response.content.decode()
    assert REASON in page and stranger.full_name in page and doctor_user.get_full_name() in page


def test_it_lists_emergency_accesses_with_the_same_number_of_queries_for_1_or_50(
    client, admin_user, doctor_user, stranger, django_assert_num_queries
):
    grant(doctor_user, stranger)
    client.force_login(admin_user)
    url = reverse("audit:emergency_list")
    # user (the session is a cache hit), count for the paginator, the page with doctors and patients
    with django_assert_num_queries(3):
        client.get(url)
    for _ in range(55):
        grant(doctor_user, PatientFactory())
    with django_assert_num_queries(3):
        assert len(client.get(url).context["page"].object_list) == 50
