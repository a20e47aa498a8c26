"""Logins that rehash a password (a fixed salt as the fixtures have, or an older hasher) must not
end the other sessions of the same account; a real password change still ends them.

Before: the session's auth hash was an HMAC of the password hash, so the rehash of one login
changed it under every other session — 3 of 8 parallel logins of `dokter2` on PostgreSQL were
sent back to the login page."""

import threading

import pytest
from django.contrib.auth.hashers import MD5PasswordHasher, PBKDF2PasswordHasher
from django.db import connection
from django.test import Client
from django.urls import reverse

from accounts.models import User
from accounts.tests.factories import PASSWORD, UserFactory
from clinic.tests.browser import Browser

BOARD = "scheduling:board"
LOGIN = "accounts:login"
# The fixtures' kind of hash: a fixed, short salt, which Django replaces at the first login.
STALE = MD5PasswordHasher().encode(PASSWORD, "seedsalt")


def set_hash(user, encoded: str) -> None:
    User.objects.filter(pk=user.pk).update(password=encoded)


def log_in(client, user) -> None:
    response = client.post(reverse(LOGIN), {"username": user.username, "password": PASSWORD})
    assert response.status_code == 302, "the login failed"


def still_signed_in(client) -> bool:
    return client.get(reverse(BOARD)).status_code == 200


@pytest.fixture
def front_desk(db):
    user = UserFactory(username="loket", role=User.Role.RECEPTIONIST)
    set_hash(user, STALE)
    return user


@pytest.mark.django_db
def test_a_rehash_at_login_keeps_the_other_sessions(client, front_desk, django_user_model):
    other = Client()
    log_in(client, front_desk)
    assert django_user_model.objects.get(pk=front_desk.pk).password != STALE  # it was rehashed
    # The second login read the hash before the first one's rehash was written (the race).
    set_hash(front_desk, STALE)
    log_in(other, front_desk)

    assert still_signed_in(client)
    assert still_signed_in(other)


@pytest.mark.django_db
def test_the_upgrade_to_the_preferred_hasher_keeps_the_other_sessions(client, front_desk, settings):
    settings.PASSWORD_HASHERS = [
        "django.contrib.auth.hashers.MD5PasswordHasher",
        "django.contrib.auth.hashers.PBKDF2PasswordHasher",
    ]
    older = PBKDF2PasswordHasher().encode(PASSWORD, PBKDF2PasswordHasher().salt(), iterations=1000)
    set_hash(front_desk, older)
    other = Client()
    log_in(client, front_desk)
    assert User.objects.get(pk=front_desk.pk).password.startswith("md5$")
    set_hash(front_desk, older)
    log_in(other, front_desk)

    assert still_signed_in(client)
    assert still_signed_in(other)


@pytest.mark.django_db
@pytest.mark.parametrize("update_fields", [None, ["password"]])
def test_a_real_password_change_still_ends_the_other_sessions(client, front_desk, update_fields):
    log_in(client, front_desk)
    user = User.objects.get(pk=front_desk.pk)
    user.set_password("Sandi-Baru-2026!")
    user.save(update_fields=update_fields)

    response = client.get(reverse(BOARD))
    assert response.status_code == 302 and reverse(LOGIN) in response["Location"]


@pytest.mark.django_db
def test_the_admin_password_change_form_ends_the_other_sessions(client, front_desk, admin_user):
    log_in(client, front_desk)
    admin = Client()
    admin.force_login(admin_user)
    response = admin.post(
        reverse("admin:auth_user_password_change", args=[front_desk.pk]),
        {"password1": "Sandi-Baru-2026!", "password2": "Sandi-Baru-2026!", "usable_password": "true"},
    )
    assert response.status_code == 302, response.content[:500]
    assert not still_signed_in(client)


@pytest.mark.django_db(transaction=True)
def test_parallel_first_logins_over_http_all_stay_signed_in(live_server, front_desk):
    """Eight browsers log in to one account at the same moment (threads, a real server, one
    database connection each on MariaDB and PostgreSQL), then each opens a page."""
    if connection.vendor == "sqlite":
        pytest.skip(
            "the in-memory test database of SQLite refuses concurrent writers (table is locked); "
            "test_a_rehash_at_login_keeps_the_other_sessions covers the race there"
        )
    browsers = [Browser(live_server.url) for _ in range(8)]
    for browser in browsers:
        browser.get(reverse(LOGIN))
    start = threading.Barrier(len(browsers))
    results = [None] * len(browsers)

    def run(i: int, browser: Browser) -> None:
        start.wait()
        results[i] = browser.post(reverse(LOGIN), {"username": front_desk.username, "password": PASSWORD}).status

    threads = [threading.Thread(target=run, args=(i, b)) for i, b in enumerate(browsers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(120)
    assert results == [302] * len(browsers)

    pages = [browser.get(reverse(BOARD)) for browser in browsers]
    assert [page.status for page in pages] == [200] * len(browsers), [page.location for page in pages]


@pytest.mark.django_db
def test_a_session_from_before_the_epoch_survives_the_upgrade(client, front_desk):
    """Sessions written by Django's own basis (an HMAC of the password hash) stay signed in once
    the epoch is deployed, and are moved to it; they end at the next password change."""
    from django.contrib.auth import HASH_SESSION_KEY
    from django.utils.crypto import salted_hmac

    from accounts.models import DJANGO_SESSION_HASH_SALT

    client.force_login(front_desk)
    session = client.session
    user = User.objects.get(pk=front_desk.pk)
    session[HASH_SESSION_KEY] = salted_hmac(DJANGO_SESSION_HASH_SALT, user.password, algorithm="sha256").hexdigest()
    session.save()
    assert still_signed_in(client)
    assert client.session[HASH_SESSION_KEY] == user.get_session_auth_hash()
    user.set_password("Sandi-Baru-2026!")
    user.save()
    assert not still_signed_in(client)
