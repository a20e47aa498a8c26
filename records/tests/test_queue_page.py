"""The rows of a doctor's queue as the page writes them: every status, both languages, and every
value escaped."""

import datetime
import re

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import timezone
from pytest_django.asserts import assertInHTML

from patients.tests.factories import PatientFactory
from scheduling.models import Appointment
from scheduling.tests.factories import AppointmentFactory

pytestmark = pytest.mark.django_db

S = Appointment.Status
XSS = '<script>alert(1)</script>&"'
SHORT_XSS = '<b>x</b>&"'
QUEUE = reverse("records:queue")


def today_at(hour: int, minute: int = 0) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(timezone.localdate(), datetime.time(hour, minute)))


def born_years_ago(years: int) -> datetime.date:
    """A birth date on which the patient is `years` old today (1 January of that year)."""
    return datetime.date(timezone.localdate().year - years, 1, 1)


def months_ago(months: int) -> datetime.date:
    """A birth date on which the patient is `months` months old today."""
    today = timezone.localdate()
    year, month = divmod(today.year * 12 + today.month - 1 - months, 12)
    return today.replace(year=year, month=month + 1, day=min(today.day, 28))


def visit_of(user, status, hour, **kwargs) -> Appointment:
    return AppointmentFactory(doctor=user.doctor_profile, status=status, appointment_date=today_at(hour), **kwargs)


def queue_page(client, user, language="id") -> str:
    client.force_login(user)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    response = client.get(QUEUE)
    assert response.status_code == 200
    return response.content.decode()


def row(pk, number, time, name, mrn, age, reason, status, label, waiting, start=False) -> str:
    """A queue row as the page writes it (compared as HTML, whitespace aside)."""
    form = ""
    if start:
        form = (
            f'<form method="post" action="{reverse("records:start", args=[pk])}" class="d-inline">'
            f'<input type="hidden" name="csrfmiddlewaretoken" value="TOKEN">'
            f'<button type="submit" class="btn btn-sm btn-primary">Start consultation</button></form>'
        )
    return (
        f'<tr class="queue-row"><td class="fw-bold">{number}</td><td>{time}</td><td>{name}</td>'
        f"<td>{mrn}</td><td>{age}</td><td>{reason}</td>"
        f'<td><span class="badge status-{status}">{label}</span></td><td>{waiting}</td>'
        f'<td class="text-end text-nowrap"><a class="btn btn-sm btn-outline-primary" '
        f'href="{reverse("records:visit", args=[pk])}">Open visit</a>{form}</td></tr>'
    )


def with_one_token(html: str) -> str:
    """The page with each masked CSRF token written as TOKEN."""
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', 'name="csrfmiddlewaretoken" value="TOKEN"', html)


def test_it_writes_a_row_for_every_status_with_start_only_for_the_checked_in(client, doctor_user):
    arrived = timezone.now() - datetime.timedelta(minutes=25)
    visits = {
        S.CHECKED_IN: visit_of(
            doctor_user,
            S.CHECKED_IN,
            8,
            queue_number=2,
            arrived_at=arrived,
            reason="Demam",
            patient=PatientFactory(full_name="Budi Santoso", date_of_birth=born_years_ago(34)),
        ),
        S.IN_CONSULTATION: visit_of(
            doctor_user,
            S.IN_CONSULTATION,
            9,
            queue_number=1,
            arrived_at=arrived,
            patient=PatientFactory(full_name="Ani", date_of_birth=months_ago(12)),
        ),
        S.SCHEDULED: visit_of(
            doctor_user,
            S.SCHEDULED,
            10,
            reason="Kontrol",
            patient=PatientFactory(full_name="Citra", date_of_birth=months_ago(3)),
        ),
        S.COMPLETED: visit_of(
            doctor_user,
            S.COMPLETED,
            11,
            queue_number=3,
            arrived_at=arrived,
            patient=PatientFactory(full_name="Eko", date_of_birth=born_years_ago(70)),
        ),
        S.CANCELLED: visit_of(
            doctor_user, S.CANCELLED, 12, patient=PatientFactory(full_name="Fajar", date_of_birth=born_years_ago(5))
        ),
    }
    html = with_one_token(queue_page(client, doctor_user, language="en"))
    assert html.count('class="queue-row"') == 5
    assert html.count("/start/") == 1
    expected = {  # status: queue number, age, reason, label, waiting
        S.CHECKED_IN: (2, "34 yrs", "Demam", "Checked in", "25 min"),
        S.IN_CONSULTATION: (1, "12 mos", "", "In consultation", ""),  # months under 2 years
        S.SCHEDULED: ("–", "3 mos", "Kontrol", "Scheduled", ""),
        S.COMPLETED: (3, "70 yrs", "", "Completed", ""),
        S.CANCELLED: ("–", "5 yrs", "", "Cancelled", ""),
    }
    for status, (number, age, reason, label, waiting) in expected.items():
        visit = visits[status]
        time = timezone.localtime(visit.appointment_date).strftime("%H.%M")
        assertInHTML(
            row(
                visit.pk,
                number,
                time,
                visit.patient.full_name,
                visit.patient.medical_record_number,
                age,
                reason,
                status,
                label,
                waiting,
                start=status == S.CHECKED_IN,
            ),
            html,
        )


def test_it_writes_the_queue_in_indonesian(client, doctor_user):
    visit_of(
        doctor_user,
        S.CHECKED_IN,
        8,
        queue_number=1,
        arrived_at=timezone.now() - datetime.timedelta(minutes=1),
        patient=PatientFactory(date_of_birth=born_years_ago(2)),
    )
    html = queue_page(client, doctor_user)
    for cell in ("<td>2 tahun</td>", "<td>1 menit</td>", '<span class="badge status-checked_in">Sudah check-in</span>'):
        assertInHTML(cell, html, count=1)
    assert "Buka kunjungan" in html and "Mulai pemeriksaan" in html


def test_it_writes_singular_and_plural_years_and_minutes_in_english(client, doctor_user):
    # Under 2 years the age is in months (issue 17): a one-year-old is "12 mos".
    now = timezone.now()
    visit_of(
        doctor_user,
        S.CHECKED_IN,
        8,
        queue_number=1,
        arrived_at=now - datetime.timedelta(minutes=1),
        patient=PatientFactory(date_of_birth=months_ago(12)),
    )
    visit_of(
        doctor_user,
        S.CHECKED_IN,
        9,
        queue_number=2,
        arrived_at=now - datetime.timedelta(minutes=2),
        patient=PatientFactory(date_of_birth=born_years_ago(2)),
    )
    html = queue_page(client, doctor_user, language="en")
    for cell in ("<td>12 mos</td>", "<td>2 yrs</td>", "<td>1 min</td>", "<td>2 min</td>"):
        assertInHTML(cell, html, count=1)


def test_it_escapes_every_value_of_a_queue_row(client, doctor_user):
    visit_of(
        doctor_user,
        S.CHECKED_IN,
        8,
        queue_number=1,
        arrived_at=timezone.now(),
        reason=XSS,
        # The No. RM column holds 20 characters: a shorter payload, the same characters.
        patient=PatientFactory(full_name=XSS, medical_record_number=SHORT_XSS),
    )
    html = queue_page(client, doctor_user)
    assert "<script>" not in html and "<b>" not in html

    def escaped(value):
        return value.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")

    assertInHTML(f"<td>{escaped(XSS)}</td>", html, count=2)
    assertInHTML(f"<td>{escaped(SHORT_XSS)}</td>", html, count=1)
