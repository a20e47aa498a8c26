"""The authentication backend: Django's ModelBackend, with a doctor's profile read with the user,
and what a session signed in under another backend path gets."""

import pytest
from django.conf import settings
from django.contrib.auth import BACKEND_SESSION_KEY
from django.urls import reverse

from accounts.backends import ClinicModelBackend
from accounts.tests.factories import PASSWORD

pytestmark = pytest.mark.django_db


def test_it_reads_a_doctors_profile_with_the_user(doctor_user, django_assert_num_queries):
    with django_assert_num_queries(1):  # the user joined to the doctor's row
        user = ClinicModelBackend().get_user(doctor_user.pk)
        assert user.doctor_profile.full_name == "dr. Test Dokter"
        assert user.doctor_profile.user is user


def test_it_knows_without_a_query_that_a_receptionist_has_no_profile(receptionist, django_assert_num_queries):
    with django_assert_num_queries(1):
        user = ClinicModelBackend().get_user(receptionist.pk)
        assert getattr(user, "doctor_profile", None) is None


def test_it_finds_no_one_for_an_unknown_id(db):
    assert ClinicModelBackend().get_user(999_999_999) is None


def test_it_refuses_an_inactive_user(inactive_user):
    assert ClinicModelBackend().get_user(inactive_user.pk) is None


def test_it_is_the_backend_sessions_are_signed_in_with(client, receptionist):
    response = client.post(reverse("accounts:login"), {"username": receptionist.username, "password": PASSWORD})
    assert response.status_code == 302
    assert client.session[BACKEND_SESSION_KEY] == "accounts.backends.ClinicModelBackend"
    assert client.session[BACKEND_SESSION_KEY] in settings.AUTHENTICATION_BACKENDS


def test_a_session_of_a_backend_that_no_longer_exists_asks_to_log_in_again(client, receptionist):
    # A session written under a backend path since renamed or removed: Django finds no user for
    # it (django.contrib.auth.get_user), and the page sends to the login, never a server error.
    client.force_login(receptionist)
    session = client.session
    session[BACKEND_SESSION_KEY] = "accounts.backends.RemovedBackend"
    session.save()
    response = client.get(reverse("scheduling:board"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))
