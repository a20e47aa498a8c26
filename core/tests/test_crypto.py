"""Encryption at rest (core/crypto.py, core/fields.py): values, keys, blind indexes, the
fields' checks and the key commands."""

import base64
import io

import pytest
from django.core import checks
from django.core.exceptions import ImproperlyConfigured
from django.core.management import call_command
from django.db import models
from django.test import override_settings
from django.test.utils import isolate_apps

from core import crypto
from core.fields import BlindIndexField, EncryptedCharField

NIK = "3273015708850003"
KEY_A = base64.urlsafe_b64encode(b"A" * 32).decode()
KEY_B = base64.urlsafe_b64encode(b"B" * 32).decode()
KEY_C = base64.urlsafe_b64encode(b"C" * 32).decode()
SECRET = "a-secret-key-that-is-no-encryption-key"


# --- values ----------------------------------------------------------------------------------


def test_it_encrypts_with_the_current_key_and_a_fresh_nonce_each_time():
    first, second = crypto.encrypt(NIK), crypto.encrypt(NIK)
    assert first.startswith("v1:test1:") and second.startswith("v1:test1:")
    assert first != second  # random nonce: equal values do not look equal
    assert NIK not in first
    assert crypto.decrypt(first) == crypto.decrypt(second) == NIK


def test_it_round_trips_any_text_within_the_stored_length():
    for text in ("", "a", "siti@contoh.id", "😀" * 254, "Ünïcödé +62 812"):
        stored = crypto.encrypt(text)
        assert crypto.decrypt(stored) == text
        assert len(stored) <= crypto.stored_length(max(len(text), 1))


def test_it_refuses_a_wrong_key_with_the_same_id():
    stored = crypto.encrypt(NIK)
    with override_settings(FIELD_ENCRYPTION_KEYS=f"test1:{KEY_A}"):
        with pytest.raises(crypto.DecryptionError, match="authentication failed") as error:
            crypto.decrypt(stored, label="patients.Patient.nik")
    assert "patients.Patient.nik" in str(error.value)
    assert NIK not in str(error.value) and stored not in str(error.value)


def test_it_refuses_a_value_of_a_key_that_is_no_longer_configured():
    stored = crypto.encrypt(NIK)
    with (
        override_settings(FIELD_ENCRYPTION_KEYS=f"other:{KEY_A}"),
        pytest.raises(crypto.DecryptionError, match="'test1'"),
    ):
        crypto.decrypt(stored)


def flip(stored: str, position: int) -> str:
    """`stored` with one base64 character of its payload changed (position counts from the payload's start)."""
    header, payload = stored.rsplit(":", 1)
    char = payload[position]
    payload = payload[:position] + ("B" if char != "B" else "C") + payload[position + 1 :]
    return f"{header}:{payload}"


@pytest.mark.parametrize(
    "tamper",
    [
        lambda s: flip(s, 2),  # the nonce
        lambda s: flip(s, 20),  # the ciphertext
        lambda s: flip(s, -6),  # the tag
        lambda s: s[:-8],  # cut short
        lambda s: s[:-1] + "AAAA",  # extended
        lambda s: "v2" + s[2:],  # another format
        lambda s: s.replace("v1:test1:", "v1:test1:x", 1),  # not base64 any more
    ],
)
def test_it_refuses_a_tampered_value(tamper):
    stored = crypto.encrypt("+6281234567890")
    with pytest.raises(crypto.DecryptionError):
        crypto.decrypt(tamper(stored))


def test_it_refuses_plain_text_where_ciphertext_belongs():
    with pytest.raises(crypto.DecryptionError, match="not encrypted") as error:
        crypto.decrypt(NIK)
    assert NIK not in str(error.value)


def test_it_authenticates_the_key_id_in_the_header():
    # Both keys are configured; moving a value under the other id must not decrypt to anything.
    with override_settings(FIELD_ENCRYPTION_KEYS=f"a:{KEY_A},b:{KEY_A}"):
        stored = crypto.encrypt(NIK)
        assert stored.startswith("v1:a:")
        with pytest.raises(crypto.DecryptionError):
            crypto.decrypt(stored.replace("v1:a:", "v1:b:", 1))


# --- blind indexes ---------------------------------------------------------------------------


def test_it_indexes_each_spelling_of_an_identifier_alike():
    assert crypto.blind_index("nik", "3273 0157-0885 0003") == crypto.blind_index("nik", NIK)
    phones = {crypto.blind_index("phone", p) for p in ("0812-3456-7890", "+62 812 3456 7890", "6281234567890")}
    assert len(phones) == 1
    assert crypto.blind_index("email", " Siti@Contoh.ID ") == crypto.blind_index("email", "siti@contoh.id")
    assert len(crypto.blind_index("nik", NIK)) == 64


def test_it_keeps_the_kinds_apart_and_empty_values_unindexed():
    assert crypto.blind_index("nik", "6281234567890") != crypto.blind_index("phone", "6281234567890")
    assert crypto.blind_index("nik", "") is None
    assert crypto.blind_index("phone", None) is None
    assert crypto.blind_index("email", "   ") is None


def test_it_keys_the_index_so_it_changes_with_the_blind_index_key():
    before = crypto.blind_index("nik", NIK)
    with override_settings(BLIND_INDEX_KEY=KEY_C):
        assert crypto.blind_index("nik", NIK) != before
    assert crypto.blind_index("nik", NIK) == before


# --- keys ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("field_keys", "blind_key", "message"),
    [
        ("", KEY_B, "FIELD_ENCRYPTION_KEYS is not set"),
        (f"k1:{KEY_A}", "", "BLIND_INDEX_KEY is not set"),
        ("k1:not base64!", KEY_B, "not valid base64"),
        (f"k1:{base64.b64encode(b'short').decode()}", KEY_B, "must be 32 random bytes"),
        (KEY_A, KEY_B, "must look like <id>:<base64 key>"),
        (f"k 1:{KEY_A}", KEY_B, "must look like"),
        (f"k1:{KEY_A},k1:{KEY_C}", KEY_B, "twice"),
        (f"k1:{KEY_A}", KEY_A, "BLIND_INDEX_KEY is the same as"),
    ],
)
def test_it_refuses_missing_or_malformed_keys(field_keys, blind_key, message):
    with pytest.raises(ImproperlyConfigured, match=message) as error:
        crypto.check_keys(field_keys, blind_key, secret_key=SECRET)
    if "not set" in message:
        assert "generate_encryption_keys" in str(error.value)


def test_it_refuses_secret_key_as_an_encryption_key():
    with pytest.raises(ImproperlyConfigured, match="is SECRET_KEY"):
        crypto.check_keys(f"k1:{KEY_A}", KEY_B, secret_key=KEY_A)
    with pytest.raises(ImproperlyConfigured, match="BLIND_INDEX_KEY is SECRET_KEY"):
        crypto.check_keys(f"k1:{KEY_A}", KEY_B, secret_key=KEY_B)
    crypto.check_keys(f"k1:{KEY_A},k0:{KEY_C}", KEY_B, secret_key=SECRET)  # fine


def test_it_accepts_standard_and_url_safe_base64_with_or_without_padding():
    raw = bytes(range(200, 232))
    for text in (base64.b64encode(raw).decode(), base64.urlsafe_b64encode(raw).decode().rstrip("=")):
        assert crypto.parse_field_keys(f"k1:{text}") == [("k1", raw)]


def test_it_makes_keys_that_the_settings_accept():
    key_id, key = crypto.new_key_id(), crypto.new_key()
    crypto.check_keys(f"{key_id}:{key}", crypto.new_key(), secret_key=SECRET)
    assert not key.startswith("$")  # django-environ would read it as a reference


def test_it_prints_a_rotated_key_list_with_the_new_key_first(settings):
    settings.FIELD_ENCRYPTION_KEYS = f"old:{KEY_A}"
    out = io.StringIO()
    call_command("generate_encryption_keys", "--rotate", stdout=out)
    name, value = out.getvalue().strip().split("=", 1)
    assert name == "FIELD_ENCRYPTION_KEYS"
    keys = crypto.parse_field_keys(value)
    assert [key_id for key_id, _ in keys][1:] == ["old"]
    assert keys[0][0] != "old"


@isolate_apps("core")
def test_it_reports_an_encrypted_field_that_is_unique_or_indexed():
    class Thing(models.Model):  # noqa: DJ008  (a throwaway model for one check)
        secret = EncryptedCharField(max_length=10, unique=True)
        other = EncryptedCharField(max_length=10)
        other_hash = BlindIndexField(source="other", kind="email", db_index=True)

        class Meta:
            app_label = "core"

    errors = [e for e in Thing.check() if isinstance(e, checks.Error)]
    assert [e.id for e in errors] == ["clinic.E101"]
    assert "secret" in str(errors[0].obj)
