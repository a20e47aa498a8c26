from django import forms
from django.utils.translation import gettext_lazy as _

from core.forms import AutofocusMixin, CleanCharField, ClinicDateField, ClinicDateInput, clinic_formfield
from core.text import check_ascii_digits
from patients.models import Patient
from patients.selectors import SEARCH_MAX_LENGTH
from patients.services import patient_normalise


class DateOfBirthField(ClinicDateField):
    """dd-mm-yyyy as every date; the plausible range (1900 to today) is the services' rule, whose
    message names it, so this field does not refuse early dates itself."""

    def to_python(self, value):
        if isinstance(value, str):
            value = check_ascii_digits(value)
        return forms.DateField.to_python(self, value)


class PatientSearchForm(forms.Form):
    q = CleanCharField(
        label=_("Search"),
        required=False,
        max_length=SEARCH_MAX_LENGTH,
        strip=True,
        widget=forms.TextInput(
            attrs={
                "type": "search",
                "autocomplete": "off",
                "autofocus": True,
                "placeholder": _("Name, No. RM, NIK, phone, date of birth"),
            }
        ),
    )
    inactive = forms.BooleanField(label=_("Include inactive patients"), required=False)


class PatientForm(AutofocusMixin, forms.ModelForm):
    """Registration and edit. Phones may be typed as 0812-3456-7890 or +62 812 3456 7890; they are
    stored as +6281234567890 before the model validates them."""

    autofocus = "full_name"

    # Wider than the model's columns: the raw input still has spaces and dashes.
    phone = CleanCharField(
        label=_("phone"),
        required=False,
        max_length=30,
        widget=forms.TextInput(attrs={"type": "tel", "placeholder": "0812-3456-7890"}),
    )
    emergency_contact_phone = CleanCharField(
        label=_("emergency contact phone"), required=False, max_length=30, widget=forms.TextInput(attrs={"type": "tel"})
    )
    nik = CleanCharField(
        label=_("NIK"),
        required=False,
        max_length=30,
        help_text=_("16-digit national identity number (KTP); leave empty if unknown."),
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
    )
    confirmed_not_duplicate = forms.BooleanField(
        label=_("This is a different person, save anyway"),
        required=False,
    )

    class Meta:
        model = Patient
        fields = [
            "full_name",
            "nik",
            "date_of_birth",
            "gender",
            "blood_type",
            "place_of_birth",
            "religion",
            "occupation",
            "education",
            "marital_status",
            "phone",
            "email",
            "address",
            "emergency_contact_name",
            "emergency_contact_phone",
            "is_active",
        ]
        formfield_callback = clinic_formfield
        field_classes = {"date_of_birth": DateOfBirthField}  # dd-mm-yyyy, 27071967 too
        widgets = {
            "date_of_birth": ClinicDateInput(),
            "address": forms.Textarea(attrs={"rows": 2}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk is None:
            del self.fields["is_active"]  # a new patient is active
        for name, field in self.fields.items():
            if name in ("confirmed_not_duplicate", "is_active"):
                field.widget.attrs.setdefault("class", "form-check-input")
            elif isinstance(field.widget, forms.Select):
                field.widget.attrs.setdefault("class", "form-select")
            else:
                field.widget.attrs.setdefault("class", "form-control")

    def _normalised(self, name: str):
        return patient_normalise({name: self.cleaned_data.get(name)})[name]

    def clean_full_name(self):
        return self._normalised("full_name")

    def clean_nik(self):
        return self._normalised("nik")

    def clean_phone(self):
        return self._normalised("phone")

    def clean_emergency_contact_phone(self):
        return self._normalised("emergency_contact_phone")

    def clean_email(self):
        return self._normalised("email")

    def validate_unique(self):
        # The service checks the NIK and gives a message that names its owner.
        pass

    def patient_data(self) -> dict:
        return {name: value for name, value in self.cleaned_data.items() if name != "confirmed_not_duplicate"}
