import re
from decimal import Decimal

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from billing import selectors
from billing.models import Billing, Insurance, PaymentMethod
from billing.services import BPJS_PROVIDER
from core.forms import (
    AutofocusMixin,
    CleanCharField,
    ClinicDateField,
    ClinicDateInput,
    SubmitTokenField,
    clinic_formfield,
    submit_token_new,
)
from core.text import DIGITS_MESSAGE, check_ascii_digits

# Amounts as people type them in Indonesia: "150000" or "150.000" (dots group thousands),
# optionally after "Rp". Rupiah are paid whole: ",00" is allowed and dropped, other cents are
# refused, so "1,5" is never read as Rp 1,50 (nor as 1.500, nor as 1,5 million).
_PLAIN = re.compile(r"^-?[0-9]+$")
_GROUPED = re.compile(r"^-?[0-9]{1,3}(\.[0-9]{3})+$")
_ZERO_CENTS = re.compile(r",0{1,2}$")
_CENTS = re.compile(r",[0-9]*$")
_MAX_INTEGER_DIGITS = 12  # the column holds 14 digits with 2 decimals

AMOUNT_FORMAT_ERROR = _("Write the amount in rupiah, e.g. 150000 or 150.000.")
AMOUNT_CENTS_ERROR = _(
    "Amounts are in whole rupiah: a comma would start cents. Write e.g. 150000 or 150.000 (a dot groups thousands)."
)


class AmountError(ValueError):
    def __init__(self, message):
        super().__init__(message)
        self.message = message


def parse_rupiah(text: str) -> Decimal:
    """ "150.000" → Decimal("150000"), "150000,00" → Decimal("150000"). Raises AmountError, whose
    message says what is wrong, otherwise.

    A dot only ever groups thousands and a comma only ever starts the cents, which must be zero:
    "150.5", "150,000" and "1,5" are refused rather than guessed."""
    try:
        value = check_ascii_digits(text)
    except ValidationError:
        raise AmountError(DIGITS_MESSAGE) from None
    value = re.sub(r"^rp\.?\s*", "", value.strip(), flags=re.IGNORECASE).replace(" ", "")
    value = _ZERO_CENTS.sub("", value)
    if _CENTS.search(value) and (_PLAIN.match(_CENTS.sub("", value)) or _GROUPED.match(_CENTS.sub("", value))):
        raise AmountError(AMOUNT_CENTS_ERROR)
    if not (_PLAIN.match(value) or _GROUPED.match(value)):
        raise AmountError(AMOUNT_FORMAT_ERROR)
    value = value.replace(".", "")
    if len(value.lstrip("-")) > _MAX_INTEGER_DIGITS:
        raise AmountError(AMOUNT_FORMAT_ERROR)
    return Decimal(value)


def format_amount_input(amount: Decimal) -> str:
    """The way the form shows an amount to edit: "150000" (a balance with cents, which only a price
    set with cents could make, shows them after a comma and must be corrected by hand)."""
    amount = amount.quantize(Decimal("0.01"))
    if amount == amount.to_integral_value():
        return f"{amount:.0f}"
    return f"{amount:.2f}".replace(".", ",")


class RupiahField(CleanCharField):
    def __init__(self, **kwargs):
        kwargs.setdefault("max_length", 30)
        super().__init__(**kwargs)

    def clean(self, value):
        value = super().clean(value)  # the text, checked for presence and length
        if value in self.empty_values:
            return None
        try:
            return parse_rupiah(value)
        except AmountError as error:
            raise forms.ValidationError(error.message, code="invalid") from None

    def widget_attrs(self, widget):
        attrs = super().widget_attrs(widget)
        attrs.update({"inputmode": "decimal", "autocomplete": "off"})
        return attrs


class InsuranceChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Insurance) -> str:
        until = obj.valid_until.strftime("%d-%m-%Y") if obj.valid_until else "…"
        return f"{obj.provider_name} · {obj.policy_number} ({obj.valid_from:%d-%m-%Y} – {until})"


def payment_token_scope(bill: Billing) -> str:
    return f"billing.pay:{bill.pk}"


def void_token_scope(bill: Billing) -> str:
    return f"billing.void:{bill.pk}"


class VoidForm(forms.Form):
    """The void button's form: its one-time token only."""

    submit_token = SubmitTokenField()

    def __init__(self, *args, bill: Billing, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["submit_token"].scope = void_token_scope(bill)
        self.initial.setdefault("submit_token", submit_token_new(void_token_scope(bill)))


class PaymentForm(AutofocusMixin, forms.Form):
    autofocus = "amount"
    amount = RupiahField(label=_("Amount (Rp)"))
    method = forms.ChoiceField(label=_("Payment method"), choices=PaymentMethod.choices)
    insurance = InsuranceChoiceField(
        label=_("Insurance policy"),
        queryset=Insurance.objects.none(),
        required=False,
        empty_label=_("— none —"),
        help_text=_("Required when the method is Insurance."),
    )
    reference = CleanCharField(
        label=_("Reference"),
        max_length=100,
        required=False,
        help_text=_("Card slip, transfer or claim number."),
    )
    # One payment per form, however often it is sent (billing.services.payment_record_once).
    submit_token = SubmitTokenField()

    def __init__(self, *args, bill: Billing, **kwargs):
        kwargs.setdefault("initial", {"amount": format_amount_input(bill.balance), "method": PaymentMethod.CASH})
        super().__init__(*args, **kwargs)
        self.bill = bill
        self.fields["submit_token"].scope = payment_token_scope(bill)
        self.initial.setdefault("submit_token", submit_token_new(payment_token_scope(bill)))
        self.fields["insurance"].queryset = selectors.insurance_list_for(patient=bill.patient)
        for field in self.fields.values():
            css = "form-select" if isinstance(field.widget, forms.Select) else "form-control"
            field.widget.attrs.setdefault("class", css)

    def add_error(self, field, error):
        super().add_error(field, error)
        # Bootstrap marks an invalid input by a class on the input itself, also for service errors.
        for name in self.errors:
            if name in self.fields:
                css = self.fields[name].widget.attrs.get("class", "")
                if "is-invalid" not in css.split():
                    self.fields[name].widget.attrs["class"] = f"{css} is-invalid".strip()


class InsuranceForm(AutofocusMixin, forms.ModelForm):
    autofocus = "kind"
    provider_name = CleanCharField(
        label=_("provider"),
        required=False,
        max_length=100,
        help_text=_("Leave empty for BPJS Kesehatan."),
    )

    class Meta:
        model = Insurance
        fields = ["kind", "provider_name", "policy_number", "valid_from", "valid_until", "is_active"]
        formfield_callback = clinic_formfield
        field_classes = {"valid_from": ClinicDateField, "valid_until": ClinicDateField}  # dd-mm-yyyy
        widgets = {"valid_from": ClinicDateInput(), "valid_until": ClinicDateInput()}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk is None:
            self.initial.setdefault("kind", Insurance.Kind.BPJS)
            self.initial.setdefault("provider_name", BPJS_PROVIDER)
        for name, field in self.fields.items():
            if name == "is_active":
                field.widget.attrs.setdefault("class", "form-check-input")
            elif isinstance(field.widget, forms.Select):
                field.widget.attrs.setdefault("class", "form-select")
            else:
                field.widget.attrs.setdefault("class", "form-control")

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("kind") == Insurance.Kind.PRIVATE and not cleaned.get("provider_name"):
            self.add_error("provider_name", _("Write the name of the insurance company."))
        elif cleaned.get("kind") == Insurance.Kind.BPJS and not cleaned.get("provider_name"):
            cleaned["provider_name"] = BPJS_PROVIDER
        return cleaned
