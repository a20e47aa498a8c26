"""The hot list pages' rows written in Python (scheduling/templatetags/schedule_rows.py) and the
cheap filters they use (clinic/templatetags/clinic_format.py) give what Django's own filters, tags
and the templates they replaced gave, with every value escaped."""

import datetime
import zoneinfo
from html.parser import HTMLParser
from types import SimpleNamespace

import pytest
from django.template import Context, Template
from django.urls import get_script_prefix, include, path, reverse, set_script_prefix, set_urlconf
from django.utils import timezone, translation
from django.utils.translation import gettext
from pytest_django.asserts import assertHTMLEqual

from clinic.templatetags.clinic_format import clock, local_minute, pk_url
from patients.tests.factories import DoctorFactory, PatientFactory, WorkingHoursFactory
from scheduling.models import Appointment
from scheduling.selectors import BoardRow, DayAppointment
from scheduling.tests.factories import AppointmentFactory

pytestmark = pytest.mark.django_db

Status = Appointment.Status
JAKARTA = zoneinfo.ZoneInfo("Asia/Jakarta")
UTC = datetime.timezone.utc
MONDAY = datetime.date(2026, 12, 7)
XSS_NAME = '<script>alert(1)</script>&"'
XSS_ESCAPED = "&lt;script&gt;alert(1)&lt;/script&gt;&amp;&quot;"


def at(hour, minute=0, day=MONDAY):
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour, minute)))


NOW = at(10, 7)  # the clinic clock of the page tests: Monday 07-12-2026 10.07


def render(source: str, **context) -> str:
    return Template(source).render(Context(context))


class _Rows(HTMLParser):
    """The <tr> rows of a fragment: each cell's text, its links and its forms (attribute values
    and text come back unescaped, as a browser reads them)."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.rows, self._form, self._link, self._button = [], None, None, False

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "tr":
            self.rows.append({"class": attrs.get("class"), "cells": [], "links": [], "forms": []})
            self._in_row = True
        elif not getattr(self, "_in_row", False):
            return
        elif tag == "td":
            self.rows[-1]["cells"].append("")
        elif tag == "a":
            self._link = {"href": attrs.get("href"), "text": ""}
            self.rows[-1]["links"].append(self._link)
        elif tag == "form":
            self._form = {"method": attrs.get("method"), "action": attrs.get("action"),
                          "confirm": attrs.get("data-confirm"), "inputs": {}, "button": ""}
            self.rows[-1]["forms"].append(self._form)
        elif tag == "input" and self._form is not None:
            self._form["inputs"][attrs["name"]] = (attrs.get("type"), attrs.get("value"))
        elif tag == "button":
            self._button = True

    def handle_endtag(self, tag):
        if tag == "tr":
            self._in_row = False
        elif tag == "form":
            self._form = None
        elif tag == "a":
            self._link = None
        elif tag == "button":
            self._button = False

    def handle_data(self, data):
        if not getattr(self, "_in_row", False):
            return
        if self.rows[-1]["cells"]:
            self.rows[-1]["cells"][-1] += data
        if self._link is not None:
            self._link["text"] += data
        if self._button and self._form is not None:
            self._form["button"] += data


def rows_of(html: str) -> list[dict]:
    parser = _Rows()
    parser.feed(html)
    parser.close()
    for row in parser.rows:
        row["cells"] = [" ".join(cell.split()) for cell in row["cells"]]
        for link in row["links"]:
            link["text"] = " ".join(link["text"].split())
    return parser.rows


# --- clock and local_minute ------------------------------------------------------------------

AWARE = [
    datetime.datetime(2026, 3, 7, 8, 30, tzinfo=JAKARTA),
    datetime.datetime(2026, 3, 6, 16, 59, 59, tzinfo=UTC),  # 23.59 in Jakarta
    datetime.datetime(2026, 3, 6, 17, 0, tzinfo=UTC),  # Jakarta midnight: the next day
    datetime.datetime(2026, 12, 31, 17, 0, tzinfo=UTC),  # the new year in Jakarta only
    datetime.datetime(2026, 3, 7, 1, 5, 30, 999_999, tzinfo=UTC),
    datetime.datetime(2026, 3, 7, 8, 30, tzinfo=zoneinfo.ZoneInfo("America/New_York")),
    datetime.datetime(2026, 3, 7, 0, 0, tzinfo=JAKARTA),
]
NAIVE = datetime.datetime(2026, 3, 7, 8, 30)


@pytest.mark.parametrize("value", AWARE + [NAIVE], ids=str)
def test_clock_gives_what_the_time_filter_gives(value):
    expected = render('{{ value|time:"H.i" }}', value=value)
    assert clock(value) == expected
    assert render("{% load clinic_format %}{{ value|clock }}", value=value) == expected


@pytest.mark.parametrize("value", AWARE + [NAIVE], ids=str)
def test_local_minute_gives_what_the_date_filter_gives(value):
    expected = render("{{ value|date:'Y-m-d\\TH:i' }}", value=value)
    assert local_minute(value) == expected
    assert render("{% load clinic_format %}{{ value|local_minute }}", value=value) == expected


def test_clock_and_local_minute_show_jakarta_time_around_its_midnight():
    assert clock(datetime.datetime(2026, 3, 6, 16, 59, tzinfo=UTC)) == "23.59"
    assert local_minute(datetime.datetime(2026, 3, 6, 16, 59, tzinfo=UTC)) == "2026-03-06T23:59"
    assert clock(datetime.datetime(2026, 3, 6, 17, 0, tzinfo=UTC)) == "00.00"
    assert local_minute(datetime.datetime(2026, 3, 6, 17, 0, tzinfo=UTC)) == "2026-03-07T00:00"


def test_clock_and_local_minute_leave_a_naive_datetime_as_it_is():
    assert clock(NAIVE) == "08.30"
    assert local_minute(NAIVE) == "2026-03-07T08:30"


def test_clock_and_local_minute_follow_the_active_time_zone_as_the_filters_do():
    value = datetime.datetime(2026, 3, 6, 17, 0, tzinfo=UTC)
    with timezone.override("UTC"):
        assert clock(value) == render('{{ value|time:"H.i" }}', value=value) == "17.00"
        assert local_minute(value) == render("{{ value|date:'Y-m-d\\TH:i' }}", value=value) == "2026-03-06T17:00"


@pytest.mark.parametrize("empty", [None, ""])
def test_clock_and_local_minute_give_nothing_for_no_value(empty):
    assert clock(empty) == "" == render('{{ value|time:"H.i" }}', value=empty)
    assert local_minute(empty) == "" == render("{{ value|date:'Y-m-d\\TH:i' }}", value=empty)


# --- pk_url ----------------------------------------------------------------------------------

PK_URL_NAMES = ["scheduling:detail", "scheduling:check_in", "scheduling:no_show", "scheduling:cancel",
                "patients:detail", "billing:detail"]


@pytest.mark.parametrize("name", PK_URL_NAMES)
@pytest.mark.parametrize("pk", [1, 7, 42, 1234567, "35"])
def test_pk_url_gives_what_reverse_gives(name, pk):
    assert pk_url(pk, name) == reverse(name, args=[pk])
    assert pk_url(pk, name) == pk_url(pk, name)  # from the cache the second time


@pytest.mark.parametrize("name", PK_URL_NAMES)
def test_pk_url_filter_gives_what_the_url_tag_gives(name):
    source = "{% load clinic_format %}{{ pk|pk_url:name }}|{% url name pk %}"
    filtered, tagged = render(source, pk=58, name=name).split("|")
    assert filtered == tagged == reverse(name, args=[58])


def test_pk_url_follows_the_script_prefix():
    before = pk_url(5, "scheduling:detail")  # cached for the prefix in force
    previous = get_script_prefix()
    try:
        set_script_prefix("/klinik/")
        for name in PK_URL_NAMES:
            prefixed = pk_url(5, name)
            assert prefixed == reverse(name, args=[5])
            assert prefixed.startswith("/klinik/")
        assert pk_url(5, "scheduling:detail") == "/klinik/" + before.lstrip("/")
    finally:
        set_script_prefix(previous)
    assert pk_url(5, "scheduling:detail") == before == reverse("scheduling:detail", args=[5])
    assert not before.startswith("/klinik/")


# A URL conf of its own for the tests below: the appointments under another path.
urlpatterns = [path("lain/janji/", include("scheduling.urls"))]


def test_pk_url_follows_a_changed_root_urlconf(settings):
    assert pk_url(5, "scheduling:detail") == reverse("scheduling:detail", args=[5])  # now cached
    settings.ROOT_URLCONF = __name__  # setting_changed: the cached URLs are forgotten
    assert pk_url(5, "scheduling:detail") == reverse("scheduling:detail", args=[5]) == "/lain/janji/5/"


def test_pk_url_follows_the_urlconf_of_the_request():
    before = pk_url(5, "scheduling:detail")
    try:
        set_urlconf(__name__)  # what a middleware setting request.urlconf does
        assert pk_url(5, "scheduling:detail") == reverse("scheduling:detail", args=[5]) == "/lain/janji/5/"
    finally:
        set_urlconf(None)
    assert pk_url(5, "scheduling:detail") == before == reverse("scheduling:detail", args=[5])


# --- board_rows ------------------------------------------------------------------------------

BOARD = "{% load schedule_rows %}{% board_rows rows %}"
CSRF = "Tok3nWith0ddChars"
NEXT_URL = '/scheduling/?doctor=3&status=scheduled&x="<y>'


def board_row(pk, status, *, name="Siti Rahmawati", mrn="RM-000001", start=None, queue=None,
              arrived=None, waiting=None):
    return BoardRow(pk=pk, start=start or at(9), status=status, queue_number=queue, arrived_at=arrived,
                    waiting_minutes=waiting, patient_name=name, patient_mrn=mrn, doctor_id=1,
                    doctor_name="dr. Ani", doctor_specialization="Umum")


def render_board(rows, language="en"):
    with translation.override(language):
        return render(BOARD, rows=rows, csrf_value=CSRF, next_url=NEXT_URL)


EXPECTED_FORMS = {
    Status.SCHEDULED: ["scheduling:check_in", "scheduling:no_show", "scheduling:cancel"],
    Status.CHECKED_IN: ["scheduling:no_show", "scheduling:cancel"],
    Status.IN_CONSULTATION: [],
    Status.COMPLETED: [],
    Status.CANCELLED: [],
    Status.NO_SHOW: [],
}


@pytest.mark.parametrize("status", list(Status))
def test_board_rows_give_each_status_its_action_forms(status):
    (row,) = rows_of(render_board([board_row(41, status)]))
    assert [form["action"] for form in row["forms"]] == [reverse(n, args=[41]) for n in EXPECTED_FORMS[status]]
    for form in row["forms"]:
        assert form["method"] == "post"
        assert form["inputs"] == {"csrfmiddlewaretoken": ("hidden", CSRF), "next": ("hidden", NEXT_URL)}


def test_board_rows_label_and_confirm_their_forms():
    (row,) = rows_of(render_board([board_row(41, Status.SCHEDULED)], language="id"))
    with translation.override("id"):
        assert [(f["button"], f["confirm"]) for f in row["forms"]] == [
            (gettext("Check in"), None),
            (gettext("No-show"), gettext("Mark this appointment as a no-show?")),
            (gettext("Cancel"), gettext("Cancel this appointment?")),
        ]


def test_board_rows_link_the_appointment_and_show_its_values():
    rows = [board_row(41, Status.SCHEDULED, start=at(9, 15), mrn="RM-000041"),
            board_row(42, Status.CHECKED_IN, name="Budi Santoso", mrn="RM-000042", start=at(9, 30), queue=3,
                      arrived=at(9, 45), waiting=22)]
    first, second = rows_of(render_board(rows))
    assert first["links"] == [{"href": reverse("scheduling:detail", args=[41]), "text": "Siti Rahmawati"}]
    assert second["links"] == [{"href": reverse("scheduling:detail", args=[42]), "text": "Budi Santoso"}]
    assert first["cells"][:7] == ["09.15", "Siti Rahmawati", "RM-000041", "Scheduled", "", "", ""]
    assert second["cells"][:7] == ["09.30", "Budi Santoso", "RM-000042", "Checked in", "3", "09.45", "22 min"]


@pytest.mark.parametrize(("language", "expected"), [("id", "22 menit"), ("en", "22 min")])
def test_board_rows_write_the_waiting_minutes_in_the_language(language, expected):
    (row,) = rows_of(render_board([board_row(42, Status.CHECKED_IN, waiting=22, arrived=at(9, 45))],
                                  language=language))
    assert row["cells"][6] == expected
    (row,) = rows_of(render_board([board_row(42, Status.CHECKED_IN, waiting=1, arrived=at(10, 6))],
                                  language=language))
    assert row["cells"][6] == expected.replace("22", "1")


def test_board_rows_escape_the_patients_name_and_every_other_value():
    row = board_row(41, Status.SCHEDULED, name=XSS_NAME, mrn='RM-<i>"1"</i>')
    html = render_board([row])
    assert "<script>" not in html and "<i>" not in html
    assert XSS_ESCAPED in html
    assert "RM-&lt;i&gt;&quot;1&quot;&lt;/i&gt;" in html
    assert 'value="/scheduling/?doctor=3&amp;status=scheduled&amp;x=&quot;&lt;y&gt;"' in html
    (parsed,) = rows_of(html)
    assert parsed["links"][0]["text"] == XSS_NAME  # what the browser shows is the name as typed


def test_board_rows_escape_the_csrf_value_too():
    with translation.override("en"):
        html = render(BOARD, rows=[board_row(41, Status.SCHEDULED)], csrf_value='"><b>', next_url="/")
    assert "<b>" not in html and 'value="&quot;&gt;&lt;b&gt;"' in html


def test_board_rows_of_no_appointment_are_empty():
    assert render_board([]) == ""


# The row markup the board's template wrote before board_rows (commit 9f9df56).
OLD_BOARD_ROWS = """{% load i18n clinic_format %}{% for appointment in rows %}
        <tr>
          <td>{{ appointment.appointment_date|clock }}</td>
          <td><a href="{{ appointment.pk|pk_url:'scheduling:detail' }}">{{ appointment.patient.full_name }}</a></td>
          <td>{{ appointment.patient.medical_record_number }}</td>
          <td>{{ appointment|status_badge }}</td>
          <td>{{ appointment.queue_number|default_if_none:"" }}</td>
          <td>{% if appointment.arrived_at %}{{ appointment.arrived_at|clock }}{% endif %}</td>
          <td>{% if appointment.waiting_minutes is not None %}{% blocktranslate count minutes=appointment.waiting_minutes %}{{ minutes }} min{% plural %}{{ minutes }} min{% endblocktranslate %}{% endif %}</td>
          <td class="d-print-none text-nowrap">
            {% if appointment.status == "scheduled" %}
            <form method="post" action="{{ appointment.pk|pk_url:'scheduling:check_in' }}" class="d-inline">{% csrf_token %}
              <input type="hidden" name="next" value="{{ next_url }}">
              <button type="submit" class="btn btn-sm btn-primary">{% translate "Check in" %}</button>
            </form>
            {% endif %}
            {% if appointment.status == "scheduled" or appointment.status == "checked_in" %}
            <form method="post" action="{{ appointment.pk|pk_url:'scheduling:no_show' }}" class="d-inline"
                  data-confirm="{% translate 'Mark this appointment as a no-show?' %}">{% csrf_token %}
              <input type="hidden" name="next" value="{{ next_url }}">
              <button type="submit" class="btn btn-sm btn-outline-danger">{% translate "No-show" %}</button>
            </form>
            <form method="post" action="{{ appointment.pk|pk_url:'scheduling:cancel' }}" class="d-inline"
                  data-confirm="{% translate 'Cancel this appointment?' %}">{% csrf_token %}
              <input type="hidden" name="next" value="{{ next_url }}">
              <button type="submit" class="btn btn-sm btn-outline-secondary">{% translate "Cancel" %}</button>
            </form>
            {% endif %}
          </td>
        </tr>
      {% endfor %}"""


def _as_appointment(row: BoardRow) -> SimpleNamespace:
    """What the old template read from an Appointment, taken from a BoardRow."""
    return SimpleNamespace(
        pk=row.pk, appointment_date=row.start, status=row.status, queue_number=row.queue_number,
        arrived_at=row.arrived_at, waiting_minutes=row.waiting_minutes,
        patient=SimpleNamespace(full_name=row.patient_name, medical_record_number=row.patient_mrn),
        get_status_display=lambda: Status(row.status).label,
    )


@pytest.mark.parametrize("language", ["en", "id"])
def test_board_rows_write_the_markup_the_template_wrote(language):
    rows = [board_row(40 + i, status, name=f'{XSS_NAME} {i}', start=at(8 + i), queue=i or None,
                      arrived=at(8 + i, 5) if i else None, waiting=(i * 7) if i else None)
            for i, status in enumerate(Status)]
    new = render_board(rows, language=language)
    with translation.override(language):
        old = render(OLD_BOARD_ROWS, rows=[_as_appointment(r) for r in rows], csrf_token=CSRF, next_url=NEXT_URL)
    assertHTMLEqual(new, old)


# --- day_slots -------------------------------------------------------------------------------

DAY = "{% load schedule_rows %}{% day_slots slots %}"


@pytest.fixture
def day_doctor():
    return DoctorFactory(full_name="dr. Ani")


def day_row(appointment) -> DayAppointment:
    """The appointment as scheduling.selectors.doctor_day hands it to day_slots."""
    return DayAppointment(appointment.pk, appointment.appointment_date, appointment.end_time, appointment.status,
                          appointment.slot_active, appointment.patient.full_name,
                          appointment.patient.medical_record_number)


@pytest.fixture
def day_slots_of(day_doctor):
    """Slots 08.45–10.00: 09.00–09.30 taken by one appointment (two slots), the rest free."""
    taken = AppointmentFactory(doctor=day_doctor, patient=PatientFactory(full_name="Siti Rahmawati"),
                               appointment_date=at(9), end_time=at(9, 30))
    slots = []
    for start in (at(8, 45), at(9), at(9, 15), at(9, 30), at(9, 45)):
        appointment = day_row(taken) if at(9) <= start < at(9, 30) else None
        slots.append({"start": start, "end": start + datetime.timedelta(minutes=15),
                      "appointment": appointment, "first": appointment is not None and start == at(9)})
    return taken, slots


def render_day(slots, *, doctor, own, bookable_from, language="en"):
    with translation.override(language):
        return render(DAY, slots=slots, own=own, doctor=doctor, bookable_from=bookable_from)


def test_day_slots_link_the_appointment_on_its_first_slot_and_continue_it(day_doctor, day_slots_of):
    taken, slots = day_slots_of
    rows = rows_of(render_day(slots, doctor=day_doctor, own=False, bookable_from=at(8)))
    assert [r["class"] for r in rows] == ["slot-free", "slot-taken", "slot-taken", "slot-free", "slot-free"]
    assert [r["cells"][0] for r in rows] == ["08.45", "09.00", "09.15", "09.30", "09.45"]
    first, continued = rows[1], rows[2]
    assert first["links"] == [{"href": reverse("scheduling:detail", args=[taken.pk]), "text": "Siti Rahmawati"}]
    assert first["cells"][1] == f"Siti Rahmawati · {taken.patient.medical_record_number}"
    assert first["cells"][2] == "Scheduled"
    assert continued["links"] == []
    assert continued["cells"][1] == "Siti Rahmawati (continued)"


def test_day_slots_say_continued_in_indonesian(day_doctor, day_slots_of):
    _taken, slots = day_slots_of
    rows = rows_of(render_day(slots, doctor=day_doctor, own=False, bookable_from=at(8), language="id"))
    with translation.override("id"):
        word = gettext("continued")
    assert word == "lanjutan"  # the Indonesian catalog's word
    assert rows[2]["cells"][1] == f"Siti Rahmawati ({word})"


def _book_links(rows):
    book = reverse("scheduling:book")
    return [link["href"] for row in rows for link in row["links"] if link["href"].startswith(book)]


def test_day_slots_link_free_slots_to_booking_from_bookable_from_on(day_doctor, day_slots_of):
    _taken, slots = day_slots_of
    book = reverse("scheduling:book")
    html = render_day(slots, doctor=day_doctor, own=False, bookable_from=at(9, 30))
    rows = rows_of(html)
    assert _book_links(rows) == [f"{book}?doctor={day_doctor.pk}&start=2026-12-07T09:30",
                                 f"{book}?doctor={day_doctor.pk}&start=2026-12-07T09:45"]
    assert f"{book}?doctor={day_doctor.pk}&amp;start=2026-12-07T09:30" in html
    assert rows[0]["cells"][1] == "Free" and rows[0]["links"] == []  # 08.45: before bookable_from
    assert rows[3]["links"][0]["text"] == "Free — book"


def test_day_slots_link_no_free_slot_before_bookable_from(day_doctor, day_slots_of):
    _taken, slots = day_slots_of
    rows = rows_of(render_day(slots, doctor=day_doctor, own=False, bookable_from=at(9, 31)))
    assert _book_links(rows) == [f"{reverse('scheduling:book')}?doctor={day_doctor.pk}&start=2026-12-07T09:45"]
    assert rows[3]["cells"][1] == "Free"
    assert _book_links(rows_of(render_day(slots, doctor=day_doctor, own=False, bookable_from=at(10)))) == []


def test_day_slots_link_no_booking_on_a_doctors_own_day(day_doctor, day_slots_of):
    taken, slots = day_slots_of
    rows = rows_of(render_day(slots, doctor=day_doctor, own=True, bookable_from=at(8)))
    assert _book_links(rows) == []
    assert [r["cells"][1] for r in rows if r["class"] == "slot-free"] == ["Free"] * 3
    assert rows[1]["links"][0]["href"] == reverse("scheduling:detail", args=[taken.pk])


def test_day_slots_escape_the_patients_name(day_doctor):
    patient = PatientFactory(full_name=XSS_NAME)
    appointment = day_row(AppointmentFactory(doctor=day_doctor, patient=patient, appointment_date=at(9),
                                             end_time=at(9, 30)))
    slots = [{"start": at(9), "end": at(9, 15), "appointment": appointment, "first": True},
             {"start": at(9, 15), "end": at(9, 30), "appointment": appointment, "first": False}]
    html = render_day(slots, doctor=day_doctor, own=False, bookable_from=at(8))
    assert "<script>" not in html
    assert html.count(XSS_ESCAPED) == 2
    assert rows_of(html)[0]["links"][0]["text"] == XSS_NAME


# The slot markup of a doctor's day before day_slots (commit 376180c).
OLD_DAY_SLOTS = """{% load i18n clinic_format %}{% url 'scheduling:book' as book_url %}
  {% for slot in slots %}
    {% with appointment=slot.appointment %}
    {% if appointment %}
    <tr class="slot-taken">
      <td>{{ slot.start|clock }}</td>
      <td>{% if slot.first %}<a href="{{ appointment.pk|pk_url:'scheduling:detail' }}">{{ appointment.patient.full_name }}</a>
        <small class="text-muted">· {{ appointment.patient.medical_record_number }}</small>
        {% else %}<span class="text-muted">{{ appointment.patient.full_name }} ({% translate "continued" %})</span>{% endif %}</td>
      <td>{{ appointment|status_badge }}</td>
    </tr>
    {% else %}
    <tr class="slot-free">
      <td>{{ slot.start|clock }}</td>
      <td colspan="2">
        {% if not own and slot.start >= bookable_from %}
        <a href="{{ book_url }}?doctor={{ doctor.pk }}&amp;start={{ slot.start|local_minute }}">{% translate "Free — book" %}</a>
        {% else %}<span class="text-muted">{% translate "Free" %}</span>{% endif %}
      </td>
    </tr>
    {% endif %}
    {% endwith %}
  {% endfor %}"""


@pytest.mark.parametrize("language", ["en", "id"])
@pytest.mark.parametrize(("own", "bookable_hour"), [(False, 8), (False, 10), (True, 8)])
def test_day_slots_write_the_markup_the_template_wrote(day_doctor, language, own, bookable_hour):
    patient = PatientFactory(full_name=XSS_NAME)
    appointment = AppointmentFactory(doctor=day_doctor, patient=patient, appointment_date=at(9), end_time=at(9, 30),
                                     status=Status.CHECKED_IN)
    def slots_of(taken):
        return [{"start": start, "end": start + datetime.timedelta(minutes=15),
                 "appointment": taken if at(9) <= start < at(9, 30) else None, "first": start == at(9)}
                for start in (at(8, 30), at(9), at(9, 15), at(9, 30), at(10, 15))]

    context = {"slots": slots_of(appointment), "own": own, "doctor": day_doctor, "bookable_from": at(bookable_hour)}
    new = render_day(slots_of(day_row(appointment)), doctor=day_doctor, own=own, bookable_from=at(bookable_hour), language=language)
    with translation.override(language):
        old = render(OLD_DAY_SLOTS, **context)
    assertHTMLEqual(new, old)


# --- The pages ---------------------------------------------------------------------------------


@pytest.fixture
def frozen_clock(monkeypatch):
    monkeypatch.setattr(timezone, "now", lambda: NOW)


def test_board_page_shows_todays_rows_with_their_forms(client, receptionist, frozen_clock):
    doctor = DoctorFactory(full_name="dr. Papan")
    scheduled = AppointmentFactory(doctor=doctor, patient=PatientFactory(full_name="Siti Rahmawati"),
                                   appointment_date=at(11), end_time=at(11, 15))
    checked_in = AppointmentFactory(doctor=doctor, patient=PatientFactory(full_name="Budi Santoso"),
                                    appointment_date=at(9, 30), end_time=at(9, 45), status=Status.CHECKED_IN,
                                    queue_number=1, arrived_at=at(9, 45))
    client.force_login(receptionist)
    response = client.get(reverse("scheduling:board"))
    html = response.content.decode()
    assert response.status_code == 200
    assert "Siti Rahmawati" in html and "Budi Santoso" in html
    for name in ("scheduling:check_in", "scheduling:no_show", "scheduling:cancel"):
        assert f'action="{reverse(name, args=[scheduled.pk])}"' in html
    for name in ("scheduling:no_show", "scheduling:cancel"):
        assert f'action="{reverse(name, args=[checked_in.pk])}"' in html
    for appointment in (scheduled, checked_in):
        assert f'href="{reverse("scheduling:detail", args=[appointment.pk])}"' in html
    assert reverse("scheduling:check_in", args=[checked_in.pk]) not in html
    assert "22 menit" in html  # 10.07 − 09.45, Indonesian by default
    rows = {row["links"][0]["text"]: row for row in rows_of(html) if row["links"] and row["forms"]}
    assert len(rows["Siti Rahmawati"]["forms"]) == 3 and len(rows["Budi Santoso"]["forms"]) == 2
    token = response.context["csrf_value"]
    assert {f["inputs"]["csrfmiddlewaretoken"] for r in rows.values() for f in r["forms"]} == {("hidden", token)}
    assert {f["inputs"]["next"] for r in rows.values() for f in r["forms"]} == {("hidden", reverse("scheduling:board"))}


def test_patient_search_page_shows_the_result_rows(client, receptionist):
    found = PatientFactory(full_name="Zulkarnain Hasibuan", phone="")
    also = PatientFactory(full_name="Zulkifli Anwar", is_active=False)
    PatientFactory(full_name="Ani Lain")
    client.force_login(receptionist)
    response = client.get(reverse("patients:search"), {"q": "Zul", "inactive": "on"})
    html = response.content.decode()
    assert response.status_code == 200
    for patient in (found, also):
        assert patient.full_name in html and patient.medical_record_number in html
        assert f'href="{reverse("patients:detail", args=[patient.pk])}"' in html
    assert "Ani Lain" not in html
    assert "Nonaktif" in html and "—" in html


def test_doctors_day_page_shows_the_slot_rows(client, doctor_user, frozen_clock):
    doctor = doctor_user.doctor_profile
    WorkingHoursFactory(doctor=doctor, weekday=MONDAY.weekday(), start_time=datetime.time(8),
                        end_time=datetime.time(12))
    taken = AppointmentFactory(doctor=doctor, patient=PatientFactory(full_name="Siti Rahmawati"),
                               appointment_date=at(11), end_time=at(11, 30))
    client.force_login(doctor_user)
    response = client.get(reverse("scheduling:day"))
    html = response.content.decode()
    assert response.status_code == 200
    rows = [row for row in rows_of(html) if row["class"] in ("slot-taken", "slot-free")]
    assert len(rows) == 16  # 08.00–12.00
    assert [r["cells"][0] for r in rows if r["class"] == "slot-taken"] == ["11.00", "11.15"]
    assert f'href="{reverse("scheduling:detail", args=[taken.pk])}"' in html
    assert "Siti Rahmawati (lanjutan)" in html
    assert reverse("scheduling:book") + "?" not in html  # a doctor books nothing on their own day
