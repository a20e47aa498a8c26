"""The rows of a doctor's queue (records/templatetags/queue_rows.py) write the markup the template
wrote, in both languages, for every status, and escape every value."""

import datetime
import re
from types import SimpleNamespace

import pytest
from django.middleware.csrf import get_token
from django.template import engines
from django.test import RequestFactory
from django.utils import timezone, translation
from pytest_django.asserts import assertHTMLEqual

from records.selectors import QueueRow
from scheduling.models import Appointment

S = Appointment.Status
STATUS_LABELS = dict(S.choices)
XSS = '<script>alert(1)</script>&"'

# The rows of templates/records/partials/queue_table.html before {% queue_rows %} (commit b86ee07).
OLD_ROWS = """{% load i18n clinic_format %}
  {% for appointment in appointments %}
    <tr class="queue-row">
      <td class="fw-bold">{{ appointment.queue_number|default:"–" }}</td>
      <td>{{ appointment.appointment_date|clock }}</td>
      <td>{{ appointment.patient.full_name }}</td>
      <td>{{ appointment.patient.medical_record_number }}</td>
      <td>{% if appointment.patient_age is not None %}{% blocktranslate count years=appointment.patient_age %}{{ years }} yr{% plural %}{{ years }} yrs{% endblocktranslate %}{% endif %}</td>
      <td>{{ appointment.reason }}</td>
      <td>{{ appointment|status_badge }}</td>
      <td>{% if appointment.waiting_minutes is not None %}{% blocktranslate count minutes=appointment.waiting_minutes %}{{ minutes }} min{% plural %}{{ minutes }} min{% endblocktranslate %}{% endif %}</td>
      <td class="text-end text-nowrap">
        <a class="btn btn-sm btn-outline-primary" href="{{ appointment.pk|pk_url:'records:visit' }}">{% translate "Open visit" %}</a>
        {% if appointment.status == "checked_in" %}
        <form method="post" action="{{ appointment.pk|pk_url:'records:start' }}" class="d-inline">{% csrf_token %}
          <button type="submit" class="btn btn-sm btn-primary">{% translate "Start consultation" %}</button>
        </form>
        {% endif %}
      </td>
    </tr>
  {% endfor %}
"""
NEW_ROWS = "{% load queue_rows %}{% queue_rows appointments %}"
TOKEN = re.compile(r'name="csrfmiddlewaretoken" value="[^"]+"')
START = timezone.make_aware(datetime.datetime(2026, 12, 7, 8, 15))


def as_appointment(row: QueueRow) -> SimpleNamespace:
    """What the old template read: an appointment with its patient."""
    return SimpleNamespace(
        pk=row.pk, appointment_date=row.start, status=row.status, queue_number=row.queue_number, reason=row.reason,
        patient=SimpleNamespace(full_name=row.patient_name, medical_record_number=row.patient_mrn),
        patient_age=row.patient_age, waiting_minutes=row.waiting_minutes,
        get_status_display=lambda status=row.status: STATUS_LABELS[status])


def render(source: str, rows) -> str:
    request = RequestFactory().get("/records/queue/")
    get_token(request)
    html = engines["django"].from_string(source).render({"appointments": rows}, request)
    return TOKEN.sub('name="csrfmiddlewaretoken" value="T"', html)  # {% csrf_token %} masks anew each time


def rows_of_every_kind() -> list[QueueRow]:
    return [
        QueueRow(1, START, S.CHECKED_IN, 2, "Demam", "Budi Santoso", "RM-0000001", 34, 25),
        QueueRow(2, START + datetime.timedelta(minutes=15), S.IN_CONSULTATION, 1, "", "Ani", "RM-0000002", 1, None),
        QueueRow(3, START + datetime.timedelta(minutes=30), S.SCHEDULED, None, "Kontrol", "Citra", "RM-0000003", 0,
                 None),
        QueueRow(4, START + datetime.timedelta(minutes=45), S.CHECKED_IN, 3, "Batuk", "Dewi", "RM-0000004", None, 1),
        QueueRow(5, START + datetime.timedelta(hours=1), S.COMPLETED, 0, "Luka", "Eko", "RM-0000005", 70, None),
        QueueRow(6, START + datetime.timedelta(hours=2), S.CANCELLED, None, "", "Fajar", "RM-0000006", 5, None),
    ]


@pytest.mark.parametrize("language", ["id", "en"])
def test_it_writes_what_the_template_wrote(language):
    rows = rows_of_every_kind()
    with translation.override(language):
        new = render(NEW_ROWS, rows)
        old = render(OLD_ROWS, [as_appointment(row) for row in rows])
    assertHTMLEqual(new, old)
    assert new.count('class="queue-row"') == 6
    assert new.count("/start/") == 2  # only the checked-in may start a consultation


def test_it_escapes_every_value():
    rows = [QueueRow(9, START, S.CHECKED_IN, 1, XSS, XSS, XSS, 30, 5)]
    new = render(NEW_ROWS, rows)
    assertHTMLEqual(new, render(OLD_ROWS, [as_appointment(row) for row in rows]))
    assert "<script>" not in new


def test_the_years_and_minutes_are_plural_in_english():
    rows = [QueueRow(1, START, S.CHECKED_IN, 1, "", "A", "RM-1", 1, 1),
            QueueRow(2, START, S.CHECKED_IN, 2, "", "B", "RM-2", 2, 2)]
    with translation.override("en"):
        html = render(NEW_ROWS, rows)
    assert "<td>1 yr</td>" in html and "<td>2 yrs</td>" in html
    assert "<td>1 min</td>" in html and "<td>2 min</td>" in html
