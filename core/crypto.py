"""Encryption at rest of personal identifiers (NIK, phone numbers, email) and their blind indexes.

Values: AES-256-GCM (authenticated) with a fresh random 96-bit nonce per value, stored as

    v1:<key id>:<base64url(nonce + ciphertext + tag)>

The header "v1:<key id>" is authenticated too (associated data). `decrypt` raises DecryptionError
for an unknown key id, a wrong key, an altered value or a value that is not encrypted at all: it
never hands back the stored text in place of the plain one.

Search: the ciphertext is different every time, so exact search goes through a blind index,
blind_index(kind, value) = HMAC-SHA256 under a SEPARATE key of "<kind>:<normalised value>"
(NIK: its digits; phone: +62...; email: lowercased). Whoever reads the database sees neither the
values nor (without BLIND_INDEX_KEY) a way to test a guess against the index.

Keys come from the environment through the settings (never from SECRET_KEY):

    FIELD_ENCRYPTION_KEYS=<id>:<base64 of 32 bytes>[,<older id>:<base64 of 32 bytes>...]
    BLIND_INDEX_KEY=<base64 of 32 bytes>

The first field key encrypts; every key in the list decrypts, so a new key goes first and the old
one stays until `manage.py rotate_encryption_keys` has re-encrypted every value. New keys:
`manage.py generate_encryption_keys`.
"""

from __future__ import annotations

import base64
import binascii
import datetime
import functools
import hashlib
import hmac
import re
import secrets
import sys
from collections.abc import Iterable
from dataclasses import dataclass

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

from core.text import normalise_text

VERSION = "v1"
KEY_BYTES = 32  # AES-256
NONCE_BYTES = 12  # 96 bits, GCM's standard nonce
TAG_BYTES = 16
KEY_ID = re.compile(r"[A-Za-z0-9_-]{1,16}")
KEY_ID_MAX = 16
GENERATE_HINT = (
    "Generate keys with `python manage.py generate_encryption_keys` and put its lines in the "
    "environment (or in .env for development; `make run` writes one)."
)


class EncryptionError(Exception):
    """Encrypted data cannot be written or read: a key is missing or wrong, or a value was altered."""


class DecryptionError(EncryptionError):
    """A stored value cannot be decrypted. Never carries the stored value itself."""


# --- normalising the identifiers -------------------------------------------------------------

_PHONE_SEPARATORS = re.compile(r"[\s\-.()/]")


def phone_normalise(raw: str | None) -> str:
    """ "0812-3456-7890", "62812..." or "+62 812 3456 7890" → "+6281234567890".

    Anything that is not a phone number comes back stripped but otherwise unchanged, so the
    model's validator can name the problem."""
    value = normalise_text(raw or "").strip()
    compact = _PHONE_SEPARATORS.sub("", value)
    if not re.fullmatch(r"\+?[0-9]+", compact):
        return value
    digits = compact.lstrip("+")
    if digits.startswith("62"):
        return "+" + digits
    if compact.startswith("+"):
        return compact  # another country: leave it for the validator to refuse
    if digits.startswith("0"):
        return "+62" + digits[1:]
    if digits.startswith("8"):
        return "+62" + digits
    return value


def nik_normalise(raw: str | None) -> str:
    """The NIK's ASCII digits only: "3273 0101-0190 0001" → "3273010101900001" (fullwidth digits
    fold to ASCII first)."""
    return re.sub(r"[^0-9]", "", normalise_text(raw or ""))


def email_normalise(raw: str | None) -> str:
    return (raw or "").strip().lower()


NORMALISERS = {"nik": nik_normalise, "phone": phone_normalise, "email": email_normalise}


# --- keys --------------------------------------------------------------------------------------


def _decode_key(text: str, what: str) -> bytes:
    text = text.strip()
    try:
        # Standard or URL-safe alphabet, padding optional.
        raw = base64.b64decode(text.replace("-", "+").replace("_", "/") + "=" * (-len(text) % 4), validate=True)
    except (binascii.Error, ValueError):
        raise ImproperlyConfigured(f"{what} is not valid base64. {GENERATE_HINT}") from None
    if len(raw) != KEY_BYTES:
        raise ImproperlyConfigured(
            f"{what} must be {KEY_BYTES} random bytes in base64 (got {len(raw)}). {GENERATE_HINT}"
        )
    return raw


def _field_key_entries(value: str | Iterable[str]) -> list[tuple[str, str, bytes]]:
    items = value.split(",") if isinstance(value, str) else list(value)
    items = [item.strip() for item in items if item and item.strip()]
    if not items:
        raise ImproperlyConfigured(
            f"FIELD_ENCRYPTION_KEYS is not set: patients' NIK, phone and email are "
            f"stored encrypted and cannot be read or written without it. {GENERATE_HINT}"
        )
    entries: list[tuple[str, str, bytes]] = []
    for position, item in enumerate(items, start=1):
        key_id, sep, encoded = item.partition(":")
        if not sep or not KEY_ID.fullmatch(key_id):
            raise ImproperlyConfigured(
                f"FIELD_ENCRYPTION_KEYS entry {position} must look like <id>:<base64 key>, the id being 1-16 "
                f"letters, digits, - or _. {GENERATE_HINT}"
            )
        if any(key_id == known for known, _, _ in entries):
            raise ImproperlyConfigured(f"FIELD_ENCRYPTION_KEYS names key id {key_id!r} twice.")
        entries.append((key_id, encoded.strip(), _decode_key(encoded, f"FIELD_ENCRYPTION_KEYS key {key_id!r}")))
    return entries


def parse_field_keys(value: str | Iterable[str]) -> list[tuple[str, bytes]]:
    """ "id:base64,id2:base64" (or a list of "id:base64") → [(id, key), ...], current key first."""
    return [(key_id, key) for key_id, _, key in _field_key_entries(value)]


def parse_blind_index_key(value: str) -> bytes:
    if not (value or "").strip():
        raise ImproperlyConfigured(
            f"BLIND_INDEX_KEY is not set: searching patients by NIK, phone or email needs it. {GENERATE_HINT}"
        )
    return _decode_key(value, "BLIND_INDEX_KEY")


def _same_as_secret(key_text: str, key: bytes, secret_key: str) -> bool:
    if not secret_key:
        return False
    secret = secret_key.encode()
    return hmac.compare_digest(key_text.strip().encode(), secret) or hmac.compare_digest(key, secret)


def check_keys(field_keys: str | Iterable[str], blind_index_key: str, secret_key: str = "") -> None:
    """Raises ImproperlyConfigured unless both settings are present and well-formed, and none of
    the keys is SECRET_KEY or doubles as the other kind (the data key and the index key differ)."""
    entries = _field_key_entries(field_keys)
    index_key = parse_blind_index_key(blind_index_key)
    for key_id, text, key in entries:
        if _same_as_secret(text, key, secret_key):
            raise ImproperlyConfigured(
                f"FIELD_ENCRYPTION_KEYS key {key_id!r} is SECRET_KEY: the data key must be "
                f"a separate secret. {GENERATE_HINT}"
            )
        if hmac.compare_digest(key, index_key):
            raise ImproperlyConfigured(
                f"BLIND_INDEX_KEY is the same as FIELD_ENCRYPTION_KEYS key {key_id!r}: "
                f"use two separate keys. {GENERATE_HINT}"
            )
    if _same_as_secret(blind_index_key, index_key, secret_key):
        raise ImproperlyConfigured(f"BLIND_INDEX_KEY is SECRET_KEY: it must be a separate secret. {GENERATE_HINT}")


@dataclass(frozen=True)
class Keyring:
    current_id: str
    ciphers: dict[str, AESGCM]
    index_key: bytes


@functools.lru_cache(maxsize=8)
def _keyring(field_keys: str | tuple[str, ...], blind_index_key: str, secret_key: str) -> Keyring:
    check_keys(field_keys, blind_index_key, secret_key)
    keys = parse_field_keys(field_keys)
    return Keyring(
        current_id=keys[0][0],
        ciphers={key_id: AESGCM(key) for key_id, key in keys},
        index_key=parse_blind_index_key(blind_index_key),
    )


def keyring() -> Keyring:
    """The keys of the current settings (parsed once per distinct value, so override_settings works)."""
    field_keys = getattr(settings, "FIELD_ENCRYPTION_KEYS", "") or ""
    if not isinstance(field_keys, str):
        field_keys = tuple(field_keys)
    return _keyring(field_keys, getattr(settings, "BLIND_INDEX_KEY", "") or "", settings.SECRET_KEY or "")


def new_key() -> str:
    """32 random bytes in URL-safe base64 (never starts with `$`, which django-environ would expand)."""
    return base64.urlsafe_b64encode(secrets.token_bytes(KEY_BYTES)).decode()


def new_key_id() -> str:
    """e.g. "k20261105-3fa2": the date tells which key is older, the suffix keeps same-day keys apart."""
    return f"k{datetime.datetime.now(datetime.UTC):%Y%m%d}-{secrets.token_hex(2)}"


# --- values ------------------------------------------------------------------------------------


def stored_length(max_chars: int) -> int:
    """The longest stored text for a plain value of `max_chars` characters (4 UTF-8 bytes each)."""
    payload = NONCE_BYTES + 4 * max_chars + TAG_BYTES
    return len(VERSION) + 1 + KEY_ID_MAX + 1 + 4 * -(-payload // 3)


def is_encrypted(stored: str | None) -> bool:
    return bool(stored) and stored.startswith(VERSION + ":")


def key_id_of(stored: str) -> str | None:
    parts = stored.split(":", 2)
    return parts[1] if len(parts) == 3 and parts[0] == VERSION else None


def encrypt(plain: str) -> str:
    ring = keyring()
    header = f"{VERSION}:{ring.current_id}"
    nonce = secrets.token_bytes(NONCE_BYTES)
    sealed = ring.ciphers[ring.current_id].encrypt(nonce, plain.encode(), header.encode())
    return f"{header}:{base64.urlsafe_b64encode(nonce + sealed).decode()}"


def decrypt(stored: str, *, label: str = "an encrypted value") -> str:
    """The plain text of `stored`; DecryptionError (naming `label`, never the value) if it cannot be."""
    version, _, rest = stored.partition(":")
    key_id, _, encoded = rest.partition(":")
    if version != VERSION or not key_id or not encoded:
        raise DecryptionError(
            f"Cannot read {label}: the stored value is not encrypted (format {VERSION}). "
            f"Plain text in an encrypted column: run `manage.py migrate`."
        )
    ring = keyring()
    cipher = ring.ciphers.get(key_id)
    if cipher is None:
        raise DecryptionError(
            f"Cannot read {label}: it was encrypted with key {key_id!r}, which is not in "
            f"FIELD_ENCRYPTION_KEYS (keys: {', '.join(ring.ciphers)}). Put the old key back "
            f"after the current one until `manage.py rotate_encryption_keys` has run."
        )
    try:
        blob = base64.urlsafe_b64decode(encoded.encode())
    except (binascii.Error, ValueError):
        blob = b""
    if len(blob) < NONCE_BYTES + TAG_BYTES:
        raise DecryptionError(f"Cannot read {label}: the stored value is damaged.")
    try:
        plain = cipher.decrypt(blob[:NONCE_BYTES], blob[NONCE_BYTES:], f"{version}:{key_id}".encode())
    except InvalidTag:
        raise DecryptionError(
            f"Cannot read {label}: authentication failed. Either FIELD_ENCRYPTION_KEYS holds "
            f"a different key under the id {key_id!r} than the one that encrypted it, or "
            f"the stored value was altered."
        ) from None
    return plain.decode()


def blind_index(kind: str, value: str | None) -> str | None:
    """The keyed index of an identifier (64 hex characters), or None when it is empty.

    `kind` is "nik", "phone" or "email"; it picks the normaliser and separates the kinds, so the
    same text as a NIK and as a phone number gives different indexes."""
    normalised = NORMALISERS[kind](value)
    if not normalised:
        return None
    message = f"{kind}:{normalised}".encode()
    return hmac.new(keyring().index_key, message, hashlib.sha256).hexdigest()


# Commands that never read or write patients' data, so they may start without keys: making the
# keys, and the developer's schema and translation tools. They still meet the keys' absence in
# the system check (clinic.W101), and any use of an encrypted value raises (keyring()).
KEYLESS_COMMANDS = {"generate_encryption_keys", "check", "makemigrations", "makemessages", "compilemessages", "help"}


def generating_keys() -> bool:
    """True in a manage.py command that runs without keys (KEYLESS_COMMANDS)."""
    return sys.argv[1:2] != [] and sys.argv[1] in KEYLESS_COMMANDS


# --- the audit log's signing key -------------------------------------------------------------
# AUDIT_KEY (base64 of 32 bytes, from the environment like the keys above): the HMAC key of the
# audit log's rows and checkpoints (audit/services.py). The database never holds it, so a row
# inserted there by hand cannot carry a valid signature.


@functools.lru_cache(maxsize=8)
def _audit_key(value: str, secret_key: str) -> bytes:
    if not (value or "").strip():
        raise ImproperlyConfigured(
            f"AUDIT_KEY is not set: the audit log's rows cannot be signed without it. {GENERATE_HINT}"
        )
    key = _decode_key(value, "AUDIT_KEY")
    if _same_as_secret(value, key, secret_key):
        raise ImproperlyConfigured(f"AUDIT_KEY is SECRET_KEY: it must be a separate secret. {GENERATE_HINT}")
    return key


def check_audit_key(value: str, secret_key: str = "") -> None:
    """Raises ImproperlyConfigured unless AUDIT_KEY is present, well-formed and not SECRET_KEY."""
    _audit_key(value or "", secret_key or "")


def audit_key() -> bytes:
    """The audit log's signing key of the current settings; ImproperlyConfigured without one."""
    return _audit_key(getattr(settings, "AUDIT_KEY", "") or "", settings.SECRET_KEY or "")
