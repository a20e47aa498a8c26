"""The admin page: counts, filters, the platform's message, retry; admins only; audited."""

import pytest
from django.urls import reverse

from audit.models import AuditLog
from patients.tests.factories import PatientFactory
from satusehat.models import Submission
from satusehat.tests.conftest import PATIENT_NIKS, finish_visit, run_worker

pytestmark = pytest.mark.django_db(transaction=True)
URL = reverse("satusehat:submissions")


@pytest.fixture
def rows(mock, doctor, room):
    sent = finish_visit(doctor)
    run_worker()
    room.satusehat_location_id = "not-registered"
    room.save()
    failed = finish_visit(doctor, PatientFactory(nik=PATIENT_NIKS[1]))
    run_worker()
    return sent, failed


def test_the_admin_sees_each_visit_with_its_status_and_the_platforms_message(client, admin_user, rows):
    sent, failed = rows
    client.force_login(admin_user)
    response = client.get(URL)
    assert response.status_code == 200
    assert response.context["counts"] == {"pending": 0, "sent": 1, "failed": 1}
    html = response.content.decode()
    assert "Unknown Location id not-registered" in html
    assert f"Encounter/{Submission.objects.get(appointment=sent).encounter_id}" in html
    assert AuditLog.objects.filter(actor=admin_user, what="SATUSEHAT submissions").count() == 2

    only_failed = client.get(URL, {"status": "failed"}).context["page"]
    assert [row.appointment_id for row in only_failed] == [failed.pk]
    by_rm = client.get(URL, {"q": sent.patient.medical_record_number}).context["page"]
    assert [row.appointment_id for row in by_rm] == [sent.pk]
    assert client.get(URL, {"status": "nonsense", "start": "31-31-2026"}).status_code == 200


def test_retry_sends_a_failed_visit_again(client, admin_user, rows, room):
    _sent, failed = rows
    room.satusehat_location_id = "ef011065-38c9-46f8-9c35-d1fe68966a3e"
    room.save()
    client.force_login(admin_user)
    submission = Submission.objects.get(appointment=failed)
    response = client.post(reverse("satusehat:retry", args=[submission.pk]))
    assert response.status_code == 302
    assert Submission.objects.get(pk=submission.pk).status == Submission.Status.PENDING
    run_worker()
    assert Submission.objects.get(pk=submission.pk).status == Submission.Status.SENT


@pytest.mark.parametrize("role", ["receptionist", "doctor_user"])
def test_other_roles_may_not_open_it(client, request, role, mock):
    client.force_login(request.getfixturevalue(role))
    assert client.get(URL).status_code == 403
    assert client.post(reverse("satusehat:retry", args=[1])).status_code == 403


def test_the_dashboard_counts_them(client, admin_user, rows):
    client.force_login(admin_user)
    response = client.get(reverse("dashboard"))
    assert response.context["satusehat"] == {"pending": 0, "sent": 1, "failed": 1}
