"""Form fields that every app may use; they import no app."""

import datetime

from django import forms
from django.core.exceptions import ValidationError

# The dates the pages work with. Outside them a day's arithmetic and the time zone conversions
# overflow (?date=9999-12-31 on the doctor's day was a 500), and MariaDB's DATETIME starts in 1000.
FIRST_DATE, LAST_DATE = datetime.date(1900, 1, 1), datetime.date(2999, 12, 31)


class ClinicDateField(forms.DateField):
    """A date between FIRST_DATE and LAST_DATE; any other is "Enter a valid date."."""

    def to_python(self, value):
        value = super().to_python(value)
        if value is not None and not FIRST_DATE <= value <= LAST_DATE:
            raise forms.ValidationError(self.error_messages["invalid"], code="invalid")
        return value


def add_service_error(form: forms.Form, error: ValidationError) -> None:
    """Puts a service's ValidationError on the form: on its field when the form has it."""
    if hasattr(error, "error_dict"):
        for field, errors in error.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, error)
