"""Logins: password hashing and rules, the brute-force lockout (by username, with a cool-off),
and the TOTP second factor (optional; required for Admins by OTP_REQUIRED_FOR_ADMIN)."""

import datetime

import pytest
from axes.models import AccessAttempt
from django.conf import settings
from django.contrib.auth import SESSION_KEY
from django.contrib.auth.password_validation import get_default_password_validators
from django.core.management import call_command
from django.db import connection
from django.urls import reverse
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.middleware import HAS_OTP_DEVICE
from accounts.models import ClinicTOTPDevice
from accounts.tests.factories import PASSWORD
from accounts.views import SETUP_KEY, setup_key

pytestmark = pytest.mark.django_db

LOGIN = "accounts:login"
BOARD = "scheduling:board"


def log_in(client, username, password, **extra):
    return client.post(reverse(LOGIN), {"username": username, "password": password}, **extra)


def new_device(user, *, confirmed=True) -> ClinicTOTPDevice:
    device = ClinicTOTPDevice.new(user=user, name="Ponsel", confirmed=confirmed)
    device.save()
    return device


def code(device_or_key) -> str:
    key = device_or_key.bin_key if isinstance(device_or_key, TOTPDevice) else bytes.fromhex(device_or_key)
    return f"{totp(key):06d}"


def signed_in(client, user):
    client.force_login(user)
    return client


# --- passwords ----------------------------------------------------------------------------------


@pytest.mark.parametrize("password", ["Ab1!", "password123", "20260101123", "resepsionis_t1"])
def test_it_refuses_short_common_numeric_or_name_like_passwords(receptionist, password):
    from django.contrib.auth.password_validation import validate_password
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError):
        validate_password(password, user=receptionist)
    assert len(get_default_password_validators()) == 4


# --- brute force --------------------------------------------------------------------------------


def lock_out(client, user):
    for attempt in range(1, 5):
        response = log_in(client, user.username, f"salah-{attempt}")
        assert response.status_code == 200, attempt  # the form again, with its error
    return log_in(client, user.username, "salah-5")


def test_it_locks_a_username_after_5_wrong_passwords_even_for_the_right_one(client, receptionist):
    fifth = lock_out(client, receptionist)
    assert fifth.status_code == 429
    sixth = log_in(client, receptionist.username, PASSWORD)
    assert sixth.status_code == 429
    assert SESSION_KEY not in client.session
    page = sixth.content.decode()
    assert "Akun terkunci" in page  # Indonesian by default
    assert "15 menit" in page


def test_it_explains_the_lockout_in_english_too(client, receptionist):
    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    response = lock_out(client, receptionist)
    assert response.status_code == 429
    page = response.content.decode()
    assert "Account locked" in page and "15 minutes" in page and "5 wrong passwords" in page


# --- a locked username with two-step login -------------------------------------------------------

LOCKED = "accounts:login_locked"


def locked_login(client, user, password, token, **extra):
    return client.post(
        reverse(LOCKED),
        {"username": user.username, "password": password, "token": token, "next": "/patients/"},
        **extra,
    )


def test_the_lockout_page_offers_the_way_in_with_a_code(client, receptionist):
    page = lock_out(client, receptionist).content.decode()
    assert reverse(LOCKED) in page and f'value="{receptionist.username}"' in page


def test_the_right_password_and_code_get_through_a_lock_and_say_what_happened(client, admin_user):
    device = new_device(admin_user, confirmed=True)
    attacker = type(client)()
    lock_out(attacker, admin_user)  # five anonymous POSTs from the clinic's one address
    assert log_in(client, admin_user.username, PASSWORD).status_code == 429  # the password alone: locked

    response = locked_login(client, admin_user, PASSWORD, code(device))
    assert response.status_code == 302 and response["Location"] == "/patients/"
    assert client.session[SESSION_KEY] == str(admin_user.pk)
    assert client.session[DEVICE_ID_SESSION_KEY] == device.persistent_id  # verified: no second code asked
    page = client.get(response["Location"], follow=True).content.decode()
    assert "dikunci setelah 5 percobaan" in page or "locked after 5 failed" in page


@pytest.mark.parametrize("wrong", ["password", "code"])
def test_a_wrong_password_or_code_keeps_the_lock_without_saying_which(client, admin_user, wrong):
    device = new_device(admin_user, confirmed=True)
    lock_out(client, admin_user)
    password = "salah-lagi" if wrong == "password" else PASSWORD
    token = code(device) if wrong == "password" else f"{(int(code(device)) + 1) % 1_000_000:06d}"
    response = locked_login(client, admin_user, password, token)
    assert response.status_code == 429
    assert SESSION_KEY not in client.session
    assert "Kata sandi atau kode tidak benar" in response.content.decode() or "password or the code" in (
        response.content.decode()
    )
    assert AccessAttempt.objects.get(username=admin_user.username).failures_since_start == 6


def test_a_user_without_two_step_login_stays_locked(client, receptionist):
    lock_out(client, receptionist)
    response = locked_login(client, receptionist, PASSWORD, "123456")
    assert response.status_code == 429 and SESSION_KEY not in client.session
    unconfirmed = new_device(receptionist, confirmed=False)
    assert locked_login(client, receptionist, PASSWORD, code(unconfirmed)).status_code == 429
    assert SESSION_KEY not in client.session


def test_the_way_in_with_a_code_is_only_for_a_locked_username(client, admin_user):
    """Otherwise it would be a way around the counting of wrong passwords."""
    device = new_device(admin_user, confirmed=True)
    response = locked_login(client, admin_user, PASSWORD, code(device))
    assert response.status_code == 302 and response["Location"].startswith(reverse(LOGIN))
    assert SESSION_KEY not in client.session


def test_it_lets_a_colleague_at_the_same_address_log_in(client, receptionist, doctor_user):
    lock_out(client, receptionist)
    colleague = type(client)()  # another computer behind the clinic's one address
    response = log_in(colleague, doctor_user.username, PASSWORD, REMOTE_ADDR="127.0.0.1")
    assert response.status_code == 302
    assert colleague.session[SESSION_KEY] == str(doctor_user.pk)


def test_it_counts_failures_of_a_username_across_addresses_and_browsers(client, receptionist):
    for n in range(1, 5):
        log_in(type(client)(), receptionist.username, "salah", REMOTE_ADDR=f"10.0.0.{n}", HTTP_USER_AGENT=f"ua{n}")
    response = log_in(client, receptionist.username, "salah", REMOTE_ADDR="10.0.0.9")
    assert response.status_code == 429
    assert log_in(client, receptionist.username, PASSWORD, REMOTE_ADDR="10.0.0.10").status_code == 429


def test_it_lets_the_user_in_again_after_the_cool_off(client, receptionist):
    lock_out(client, receptionist)
    attempts = AccessAttempt.objects.filter(username=receptionist.username)
    attempts.update(attempt_time=attempts.get().attempt_time - datetime.timedelta(minutes=14))
    assert log_in(client, receptionist.username, PASSWORD).status_code == 429  # 14 minutes: still locked
    attempts.update(attempt_time=attempts.get().attempt_time - datetime.timedelta(minutes=2))
    response = log_in(client, receptionist.username, PASSWORD)
    assert response.status_code == 302
    assert client.session[SESSION_KEY] == str(receptionist.pk)
    assert not AccessAttempt.objects.filter(username=receptionist.username).exists()  # reset on success


def test_it_forgets_earlier_failures_after_a_successful_login(client, receptionist):
    for _ in range(4):
        log_in(client, receptionist.username, "salah")
    assert log_in(client, receptionist.username, PASSWORD).status_code == 302
    client.post(reverse("accounts:logout"))
    for _ in range(4):
        assert log_in(client, receptionist.username, "salah").status_code == 200
    assert log_in(client, receptionist.username, PASSWORD).status_code == 302


def test_it_lets_an_admin_unlock_a_user_before_the_cool_off(client, receptionist):
    lock_out(client, receptionist)
    call_command("axes_reset_username", receptionist.username, stdout=open("/dev/null", "w"))
    assert log_in(client, receptionist.username, PASSWORD).status_code == 302


def test_it_locks_the_django_admin_login_with_the_same_counter(client, admin_user):
    url = reverse("admin:login")
    for _ in range(5):
        response = client.post(url, {"username": admin_user.username, "password": "salah", "next": "/admin/"})
    assert response.status_code == 429
    assert log_in(client, admin_user.username, PASSWORD).status_code == 429


# --- second factor (TOTP) -----------------------------------------------------------------------


@pytest.fixture
def otp_for_admins(settings):
    settings.OTP_REQUIRED_FOR_ADMIN = True


def device_for(user) -> TOTPDevice:
    return new_device(user, confirmed=True)


def test_it_changes_nothing_while_the_setting_is_off(client, admin_user):
    assert settings.OTP_REQUIRED_FOR_ADMIN is False
    signed_in(client, admin_user)
    assert client.get(reverse(BOARD)).status_code == 200
    assert client.get(reverse("admin:index")).status_code == 200


def test_it_sends_an_admin_without_a_device_to_set_one_up(client, admin_user, otp_for_admins):
    signed_in(client, admin_user)
    for url in (
        reverse(BOARD),
        reverse("billing:unpaid"),
        reverse("admin:index"),
        reverse("admin:accounts_user_changelist"),
    ):
        response = client.get(url)
        assert response.status_code == 302, url
        assert response["Location"].startswith(reverse("accounts:otp_setup") + "?next="), url


def test_it_asks_an_admin_with_a_device_for_the_code_on_every_staff_page_and_the_admin(
    client, admin_user, otp_for_admins
):
    device_for(admin_user)
    signed_in(client, admin_user)
    for url in (reverse(BOARD), reverse("patients:search"), reverse("admin:index")):
        response = client.get(url)
        assert response.status_code == 302, url
        assert response["Location"] == f"{reverse('accounts:otp_verify')}?next={url.replace('/', '%2F')}", url


def test_it_lets_an_admin_in_after_a_valid_code(client, admin_user, otp_for_admins):
    device = device_for(admin_user)
    signed_in(client, admin_user)
    key_before = client.session.session_key
    response = client.post(reverse("accounts:otp_verify"), {"token": code(device), "next": "/admin/"})
    assert response.status_code == 302 and response["Location"] == "/admin/"
    assert client.session[DEVICE_ID_SESSION_KEY] == device.persistent_id
    assert client.session.session_key != key_before  # a new key once fully signed in
    assert client.get(reverse("admin:index")).status_code == 200
    assert client.get(reverse(BOARD)).status_code == 200


def test_it_refuses_a_wrong_code(client, admin_user, otp_for_admins):
    device = device_for(admin_user)
    signed_in(client, admin_user)
    wrong = f"{(int(code(device)) + 1) % 1_000_000:06d}"
    response = client.post(reverse("accounts:otp_verify"), {"token": wrong})
    assert response.status_code == 200
    assert "Kode tersebut salah" in response.content.decode()
    assert DEVICE_ID_SESSION_KEY not in client.session
    assert client.get(reverse("admin:index")).status_code == 302
    assert client.get(reverse(BOARD)).status_code == 302


def test_it_refuses_letters_and_replayed_codes(client, admin_user, otp_for_admins):
    device = device_for(admin_user)
    signed_in(client, admin_user)
    assert client.post(reverse("accounts:otp_verify"), {"token": "abcdef"}).context["form"].errors
    token = code(device)
    assert client.post(reverse("accounts:otp_verify"), {"token": token}).status_code == 302
    other = signed_in(type(client)(), admin_user)
    response = other.post(reverse("accounts:otp_verify"), {"token": token})  # the same code again
    assert response.status_code == 200 and DEVICE_ID_SESSION_KEY not in other.session


def test_it_slows_down_guessing_of_codes(client, admin_user, otp_for_admins):
    device = device_for(admin_user)
    signed_in(client, admin_user)
    client.post(reverse("accounts:otp_verify"), {"token": "000000" if code(device) != "000000" else "111111"})
    # Right after a wrong code the device waits (django-otp throttling): even the right one fails.
    response = client.post(reverse("accounts:otp_verify"), {"token": code(device)})
    assert response.status_code == 200
    assert DEVICE_ID_SESSION_KEY not in client.session


def test_it_does_not_ask_other_roles_without_a_device(client, receptionist, doctor_user, otp_for_admins):
    assert signed_in(client, receptionist).get(reverse(BOARD)).status_code == 200
    assert signed_in(type(client)(), doctor_user).get(reverse("records:queue")).status_code == 200


def test_it_asks_anyone_who_set_up_a_device_even_with_the_setting_off(client, receptionist):
    device = device_for(receptionist)
    response = log_in(client, receptionist.username, PASSWORD)
    assert response.status_code == 302
    response = client.get(reverse(BOARD))
    assert response.status_code == 302 and response["Location"].startswith(reverse("accounts:otp_verify"))
    client.post(reverse("accounts:otp_verify"), {"token": code(device)})
    assert client.get(reverse(BOARD)).status_code == 200


def test_it_answers_htmx_with_a_whole_page_redirect_to_the_code_page(client, admin_user, otp_for_admins):
    device_for(admin_user)
    signed_in(client, admin_user)
    response = client.get(reverse(BOARD), HTTP_HX_REQUEST="true", HTTP_HX_CURRENT_URL="http://testserver/appointments/")
    assert response.status_code == 204
    assert response["HX-Redirect"].startswith(reverse("accounts:otp_verify"))


def test_it_keeps_the_admin_site_closed_to_an_unverified_admin_even_without_the_middleware(
    rf, admin_user, otp_for_admins
):
    from django.contrib import admin

    request = rf.get("/admin/")
    request.user = admin_user
    admin_user.is_verified = lambda: False
    assert admin.site.has_permission(request) is False
    admin_user.is_verified = lambda: True
    assert admin.site.has_permission(request) is True


def test_it_sets_up_an_authenticator_with_a_qr_code_and_a_key(client, receptionist):
    signed_in(client, receptionist)
    response = client.get(reverse("accounts:otp_setup"))
    assert response.status_code == 200
    page = response.content.decode()
    key = setup_key(client.session)
    assert "otpauth://totp/" in page and response.context["secret"] in page
    assert 'src="data:image/svg+xml;base64,' in page  # drawn here, no outside service
    assert not TOTPDevice.objects.exists()  # nothing saved until a code confirms it
    response = client.post(reverse("accounts:otp_setup"), {"token": code(key)})
    assert response.status_code == 302
    device = ClinicTOTPDevice.objects.get(user=receptionist)
    assert device.confirmed and device.bin_key == bytes.fromhex(key)
    # At rest the secret is encrypted: django-otp's column holds a decoy, totp_secrets ciphertext.
    assert TOTPDevice.objects.get(pk=device.pk).key != key
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {connection.ops.quote_name('key')} FROM totp_secrets WHERE device_id = %s", [device.pk])  # nosec B608: a quoted column name
        [(stored,)] = cursor.fetchall()
    assert stored.startswith("v1:") and key not in stored
    assert client.session[HAS_OTP_DEVICE] is True
    assert client.session[DEVICE_ID_SESSION_KEY] == device.persistent_id
    assert client.get(reverse(BOARD)).status_code == 200


def test_it_refuses_to_set_up_with_a_wrong_code(client, receptionist):
    signed_in(client, receptionist)
    client.get(reverse("accounts:otp_setup"))
    key = setup_key(client.session)
    wrong = f"{(int(code(key)) + 1) % 1_000_000:06d}"
    response = client.post(reverse("accounts:otp_setup"), {"token": wrong})
    assert response.status_code == 200 and response.context["form"].errors
    assert not TOTPDevice.objects.exists()


def test_it_lets_an_admin_set_up_the_required_device_then_work(client, admin_user, otp_for_admins):
    signed_in(client, admin_user)
    setup = client.get(reverse(BOARD))["Location"]
    page = client.get(setup)
    assert page.status_code == 200 and "Admin wajib" in page.content.decode()
    key = setup_key(client.session)
    response = client.post(setup, {"token": code(key), "next": reverse(BOARD)})
    assert response["Location"] == reverse(BOARD)
    assert client.get(reverse("admin:index")).status_code == 200


def test_the_session_keeps_the_setup_secret_encrypted(client, receptionist):
    """The unconfirmed secret sat in django_session in plain text (and so in every backup)."""
    from django.contrib.sessions.models import Session

    signed_in(client, receptionist)
    secret = client.get(reverse("accounts:otp_setup")).context["secret"]
    key = setup_key(client.session)
    stored = client.session[SETUP_KEY]
    assert stored.startswith("v1:") and key not in stored
    row = Session.objects.get(session_key=client.session.session_key)
    assert key not in row.session_data and key not in str(row.get_decoded())
    assert secret not in str(row.get_decoded())
    # The same secret on the next visit of the page, and its code confirms it.
    assert client.get(reverse("accounts:otp_setup")).context["secret"] == secret
    assert client.post(reverse("accounts:otp_setup"), {"token": code(key)}).status_code == 302


def test_it_lets_a_user_turn_the_second_step_off_but_not_a_required_admin(client, receptionist, admin_user, settings):
    device = device_for(receptionist)
    signed_in(client, receptionist)
    client.post(reverse("accounts:otp_verify"), {"token": code(device)})
    assert client.post(reverse("accounts:otp_disable")).status_code == 302
    assert not TOTPDevice.objects.filter(user=receptionist).exists()
    assert client.get(reverse("accounts:otp_disable")).status_code == 405

    settings.OTP_REQUIRED_FOR_ADMIN = True
    admin_device = device_for(admin_user)
    admin = signed_in(type(client)(), admin_user)
    admin.post(reverse("accounts:otp_verify"), {"token": code(admin_device)})
    admin.post(reverse("accounts:otp_disable"))
    assert TOTPDevice.objects.filter(user=admin_user).exists()


def test_it_resets_a_lost_authenticator_from_the_command_line(client, receptionist):
    device_for(receptionist)
    signed_in(client, receptionist)
    call_command("otp_reset", receptionist.username, stdout=open("/dev/null", "w"))
    assert not TOTPDevice.objects.filter(user=receptionist).exists()
    assert client.get(reverse(BOARD)).status_code == 302  # the session ended with it
    log_in(client, receptionist.username, PASSWORD)
    assert client.get(reverse(BOARD)).status_code == 200


def test_it_sends_anonymous_visitors_from_the_two_step_pages_to_login(client):
    for name in ("accounts:otp_verify", "accounts:otp_setup"):
        response = client.get(reverse(name))
        assert response.status_code == 302 and response["Location"].startswith(reverse(LOGIN))


def test_it_does_not_redirect_to_another_site_after_the_code(client, receptionist):
    device = device_for(receptionist)
    signed_in(client, receptionist)
    response = client.post(reverse("accounts:otp_verify"), {"token": code(device), "next": "https://evil.example/"})
    assert response["Location"] == reverse("home")


def test_it_never_stores_the_tried_passwords(client, receptionist):
    log_in(client, receptionist.username, "Rahasia-Klinik-2025")  # last year's password, nearly right
    attempt = AccessAttempt.objects.get(username=receptionist.username)
    assert "Rahasia-Klinik-2025" not in attempt.post_data


def test_the_migration_encrypts_the_secrets_of_existing_devices(client, receptionist):
    """Devices set up before: their plain hex secret moves, encrypted, to totp_secrets, and the
    code from the same phone app still logs in."""
    import importlib

    from django.apps import apps

    migration = importlib.import_module("accounts.migrations.0005_totp_secrets_encrypted")
    plain = TOTPDevice.objects.create(user=receptionist, name="Ponsel lama", confirmed=True)
    key = plain.key
    assert len(key) == 40 and TOTPDevice.objects.get(pk=plain.pk).key == key  # as django-otp stores it

    migration.encrypt_the_secrets(apps, None)

    decoy = TOTPDevice.objects.get(pk=plain.pk)
    assert decoy.key != key
    decoy.full_clean()  # still of the form django-otp validates
    migration.encrypt_the_secrets(apps, None)  # run twice: nothing changes
    assert ClinicTOTPDevice.objects.get(pk=plain.pk).bin_key == bytes.fromhex(key)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {connection.ops.quote_name('key')} FROM totp_secrets WHERE device_id = %s", [plain.pk])  # nosec B608: a quoted column name
        [(stored,)] = cursor.fetchall()
    assert key not in stored
    assert ClinicTOTPDevice.objects.get(pk=plain.pk).bin_key == bytes.fromhex(key)
    log_in(client, receptionist.username, PASSWORD)
    response = client.post(reverse("accounts:otp_verify"), {"token": code(key)})
    assert response.status_code == 302
    assert client.get(reverse(BOARD)).status_code == 200
