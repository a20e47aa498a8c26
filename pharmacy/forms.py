from django import forms
from django.urls import reverse_lazy
from django.utils.translation import gettext_lazy as _

from billing.forms import RupiahField
from core.forms import (
    AutofocusMixin,
    CleanCharField,
    CleanIntegerField,
    ClinicDateField,
    SubmitTokenField,
    submit_token_key,
    submit_token_new,
)
from pharmacy.models import Drug, PrescriptionLine, StockMove

MAX_INGREDIENTS = 4


class StyledForm(forms.Form):
    """Bootstrap's classes on every widget, and on the fields with errors."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            css = "form-select" if isinstance(field.widget, forms.Select) else "form-control"
            field.widget.attrs.setdefault("class", css)

    def full_clean(self):
        super().full_clean()
        for name in self.errors:
            if name in self.fields:
                css = self.fields[name].widget.attrs.get("class", "")
                self.fields[name].widget.attrs["class"] = f"{css} is-invalid".strip()


class DrugNameField(CleanCharField):
    """A drug of the catalogue, typed by its name (the page suggests names as one types)."""

    def __init__(self, **kwargs):
        kwargs.setdefault("max_length", 120)
        super().__init__(**kwargs)

    def clean(self, value):
        value = super().clean(value)
        if value in self.empty_values:
            return None
        name = " ".join(value.split())
        drug = Drug.objects.filter(name__iexact=name, is_active=True).first()
        if drug is None:
            raise forms.ValidationError(_("No active drug of the catalogue has this name."), code="unknown_drug")
        return drug

    def widget_attrs(self, widget):
        # The page's <datalist id="drug-names"> is refilled by htmx with the matches as one types.
        return {
            **super().widget_attrs(widget),
            "list": "drug-names",
            "data-suggest-pick": "",  # Enter takes the one matching suggestion (static/js/clinic.js)
            "autocomplete": "off",
            "hx-get": reverse_lazy("pharmacy:drug_search"),
            "hx-trigger": "input changed delay:250ms",
            "hx-target": "#drug-names",
        }


class UsageFields(StyledForm):
    times_per_day = CleanIntegerField(label=_("times a day"), min_value=1, max_value=24)
    dose = CleanCharField(label=_("dose each time"), max_length=60, help_text=_("For example 1 tablet, 5 ml."))
    route = forms.ChoiceField(label=_("route"), choices=PrescriptionLine.Route.choices)
    timing = forms.ChoiceField(label=_("timing"), choices=PrescriptionLine.Timing.choices)
    duration_days = CleanIntegerField(label=_("duration (days)"), min_value=1, max_value=365, required=False)
    quantity = CleanIntegerField(label=_("quantity"), min_value=1, max_value=10000)
    instructions = CleanCharField(label=_("instructions"), max_length=200, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["timing"].initial = PrescriptionLine.Timing.AFTER_MEALS


class DrugLineForm(AutofocusMixin, UsageFields):
    autofocus = "drug"  # the compound form takes the focus only for its errors (views.prescribe)
    drug = DrugNameField(label=_("drug"))
    field_order = ["drug"]


class CompoundLineForm(AutofocusMixin, UsageFields):
    compound_name = CleanCharField(label=_("compound name"), max_length=120)
    compound_form = forms.ChoiceField(label=_("made into"), choices=PrescriptionLine.CompoundForm.choices)
    field_order = ["compound_name", "compound_form", "quantity"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["quantity"].label = _("number made (capsules, powders)")
        for i in range(1, MAX_INGREDIENTS + 1):
            self.fields[f"ingredient_{i}"] = DrugNameField(label=_("drug %(n)s") % {"n": i}, required=i == 1)
            self.fields[f"ingredient_{i}_quantity"] = CleanIntegerField(
                label=_("units of drug %(n)s") % {"n": i}, min_value=1, max_value=10000, required=i == 1
            )
            for name in (f"ingredient_{i}", f"ingredient_{i}_quantity"):
                self.fields[name].widget.attrs.setdefault("class", "form-control")
                self.fields[name].widget.attrs["aria-label"] = self.fields[name].label

    def ingredient_rows(self):
        return [(self[f"ingredient_{i}"], self[f"ingredient_{i}_quantity"]) for i in range(1, MAX_INGREDIENTS + 1)]

    def clean(self):
        data = super().clean()
        ingredients = []
        for i in range(1, MAX_INGREDIENTS + 1):
            drug, quantity = data.get(f"ingredient_{i}"), data.get(f"ingredient_{i}_quantity")
            if drug is not None and quantity is None:
                self.add_error(f"ingredient_{i}_quantity", _("How many units of this drug?"))
            elif drug is None and quantity is not None and f"ingredient_{i}" not in self.errors:
                self.add_error(f"ingredient_{i}", _("Which drug?"))
            elif drug is not None:
                ingredients.append((drug, quantity))
        data["ingredients"] = ingredients
        return data


def dispense_token_scope(prescription) -> str:
    return f"dispense:{prescription.pk}"


class DispenseForm(AutofocusMixin, StyledForm):
    """One quantity per line still open; prefilled with what remains. Sent once: a one-time token."""

    submit_token = SubmitTokenField()

    def __init__(self, *args, prescription, **kwargs):
        super().__init__(*args, **kwargs)
        scope = dispense_token_scope(prescription)
        self.fields["submit_token"].scope = scope
        self.initial.setdefault("submit_token", submit_token_new(scope))
        self.line_fields = []
        for line in prescription.lines.all():
            if line.remaining <= 0:
                continue
            name = f"line_{line.pk}"
            self.fields[name] = CleanIntegerField(
                label=line.title, min_value=0, max_value=line.remaining, initial=line.remaining
            )
            self.fields[name].widget.attrs["class"] = "form-control"
            self.line_fields.append((line, name))
        self.autofocus = self.line_fields[0][1] if self.line_fields else None

    def sent_key(self) -> str | None:
        """The key of the token this form was sent with, valid or not yet checked; None without one."""
        try:
            return submit_token_key(
                self.data.get(self.add_prefix("submit_token"), ""), self.fields["submit_token"].scope
            )
        except ValueError:
            return None

    def quantities(self) -> dict[int, int]:
        return {line.pk: self.cleaned_data.get(name) or 0 for line, name in self.line_fields}


class ReceiveForm(AutofocusMixin, StyledForm):
    autofocus = "drug"
    drug = forms.ModelChoiceField(label=_("drug"), queryset=Drug.objects.filter(is_active=True).order_by("name"))
    batch_number = CleanCharField(label=_("batch number"), max_length=40)
    expiry_date = ClinicDateField(label=_("expiry date"))  # dd-mm-yyyy text, as every date (core.forms)
    quantity = CleanIntegerField(label=_("quantity"), min_value=1, max_value=1_000_000)
    purchase_price = RupiahField(label=_("purchase price per unit (Rp)"))
    supplier = CleanCharField(label=_("supplier"), max_length=120)


class CountForm(AutofocusMixin, StyledForm):
    autofocus = "counted"

    counted = CleanIntegerField(label=_("counted"), min_value=0, max_value=1_000_000)
    reason = CleanCharField(label=_("reason"), max_length=200)


class RemoveForm(AutofocusMixin, StyledForm):
    autofocus = "kind"
    kind = forms.ChoiceField(
        label=_("kind"),
        choices=[
            (StockMove.Kind.RETURN, StockMove.Kind.RETURN.label),
            (StockMove.Kind.WRITE_OFF, StockMove.Kind.WRITE_OFF.label),
        ],
    )
    quantity = CleanIntegerField(label=_("quantity"), min_value=1, max_value=1_000_000)
    reason = CleanCharField(label=_("reason"), max_length=200)


class NearExpiryForm(StyledForm):
    days = CleanIntegerField(label=_("expiring within (days)"), min_value=0, max_value=3650, initial=90, required=False)


class MovementsForm(StyledForm):
    drug = forms.ModelChoiceField(label=_("drug"), queryset=Drug.objects.order_by("name"), required=False)
    start = ClinicDateField(label=_("from"), required=False)
    end = ClinicDateField(label=_("until"), required=False)

    def clean(self):
        data = super().clean()
        if data.get("start") and data.get("end") and data["end"] < data["start"]:
            self.add_error("end", _("The end must not be before the start."))
        return data
