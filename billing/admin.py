from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.db import IntegrityError
from django.utils.translation import gettext_lazy as _

from accounts.admin_site import AdminRoleInline, AdminRoleModelAdmin
from audit.services import AuditReadAdminMixin
from billing import services
from billing.models import Billing, Insurance, Payment
from core.forms import SubmitTokenField, submit_token_new
from patients.admin import PatientAdmin
from scheduling.models import Appointment


@admin.register(Insurance)
class InsuranceAdmin(AdminRoleModelAdmin):
    list_display = ["patient", "kind", "provider_name", "policy_number", "valid_from", "valid_until", "is_active"]
    list_filter = ["kind", "is_active", "provider_name"]
    list_select_related = ["patient"]
    search_fields = ["=policy_number", "provider_name", "patient__full_name", "patient__medical_record_number"]
    autocomplete_fields = ["patient"]
    date_hierarchy = "valid_from"


class PaymentInline(AdminRoleInline, admin.TabularInline):
    # The ledger as it stands: payments are added on the payment page, through the service.
    model = Payment
    extra = 0
    allow_add = False
    allow_change = False
    fields = ["paid_at", "amount", "method", "insurance", "reference", "received_by"]
    readonly_fields = fields


class BillingAddForm(forms.ModelForm):
    class Meta:
        model = Billing
        fields = ["appointment"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["appointment"].queryset = Appointment.objects.filter(
            status=Appointment.Status.COMPLETED, bill__isnull=True
        ).select_related("patient", "doctor")
        self.fields["appointment"].help_text = _("A completed visit that has no bill yet.")

    def _post_clean(self):
        pass  # the service fills in and validates the rest


@admin.register(Billing)
class BillingAdmin(AuditReadAdminMixin, AdminRoleModelAdmin):
    allow_delete = False  # a wrong bill is voided, never deleted
    list_display = [
        "number",
        "issued_at",
        "patient",
        "total_amount",
        "amount_paid",
        "balance",
        "status",
        "payment_method",
    ]
    list_filter = ["status", "payment_method"]
    list_select_related = ["patient"]
    search_fields = ["=number", "patient__full_name", "patient__medical_record_number"]
    date_hierarchy = "issued_at"
    readonly_fields = [
        "number",
        "patient",
        "appointment",
        "total_amount",
        "amount_paid",
        "balance",
        "status",
        "payment_method",
        "insurance",
        "issued_at",
        "updated_at",
    ]
    inlines = [PaymentInline]
    actions = ["void"]

    def get_form(self, request, obj=None, change=False, **kwargs):
        if obj is None:
            kwargs["form"] = BillingAddForm
        return super().get_form(request, obj, change=change, **kwargs)

    def get_readonly_fields(self, request, obj=None):
        return self.readonly_fields if obj else []

    def get_fields(self, request, obj=None):
        return self.readonly_fields if obj else ["appointment"]

    def get_inlines(self, request, obj):
        return self.inlines if obj else []

    def has_change_permission(self, request, obj=None):
        # Every field is computed; the change page is for reading and the inline ledger.
        return obj is None and super().has_change_permission(request, obj)

    @admin.display(description=_("balance (Rp)"))
    def balance(self, bill):
        return bill.balance

    def save_model(self, request, obj, form, change):
        bill = services.bill_issue_for(appointment=form.cleaned_data["appointment"])
        obj.pk = bill.pk
        obj.__dict__.update({k: v for k, v in bill.__dict__.items() if not k.startswith("_")})

    @admin.action(description=_("Void the selected bills (only those without payments)"))
    def void(self, request, queryset):
        for bill in queryset:
            try:
                services.bill_void(bill=bill, by=request.user)
            except ValidationError as error:
                self.message_user(request, f"{bill.number}: {' '.join(error.messages)}", messages.ERROR)


ADMIN_PAYMENT_TOKEN_SCOPE = "billing.admin.payment"


class PaymentAddForm(forms.ModelForm):
    # One payment per form, however often it is sent (billing.services.payment_record_once).
    submit_token = SubmitTokenField(initial=lambda: submit_token_new(ADMIN_PAYMENT_TOKEN_SCOPE))

    class Meta:
        model = Payment
        fields = ["billing", "amount", "method", "insurance", "reference"]

    def __init__(self, *args, **kwargs):
        self.user = kwargs.pop("user", None)
        super().__init__(*args, **kwargs)
        self.fields["submit_token"].scope = ADMIN_PAYMENT_TOKEN_SCOPE
        self.fields["billing"].queryset = Billing.objects.filter(
            status__in=[Billing.Status.UNPAID, Billing.Status.PARTIALLY_PAID]
        )

    def _post_clean(self):
        # The service is the one place that decides whether a payment is accepted.
        if self.errors:
            return
        data = self.cleaned_data
        try:
            self.recorded, _new = services.payment_record_once(
                key=data["submit_token"],
                bill=data["billing"],
                amount=data["amount"],
                method=data["method"],
                insurance=data.get("insurance"),
                reference=data.get("reference", ""),
                received_by=self.user,
            )
        except ValidationError as error:
            self.add_error(None, error)
        except IntegrityError:  # the same form sent again for another bill
            self.add_error(None, SubmitTokenField.default_error_messages["invalid"])


@admin.register(Payment)
class PaymentAdmin(AuditReadAdminMixin, AdminRoleModelAdmin):
    allow_change = False  # the ledger is never edited or deleted; a mistake is corrected by a refund entry
    allow_delete = False
    list_display = ["paid_at", "billing", "patient", "amount", "method", "received_by"]
    list_filter = ["method"]
    list_select_related = ["billing__patient", "received_by"]
    search_fields = ["=billing__number", "billing__patient__full_name", "reference"]
    date_hierarchy = "paid_at"
    autocomplete_fields = ["billing", "insurance"]

    def get_form(self, request, obj=None, change=False, **kwargs):
        if obj is None:
            kwargs["form"] = PaymentAddForm
            form_class = super().get_form(request, obj, change=change, **kwargs)

            class FormWithUser(form_class):
                def __init__(self, *args, **inner):
                    inner["user"] = request.user
                    super().__init__(*args, **inner)

            return FormWithUser
        return super().get_form(request, obj, change=change, **kwargs)

    @admin.display(description=_("patient"))
    def patient(self, payment):
        return payment.billing.patient

    def save_model(self, request, obj, form, change):
        recorded = form.recorded
        obj.pk = recorded.pk
        obj.__dict__.update({k: v for k, v in recorded.__dict__.items() if not k.startswith("_")})


class InsuranceInline(AdminRoleInline, admin.TabularInline):
    model = Insurance
    extra = 0
    fields = ["kind", "provider_name", "policy_number", "valid_from", "valid_until", "is_active"]


# A patient's insurance policies are kept on the patient's admin page.
PatientAdmin.inlines = [*PatientAdmin.inlines, InsuranceInline]
