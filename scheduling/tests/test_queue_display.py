"""The waiting room's screen (no login, a display token), calling patients to the room, and the
printed queue ticket."""

import datetime
import hmac
from pathlib import Path

import pytest
from django.conf import settings
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from patients.tests.factories import DoctorFactory, PatientFactory
from scheduling import services
from scheduling.models import Appointment, QueueDisplay
from scheduling.queue_display import board_for, display_for_token
from scheduling.tests.factories import AppointmentFactory

pytestmark = pytest.mark.django_db
S = Appointment.Status


def today_at(hour: int, minute: int = 0) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(timezone.localdate(), datetime.time(hour, minute)))


def checked_in(doctor, number: int, hour: int = 8, minute: int = 0, **kwargs) -> Appointment:
    return AppointmentFactory(
        doctor=doctor,
        status=S.CHECKED_IN,
        queue_number=number,
        arrived_at=timezone.now(),
        appointment_date=today_at(hour, minute),
        **kwargs,
    )


def display_url(display, name="queue:display") -> str:
    return reverse(name, args=[display.token])


# --- the token ----------------------------------------------------------------------------------


def test_a_new_display_gets_a_long_random_token():
    first, second = QueueDisplay.objects.create(name="A"), QueueDisplay.objects.create(name="B")
    assert len(first.token) >= 40 and first.token != second.token


@pytest.mark.parametrize("name", ["queue:display", "queue:display_poll"])
def test_an_unknown_or_inactive_token_is_a_404(client, name):
    display = QueueDisplay.objects.create(name="Lobi")
    assert client.get(reverse(name, args=["x" + display.token[1:]])).status_code == 404
    assert client.get(reverse(name, args=[display.token[:-1]])).status_code == 404
    assert client.get(display_url(display, name)).status_code == 200
    display.is_active = False
    display.save()
    assert client.get(display_url(display, name)).status_code == 404


def test_the_token_is_compared_in_constant_time(monkeypatch):
    """Every active display's token goes through hmac.compare_digest, even after a match."""
    displays = [QueueDisplay.objects.create(name=f"L{i}") for i in range(3)]
    compared = []
    real = hmac.compare_digest
    monkeypatch.setattr(hmac, "compare_digest", lambda a, b: compared.append(a) or real(a, b))
    assert display_for_token(displays[0].token) == displays[0]
    assert len(compared) == 3


def test_the_screen_needs_no_login_and_is_not_cached(client):
    display = QueueDisplay.objects.create(name="Lobi")
    response = client.get(display_url(display))
    assert response.status_code == 200
    assert "no-cache" in response["Cache-Control"] or "no-store" in response["Cache-Control"]
    assert client.post(display_url(display)).status_code == 405


# --- what it shows --------------------------------------------------------------------------------


def test_it_shows_numbers_never_names(client):
    doctor = DoctorFactory(full_name="dr. Layar")
    patient = PatientFactory(full_name="Rahasia Sekali Namanya")
    called = checked_in(doctor, 1, patient=patient, hour=8)
    checked_in(doctor, 2, hour=9)
    checked_in(doctor, 3, hour=10)
    services.appointment_call_next(doctor=doctor, by=None)
    assert Appointment.objects.get(pk=called.pk).call_count == 1
    display = QueueDisplay.objects.create(name="Lobi")
    html = client.get(display_url(display)).content.decode()
    assert "dr. Layar" in html
    assert "Rahasia" not in html and patient.medical_record_number not in html
    assert '<p class="queue-called mb-2" data-queue-called>1</p>' in html
    assert '<span class="badge">2</span> <span class="badge">3</span>' in html


def test_a_display_with_chosen_doctors_shows_only_them(client):
    shown, _hidden = DoctorFactory(full_name="dr. Tampil"), DoctorFactory(full_name="dr. Tersembunyi")
    display = QueueDisplay.objects.create(name="Poli Umum")
    display.doctors.add(shown)
    html = client.get(display_url(display, "queue:display_poll")).content.decode()
    assert "dr. Tampil" in html and "dr. Tersembunyi" not in html
    everyone = QueueDisplay.objects.create(name="Semua")
    html = client.get(display_url(everyone, "queue:display_poll")).content.decode()
    assert "dr. Tampil" in html and "dr. Tersembunyi" in html


def test_the_call_stamp_changes_with_each_call_and_call_again():
    doctor = DoctorFactory()
    first = checked_in(doctor, 1)
    display = QueueDisplay.objects.create(name="Lobi")
    stamps = [board_for(display).call_stamp]
    services.appointment_call_next(doctor=doctor, by=None)
    stamps.append(board_for(display).call_stamp)
    services.appointment_call_again(appointment=first, by=None)
    stamps.append(board_for(display).call_stamp)
    assert len(set(stamps)) == 3


def test_yesterdays_and_cancelled_appointments_stay_off_the_screen():
    doctor = DoctorFactory()
    AppointmentFactory(
        doctor=doctor, status=S.CHECKED_IN, queue_number=7, appointment_date=today_at(8) - datetime.timedelta(days=1)
    )
    AppointmentFactory(doctor=doctor, status=S.CANCELLED, queue_number=8, appointment_date=today_at(9))
    display = QueueDisplay.objects.create(name="Lobi")
    (panel,) = board_for(display).panels
    assert panel.next_numbers == [] and panel.called is None and panel.waiting == 0


def poll_queries(client, django_assert_num_queries, display):
    with django_assert_num_queries(3):  # the displays, their doctors, today's numbers
        assert client.get(display_url(display, "queue:display_poll")).status_code == 200


def test_the_poll_reads_the_same_queries_for_one_or_many_doctors_and_appointments(client, django_assert_num_queries):
    display = QueueDisplay.objects.create(name="Lobi")
    doctor = DoctorFactory()
    checked_in(doctor, 1)
    poll_queries(client, django_assert_num_queries, display)
    for index in range(5):
        other = DoctorFactory()
        for number in range(1, 7):
            checked_in(other, number, hour=8 + number, minute=index)
        services.appointment_call_next(doctor=other, by=None)
    QueueDisplay.objects.create(name="Lobi 2")
    poll_queries(client, django_assert_num_queries, display)


# --- calling ------------------------------------------------------------------------------------


def test_call_next_calls_the_lowest_waiting_number_once():
    doctor = DoctorFactory()
    third, first, second = checked_in(doctor, 3, hour=10), checked_in(doctor, 1, hour=8), checked_in(doctor, 2, hour=9)
    AppointmentFactory(doctor=doctor, status=S.SCHEDULED, appointment_date=today_at(11))
    called = [services.appointment_call_next(doctor=doctor, by=None).pk for _ in range(3)]
    assert called == [first.pk, second.pk, third.pk]
    with pytest.raises(ValidationError):
        services.appointment_call_next(doctor=doctor, by=None)
    assert {a.call_count for a in Appointment.objects.filter(pk__in=called)} == {1}


def test_call_next_leaves_other_doctors_patients_alone():
    doctor, other = DoctorFactory(), DoctorFactory()
    theirs = checked_in(other, 1)
    with pytest.raises(ValidationError):
        services.appointment_call_next(doctor=doctor, by=None)
    assert Appointment.objects.get(pk=theirs.pk).called_at is None


def test_call_again_counts_and_refuses_a_patient_not_checked_in():
    doctor = DoctorFactory()
    visit = checked_in(doctor, 1)
    services.appointment_call_again(appointment=visit, by=None)
    services.appointment_call_again(appointment=visit, by=None)
    assert Appointment.objects.get(pk=visit.pk).call_count == 2
    scheduled = AppointmentFactory(doctor=doctor, status=S.SCHEDULED, appointment_date=today_at(12))
    with pytest.raises(ValidationError):
        services.appointment_call_again(appointment=scheduled, by=None)
    assert Appointment.objects.get(pk=scheduled.pk).call_count == 0


# --- the ticket ---------------------------------------------------------------------------------


def test_the_ticket_shows_clinic_doctor_number_and_time(client, receptionist):
    doctor = DoctorFactory(full_name="dr. Tiket")
    visit = checked_in(doctor, 12, hour=9, minute=30)
    client.force_login(receptionist)
    html = client.get(reverse("scheduling:ticket", args=[visit.pk])).content.decode()
    assert settings.CLINIC_NAME in html
    assert '<p class="ticket-number">12</p>' in html
    assert "dr. Tiket" in html and "09.30" in html
    assert visit.patient.full_name not in html
    assert "css/ticket" in html


def test_the_ticket_css_is_for_58_mm_paper():
    css = (Path(settings.BASE_DIR) / "static" / "css" / "ticket.css").read_text()
    assert "size: 58mm 100mm" in css


def test_no_ticket_before_check_in(client, receptionist):
    visit = AppointmentFactory(status=S.SCHEDULED, appointment_date=today_at(9))
    client.force_login(receptionist)
    response = client.get(reverse("scheduling:ticket", args=[visit.pk]), follow=True)
    assert response.redirect_chain[-1][0] == reverse("scheduling:detail", args=[visit.pk])
    assert "no queue number" in response.content.decode() or "nomor antrean" in response.content.decode()


def test_the_board_and_the_detail_link_the_ticket_after_check_in(client, receptionist):
    visit = AppointmentFactory(status=S.SCHEDULED, appointment_date=today_at(9))
    client.force_login(receptionist)
    client.post(reverse("scheduling:check_in", args=[visit.pk]))
    ticket = reverse("scheduling:ticket", args=[visit.pk])
    assert ticket in client.get(reverse("scheduling:board")).content.decode()
    assert ticket in client.get(reverse("scheduling:detail", args=[visit.pk])).content.decode()
