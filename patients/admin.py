from functools import reduce
from operator import or_

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from accounts.admin_site import AdminRoleInline, AdminRoleModelAdmin
from audit.services import AuditReadAdminMixin
from patients import services
from patients.models import Doctor, Patient, Room, WorkingHours
from patients.selectors import patient_identifier_conditions


@admin.register(Patient)
class PatientAdmin(AuditReadAdminMixin, AdminRoleModelAdmin):
    allow_delete = False  # people are deactivated, never deleted; records are kept 25 years
    list_display = ["medical_record_number", "full_name", "date_of_birth", "gender", "phone", "is_active"]
    list_filter = ["is_active", "gender", "blood_type"]
    # NIK, phone and email are encrypted: a whole one is found through its blind index
    # (get_search_results), never by comparing columns.
    search_fields = ["full_name", "medical_record_number"]
    date_hierarchy = "created_at"
    readonly_fields = ["medical_record_number", "created_at", "updated_at"]
    fieldsets = (
        (None, {"fields": ("medical_record_number", "full_name", "nik", "date_of_birth", "gender", "blood_type")}),
        (
            _("Registration (Permenkes 24/2022)"),
            {"fields": ("place_of_birth", "religion", "occupation", "education", "marital_status", "ihs_number")},
        ),
        (_("Contact"), {"fields": ("phone", "email", "address")}),
        (_("Emergency contact"), {"fields": ("emergency_contact_name", "emergency_contact_phone")}),
        (None, {"fields": ("is_active", "created_at", "updated_at")}),
    )
    inlines = []  # billing adds the insurance policies (billing/admin.py)
    actions = ["deactivate"]
    list_per_page = 50

    def get_search_results(self, request, queryset, search_term):
        found, may_have_duplicates = super().get_search_results(request, queryset, search_term)
        if conditions := patient_identifier_conditions(" ".join(search_term.replace("\x00", "").split())):
            found |= queryset.filter(reduce(or_, conditions))
        return found, may_have_duplicates

    def save_model(self, request, obj, form, change):
        # Through the services, as at the front desk: the same rules, and the daily
        # registrations follow. The admin's form is the confirmation of a possible duplicate.
        data = {name: form.cleaned_data[name] for name in services.PATIENT_FIELDS if name in form.cleaned_data}
        if change:
            saved = services.patient_update(patient=obj, data=data, by=request.user, confirmed_not_duplicate=True)
        else:
            saved = services.patient_register(data=data, by=request.user, confirmed_not_duplicate=True)
        obj.pk = saved.pk
        obj.__dict__.update({k: v for k, v in saved.__dict__.items() if not k.startswith("_")})

    @admin.action(description=_("Deactivate the selected patients"))
    def deactivate(self, request, queryset):
        for patient in queryset.filter(is_active=True):  # one by one: each change goes into the audit log
            services.patient_deactivate(patient=patient, by=request.user)


class WorkingHoursInline(AdminRoleInline, admin.TabularInline):
    model = WorkingHours
    extra = 0
    allow_delete = True


@admin.register(Doctor)
class DoctorAdmin(AdminRoleModelAdmin):
    allow_delete = False  # deactivated, never deleted: their name stays on visits, records and bills
    list_display = ["full_name", "specialization", "license_number", "phone", "user", "is_active"]
    list_filter = ["is_active", "specialization"]
    search_fields = ["full_name", "specialization", "license_number"]
    autocomplete_fields = ["user"]
    list_select_related = ["user"]
    fields = [
        "full_name",
        "specialization",
        "license_number",
        "nik",
        "ihs_id",
        "room",
        "phone",
        "email",
        "user",
        "is_active",
    ]
    inlines = [WorkingHoursInline]
    actions = ["deactivate"]

    @admin.action(description=_("Deactivate the selected doctors"))
    def deactivate(self, request, queryset):
        queryset.update(is_active=False)


@admin.register(WorkingHours)
class WorkingHoursAdmin(AdminRoleModelAdmin):
    list_display = ["doctor", "weekday", "start_time", "end_time"]
    list_filter = ["weekday", "doctor"]
    search_fields = ["doctor__full_name"]
    autocomplete_fields = ["doctor"]
    list_select_related = ["doctor"]


@admin.register(Room)
class RoomAdmin(AdminRoleModelAdmin):
    allow_delete = False  # doctors and sent visits point at it: deactivated, never deleted
    list_display = ["name", "satusehat_location_id", "is_active"]
    list_filter = ["is_active"]
    search_fields = ["name", "satusehat_location_id"]
