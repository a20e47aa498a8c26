from django import forms
from django.utils.translation import gettext_lazy as _

from core.forms import ClinicDateField
from satusehat.models import Submission

DATE_INPUT = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class SubmissionFilterForm(forms.Form):
    """The admin page's filters; a value that is not one is ignored with the form's message."""

    status = forms.ChoiceField(
        label=_("status"), required=False, choices=[("", _("All"))] + list(Submission.Status.choices)
    )
    q = forms.CharField(label=_("No. RM or visit number"), required=False, max_length=30)
    start = ClinicDateField(label=_("visits from"), required=False, widget=DATE_INPUT)
    end = ClinicDateField(label=_("until"), required=False, widget=DATE_INPUT)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            field.widget.attrs.setdefault(
                "class", "form-select" if isinstance(field.widget, forms.Select) else "form-control"
            )
