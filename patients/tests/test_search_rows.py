"""The result rows of the patient search (templates/patients/partials/results.html): number,
linked name, inactive badge, birth date, gender and phone, escaped, in the request's language."""

import datetime
from html.parser import HTMLParser

import pytest
from django.urls import reverse

from patients.models import Patient
from patients.tests.factories import PatientFactory

pytestmark = pytest.mark.django_db

XSS_NAME = '<script>alert(1)</script>&"'


class _Rows(HTMLParser):
    """The body rows of a table: each cell's text and each link, as a browser reads them."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.rows, self._in_body, self._link = [], False, None

    def handle_starttag(self, tag, attrs):
        if tag == "tbody":
            self._in_body = True
        elif self._in_body and tag == "tr":
            self.rows.append({"cells": [], "links": []})
        elif self._in_body and tag == "td":
            self.rows[-1]["cells"].append("")
        elif self._in_body and tag == "a":
            self._link = {"href": dict(attrs)["href"], "text": ""}
            self.rows[-1]["links"].append(self._link)

    def handle_endtag(self, tag):
        if tag == "tbody":
            self._in_body = False
        elif tag == "a":
            self._link = None

    def handle_data(self, data):
        if self._in_body and self.rows and self.rows[-1]["cells"]:
            self.rows[-1]["cells"][-1] += data
            if self._link is not None:
                self._link["text"] += data


def search(client, user, q, language=None):
    client.force_login(user)
    if language:
        client.cookies["django_language"] = language
    response = client.post(reverse("patients:search"), {"q": q, "inactive": "on"}, HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    html = response.content.decode()
    parser = _Rows()
    parser.feed(html)
    for row in parser.rows:
        row["cells"] = [" ".join(cell.split()) for cell in row["cells"]]
    return html, parser.rows


def test_it_shows_number_linked_name_birth_date_gender_and_phone(client, receptionist):
    patient = PatientFactory(
        full_name="Siti Rahmawati",
        date_of_birth=datetime.date(1990, 3, 7),
        gender=Patient.Gender.FEMALE,
        phone="+6281234567890",
    )
    _, (row,) = search(client, receptionist, "Siti Rahmawati", language="en")
    assert row["links"] == [{"href": reverse("patients:detail", args=[patient.pk]), "text": "Siti Rahmawati"}]
    assert row["cells"] == [
        patient.medical_record_number,
        "Siti Rahmawati",
        "07-03-1990",
        "Female",
        "+62 812-3456-7890",
    ]
    _, (row,) = search(client, receptionist, "Siti Rahmawati", language="id")
    assert row["cells"][3] == "Perempuan"


def test_it_marks_an_inactive_patient_in_the_language(client, receptionist):
    PatientFactory(full_name="Ina Nonaktif", is_active=False)
    _, (row,) = search(client, receptionist, "Ina Nonaktif", language="en")
    assert row["cells"][1] == "Ina Nonaktif Inactive"
    _, (row,) = search(client, receptionist, "Ina Nonaktif", language="id")
    assert row["cells"][1] == "Ina Nonaktif Nonaktif"


def test_it_shows_a_dash_for_a_missing_phone(client, receptionist):
    PatientFactory(full_name="Tanpa Telepon", phone="")
    _, (row,) = search(client, receptionist, "Tanpa Telepon")
    assert row["cells"][4] == "—"


def test_it_writes_a_year_before_1000_with_four_digits(client, receptionist):
    PatientFactory(full_name="Tahun Salah", date_of_birth=datetime.date(199, 1, 2))
    _, (row,) = search(client, receptionist, "Tahun Salah")
    assert row["cells"][2] == "02-01-0199"


def test_it_escapes_the_name(client, receptionist):
    PatientFactory(full_name=XSS_NAME)
    html, (row,) = search(client, receptionist, "<script>")
    assert "<script>alert" not in html and "&lt;script&gt;alert(1)&lt;/script&gt;&amp;&quot;" in html
    assert row["links"][0]["text"] == XSS_NAME


def test_it_shows_the_matching_rows_with_the_inactive_ones_when_asked(client, receptionist):
    found = PatientFactory(full_name="Zulkarnain Hasibuan", phone="")
    also = PatientFactory(full_name="Zulkifli Anwar", is_active=False)
    PatientFactory(full_name="Ani Lain")
    client.force_login(receptionist)
    response = client.post(reverse("patients:search"), {"q": "Zul", "inactive": "on"}, follow=True)
    html = response.content.decode()
    assert response.status_code == 200
    for patient in (found, also):
        assert patient.full_name in html and patient.medical_record_number in html
        assert f'href="{reverse("patients:detail", args=[patient.pk])}"' in html
    assert "Ani Lain" not in html
    assert "Nonaktif" in html and "—" in html
