"""Form fields that every app may use; they import no app."""

import datetime
import hashlib
import secrets

from django import forms
from django.core import signing
from django.core.exceptions import ValidationError
from django.db import models
from django.forms.boundfield import BoundField
from django.utils.translation import gettext_lazy as _

from core.fields import EncryptedEmailField
from core.text import check_ascii_digits, normalise_text

# The dates the pages work with. Outside them a day's arithmetic and the time zone conversions
# overflow (?date=9999-12-31 on the doctor's day was a 500), and MariaDB's DATETIME starts in 1000.
FIRST_DATE, LAST_DATE = datetime.date(1900, 1, 1), datetime.date(2999, 12, 31)


# Dates read dd-mm-yyyy and times 24-hour HH.MM whatever the browser's language (issue 17): the
# fields are text inputs, not <input type=date/time>, which follow the browser's locale
# (12/05/2026 01:30 PM in an English Chromium). Typed quickly: 27071967, 27-07-1967, 27/07/1967,
# 27.07.1967; ISO 1967-07-27 still reads (links and older bookmarks carry it).
DATE_FORMAT = "%d-%m-%Y"
DATE_INPUT_FORMATS = (DATE_FORMAT, "%d/%m/%Y", "%d.%m.%Y", "%d%m%Y", "%Y-%m-%d")
TIME_FORMAT = "%H.%M"
TIME_INPUT_FORMATS = (TIME_FORMAT, "%H:%M", "%H%M", "%H:%M:%S")
DATETIME_FORMAT = f"{DATE_FORMAT} {TIME_FORMAT}"
DATETIME_INPUT_FORMATS = tuple(f"{d} {t}" for d in DATE_INPUT_FORMATS for t in TIME_INPUT_FORMATS) + ("%Y-%m-%dT%H:%M",)


class _AutofocusBoundField(BoundField):
    def build_widget_attrs(self, attrs, widget=None):
        attrs = super().build_widget_attrs(attrs, widget)
        if self.name == self.form.autofocus_name():
            attrs["autofocus"] = True
        return attrs


class AutofocusMixin:
    """A form that is the point of its page (issue 17, the keyboard): the cursor starts in its
    first field with an error, else in `autofocus`, the field a person fills first (None: only
    a field with an error takes the focus). A page has one such field: two forms on a page set
    `autofocus` on one of them."""

    autofocus: str | None = None
    bound_field_class = _AutofocusBoundField

    def autofocus_name(self) -> str | None:
        if self.is_bound:
            for name, field in self.fields.items():
                if name in self.errors and not field.widget.is_hidden:
                    return name
        return self.autofocus


class ClinicDateInput(forms.TextInput):
    """A date as dd-mm-yyyy text, numbers keyboard on a tablet; static/js/clinic.js writes
    27071967 as 27-07-1967 when the field is left."""

    def __init__(self, attrs=None):
        base = {"placeholder": "dd-mm-yyyy", "inputmode": "numeric", "autocomplete": "off", "maxlength": "10"}
        super().__init__({**base, "data-clinic-date": "", **(attrs or {})})
        self.format = DATE_FORMAT

    def format_value(self, value):
        if isinstance(value, datetime.date):
            return value.strftime(DATE_FORMAT)
        return super().format_value(value)


class ClinicTimeInput(forms.TextInput):
    """A time as 24-hour HH.MM text (13.30; 1330 and 13:30 read too)."""

    def __init__(self, attrs=None):
        base = {"placeholder": "HH.MM", "inputmode": "numeric", "autocomplete": "off", "maxlength": "5"}
        super().__init__({**base, "data-clinic-time": "", **(attrs or {})})

    def format_value(self, value):
        if isinstance(value, datetime.time):
            return value.strftime(TIME_FORMAT)
        return super().format_value(value)


class ClinicDateTimeInput(forms.TextInput):
    """A moment as "dd-mm-yyyy HH.MM" text."""

    def __init__(self, attrs=None):
        base = {"placeholder": "dd-mm-yyyy HH.MM", "autocomplete": "off", "maxlength": "16"}
        super().__init__({**base, **(attrs or {})})

    def format_value(self, value):
        if isinstance(value, datetime.datetime):
            from django.utils import timezone

            if timezone.is_aware(value):
                value = timezone.localtime(value)
            return value.strftime(DATETIME_FORMAT)
        return super().format_value(value)


class ClinicTimeField(forms.TimeField):
    """A 24-hour time typed as 13.30, 13:30 or 1330."""

    widget = ClinicTimeInput
    input_formats = TIME_INPUT_FORMATS

    def to_python(self, value):
        if isinstance(value, str):
            value = check_ascii_digits(value)
        return super().to_python(value)


class ClinicDateField(forms.DateField):
    """A date between FIRST_DATE and LAST_DATE; any other is "Enter a valid date.". Shown and
    read as dd-mm-yyyy (DATE_INPUT_FORMATS) unless the form passes its own formats."""

    widget = ClinicDateInput
    input_formats = DATE_INPUT_FORMATS

    def to_python(self, value):
        if isinstance(value, str):
            value = check_ascii_digits(value)  # strptime would read other scripts' digits
        value = super().to_python(value)
        if value is not None and not FIRST_DATE <= value <= LAST_DATE:
            raise forms.ValidationError(self.error_messages["invalid"], code="invalid")
        return value


class CleanCharField(forms.CharField):
    """Text as core.text reads it: NFKC, without bidirectional controls (then stripped and
    length-checked as usual)."""

    def to_python(self, value):
        if isinstance(value, str):
            value = normalise_text(value)
        return super().to_python(value)


class _AsciiDigitsMixin:
    def to_python(self, value):
        if isinstance(value, str):
            value = check_ascii_digits(value)
        return super().to_python(value)


class CleanIntegerField(_AsciiDigitsMixin, forms.IntegerField):
    """A whole number written with 0–9 (fullwidth digits fold to them; other scripts' are refused)."""


class CleanDecimalField(_AsciiDigitsMixin, forms.DecimalField):
    """A decimal number written with 0–9."""


def clinic_formfield(model_field: models.Field, **kwargs) -> forms.Field | None:
    """ModelForm's formfield_callback: the model's text and number fields get the fields above."""
    if model_field.choices is None and not isinstance(model_field, models.EmailField | EncryptedEmailField):
        if isinstance(model_field, models.CharField | models.TextField):
            kwargs.setdefault("form_class", CleanCharField)
        elif isinstance(model_field, models.IntegerField):
            kwargs.setdefault("form_class", CleanIntegerField)
        elif isinstance(model_field, models.DecimalField):
            kwargs.setdefault("form_class", CleanDecimalField)
    return model_field.formfield(**kwargs)


def add_service_error(form: forms.Form, error: ValidationError) -> None:
    """Puts a service's ValidationError on the form: on its field when the form has it."""
    if hasattr(error, "error_dict"):
        for field, errors in error.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, error)


# --- One-time submit tokens (idempotency keys) of the forms that move money -------------------
# The page renders a new token in each form; the service stores it, hashed, unique, with what the
# submit did. A replayed or double-clicked submit carries the same token and finds the first
# result instead of doing it again. The token is signed and names what it is for (its scope, e.g.
# the bill), so a token of one form does not pass on another and a made-up one is refused.

SUBMIT_TOKEN_SALT = "core.forms.submit_token"
SUBMIT_TOKEN_MAX_AGE = datetime.timedelta(hours=12)


def submit_token_new(scope: str) -> str:
    return signing.dumps({"scope": scope, "nonce": secrets.token_urlsafe(18)}, salt=SUBMIT_TOKEN_SALT)


def submit_token_key(token: str, scope: str) -> str:
    """The key a service stores for the token (its SHA-256); ValueError when it is not valid here."""
    try:
        data = signing.loads(token, salt=SUBMIT_TOKEN_SALT, max_age=SUBMIT_TOKEN_MAX_AGE)
    except signing.BadSignature as exc:  # SignatureExpired included
        raise ValueError("invalid or expired submit token") from exc
    if not isinstance(data, dict) or data.get("scope") != scope:
        raise ValueError("submit token of another form")
    return hashlib.sha256(token.encode()).hexdigest()


class SubmitTokenField(forms.CharField):
    """A hidden one-time token; cleans to the key the service stores. Set `scope` in the form."""

    widget = forms.HiddenInput
    default_error_messages = {
        "required": _("This form is out of date. Open it again and check what was already saved."),
        "invalid": _("This form is out of date. Open it again and check what was already saved."),
    }

    def __init__(self, **kwargs):
        kwargs.setdefault("max_length", 300)
        super().__init__(**kwargs)
        self.scope = ""

    def clean(self, value):
        value = super().clean(value)
        try:
            return submit_token_key(value, self.scope)
        except ValueError:
            raise forms.ValidationError(self.error_messages["invalid"], code="invalid") from None
