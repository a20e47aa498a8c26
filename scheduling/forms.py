from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.clock import clinic_datetime, on_slot_boundary, slot_floor
from core.forms import (
    DATE_INPUT_FORMATS,
    TIME_INPUT_FORMATS,
    AutofocusMixin,
    CleanCharField,
    CleanIntegerField,
    ClinicDateField,
    ClinicDateInput,
    ClinicTimeField,
    ClinicTimeInput,
)
from patients.models import Patient
from scheduling.models import Appointment
from scheduling.selectors import doctor_active_list, service_active_list
from scheduling.services import check_doctor_gives

# dd-mm-yyyy and 24-hour HH.MM text, whatever the browser's language (core.forms).
DATE_INPUT = ClinicDateInput(attrs={"class": "form-control"})
DATE_FORMATS = DATE_INPUT_FORMATS
TIME_INPUT = ClinicTimeInput(attrs={"class": "form-control"})
TIME_FORMATS = TIME_INPUT_FORMATS
MAX_QUANTITY = 20


class DoctorOptions(forms.models.ModelChoiceIterator):
    """The doctors' options from two columns of each row, not a model instance per doctor: a
    chain's hundred doctors are listed on every board and booking page."""

    def __iter__(self):
        if self.field.empty_label is not None:
            yield ("", self.field.empty_label)
        for pk, name, specialization in self.queryset.values_list("pk", "full_name", "specialization"):
            yield (pk, doctor_label(name, specialization))


def doctor_label(name: str, specialization: str) -> str:
    return f"{name} — {specialization}"


class DoctorChoiceField(forms.ModelChoiceField):
    iterator = DoctorOptions

    def label_from_instance(self, obj):
        return doctor_label(obj.full_name, obj.specialization)


class SlotStartMixin:
    """A `date` and a `time` on the quarter hour, cleaned into an aware `start` not in the past."""

    def clean_time(self):
        value = self.cleaned_data["time"]
        if not on_slot_boundary(value):
            raise forms.ValidationError(_("Choose a time on the quarter hour, e.g. 08.00, 08.15, 08.30 or 08.45."))
        return value

    def clean_start(self, cleaned_data):
        day, time = cleaned_data.get("date"), cleaned_data.get("time")
        if day is None or time is None:
            return
        start = clinic_datetime(day, time)
        if start < slot_floor(timezone.now()):
            self.add_error("time", _("This time has already passed. Choose a later time."))
            return
        cleaned_data["start"] = start


def chosen_doctor_id(form) -> int | None:
    """The doctor the form is for (its data, else its initial), or None."""
    value = form.data.get(form.add_prefix("doctor")) if form.is_bound else form.initial.get("doctor")
    try:
        value = int(value)
    except (TypeError, ValueError):
        return None
    return value if 0 < value < 2**31 else None  # a key; 10**30 overflows a database integer


class ServiceLinesMixin:
    """Checkboxes of the active services the chosen doctor gives (all of them until a doctor is
    chosen), each with an optional quantity (default 1). Any active service is accepted as
    input, so that one the doctor does not give is refused with its own message."""

    def add_service_fields(self):
        self.doctor_id = chosen_doctor_id(self)
        self.service_list = list(service_active_list(doctor_id=self.doctor_id))
        accepted = list(service_active_list()) if self.is_bound and self.doctor_id is not None else self.service_list
        self.fields["services"] = forms.TypedMultipleChoiceField(
            label=_("Services"),
            coerce=int,
            widget=forms.CheckboxSelectMultiple,
            choices=[(s.pk, s.name) for s in accepted],
            error_messages={
                "required": _("Choose at least one service."),
                "invalid_choice": _("That service is no longer offered. Choose again."),
            },
        )
        self.accepted_services = {s.pk: s for s in accepted}
        for service in accepted:
            self.fields[f"quantity_{service.pk}"] = CleanIntegerField(
                label=_("Quantity"),
                required=False,
                min_value=1,
                max_value=MAX_QUANTITY,
                widget=forms.NumberInput(
                    attrs={"class": "form-control form-control-sm", "min": 1, "max": MAX_QUANTITY}
                ),
            )

    def service_rows(self) -> list[dict]:
        if self.is_bound:
            chosen = set(self.data.getlist(self.add_prefix("services")))
        else:
            chosen = {str(pk) for pk in self.initial.get("services", [])}
        return [
            {"service": s, "checked": str(s.pk) in chosen, "quantity": self[f"quantity_{s.pk}"]}
            for s in self.service_list
        ]

    def clean_lines(self, cleaned_data):
        by_pk = self.accepted_services
        chosen = cleaned_data.get("services") or []
        cleaned_data["lines"] = [(by_pk[pk], cleaned_data.get(f"quantity_{pk}") or 1) for pk in chosen]
        doctor = cleaned_data.get("doctor")
        if doctor is not None and cleaned_data["lines"]:
            try:
                check_doctor_gives(doctor=doctor, services=cleaned_data["lines"])
            except forms.ValidationError as error:
                self.add_error("services", error)


class PatientField(forms.ModelChoiceField):
    widget = forms.HiddenInput

    def __init__(self, **kwargs):
        super().__init__(
            queryset=Patient.objects.all(),
            label=_("Patient"),
            error_messages={
                "required": _("Choose a patient: search by name, No. RM, NIK or phone."),
                "invalid_choice": _("That patient was not found. Search again."),
            },
            **kwargs,
        )


class BookingForm(AutofocusMixin, SlotStartMixin, ServiceLinesMixin, forms.Form):
    autofocus = "doctor"  # the patient search has it while no patient is chosen (patient_picker.html)
    patient = PatientField()
    doctor = DoctorChoiceField(
        queryset=doctor_active_list(),
        label=_("Doctor"),
        empty_label=_("— choose a doctor —"),
        widget=forms.Select(attrs={"class": "form-select"}),
    )
    date = ClinicDateField(label=_("Date"), widget=DATE_INPUT, input_formats=DATE_FORMATS)
    time = ClinicTimeField(label=_("Time"), widget=TIME_INPUT, input_formats=TIME_FORMATS)
    reason = CleanCharField(
        label=_("Reason for visit"),
        max_length=255,
        required=False,
        widget=forms.TextInput(attrs={"class": "form-control"}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.add_service_fields()

    def clean(self):
        cleaned_data = super().clean()
        self.clean_start(cleaned_data)
        self.clean_lines(cleaned_data)
        return cleaned_data


class WalkInForm(AutofocusMixin, ServiceLinesMixin, forms.Form):
    autofocus = "doctor"
    patient = PatientField()
    doctor = DoctorChoiceField(
        queryset=doctor_active_list(),
        label=_("Doctor"),
        empty_label=_("— choose a doctor —"),
        widget=forms.Select(attrs={"class": "form-select"}),
    )
    reason = CleanCharField(
        label=_("Reason for visit"),
        max_length=255,
        required=False,
        widget=forms.TextInput(attrs={"class": "form-control"}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.add_service_fields()

    def clean(self):
        cleaned_data = super().clean()
        self.clean_lines(cleaned_data)
        return cleaned_data


class BookingOptionsForm(ServiceLinesMixin, forms.Form):
    """The booking form's doctor, date and ticked services as the page sends them on each change
    (htmx): for the doctor's services, their running total and the doctor's free times."""

    doctor = DoctorChoiceField(queryset=doctor_active_list(), required=False)
    date = ClinicDateField(required=False, input_formats=DATE_FORMATS)

    def __init__(self, *args, walk_in: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        if walk_in:
            del self.fields["date"]  # a walk-in is for today
        self.add_service_fields()
        self.fields["services"].required = False

    def lines(self) -> list:
        """The valid ticked services the doctor gives, with their quantities (bad input ignored)."""
        self.is_valid()
        data = self.cleaned_data
        offered = {s.pk for s in self.service_list}
        return [
            (self.accepted_services[pk], data.get(f"quantity_{pk}") or 1)
            for pk in data.get("services") or []
            if pk in offered
        ]


class RescheduleForm(AutofocusMixin, SlotStartMixin, forms.Form):
    autofocus = "date"
    date = ClinicDateField(label=_("New date"), widget=DATE_INPUT, input_formats=DATE_FORMATS)
    time = ClinicTimeField(label=_("New time"), widget=TIME_INPUT, input_formats=TIME_FORMATS)

    def clean(self):
        cleaned_data = super().clean()
        self.clean_start(cleaned_data)
        return cleaned_data


class CancelForm(forms.Form):
    reason = CleanCharField(
        label=_("Reason for cancelling"),
        max_length=255,
        required=False,
        widget=forms.TextInput(attrs={"class": "form-control form-control-sm"}),
    )


class BoardFilterForm(forms.Form):
    """Filters of today's board; anything not on the allow-list is ignored, never an error page."""

    doctor = DoctorChoiceField(
        queryset=doctor_active_list(),
        required=False,
        label=_("Doctor"),
        empty_label=_("All doctors"),
        widget=forms.Select(attrs={"class": "form-select form-select-sm"}),
    )
    status = forms.ChoiceField(
        label=_("Status"),
        required=False,
        choices=[("", _("All statuses")), *Appointment.Status.choices],
        widget=forms.Select(attrs={"class": "form-select form-select-sm"}),
    )
    # The page of doctors shown (BOARD_DOCTORS_PER_PAGE each) when no doctor is chosen.
    page = CleanIntegerField(required=False, min_value=1, max_value=100_000, widget=forms.HiddenInput)


class DayFilterForm(forms.Form):
    # The doctor is picked from the list the page shows anyway (one query for both).
    doctor = CleanIntegerField(required=False, label=_("Doctor"))
    date = ClinicDateField(label=_("Date"), required=False, widget=DATE_INPUT, input_formats=DATE_FORMATS)
