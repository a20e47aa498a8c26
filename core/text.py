"""What typed text is made of before any rule reads it: one home for the input rules that every
form and model shares.

- Compatibility forms are folded (Unicode NFKC): a NIK typed in fullwidth digits (３２７３…) is the
  same NIK as 3273…, so the unique check and the search see one value.
- Bidirectional control characters (RTL override and its kin) are dropped: they make a name
  display as something other than what is stored.
- Numbers are written with the digits 0–9. Other scripts' digits (١٠٠٠) survive NFKC and Python's
  int() reads them, so a field would take "١٠٠٠" as 1000 without saying so: they are refused.
- Free text has a length: TEXT_LIMITS, for forms and models alike.
"""

import re
import unicodedata

from django.core.exceptions import ValidationError
from django.core.validators import MaxLengthValidator
from django.utils.translation import gettext_lazy as _

# LRM, RLM, ALM, the embeddings and overrides (LRE RLE PDF LRO RLO) and the isolates (LRI RLI FSI PDI).
BIDI_CONTROLS = frozenset("\u200e\u200f\u061c\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
_BIDI = re.compile("[" + "".join(sorted(BIDI_CONTROLS)) + "]")

DIGITS_MESSAGE = _("Use only the digits 0–9.")

# The longest free text a page takes, by kind. An address or a complaint of a megabyte is a
# mistake (or an attack): it would be copied into the append-only audit log and every version.
TEXT_LIMITS = {
    "short": 255,
    "address": 500,
    "note": 2000,
    "clinical": 4000,
}


def normalise_text(value: str) -> str:
    """NFKC, without bidirectional controls."""
    return _BIDI.sub("", unicodedata.normalize("NFKC", value))


def has_other_digits(value: str) -> bool:
    """True when `value` holds a decimal digit that is not one of 0–9 (after NFKC)."""
    return any(ch.isdigit() and not "0" <= ch <= "9" for ch in value)


def check_ascii_digits(value: str) -> str:
    """`value` folded by NFKC; a digit of another script raises the "digits 0–9" message."""
    value = unicodedata.normalize("NFKC", value)
    if has_other_digits(value):
        raise ValidationError(DIGITS_MESSAGE, code="digits")
    return value


def validate_no_bidi_controls(value) -> None:
    """Model validator: the Django admin and commands save without the pages' forms."""
    if isinstance(value, str) and _BIDI.search(value):
        raise ValidationError(_("Remove the invisible direction-control characters from this text."), code="bidi")


def text_limit(kind: str) -> dict:
    """A model TextField's arguments for a TEXT_LIMITS kind: the form field's maxlength and
    message come from max_length, and the validator holds the limit outside the forms too
    (a TextField's max_length alone is not checked by the model)."""
    limit = TEXT_LIMITS[kind]
    return {"max_length": limit, "validators": [MaxLengthValidator(limit)]}
