"""Model fields for personal identifiers stored encrypted (core.crypto) and their blind indexes.

    nik = EncryptedCharField(_("NIK"), max_length=16, null=True, blank=True, validators=[...])
    nik_hash = BlindIndexField(source="nik", kind="nik", unique=True)

An EncryptedCharField holds plain text in Python (forms, validators, templates see the value) and
ciphertext in the database: encrypted in get_db_prep_value, decrypted in from_db_value. An empty
string stays empty and NULL stays NULL (only "there is a value" is visible). Reading a value that
cannot be decrypted raises core.crypto.DecryptionError; nothing ever shows the ciphertext.

Filtering on an encrypted column could only compare ciphertexts, which never match: every lookup
but isnull raises FieldError pointing at the blind index. A BlindIndexField is filled from its
source field by fill_blind_indexes(), which the model's pre_save signal receiver calls (a signal,
so that `loaddata`, which sends pre_save but not save(), indexes the sample data too).
"""

from django.core import checks
from django.core.exceptions import FieldError
from django.core.validators import validate_email
from django.db import models
from django.utils.datastructures import DictWrapper
from django.utils.translation import gettext_lazy as _

from core import crypto


class EncryptedCharField(models.CharField):
    description = _("Encrypted text (up to %(max_length)s characters)")

    def check(self, **kwargs):
        errors = super().check(**kwargs)
        if self.unique or self.db_index:
            errors.append(
                checks.Error(
                    "An encrypted field cannot be unique or indexed: its stored values are random.",
                    hint="Add a BlindIndexField(source=...) with unique=True or db_index=True instead.",
                    obj=self,
                    id="clinic.E101",
                )
            )
        return errors

    def db_type_parameters(self, connection):
        # The column holds the ciphertext, longer than the max_length the plain value is checked against.
        params = dict(self.__dict__, max_length=crypto.stored_length(self.max_length))
        return DictWrapper(params, connection.ops.quote_name, "qn_")

    @property
    def label(self) -> str:
        model = getattr(self, "model", None)
        return f"{model._meta.label}.{self.name}" if model is not None else (self.name or "an encrypted field")

    def get_db_prep_value(self, value, connection, prepared=False):
        if not prepared:
            value = self.get_prep_value(value)
        if value is None or value == "":
            return value
        return crypto.encrypt(value)

    def from_db_value(self, value, expression, connection):
        if value is None or value == "":
            return value
        return crypto.decrypt(value, label=self.label)

    def _refuse(self, name):
        raise FieldError(
            f"{self.label} is encrypted: the database cannot compare it ({name!r} refused). Filter on its "
            f"blind index instead, e.g. nik_hash=core.crypto.blind_index('nik', value); only isnull works here."
        )

    def get_lookup(self, lookup_name):
        if lookup_name == "isnull":
            return super().get_lookup(lookup_name)
        self._refuse(lookup_name)

    def get_transform(self, lookup_name):
        self._refuse(lookup_name)


class EncryptedEmailField(EncryptedCharField):
    """An EmailField stored encrypted: same validation and form field."""

    default_validators = [validate_email]
    description = _("Encrypted email address")

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("max_length", 254)
        super().__init__(*args, **kwargs)

    def formfield(self, **kwargs):
        from django import forms

        return super().formfield(**{"form_class": forms.EmailField, **kwargs})


class BlindIndexField(models.CharField):
    """The keyed HMAC (core.crypto.blind_index) of the field `source`, normalised as `kind`;
    NULL when the source is empty. Exact search: filter(nik_hash=blind_index("nik", text))."""

    description = _("Blind index (HMAC-SHA256)")

    def __init__(self, *args, source: str, kind: str, **kwargs):
        if kind not in crypto.NORMALISERS:
            raise ValueError(f"BlindIndexField kind must be one of {', '.join(crypto.NORMALISERS)}, not {kind!r}")
        self.source, self.kind = source, kind
        kwargs.setdefault("max_length", 64)
        kwargs.setdefault("null", True)
        kwargs.setdefault("blank", True)
        kwargs.setdefault("editable", False)
        super().__init__(*args, **kwargs)

    def deconstruct(self):
        name, path, args, kwargs = super().deconstruct()
        kwargs.update(source=self.source, kind=self.kind)
        return name, path, args, kwargs


def blind_index_fields(model) -> list[BlindIndexField]:
    return [field for field in model._meta.concrete_fields if isinstance(field, BlindIndexField)]


def encrypted_fields(model) -> list[EncryptedCharField]:
    return [field for field in model._meta.concrete_fields if isinstance(field, EncryptedCharField)]


def fill_blind_indexes(instance) -> None:
    """Sets every BlindIndexField of `instance` from the current value of its source."""
    for field in blind_index_fields(type(instance)):
        setattr(instance, field.attname, crypto.blind_index(field.kind, getattr(instance, field.source)))


def with_blind_indexes(model, update_fields):
    """`update_fields` plus the blind indexes of the fields in it (None stays None: all fields)."""
    if update_fields is None:
        return None
    names = set(update_fields)
    names.update(field.name for field in blind_index_fields(model) if field.source in names)
    return names
