from django import forms
from django.utils.translation import gettext_lazy as _

from audit.models import AuditLog

# Dates from 1900 to 2999 only: ?date_to=9999-12-31 (the day after it) was a 500.
from core.forms import CleanCharField, ClinicDateField, ClinicDateInput

DATE_INPUT = ClinicDateInput(attrs={"class": "form-control form-control-sm"})
EMERGENCY_REASON_MIN = 10


class AuditSearchForm(forms.Form):
    actor = CleanCharField(
        label=_("User"),
        max_length=150,
        required=False,
        widget=forms.TextInput(attrs={"class": "form-control form-control-sm"}),
    )
    patient = CleanCharField(
        label=_("Patient (No. RM or name)"),
        max_length=150,
        required=False,
        widget=forms.TextInput(attrs={"class": "form-control form-control-sm"}),
    )
    action = forms.ChoiceField(
        label=_("Action"),
        required=False,
        choices=[("", _("All actions")), *AuditLog.Action.choices],
        widget=forms.Select(attrs={"class": "form-select form-select-sm"}),
    )
    date_from = ClinicDateField(label=_("From"), required=False, widget=DATE_INPUT)
    date_to = ClinicDateField(label=_("Until"), required=False, widget=DATE_INPUT)

    def clean(self):
        data = super().clean()
        if data.get("date_from") and data.get("date_to") and data["date_to"] < data["date_from"]:
            self.add_error("date_to", _("The end date must not be before the start date."))
        return data


class PeriodForm(forms.Form):
    date_from = ClinicDateField(label=_("From"), required=False, widget=DATE_INPUT)
    date_to = ClinicDateField(label=_("Until"), required=False, widget=DATE_INPUT)


class EmergencyAccessForm(forms.Form):
    reason = CleanCharField(
        label=_("Reason for emergency access"),
        min_length=EMERGENCY_REASON_MIN,
        max_length=1000,
        strip=True,
        widget=forms.Textarea(attrs={"rows": 3, "class": "form-control"}),
        help_text=_(
            "For example: unconscious patient brought in, needs allergy and medication history. At least 10 characters."
        ),
        error_messages={"min_length": _("Please describe the emergency in at least %(limit_value)d characters.")},
    )
