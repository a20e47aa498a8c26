"""A database that refuses writes (issue 14, "Money and faults"): a replica promoted late, a
read-only server, a wrong GRANT, a full disk. Before: search, the patient page, booking, payment
and login gave 500s while /healthz said 200.

Now: 503 with a page in the user's language that says nothing was changed; pages that only read
keep working for those signed in (sessions go on in the cache, core/sessions.py); pages that show
patient data are refused too, because their audit row cannot be written (and the page says so);
/healthz answers 503 "degraded".

A real read-only state on each engine, for this test's connection only (never global: other
tests share the servers): SQLite `PRAGMA query_only`, PostgreSQL `default_transaction_read_only`,
MariaDB a READ ONLY session and, separately, a user with SELECT privileges only."""

import json
import secrets
import time

import pytest
from django.db import connection
from django.db.backends.signals import connection_created
from django.test import Client
from django.urls import reverse

from accounts.middleware import ACTIVITY_RESOLUTION, LAST_ACTIVITY, LOGIN_AT
from accounts.models import User
from audit.models import AuditLog
from billing.models import Payment
from billing.tests.factories import pay_token
from clinic.tests.security_fixtures import VALID_POSTS, build_clinic
from scheduling.models import Appointment

pytestmark = pytest.mark.django_db(transaction=True)

MODES = {
    "sqlite": ["query-only"],
    "postgresql": ["read-only-transactions"],
    "mysql": ["read-only-transactions", "select-only-user"],
}[connection.vendor]

READ_ONLY_SQL = {
    "query-only": ("PRAGMA query_only = ON", "PRAGMA query_only = OFF"),
    "read-only-transactions": {
        "postgresql": ("SET default_transaction_read_only = on", "SET default_transaction_read_only = off"),
        "mysql": ("SET SESSION TRANSACTION READ ONLY", "SET SESSION TRANSACTION READ WRITE"),
    }.get(connection.vendor),
}
NOT_SAVED = "Data tidak dapat disimpan saat ini"


@pytest.fixture
def world(doctor_user, other_doctor_user):
    return build_clinic(doctor_user=doctor_user, other_doctor_user=other_doctor_user)


@pytest.fixture(params=MODES)
def read_only(request):
    """Turns the database read-only for this test's connections; returns a function that does it
    (the test signs in first)."""
    mode = request.param
    undo = []

    def switch_on():
        if mode == "select-only-user":
            name = f"ro_{secrets.token_hex(4)}"
            password = secrets.token_urlsafe(12)
            database = connection.settings_dict["NAME"]
            with connection.cursor() as cursor:
                for host in ("127.0.0.1", "localhost"):
                    cursor.execute(f"CREATE USER '{name}'@'{host}' IDENTIFIED BY %s", [password])
                    cursor.execute(f"GRANT SELECT ON `{database}`.* TO '{name}'@'{host}'")
            saved = {key: connection.settings_dict.get(key) for key in ("USER", "PASSWORD")}
            connection.close()
            connection.settings_dict.update(USER=name, PASSWORD=password)

            def back():
                connection.close()
                connection.settings_dict.update(saved)
                with connection.cursor() as cursor:
                    for host in ("127.0.0.1", "localhost"):
                        cursor.execute(f"DROP USER IF EXISTS '{name}'@'{host}'")

            undo.append(back)
            return
        on, off = READ_ONLY_SQL[mode]

        def apply(sender=None, connection=connection, **kwargs):
            with connection.cursor() as cursor:
                cursor.execute(on)

        apply()
        connection_created.connect(apply, weak=False, dispatch_uid="read-only-test")

        def back():
            connection_created.disconnect(dispatch_uid="read-only-test")
            with connection.cursor() as cursor:
                cursor.execute(off)

        undo.append(back)

    yield switch_on
    for back in reversed(undo):
        back()


def signed_in(user) -> Client:
    client = Client(raise_request_exception=False)
    client.force_login(user)
    return client


def assert_refused_page(response):
    html = response.content.decode()
    assert response.status_code == 503, html[:500]
    assert NOT_SAVED in html and "tidak ada yang berubah" in html
    assert 'id="error-503"' in html and 'href="/"' in html
    return html


def test_a_payment_is_refused_with_a_clear_page_and_nothing_changes(world, receptionist, read_only):
    client = signed_in(receptionist)
    read_only()
    data = {**VALID_POSTS["billing:pay"](world), "submit_token": pay_token(world.bill)}
    assert_refused_page(client.post(reverse("billing:pay", args=[world.bill.pk]), data))
    read_only_ended = Payment.objects.filter(billing=world.bill)
    assert not read_only_ended.exists()


def test_a_booking_is_refused_and_nothing_changes(world, receptionist, read_only):
    client = signed_in(receptionist)
    before = Appointment.objects.count()
    read_only()
    assert_refused_page(client.post(reverse("scheduling:book"), VALID_POSTS["scheduling:book"](world)))
    assert Appointment.objects.count() == before


def test_the_patient_page_is_refused_because_its_audit_row_cannot_be_written(world, receptionist, read_only):
    client = signed_in(receptionist)
    audit_rows = AuditLog.objects.count()
    read_only()
    html = assert_refused_page(client.get(reverse("patients:detail", args=[world.patient.pk])))
    assert "log akses" in html  # the page says why patient data is not shown
    assert world.patient.full_name not in html
    assert AuditLog.objects.count() == audit_rows


def test_search_is_refused_because_its_audit_rows_cannot_be_written(world, receptionist, read_only):
    client = signed_in(receptionist)
    # The words are POSTed and kept in the session under ?s=<token> (core/search_tokens.py); the
    # page of that token runs the search, and its audit rows are what cannot be written.
    posted = client.post(reverse("patients:search"), {"q": world.patient.full_name})
    assert posted.status_code == 302 and "?s=" in posted["Location"]
    read_only()
    response = client.get(posted["Location"])
    html = assert_refused_page(response)
    assert world.patient.full_name not in html


def test_login_is_refused_with_a_clear_page(receptionist, read_only):
    read_only()
    client = Client(raise_request_exception=False)
    response = client.post(reverse("accounts:login"), {"username": receptionist.username, "password": "x"})
    assert_refused_page(response)


def test_a_page_that_only_reads_keeps_working(world, receptionist, read_only):
    client = signed_in(receptionist)
    # The idle-time clock is due to move on: this request changes the session, which must be
    # saved while the database refuses writes (it goes on in the cache).
    session = client.session
    session[LOGIN_AT] = session[LAST_ACTIVITY] = int(time.time()) - ACTIVITY_RESOLUTION - 5
    session.save()
    read_only()
    response = client.get(reverse("billing:unpaid"))
    assert response.status_code == 200
    assert client.get(reverse("scheduling:board")).status_code == 200
    assert client.session[LAST_ACTIVITY] > int(time.time()) - ACTIVITY_RESOLUTION  # saved in the cache


def test_healthz_says_degraded(read_only):
    read_only()
    response = Client().get("/healthz")
    assert response.status_code == 503
    assert json.loads(response.content) == {"status": "degraded", "writes": "refused"}


def test_healthz_is_ok_when_writes_work(db):
    response = Client().get("/healthz")
    assert response.status_code == 200 and json.loads(response.content) == {"status": "ok"}


def test_users_are_untouched_after_the_read_only_spell(receptionist, read_only):
    last_login = User.objects.get(pk=receptionist.pk).last_login
    read_only()
    Client(raise_request_exception=False).post(
        reverse("accounts:login"), {"username": receptionist.username, "password": "x"}
    )
    assert User.objects.get(pk=receptionist.pk).last_login == last_login
