"""What the staff pages show of an audit row: human, translated labels for the codes the rows
store (`what`, the names of the changed fields). The rows keep their codes (they are hashed and
signed as written); the labels come from here at display time, in the reader's language.
Internal columns (blind indexes, hashes) are never named."""

import re
from functools import cache

from django.apps import apps
from django.core.exceptions import FieldDoesNotExist
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from audit.models import AuditLog

# `what` as the views and signals write it (audit.services.OBJECT_NAMES and the audit_read calls).
WHAT = {
    "patient detail": gettext_lazy("Patient page"),
    "patient details": gettext_lazy("Patient details"),
    "patient edit form": gettext_lazy("Patient edit form"),
    "possible duplicates": gettext_lazy("Possible duplicates shown at registration"),
    "appointment": gettext_lazy("Appointment"),
    "appointment detail": gettext_lazy("Appointment page"),
    "visit and medical record": gettext_lazy("Visit and medical record"),
    "medical record": gettext_lazy("Medical record"),
    "medical record form": gettext_lazy("Medical record form"),
    "lab result": gettext_lazy("Lab result"),
    "lab result form": gettext_lazy("Lab result form"),
    "bill": gettext_lazy("Bill"),
    "bill detail": gettext_lazy("Bill page"),
    "payment": gettext_lazy("Payment"),
    "payment form": gettext_lazy("Payment form"),
    "receipt": gettext_lazy("Receipt"),
    "receipt PDF": gettext_lazy("Receipt (PDF)"),
    "insurance policy": gettext_lazy("Insurance policy"),
    "insurance form": gettext_lazy("Insurance form"),
    "user account": gettext_lazy("User account"),
    "access report": gettext_lazy("Access report"),
    "emergency access opened": gettext_lazy("Emergency access opened"),
    "login": gettext_lazy("Signed in"),
    "failed login": gettext_lazy("Failed sign-in"),
    "account locked after repeated failed logins": gettext_lazy("Account locked after repeated failed sign-ins"),
}
# Counted lists: "search results (12)".
COUNTED = {
    "search results": gettext_lazy("Patient search results (%(count)s)"),
    "booking patient search": gettext_lazy("Patient search for a booking (%(count)s)"),
}
SUFFIXES = {
    "emergency access": gettext_lazy("emergency access"),
    "not in care": gettext_lazy("not in your care"),
    "admin": gettext_lazy("Django admin"),
}
_COUNTED = re.compile(r"(?P<base>.+) \((?P<count>\d+)\)")
_SUFFIX = re.compile(r"(?P<base>.+) \((?P<suffix>emergency access|not in care|admin)\)")
_REQUEST = re.compile(r"(?P<method>GET|POST|HEAD|PUT|PATCH|DELETE|OPTIONS) (?P<path>/\S*)")


def describe(row: AuditLog) -> str:
    """The row's `what` as a reader's sentence, in the active language."""
    return _describe(row.what or "", row.changes if isinstance(row.changes, dict) else {})


def _describe(what: str, changes: dict) -> str:
    suffixes = []
    while match := _SUFFIX.fullmatch(what):
        suffixes.insert(0, str(SUFFIXES[match["suffix"]]))
        what = match["base"]
    if what in WHAT:
        text = str(WHAT[what])
    elif (match := _COUNTED.fullmatch(what)) and match["base"] in COUNTED:
        text = str(COUNTED[match["base"]]) % {"count": match["count"]}
    elif match := _REQUEST.fullmatch(what):
        if changes.get("status") == 404:
            text = _("Page refused or not found: %(path)s") % {"path": match["path"]}
        else:
            text = _("Page refused: %(path)s") % {"path": match["path"]}
    else:
        text = what
    return f"{text} ({', '.join(suffixes)})" if suffixes else text


@cache
def _field(object_type: str, field_name: str):
    try:
        return apps.get_model(object_type)._meta.get_field(field_name.removesuffix("_id"))
    except (LookupError, ValueError, FieldDoesNotExist):
        return None


def is_internal(object_type: str, field_name: str) -> bool:
    """A column no reader needs named: a blind index or hash, or one the forms never edit."""
    field = _field(object_type, field_name)
    return field is None or not field.editable or field_name.endswith("_hash")


def changed_fields(row: AuditLog) -> list[str]:
    """The names of the fields a change touched, as the staff pages call them; internal columns
    (blind indexes, hashes, columns no form edits) left out."""
    if row.action not in (AuditLog.Action.CREATE, AuditLog.Action.UPDATE, AuditLog.Action.DELETE):
        return []
    if not isinstance(row.changes, dict):
        return []
    return [
        str(_field(row.object_type, name).verbose_name)
        for name in row.changes
        if not is_internal(row.object_type, name)
    ]
