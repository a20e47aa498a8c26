"""What the rows of today's board and of a doctor's day show, read from the pages as a browser
reads them: the links, the action forms of each status, the words in both languages, and every
value escaped."""

import datetime
import re
from html.parser import HTMLParser

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext

from patients.tests.factories import DoctorFactory, PatientFactory, WorkingHoursFactory
from scheduling.models import Appointment
from scheduling.tests.factories import AppointmentFactory

pytestmark = pytest.mark.django_db

Status = Appointment.Status
MONDAY = datetime.date(2026, 12, 7)
XSS_NAME = '<script>alert(1)</script>&"'


def at(hour, minute=0, day=MONDAY):
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour, minute)))


NOW = at(10, 7)  # the clinic clock of these tests: Monday 07-12-2026 10.07


@pytest.fixture(autouse=True)
def frozen_clock(monkeypatch):
    monkeypatch.setattr(timezone, "now", lambda: NOW)


class _Rows(HTMLParser):
    """The <tr> rows of a page: each cell's text, its links and its forms (attribute values and
    text come back unescaped, as a browser reads them)."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.rows, self._in_row, self._form, self._link, self._button = [], False, None, None, False

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "tr":
            self.rows.append({"class": attrs.get("class"), "cells": [], "links": [], "forms": []})
            self._in_row = True
        elif not self._in_row:
            return
        elif tag == "td":
            self.rows[-1]["cells"].append("")
        elif tag == "a":
            self._link = {"href": attrs.get("href"), "text": ""}
            self.rows[-1]["links"].append(self._link)
        elif tag == "form":
            self._form = {
                "method": attrs.get("method"),
                "action": attrs.get("action"),
                "confirm": attrs.get("data-confirm"),
                "inputs": {},
                "button": "",
            }
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
        if not self._in_row:
            return
        if self.rows[-1]["cells"]:
            self.rows[-1]["cells"][-1] += data
        if self._link is not None:
            self._link["text"] += data
        if self._button and self._form is not None:
            self._form["button"] += data


def rows_of(html: str) -> list[dict]:
    """The body rows (<tr> with cells) of a page, whitespace collapsed."""
    parser = _Rows()
    parser.feed(html)
    parser.close()
    rows = [row for row in parser.rows if row["cells"]]
    for row in rows:
        row["cells"] = [" ".join(cell.split()) for cell in row["cells"]]
        for link in row["links"]:
            link["text"] = " ".join(link["text"].split())
        for form in row["forms"]:
            form["button"] = " ".join(form["button"].split())
    return rows


def get(client, url, language="id", **params):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    response = client.get(url, params)
    assert response.status_code == 200
    return response.content.decode()


@pytest.fixture
def front_desk(client, receptionist):
    client.force_login(receptionist)
    return client


@pytest.fixture
def doctor():
    doctor = DoctorFactory(full_name="dr. Ani")
    WorkingHoursFactory(
        doctor=doctor, weekday=MONDAY.weekday(), start_time=datetime.time(8), end_time=datetime.time(12)
    )
    return doctor


def appointment(doctor, start, status=Status.SCHEDULED, *, minutes=15, **kwargs):
    if status in (Status.CHECKED_IN, Status.IN_CONSULTATION, Status.COMPLETED):
        kwargs.setdefault("queue_number", 1)
        kwargs.setdefault("arrived_at", start)
    return AppointmentFactory(
        doctor=doctor,
        appointment_date=start,
        end_time=start + datetime.timedelta(minutes=minutes),
        status=status,
        **kwargs,
    )


# --- Today's board ---------------------------------------------------------------------------

BOARD = reverse("scheduling:board")
EXPECTED_FORMS = {
    Status.SCHEDULED: ["scheduling:check_in", "scheduling:no_show", "scheduling:cancel"],
    Status.CHECKED_IN: ["scheduling:no_show", "scheduling:cancel"],
    Status.IN_CONSULTATION: [],
    Status.COMPLETED: [],
    Status.CANCELLED: [],
    Status.NO_SHOW: [],
}


@pytest.mark.parametrize("status", list(Status))
def test_it_gives_each_status_its_action_forms_on_the_board(front_desk, doctor, status):
    booked = appointment(doctor, at(9), status)
    (row,) = rows_of(get(front_desk, BOARD))
    assert [form["action"] for form in row["forms"]] == [reverse(n, args=[booked.pk]) for n in EXPECTED_FORMS[status]]
    for form in row["forms"]:
        assert form["method"] == "post"
        assert set(form["inputs"]) == {"csrfmiddlewaretoken", "next"}
        assert form["inputs"]["next"] == ("hidden", BOARD)


def test_it_labels_and_confirms_the_board_forms_in_indonesian(front_desk, doctor):
    appointment(doctor, at(11))
    (row,) = rows_of(get(front_desk, BOARD))
    with translation.override("id"):
        expected = [
            (gettext("Check in"), None),
            (gettext("No-show"), gettext("Mark this appointment as a no-show?")),
            (gettext("Cancel"), gettext("Cancel this appointment?")),
        ]
    assert [(form["button"], form["confirm"]) for form in row["forms"]] == expected
    assert expected[1] == ("Tidak hadir", "Tandai janji temu ini sebagai tidak hadir?")


def test_it_links_each_board_row_and_shows_its_values(front_desk, doctor):
    first = appointment(doctor, at(9, 15), patient=PatientFactory(full_name="Siti Rahmawati"))
    second = appointment(
        doctor,
        at(9, 30),
        Status.CHECKED_IN,
        queue_number=3,
        arrived_at=at(9, 45),
        patient=PatientFactory(full_name="Budi Santoso"),
    )
    rows = rows_of(get(front_desk, BOARD, language="en"))
    assert [row["links"] for row in rows] == [
        [{"href": reverse("scheduling:detail", args=[first.pk]), "text": "Siti Rahmawati"}],
        # A checked-in row links its queue ticket (58 mm, printed by the browser).
        [
            {"href": reverse("scheduling:detail", args=[second.pk]), "text": "Budi Santoso"},
            {"href": reverse("scheduling:ticket", args=[second.pk]), "text": "Ticket"},
        ],
    ]
    assert [row["cells"][:7] for row in rows] == [
        ["09.15", "Siti Rahmawati", first.patient.medical_record_number, "Scheduled", "", "", ""],
        ["09.30", "Budi Santoso", second.patient.medical_record_number, "Checked in", "3", "09.45", "22 min"],
    ]


@pytest.mark.parametrize(("language", "word"), [("id", "menit"), ("en", "min")])
@pytest.mark.parametrize("arrived", [at(9, 45), at(10, 6)])
def test_it_writes_the_waiting_minutes_in_the_language(front_desk, doctor, language, word, arrived):
    appointment(doctor, at(9, 30), Status.CHECKED_IN, arrived_at=arrived)
    (row,) = rows_of(get(front_desk, BOARD, language=language))
    minutes = int((NOW - arrived).total_seconds() // 60)
    assert row["cells"][6] == f"{minutes} {word}"


def test_it_escapes_the_patients_name_and_number_on_the_board(front_desk, doctor):
    patient = PatientFactory(full_name=XSS_NAME, medical_record_number='RM-<i>"1"</i>')
    appointment(doctor, at(9), patient=patient)
    html = get(front_desk, BOARD)
    assert "<script>" not in html and "<i>" not in html
    (row,) = rows_of(html)
    assert row["links"][0]["text"] == XSS_NAME  # what the browser shows is the name as typed
    assert row["cells"][2] == 'RM-<i>"1"</i>'


def test_it_keeps_the_filters_in_each_forms_next_address(front_desk, doctor):
    appointment(doctor, at(9))
    html = get(front_desk, BOARD, doctor=doctor.pk, status="scheduled")
    next_url = f"{BOARD}?doctor={doctor.pk}&status=scheduled"
    assert f'name="next" value="{next_url.replace("&", "&amp;")}"' in html
    assert {form["inputs"]["next"] for form in rows_of(html)[0]["forms"]} == {("hidden", next_url)}


def test_it_sends_one_csrf_token_the_row_forms_can_post_with(receptionist, doctor):
    first, second = appointment(doctor, at(9)), appointment(doctor, at(9, 30))
    client = Client(enforce_csrf_checks=True)
    client.force_login(receptionist)
    rows = rows_of(client.get(BOARD).content.decode())
    tokens = {form["inputs"]["csrfmiddlewaretoken"] for row in rows for form in row["forms"]}
    assert len(tokens) == 1
    ((_hidden, token),) = tokens
    response = client.post(
        reverse("scheduling:check_in", args=[second.pk]), {"csrfmiddlewaretoken": token, "next": BOARD}
    )
    assert response.status_code == 302 and response["Location"] == BOARD
    second.refresh_from_db()
    first.refresh_from_db()
    assert (first.status, second.status) == (Status.SCHEDULED, Status.CHECKED_IN)


def test_it_says_when_the_board_has_no_appointment(front_desk, doctor):
    html = get(front_desk, BOARD)
    with translation.override("id"):
        assert gettext("No appointments today.") in html
    assert rows_of(html) == []


# --- A doctor's day --------------------------------------------------------------------------

DAY = reverse("scheduling:day")


@pytest.fixture
def taken(doctor):
    """09.00–09.30 taken (two slots) in the doctor's 08.00–12.00."""
    return appointment(doctor, at(9), minutes=30, patient=PatientFactory(full_name="Siti Rahmawati"))


def day_rows(client, doctor, language="id"):
    html = get(client, DAY, language=language, doctor=doctor.pk, date=MONDAY.isoformat())
    return [row for row in rows_of(html) if row["class"] in ("slot-taken", "slot-free")]


def test_it_links_an_appointment_on_its_first_slot_and_continues_it(front_desk, doctor, taken):
    rows = day_rows(front_desk, doctor, language="en")
    assert len(rows) == 16  # 08.00–12.00
    assert [row["cells"][0] for row in rows[3:7]] == ["08.45", "09.00", "09.15", "09.30"]
    assert [row["class"] for row in rows[3:7]] == ["slot-free", "slot-taken", "slot-taken", "slot-free"]
    first, continued = rows[4], rows[5]
    assert first["links"] == [{"href": reverse("scheduling:detail", args=[taken.pk]), "text": "Siti Rahmawati"}]
    assert first["cells"][1:] == [f"Siti Rahmawati · {taken.patient.medical_record_number}", "Scheduled"]
    assert continued["links"] == []
    assert continued["cells"][1:] == ["Siti Rahmawati (continued)", "Scheduled"]


def test_it_writes_a_doctors_day_in_indonesian(front_desk, doctor, taken):
    """ "Free" and "continued" were written in Python and missed by makemessages: Indonesian
    readers saw "Free"."""
    rows = day_rows(front_desk, doctor)
    assert rows[5]["cells"][1:] == ["Siti Rahmawati (lanjutan)", "Terjadwal"]
    assert rows[0]["cells"][1] == "Kosong"  # 08.00: past, not bookable
    assert rows[-1]["links"][0]["text"] == "Kosong — buat janji temu"
    assert not any("Free" in cell for row in rows for cell in row["cells"])


def test_it_links_free_slots_to_booking_from_the_current_slot_on(front_desk, doctor, taken):
    rows = day_rows(front_desk, doctor, language="en")
    book = reverse("scheduling:book")
    links = {row["cells"][0]: row["links"][0]["href"] for row in rows if row["class"] == "slot-free" and row["links"]}
    assert list(links) == ["10.00", "10.15", "10.30", "10.45", "11.00", "11.15", "11.30", "11.45"]  # now: 10.07
    assert links["10.00"] == f"{book}?doctor={doctor.pk}&start=2026-12-07T10:00"
    assert [row["cells"][1] for row in rows if row["cells"][0] in ("09.30", "09.45")] == ["Free", "Free"]
    assert rows[-1]["links"][0]["text"] == "Free — book"


def test_it_links_no_booking_on_a_doctors_own_day(client, doctor_user, taken):
    doctor = doctor_user.doctor_profile
    WorkingHoursFactory(
        doctor=doctor, weekday=MONDAY.weekday(), start_time=datetime.time(8), end_time=datetime.time(12)
    )
    own = appointment(doctor, at(11), patient=PatientFactory(full_name="Pasien Sendiri"))
    client.force_login(doctor_user)
    rows = day_rows(client, doctor, language="en")
    assert [link["href"] for row in rows for link in row["links"]] == [reverse("scheduling:detail", args=[own.pk])]
    assert {row["cells"][1] for row in rows if row["class"] == "slot-free"} == {"Free"}


def test_it_escapes_the_patients_name_on_a_doctors_day(front_desk, doctor):
    appointment(doctor, at(9), minutes=30, patient=PatientFactory(full_name=XSS_NAME))
    html = get(front_desk, DAY, language="en", doctor=doctor.pk, date=MONDAY.isoformat())
    assert "<script>" not in html
    rows = [row for row in rows_of(html) if row["class"] == "slot-taken"]
    assert rows[0]["links"][0]["text"] == XSS_NAME
    assert rows[1]["cells"][1] == f"{XSS_NAME} (continued)"


def test_it_lists_cancelled_appointments_below_the_slots_with_their_status(front_desk, doctor):
    cancelled = appointment(doctor, at(9), Status.CANCELLED, patient=PatientFactory(full_name="Batal Datang"))
    html = get(front_desk, DAY, doctor=doctor.pk, date=MONDAY.isoformat())
    listed = re.search(r"<li>\s*09\.00 (<a .*?</a>)\s*(<span .*?</span>)</li>", html)
    assert listed is not None
    assert listed[1] == f'<a href="{reverse("scheduling:detail", args=[cancelled.pk])}">Batal Datang</a>'
    assert listed[2] == '<span class="badge status-cancelled">Dibatalkan</span>'
