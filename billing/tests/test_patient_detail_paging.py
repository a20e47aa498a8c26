"""The patient page's appointments and bills, a page at a time (newest first)."""

import datetime

import pytest
from django.conf import settings
from django.db import connection
from django.http import QueryDict
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from audit.models import AuditLog
from billing.tests.factories import BillingFactory
from patients.selectors import page_of, patient_appointments
from patients.tests.factories import DoctorFactory, PatientFactory
from scheduling.tests.factories import AppointmentFactory

pytestmark = pytest.mark.django_db

START = timezone.make_aware(datetime.datetime(2026, 1, 5, 9, 0))


@pytest.fixture
def three_a_page(monkeypatch):
    """Pages of three rows, so that a few rows make several pages."""
    monkeypatch.setattr("patients.views.PAGE_LIST_LIMIT", 3)


@pytest.fixture
def patient(db):
    return PatientFactory(full_name="Budi Santoso")


def book(patient, doctor, count: int) -> list:
    """`count` appointments of `patient`, a day apart, oldest first."""
    return [
        AppointmentFactory(patient=patient, doctor=doctor, appointment_date=START + datetime.timedelta(days=day))
        for day in range(count)
    ]


def bill(appointments) -> list:
    """A bill for each appointment, issued on its day: in the same order."""
    return [
        BillingFactory(appointment=appointment, issued_at=appointment.appointment_date) for appointment in appointments
    ]


def open_page(client, patient, **params):
    """The patient page in English (Indonesian is the default), whose pager words the tests read."""
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client.get(reverse("patients:detail", args=[patient.pk]), params)


def link_params(link: str) -> dict:
    assert link.startswith("?")
    return QueryDict(link[1:]).dict()


# ---------------------------------------------------------------- the pages


def test_it_reads_a_page_and_whether_an_older_one_follows_in_one_query(patient, django_assert_num_queries):
    newest_first = book(patient, DoctorFactory(), 7)[::-1]
    with django_assert_num_queries(1):
        assert page_of(patient_appointments(patient=patient), page=2, limit=3) == (newest_first[3:6], True)
    assert page_of(patient_appointments(patient=patient), page=3, limit=3) == (newest_first[6:], False)
    assert page_of(patient_appointments(patient=patient), page=4, limit=3) == ([], False)


def test_it_shows_the_latest_50_appointments_first_and_the_next_50_on_page_2(client, receptionist, patient):
    newest_first = book(patient, DoctorFactory(), 101)[::-1]
    client.force_login(receptionist)
    first = open_page(client, patient)
    assert first.context["appointments"] == newest_first[:50] and first.context["more_appointments"]
    second = open_page(client, patient, appointments_page="2")
    assert second.context["appointments"] == newest_first[50:100] and second.context["more_appointments"]
    last = open_page(client, patient, appointments_page="3")
    assert last.context["appointments"] == newest_first[100:] and not last.context["more_appointments"]


@pytest.mark.parametrize("role", ["admin_user", "receptionist"])
def test_it_pages_through_appointments_and_bills_newest_first(client, request, role, three_a_page, patient):
    appointments = book(patient, DoctorFactory(), 7)
    bills = bill(appointments[:5])
    client.force_login(request.getfixturevalue(role))
    pages = [open_page(client, patient, appointments_page=str(n), bills_page=str(n)) for n in (1, 2, 3)]
    assert [page.context["appointments"] for page in pages] == [
        appointments[6:3:-1],
        appointments[3:0:-1],
        appointments[:1],
    ]
    assert [page.context["bills"] for page in pages] == [bills[4:1:-1], bills[1::-1], []]


def test_it_links_older_on_the_first_page_and_newer_on_the_last(client, receptionist, three_a_page, patient):
    book(patient, DoctorFactory(), 7)
    client.force_login(receptionist)

    first = open_page(client, patient)
    assert first.context["appointment_pages"]["newer"] is None
    assert first.context["appointment_pages"]["older"] == "?appointments_page=2"
    html = first.content.decode()
    assert 'href="?appointments_page=2">Older</a>' in html and "Newer" not in html
    assert "Page 1" in html

    middle = open_page(client, patient, appointments_page="2")
    html = middle.content.decode()
    assert 'href="?appointments_page=1">Newer</a>' in html and 'href="?appointments_page=3">Older</a>' in html
    assert "Page 2" in html

    last = open_page(client, patient, appointments_page="3")
    assert last.context["appointment_pages"]["older"] is None
    html = last.content.decode()
    assert 'href="?appointments_page=2">Newer</a>' in html and "Older" not in html


def test_it_shows_no_pager_when_every_row_fits_on_one_page(client, receptionist, three_a_page, patient):
    bill(book(patient, DoctorFactory(), 3))
    client.force_login(receptionist)
    response = open_page(client, patient)
    assert len(response.context["appointments"]) == 3 and len(response.context["bills"]) == 3
    html = response.content.decode()
    assert "_page=" not in html and "Older" not in html and "Page 1" not in html


def test_it_keeps_the_other_lists_page_in_its_links(client, receptionist, three_a_page, patient):
    bill(book(patient, DoctorFactory(), 10))
    client.force_login(receptionist)
    response = open_page(client, patient, appointments_page="2", bills_page="3")
    appointment_pages, bill_pages = response.context["appointment_pages"], response.context["bill_pages"]
    assert link_params(appointment_pages["newer"]) == {"appointments_page": "1", "bills_page": "3"}
    assert link_params(appointment_pages["older"]) == {"appointments_page": "3", "bills_page": "3"}
    assert link_params(bill_pages["newer"]) == {"appointments_page": "2", "bills_page": "2"}
    assert link_params(bill_pages["older"]) == {"appointments_page": "2", "bills_page": "4"}
    assert 'href="?appointments_page=3&amp;bills_page=3">Older</a>' in response.content.decode()


# ---------------------------------------------------------------- odd page numbers


@pytest.mark.parametrize(
    "value",
    [
        "",
        "abc",
        "0",
        "-1",
        "+2",
        " 2",
        "2\n",
        "1.5",
        "2x",
        "1e3",
        "\u0662",
        "99999999999999999999",
        "9" * 5000,
    ],
)
def test_it_reads_a_bad_page_number_as_the_first_page(client, receptionist, three_a_page, patient, value):
    bill(book(patient, DoctorFactory(), 7))
    client.force_login(receptionist)
    expected = open_page(client, patient)
    response = open_page(client, patient, appointments_page=value, bills_page=value)
    assert response.status_code == 200
    assert response.context["appointments"] == expected.context["appointments"]
    assert response.context["bills"] == expected.context["bills"]
    assert response.context["appointment_pages"]["number"] == response.context["bill_pages"]["number"] == 1


def test_it_shows_an_empty_page_with_a_link_to_the_newest_beyond_the_last(client, receptionist, three_a_page, patient):
    bill(book(patient, DoctorFactory(), 7)[:4])
    client.force_login(receptionist)
    response = open_page(client, patient, appointments_page="4", bills_page="9999")
    assert response.status_code == 200
    assert response.context["appointments"] == [] and response.context["bills"] == []
    html = response.content.decode()
    assert "No appointments on this page." in html and "No bills on this page." in html
    assert 'href="?appointments_page=1&amp;bills_page=9999">Newest</a>' in html
    assert 'href="?appointments_page=4&amp;bills_page=1">Newest</a>' in html
    assert "Newer" not in html and "Older" not in html


def test_it_reads_page_3_with_as_many_queries_as_page_1(client, receptionist, three_a_page, patient):
    bill(book(patient, DoctorFactory(), 10))
    client.force_login(receptionist)
    counts = []
    for page in ("1", "3", "50"):  # the first, one further on, one beyond the last
        with CaptureQueriesContext(connection) as queries:
            response = open_page(client, patient, appointments_page=page, bills_page=page)
        assert response.status_code == 200
        counts.append(len(queries))
    assert counts[0] == counts[1] == counts[2]


# ---------------------------------------------------------------- doctors and the audit log


@pytest.mark.parametrize(
    "params", [{}, {"bills_page": "2"}, {"appointments_page": "2", "bills_page": "2"}, {"bills_page": "abc"}]
)
def test_it_never_shows_a_doctor_bills_on_any_page(client, doctor_user, three_a_page, patient, params):
    appointments = book(patient, doctor_user.doctor_profile, 7)
    for number, appointment in enumerate(appointments):
        BillingFactory(appointment=appointment, number=f"INV-RAHASIA-{number}")
    client.force_login(doctor_user)
    response = open_page(client, patient, **params)
    assert response.status_code == 200
    assert response.context["bills"] is None and response.context["bill_pages"] is None
    assert "INV-RAHASIA" not in response.content.decode()
    assert response.context["appointments"]


def test_it_writes_one_audit_row_per_page_view(client, receptionist, three_a_page, patient):
    bill(book(patient, DoctorFactory(), 7))
    client.force_login(receptionist)
    for params in (
        {},
        {"appointments_page": "2"},
        {"bills_page": "3"},
        {"appointments_page": "x"},
        {"appointments_page": "9", "bills_page": "9"},
    ):
        before = AuditLog.objects.count()
        assert open_page(client, patient, **params).status_code == 200
        assert AuditLog.objects.count() == before + 1, params
        row = AuditLog.objects.latest("id")
        assert (row.patient_id, row.what, row.action) == (patient.pk, "patient detail", AuditLog.Action.READ)


def test_the_pager_speaks_indonesian_by_default(client, receptionist, three_a_page, patient):
    book(patient, DoctorFactory(), 7)
    client.force_login(receptionist)
    html = client.get(reverse("patients:detail", args=[patient.pk]), {"appointments_page": "2"}).content.decode()
    assert ">Lebih baru</a>" in html and ">Lebih lama</a>" in html and "Halaman 2" in html
