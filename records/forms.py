from django import forms
from django.core.validators import MaxValueValidator, MinValueValidator
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core.forms import DATETIME_INPUT_FORMATS, AutofocusMixin, CleanCharField, ClinicDateTimeInput, clinic_formfield
from records.icd10 import icd10_is_valid, icd10_normalise
from records.models import LabResult, MedicalRecord

VITALS = (
    "systolic_bp",
    "diastolic_bp",
    "heart_rate",
    "respiratory_rate",
    "temperature_c",
    "oxygen_saturation",
    "weight_kg",
    "height_cm",
)


def _model_range(model, name: str) -> tuple:
    validators = model._meta.get_field(name).validators
    low = next(v.limit_value for v in validators if isinstance(v, MinValueValidator))
    high = next(v.limit_value for v in validators if isinstance(v, MaxValueValidator))
    return low, high


class _BootstrapMixin:
    def _add_correction_reason(self, correction: bool) -> None:
        """A completed visit is corrected only with a reason (kept with the earlier version)."""
        if correction:
            self.fields["reason"] = CleanCharField(
                label=gettext_lazy("Reason for correction"),
                min_length=10,
                max_length=1000,
                widget=forms.Textarea(attrs={"rows": 2}),
                help_text=gettext_lazy("The visit is completed: the earlier version is kept with this reason."),
            )

    def _style(self):
        for field in self.fields.values():
            widget = field.widget
            css = "form-select" if isinstance(widget, forms.Select) else "form-control"
            widget.attrs.setdefault("class", css)


class MedicalRecordForm(AutofocusMixin, _BootstrapMixin, forms.ModelForm):
    """The doctor's record of a visit. The vitals' ranges come from the model (and its database
    constraints); an implausible value gets a message naming the range instead of a bare bound."""

    autofocus = "complaint"

    class Meta:
        model = MedicalRecord
        fields = ["complaint", "allergies", *VITALS, "diagnosis", "icd10_code", "treatment", "prescription", "notes"]
        formfield_callback = clinic_formfield
        widgets = {
            "complaint": forms.Textarea(attrs={"rows": 3}),
            "allergies": forms.Textarea(attrs={"rows": 1}),
            "diagnosis": forms.Textarea(attrs={"rows": 2}),
            "treatment": forms.Textarea(attrs={"rows": 2}),
            "prescription": forms.Textarea(attrs={"rows": 3}),
            "notes": forms.Textarea(attrs={"rows": 2}),
            "icd10_code": forms.TextInput(attrs={"autocomplete": "off", "placeholder": "J06.9"}),
        }
        help_texts = {
            "allergies": gettext_lazy('Write "none" if the patient has no known allergy.'),
        }

    def __init__(self, *args, correction: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self._add_correction_reason(correction)
        for name in VITALS:
            field = self.fields[name]
            low, high = _model_range(MedicalRecord, name)
            field.validators = [v for v in field.validators if not isinstance(v, MinValueValidator | MaxValueValidator)]
            field.validators += [MinValueValidator(low), MaxValueValidator(high)]
            message = _("%(field)s must be between %(low)s and %(high)s. Please check the measurement.") % {
                "field": field.label[:1].upper() + field.label[1:],
                "low": low,
                "high": high,
            }
            # The validators' messages are %-formatted with their limits; keep ours literal.
            field.error_messages["min_value"] = field.error_messages["max_value"] = message.replace("%", "%%")
            field.widget.attrs.update(min=low, max=high, inputmode="decimal")
        self._style()

    def clean_icd10_code(self):
        code = icd10_normalise(self.cleaned_data.get("icd10_code"))
        if code and not icd10_is_valid(code):
            raise forms.ValidationError(
                _("%(code)s is not an ICD-10 code. Search by code or by words.") % {"code": code}
            )
        return code

    def clean(self):
        cleaned = super().clean()
        systolic, diastolic = cleaned.get("systolic_bp"), cleaned.get("diastolic_bp")
        if (systolic is None) != (diastolic is None) and not (
            self.has_error("systolic_bp") or self.has_error("diastolic_bp")
        ):
            self.add_error(
                "diastolic_bp" if diastolic is None else "systolic_bp",
                _("Enter both the systolic and the diastolic pressure."),
            )
        # systolic ≤ diastolic: MedicalRecord.clean says so on the diastolic field.
        return cleaned


class LabResultForm(AutofocusMixin, _BootstrapMixin, forms.ModelForm):
    autofocus = "test_name"

    class Meta:
        model = LabResult
        fields = ["test_name", "value", "unit", "reference_low", "reference_high", "sampled_at", "reported_at"]
        formfield_callback = clinic_formfield
        widgets = {
            # dd-mm-yyyy HH.MM text, whatever the browser's language (core.forms)
            "sampled_at": ClinicDateTimeInput(),
            "reported_at": ClinicDateTimeInput(),
            "test_name": forms.TextInput(attrs={"placeholder": "Hemoglobin", "list": "lab-tests"}),
        }

    def __init__(self, *args, correction: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self._add_correction_reason(correction)
        if not self.is_bound and not self.initial.get("sampled_at"):
            self.initial["sampled_at"] = timezone.localtime().replace(second=0, microsecond=0)
        for name in ("sampled_at", "reported_at"):
            self.fields[name].input_formats = [*DATETIME_INPUT_FORMATS, "%Y-%m-%d %H:%M:%S"]
        for name in ("value", "reference_low", "reference_high"):
            self.fields[name].widget.attrs.setdefault("step", "any")
        self._style()

    def _real_moment(self, name: str):
        # Year 1 or 9999 overflows the conversion to UTC (sampled_at=0001-01-01T00:00 was a 500).
        value = self.cleaned_data.get(name)
        if value is not None and not 1900 <= value.year <= 2999:
            raise forms.ValidationError(self.fields[name].error_messages["invalid"], code="invalid")
        return value

    def clean_sampled_at(self):
        return self._real_moment("sampled_at")

    def clean_reported_at(self):
        return self._real_moment("reported_at")
