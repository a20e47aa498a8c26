"""The doctor's queue calls patients to the room: "Call next" and "Call again" (POST, the
doctor's own patients only); the waiting room's screen shows the number."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from scheduling.models import Appointment
from scheduling.tests.factories import AppointmentFactory

pytestmark = pytest.mark.django_db
S = Appointment.Status
CALL_NEXT = reverse("records:call_next")


def waiting(doctor, number: int) -> Appointment:
    start = timezone.make_aware(datetime.datetime.combine(timezone.localdate(), datetime.time(8 + number)))
    return AppointmentFactory(
        doctor=doctor, status=S.CHECKED_IN, queue_number=number, arrived_at=timezone.now(), appointment_date=start
    )


def test_the_queue_page_has_call_next_and_call_again_after_a_call(client, doctor_user):
    first = waiting(doctor_user.doctor_profile, 1)
    client.force_login(doctor_user)
    html = client.get(reverse("records:queue")).content.decode()
    assert f'action="{CALL_NEXT}"' in html
    assert reverse("records:call_again", args=[first.pk]) not in html
    response = client.post(CALL_NEXT, follow=True)
    html = response.content.decode()
    assert reverse("records:call_again", args=[first.pk]) in html
    first.refresh_from_db()
    assert first.called_at is not None and first.call_count == 1


def test_call_next_with_nobody_waiting_says_so_and_changes_nothing(client, doctor_user):
    client.force_login(doctor_user)
    response = client.post(CALL_NEXT, follow=True)
    assert response.status_code == 200
    assert list(response.context["messages"])[0].level_tag == "error"


def test_call_again_counts_the_calls(client, doctor_user):
    visit = waiting(doctor_user.doctor_profile, 1)
    client.force_login(doctor_user)
    client.post(CALL_NEXT)
    client.post(reverse("records:call_again", args=[visit.pk]))
    visit.refresh_from_db()
    assert visit.call_count == 2


def test_another_doctors_patient_is_a_404_and_stays_uncalled(client, doctor_user, other_doctor_user):
    theirs = waiting(other_doctor_user.doctor_profile, 1)
    client.force_login(doctor_user)
    assert client.post(reverse("records:call_again", args=[theirs.pk])).status_code == 404
    client.post(CALL_NEXT)
    theirs.refresh_from_db()
    assert theirs.called_at is None and theirs.call_count == 0


@pytest.mark.parametrize("url", ["call_next", "call_again"])
def test_calls_are_post_only_and_for_doctors(client, doctor_user, receptionist, url):
    visit = waiting(doctor_user.doctor_profile, 1)
    path = reverse(f"records:{url}", args=[visit.pk] if url == "call_again" else [])
    client.force_login(doctor_user)
    assert client.get(path).status_code == 405
    client.force_login(receptionist)
    assert client.post(path).status_code == 403
    visit.refresh_from_db()
    assert visit.call_count == 0
