import secrets
from binascii import unhexlify

from django.conf import settings
from django.contrib.auth.hashers import acheck_password as _acheck_password
from django.contrib.auth.hashers import check_password as _check_password
from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import AbstractUser, UserManager
from django.db import models
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext_lazy as _
from django_otp.plugins.otp_totp.models import TOTPDevice
from django_otp.util import random_hex

from core.fields import EncryptedCharField

SESSION_HASH_SALT = "accounts.User.get_session_auth_hash"
# Django's own basis (an HMAC of the password hash): still accepted, as a fallback, from sessions
# that began before the password epoch existed; it matches only while the hash is unchanged.
DJANGO_SESSION_HASH_SALT = "django.contrib.auth.models.AbstractBaseUser.get_session_auth_hash"


def new_password_epoch() -> str:
    return secrets.token_hex(16)


class User(AbstractUser):
    """A member of the clinic's staff. The role decides what they may see and do."""

    class Role(models.TextChoices):
        ADMIN = "admin", _("Admin")
        DOCTOR = "doctor", _("Doctor")
        RECEPTIONIST = "receptionist", _("Receptionist")
        PHARMACIST = "pharmacist", _("Pharmacist")

    role = models.CharField(_("role"), max_length=20, choices=Role.choices, default=Role.RECEPTIONIST)
    # What a session's auth hash is made of (get_session_auth_hash), instead of Django's password
    # hash: a new random value at every real change of the password, and none when the same
    # password is only rehashed (a new salt, a stronger hasher) at login. Two people logging in
    # to one account at once both rehash; with the hash as basis, the second ended the first's
    # session. Named "password…" so that the audit log masks it.
    password_epoch = models.CharField(_("password epoch"), max_length=32, default=new_password_epoch, editable=False)

    objects = UserManager()

    class Meta:
        db_table = "users"
        verbose_name = _("user")
        verbose_name_plural = _("users")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(role__in=["admin", "doctor", "receptionist", "pharmacist"]),
                name="users_role_valid",
            ),
        ]

    def __str__(self):
        return self.get_full_name() or self.username

    def set_password(self, raw_password):
        """A real change of the password: every other session of the account ends."""
        super().set_password(raw_password)
        self.password_epoch = new_password_epoch()
        self._epoch_changed = True

    def set_unusable_password(self):
        super().set_unusable_password()
        self.password_epoch = new_password_epoch()
        self._epoch_changed = True

    def _rehash(self, raw_password) -> None:
        """The same password under the preferred hasher and a fresh salt: not a change."""
        self.password = make_password(raw_password)
        self._password = None

    def check_password(self, raw_password):
        def setter(raw):
            self._rehash(raw)
            self.save(update_fields=["password"])

        return _check_password(raw_password, self.password, setter)

    async def acheck_password(self, raw_password):
        async def setter(raw):
            self._rehash(raw)
            await self.asave(update_fields=["password"])

        return await _acheck_password(raw_password, self.password, setter)

    def _session_hash(self, secret=None) -> str:
        return salted_hmac(
            SESSION_HASH_SALT, f"{self.pk}:{self.password_epoch}", secret=secret, algorithm="sha256"
        ).hexdigest()

    def get_session_auth_hash(self):
        return self._session_hash()

    def get_session_auth_fallback_hash(self):
        for secret in settings.SECRET_KEY_FALLBACKS:
            yield self._session_hash(secret=secret)
        # Sessions from before the epoch (Django's basis), valid only for the unchanged hash;
        # Django then rewrites the session's hash to the epoch's.
        for secret in [settings.SECRET_KEY, *settings.SECRET_KEY_FALLBACKS]:
            yield salted_hmac(DJANGO_SESSION_HASH_SALT, self.password, secret=secret, algorithm="sha256").hexdigest()

    def save(self, *args, **kwargs):
        # Only the Admin role reaches the Django admin; the flag follows the role.
        self.is_staff = self.role == self.Role.ADMIN or self.is_superuser
        if self.is_superuser:
            self.role = self.Role.ADMIN
            self.is_staff = True
        update_fields = kwargs.get("update_fields")
        if update_fields is not None and "role" in update_fields:
            kwargs["update_fields"] = update_fields = {*update_fields, "is_staff"}
        if update_fields is not None and "password" in update_fields and getattr(self, "_epoch_changed", False):
            kwargs["update_fields"] = {*update_fields, "password_epoch"}
        super().save(*args, **kwargs)
        self._epoch_changed = False

    @property
    def is_admin_role(self) -> bool:
        return self.role == self.Role.ADMIN

    @property
    def is_doctor(self) -> bool:
        return self.role == self.Role.DOCTOR

    @property
    def is_receptionist(self) -> bool:
        return self.role == self.Role.RECEPTIONIST

    @property
    def is_pharmacist(self) -> bool:
        return self.role == self.Role.PHARMACIST


def decoy_key() -> str:
    """What django-otp's own key column holds for a device whose secret is kept encrypted: a random
    key of the right form (the column is validated as hex) that no authenticator app has. This
    app verifies codes only through ClinicTOTPDevice; a code checked against the column fails."""
    return random_hex(20)


class TOTPSecret(models.Model):
    """The secret of a TOTP device, encrypted with the field keys (core/crypto.py). django-otp
    keeps it in plain hex in otp_totp_totpdevice.key, and so in every backup; that column holds
    a decoy (decoy_key) instead. Read through ClinicTOTPDevice."""

    device = models.OneToOneField(TOTPDevice, on_delete=models.CASCADE, primary_key=True, related_name="clinic_secret")
    key = EncryptedCharField(_("secret key"), max_length=80)

    class Meta:
        db_table = "totp_secrets"
        verbose_name = _("two-step secret")

    def __str__(self):
        return f"secret of device {self.device_id}"  # never the secret


class ClinicTOTPDevice(TOTPDevice):
    """django-otp's TOTP device whose secret comes from TOTPSecret (encrypted). Every device of
    the clinic is made and verified through this class (accounts.views)."""

    class Meta:
        proxy = True

    @classmethod
    def new(cls, *, user, name, key: str | None = None, confirmed: bool = False) -> "ClinicTOTPDevice":
        """An unsaved device with the secret `key` (hex; a new random one by default)."""
        device = cls(user=user, name=name, confirmed=confirmed, key=decoy_key())
        device.plain_key = key or random_hex(20)
        return device

    @property
    def bin_key(self):
        plain = getattr(self, "plain_key", None)
        if plain is None:
            plain = TOTPSecret.objects.get(device_id=self.pk).key
        return unhexlify(plain.encode())

    def save(self, *args, **kwargs):
        plain = getattr(self, "plain_key", None)
        if plain is not None and self.key == plain:
            self.key = decoy_key()
        super().save(*args, **kwargs)
        if plain is not None:
            TOTPSecret.objects.update_or_create(device_id=self.pk, defaults={"key": plain})
