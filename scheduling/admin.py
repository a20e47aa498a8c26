from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Prefetch
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from accounts.admin_site import AdminRoleInline, AdminRoleModelAdmin
from patients.admin import PatientSearchAdminMixin, patients_prefetch
from scheduling import services
from scheduling.models import Appointment, AppointmentService, QueueDisplay, Service


@admin.register(Service)
class ServiceAdmin(AdminRoleModelAdmin):
    list_display = ["code", "name", "price", "duration_minutes", "given_by", "is_active"]
    list_filter = ["is_active", "doctors"]
    search_fields = ["code", "name"]
    filter_horizontal = ["doctors"]
    actions = ["deactivate"]

    def get_queryset(self, request):
        # The list's doctors of every row with the page (one query, not one a row).
        return super().get_queryset(request).prefetch_related("doctors")

    @admin.display(description=_("given by"))
    def given_by(self, service):
        names = [doctor.full_name for doctor in service.doctors.all()]
        return ", ".join(names) if names else _("every doctor")

    @admin.action(description=_("Deactivate the selected services"))
    def deactivate(self, request, queryset):
        queryset.update(is_active=False)


@admin.register(QueueDisplay)
class QueueDisplayAdmin(AdminRoleModelAdmin):
    """The waiting room's screens: the page's address is /queue/display/<token>/."""

    list_display = ["name", "is_active", "screen_address"]
    list_filter = ["is_active"]
    search_fields = ["name"]
    filter_horizontal = ["doctors"]
    readonly_fields = ["screen_address"]
    fields = ["name", "doctors", "is_active", "token", "screen_address"]

    @admin.display(description=_("screen address"))
    def screen_address(self, display):
        return reverse("queue:display", args=[display.token]) if display.pk else "—"


def lines_editable(appointment: Appointment) -> bool:
    # Lines are the bill's lines: frozen once the visit is completed or called off.
    return appointment.status in (
        Appointment.Status.SCHEDULED,
        Appointment.Status.CHECKED_IN,
        Appointment.Status.IN_CONSULTATION,
    )


class AppointmentServiceInline(AdminRoleInline, admin.TabularInline):
    model = AppointmentService
    extra = 0
    fields = ["service", "quantity", "unit_price", "line_total"]
    readonly_fields = ["unit_price", "line_total"]
    autocomplete_fields = ["service"]

    def get_queryset(self, request):
        # Each line's service with the lines (frozen lines show it as text: a query a line).
        return super().get_queryset(request).select_related("service")

    def _editable(self, obj) -> bool:
        return obj is None or lines_editable(obj)

    def has_add_permission(self, request, obj=None):
        return obj is not None and self._editable(obj) and super().has_add_permission(request, obj)

    def has_change_permission(self, request, obj=None):
        return self._editable(obj) and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return obj is not None and self._editable(obj) and self._is_admin(request)

    @admin.display(description=_("line total"))
    def line_total(self, line):
        return line.line_total if line.pk else "—"


class AppointmentAddForm(forms.ModelForm):
    """Booking through the admin: the same service, rules and messages as the staff pages."""

    booked_services = forms.ModelMultipleChoiceField(
        queryset=Service.objects.filter(is_active=True),
        label=_("services"),
        widget=admin.widgets.FilteredSelectMultiple(_("services"), is_stacked=False),
    )
    walk_in = forms.BooleanField(label=_("walk-in (check in now)"), required=False)

    class Meta:
        model = Appointment
        fields = ["patient", "doctor", "appointment_date", "reason", "notes"]

    def clean(self):
        data = super().clean()
        # The same checks the service makes, shown on the form; the service repeats them
        # under the doctor's row lock, so a booking that races this one is still refused.
        if data.get("patient") and data.get("doctor") and data.get("appointment_date") and data.get("booked_services"):
            services.appointment_check_slot(
                patient=data["patient"],
                doctor=data["doctor"],
                start=data["appointment_date"],
                services=list(data["booked_services"]),
            )
        return data

    def _post_clean(self):
        # The model's own validation needs end_time, which the service computes.
        pass


class AppointmentChangeForm(forms.ModelForm):
    class Meta:
        model = Appointment
        fields = ["status", "reason", "notes"]

    def clean_status(self):
        status = self.cleaned_data["status"]
        if status != self.instance.status and not self.instance.can_change_to(status):
            raise ValidationError(
                _("An appointment that is %(current)s cannot become %(new)s.")
                % {"current": self.instance.get_status_display(), "new": Appointment.Status(status).label}
            )
        return status


@admin.register(Appointment)
class AppointmentAdmin(PatientSearchAdminMixin, AdminRoleModelAdmin):
    allow_delete = False  # cancelled, never deleted: it stays in the patient's history
    list_display = ["appointment_date", "patient", "doctor", "status", "queue_number", "arrived_at"]
    # Newest first on the (appointment_date, id) index; each filter is a range of an index that
    # serves that order. Patients and doctors are loaded by key after the page's rows: joined,
    # the optimiser sorted five million rows before the LIMIT.
    ordering = ["-appointment_date", "-id"]
    sortable_by = ["appointment_date"]
    list_filter = ["status", "doctor", ("appointment_date", admin.DateFieldListFilter)]
    list_select_related = ()
    list_prefetch_related = (patients_prefetch(), "doctor")
    autocomplete_fields = ["patient", "doctor"]
    readonly_fields = [
        "patient",
        "doctor",
        "appointment_date",
        "end_time",
        "queue_number",
        "arrived_at",
        "booked_by",
        "created_at",
        "updated_at",
        "bill_total",
    ]
    inlines = [AppointmentServiceInline]

    def get_form(self, request, obj=None, change=False, **kwargs):
        kwargs["form"] = AppointmentChangeForm if obj else AppointmentAddForm
        return super().get_form(request, obj, change=change, **kwargs)

    def get_readonly_fields(self, request, obj=None):
        return self.readonly_fields if obj else []

    def get_fields(self, request, obj=None):
        if obj is None:
            return ["patient", "doctor", "appointment_date", "booked_services", "walk_in", "reason", "notes"]
        return [
            "patient",
            "doctor",
            "appointment_date",
            "end_time",
            "status",
            "queue_number",
            "arrived_at",
            "reason",
            "notes",
            "booked_by",
            "bill_total",
            "created_at",
            "updated_at",
        ]

    def get_inlines(self, request, obj):
        return self.inlines if obj else []

    @admin.display(description=_("total (Rp)"))
    def bill_total(self, appointment):
        return sum((line.line_total for line in appointment.lines.all()), 0)

    def _post_form_errors(self, form, error: ValidationError):
        if hasattr(error, "error_dict"):
            for field, errors in error.error_dict.items():
                form.add_error(field if field in form.fields else None, errors)
        else:
            form.add_error(None, error)

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        # Booking and status moves must be all or nothing together with the inlines.
        with transaction.atomic():
            return super().changeform_view(request, object_id, form_url, extra_context)

    def save_formset(self, request, form, formset, change):
        lines = formset.save(commit=False)
        for line in lines:
            if line.pk is None:
                line.unit_price = line.service.price  # the price of the day it was booked
            line.save()
        for line in formset.deleted_objects:
            line.delete()

    def save_form(self, request, form, change):
        return form.save(commit=False)

    def save_model(self, request, obj, form, change):
        if not change:
            booked = services.appointment_book(
                patient=form.cleaned_data["patient"],
                doctor=form.cleaned_data["doctor"],
                start=form.cleaned_data["appointment_date"],
                services=list(form.cleaned_data["booked_services"]),
                booked_by=request.user,
                reason=form.cleaned_data.get("reason", ""),
                walk_in=form.cleaned_data.get("walk_in", False),
            )
            obj.pk = booked.pk
            obj.__dict__.update({k: v for k, v in booked.__dict__.items() if not k.startswith("_")})
            if form.cleaned_data.get("notes"):
                obj.notes = form.cleaned_data["notes"]
                obj.save(update_fields=["notes"])
            return
        new_status = form.cleaned_data["status"]
        stored = Appointment.objects.get(pk=obj.pk)
        if (stored.reason, stored.notes) != (obj.reason, obj.notes):
            # save(), not update(): the audit log records the change from the model's signals.
            stored.reason, stored.notes = obj.reason, obj.notes
            stored.save(update_fields=["reason", "notes", "updated_at"])
        if new_status != stored.status:
            services.appointment_set_status(appointment=stored, status=new_status, by=request.user)

    def _changeform_view(self, request, object_id, form_url, extra_context):
        try:
            return super()._changeform_view(request, object_id, form_url, extra_context)
        except ValidationError as error:
            transaction.set_rollback(True)
            for message in error.messages:
                self.message_user(request, message, messages.ERROR)
            from django.http import HttpResponseRedirect

            return HttpResponseRedirect(request.get_full_path())


class AppointmentServiceForm(forms.ModelForm):
    class Meta:
        model = AppointmentService
        fields = ["appointment", "service", "quantity"]

    def clean_appointment(self):
        appointment = self.cleaned_data["appointment"]
        if not lines_editable(appointment):
            raise ValidationError(_("The services of a completed or cancelled appointment cannot change."))
        return appointment


@admin.register(AppointmentService)
class AppointmentServiceAdmin(PatientSearchAdminMixin, AdminRoleModelAdmin):
    form = AppointmentServiceForm
    allow_delete = False
    autocomplete_fields = ["appointment", "service"]
    readonly_fields = ["unit_price"]
    list_display = ["appointment", "service", "quantity", "unit_price"]
    ordering = ["-id"]  # newest lines first, on the primary key
    sortable_by = []
    list_select_related = ()
    list_prefetch_related = (
        Prefetch("appointment", queryset=Appointment.objects.select_related("doctor")),
        patients_prefetch("appointment__patient"),
        "service",
    )
    patient_path = "appointment__patient"
    list_filter = ["service"]

    def get_readonly_fields(self, request, obj=None):
        if obj is not None:
            return ["appointment", "service", "unit_price"]
        return ["unit_price"]

    def has_change_permission(self, request, obj=None):
        editable = obj is None or lines_editable(obj.appointment)
        return editable and super().has_change_permission(request, obj)

    def save_model(self, request, obj, form, change):
        if not change:
            obj.unit_price = obj.service.price  # the price of the day it was booked
        obj.save()
