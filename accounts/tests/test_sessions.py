"""Session rules: a new key at login, logout and deactivation end the session, the idle and
absolute limits, and the board's polling does not keep a session alive."""

import pytest
from django.conf import settings
from django.contrib.auth import SESSION_KEY
from django.contrib.sessions.backends.db import SessionStore
from django.contrib.sessions.models import Session
from django.urls import reverse

from accounts import middleware
from accounts.middleware import LAST_ACTIVITY, LOGIN_AT
from accounts.tests.factories import PASSWORD

pytestmark = pytest.mark.django_db

T0 = 1_800_000_000.0  # an arbitrary moment, in seconds since the epoch
MINUTE = 60
BOARD = "scheduling:board"
POLL = {"HTTP_HX_REQUEST": "true", "HTTP_X_CLINIC_POLL": "1", "HTTP_HX_CURRENT_URL": "http://testserver/appointments/"}


@pytest.fixture
def clock(monkeypatch):
    """The session rules' clock, moved by hand: clock.at(minutes after T0)."""

    class Clock:
        now = T0

        def at(self, minutes: float):
            self.now = T0 + minutes * MINUTE

    c = Clock()
    monkeypatch.setattr(middleware, "now", lambda: c.now)
    return c


def signed_in(client, user):
    client.force_login(user)
    return client


def test_it_gives_a_new_session_key_at_login(client, receptionist):
    anonymous = SessionStore()
    anonymous["language_hint"] = "id"
    anonymous.create()
    client.cookies[settings.SESSION_COOKIE_NAME] = anonymous.session_key
    response = client.post(reverse("accounts:login"), {"username": receptionist.username, "password": PASSWORD})
    assert response.status_code == 302
    assert client.session.session_key != anonymous.session_key
    assert client.session[SESSION_KEY] == str(receptionist.pk)
    assert not SessionStore().exists(anonymous.session_key)  # the old key is gone, not reusable


def test_it_ends_the_session_at_logout(client, receptionist):
    signed_in(client, receptionist)
    key = client.session.session_key
    assert client.post(reverse("accounts:logout")).status_code == 302
    assert not Session.objects.filter(session_key=key).exists()
    response = client.get(reverse(BOARD))
    assert response.status_code == 302 and response["Location"].startswith(reverse("accounts:login"))


def test_it_ends_every_session_of_a_user_when_deactivated(client, receptionist, admin_user):
    signed_in(client, receptionist)
    key = client.session.session_key
    other = signed_in(type(client)(), receptionist)  # a second computer
    other_key = other.session.session_key
    colleague = signed_in(type(client)(), admin_user)
    receptionist.is_active = False
    receptionist.save(update_fields=["is_active"])
    assert not Session.objects.filter(session_key__in=[key, other_key]).exists()
    assert Session.objects.filter(session_key=colleague.session.session_key).exists()
    response = client.get(reverse(BOARD))
    assert response.status_code == 302 and response["Location"].startswith(reverse("accounts:login"))


def test_it_ends_a_deactivated_users_session_on_the_next_request_whatever_the_store(client, receptionist, settings):
    # With a session store the receiver cannot search (cache, signed cookies), the next request
    # ends it: the view gate (accounts.policy.requires) and the middleware both refuse an inactive user.
    signed_in(client, receptionist)
    type(receptionist).objects.filter(pk=receptionist.pk).update(is_active=False)  # no signal
    response = client.get(reverse(BOARD))
    assert response.status_code == 302 and response["Location"].startswith(reverse("accounts:login"))
    assert SESSION_KEY not in client.session


def test_it_starts_both_clocks_at_login(client, receptionist, clock):
    clock.at(0)
    client.post(reverse("accounts:login"), {"username": receptionist.username, "password": PASSWORD})
    assert client.session[LOGIN_AT] == int(T0)
    assert client.session[LAST_ACTIVITY] == int(T0)


def test_it_keeps_an_active_session(client, receptionist, clock):
    signed_in(client, receptionist)
    for minutes in (10, 20, 30, 40):  # a click every 10 minutes: never 15 idle
        clock.at(minutes)
        assert client.get(reverse(BOARD)).status_code == 200
    assert client.session[LAST_ACTIVITY] == int(T0 + 40 * MINUTE)


def test_it_signs_out_after_15_idle_minutes_with_a_message(client, receptionist, clock):
    assert settings.SESSION_IDLE_TIMEOUT_MINUTES == 15
    signed_in(client, receptionist)
    clock.at(14.9)
    assert client.get(reverse(BOARD)).status_code == 200
    clock.at(14.9 + 15.1)
    response = client.get(reverse(BOARD))
    assert response.status_code == 302
    assert response["Location"] == f"{reverse('accounts:login')}?next={reverse(BOARD)}"
    assert SESSION_KEY not in client.session
    page = client.get(response["Location"])
    assert "Anda otomatis keluar setelah 15 menit tanpa aktivitas" in page.content.decode()


def test_it_does_not_write_the_session_for_every_click(client, receptionist, clock):
    # Last activity is written at most once a minute: no session save on every request.
    signed_in(client, receptionist)
    clock.at(0.5)
    client.get(reverse(BOARD))
    assert client.session[LAST_ACTIVITY] == int(T0)
    clock.at(1)
    client.get(reverse(BOARD))
    assert client.session[LAST_ACTIVITY] == int(T0 + MINUTE)


def test_it_signs_out_12_hours_after_login_even_when_active(client, receptionist, clock):
    assert settings.SESSION_ABSOLUTE_HOURS == 12
    signed_in(client, receptionist)
    # Active all day: the last click 10 minutes before the end.
    session = client.session
    session[LAST_ACTIVITY] = int(T0 + (12 * 60 - 10) * MINUTE)
    session.save()
    clock.at(12 * 60 - 1)
    assert client.get(reverse(BOARD)).status_code == 200
    clock.at(12 * 60 + 1)
    response = client.get(reverse(BOARD))
    assert response.status_code == 302 and response["Location"].startswith(reverse("accounts:login"))
    assert SESSION_KEY not in client.session


def test_it_lets_the_cookie_live_no_longer_than_the_absolute_limit():
    assert settings.SESSION_COOKIE_AGE == settings.SESSION_ABSOLUTE_HOURS * 3600
    assert settings.SESSION_COOKIE_HTTPONLY is True
    assert settings.SESSION_COOKIE_SAMESITE == "Lax"


def test_it_does_not_count_the_boards_polling_as_activity(client, receptionist, clock):
    signed_in(client, receptionist)
    for minutes in (0.5, 5, 10, 14.5):
        clock.at(minutes)
        response = client.get(reverse(BOARD), **POLL)
        assert response.status_code == 200
    assert client.session[LAST_ACTIVITY] == int(T0)  # polling never moved it
    clock.at(15.5)
    response = client.get(reverse(BOARD), **POLL)
    # htmx would swap a 302's login page into the board: it gets HX-Redirect, the whole page goes.
    assert response.status_code == 204
    assert response["HX-Redirect"] == f"{reverse('accounts:login')}?next=/appointments/"
    assert SESSION_KEY not in client.session


def test_it_does_not_count_the_doctors_queue_polling_as_activity(client, doctor_user, clock):
    signed_in(client, doctor_user)
    clock.at(10)
    assert client.get(reverse("records:queue"), **POLL).status_code == 200
    assert client.session[LAST_ACTIVITY] == int(T0)


def test_it_counts_a_post_from_inside_the_board_as_activity(client, receptionist, clock):
    # Buttons inside the polling element inherit its header; a POST is still a person's click.
    signed_in(client, receptionist)
    clock.at(10)
    client.get(reverse(BOARD), HTTP_X_CLINIC_POLL="1")
    assert client.session[LAST_ACTIVITY] == int(T0)
    client.post(reverse("set_language"), {"language": "id", "next": "/"}, HTTP_X_CLINIC_POLL="1")
    assert client.session[LAST_ACTIVITY] == int(T0 + 10 * MINUTE)


def test_it_marks_the_polling_elements_in_the_templates():
    for name in ("templates/scheduling/partials/board_body.html", "templates/records/partials/queue_table.html"):
        text = (settings.BASE_DIR / name).read_text()
        assert 'hx-trigger="every 30s"' in text
        assert """hx-headers='{"X-Clinic-Poll": "1"}'""" in text


def test_a_doctors_profile_comes_with_the_user_in_one_query(client, doctor_user, django_assert_num_queries):
    """accounts.backends.ClinicModelBackend: the request's user query brings the doctor's row."""
    from django.contrib.auth import get_user
    from django.test import RequestFactory

    client.force_login(doctor_user)
    request = RequestFactory().get("/")
    request.session = client.session
    request.session.keys()  # the session is loaded before counting
    with django_assert_num_queries(1):
        user = get_user(request)
        assert user.doctor_profile.user_id == doctor_user.pk


def test_a_user_without_a_doctor_profile_still_signs_in(client, receptionist):
    from django.contrib.auth import get_user
    from django.test import RequestFactory

    client.force_login(receptionist)
    request = RequestFactory().get("/")
    request.session = client.session
    user = get_user(request)
    assert user.pk == receptionist.pk and getattr(user, "doctor_profile", None) is None


def test_a_request_reads_its_session_from_the_cache(client, receptionist, clock):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    signed_in(client, receptionist)
    client.get(reverse(BOARD))
    with CaptureQueriesContext(connection) as queries:
        assert client.get(reverse(BOARD)).status_code == 200
    assert queries.captured_queries
    assert not [query for query in queries.captured_queries if "django_session" in query["sql"]]


def test_it_ends_the_cached_copy_of_every_session_too(client, receptionist):
    from django.core.cache import caches

    cache = caches[settings.SESSION_CACHE_ALIAS]
    signed_in(client, receptionist)
    store = client.session
    assert store.cache_key in cache  # cached_db: the copy every request reads first
    assert middleware.end_sessions_of(receptionist) == 1
    assert store.cache_key not in cache
    assert not Session.objects.filter(session_key=store.session_key).exists()
