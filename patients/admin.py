from functools import reduce
from operator import or_

from django.contrib import admin, messages
from django.db.models import Prefetch, Q
from django.utils.translation import gettext_lazy as _

from accounts.admin_site import AdminRoleInline, AdminRoleModelAdmin
from audit.services import AuditReadAdminMixin
from patients import services
from patients.models import Doctor, Patient, Room, WorkingHours
from patients.selectors import (
    SEARCH_LIMIT,
    SEARCH_MAX_LENGTH,
    name_order,
    normalised_query,
    patient_search_conditions,
    patients_matching,
)

# The patient's columns a list shows: loading the others would decrypt a NIK, phone and email
# per row that nobody sees.
PATIENT_LIST_COLUMNS = ("id", "full_name", "medical_record_number")


def patients_prefetch(path: str = "patient") -> Prefetch:
    """The patients of a list's rows, by primary key, with the columns a list shows."""
    return Prefetch(path, queryset=Patient.objects.only(*PATIENT_LIST_COLUMNS))


class PatientSearchAdminMixin:
    """The admin's search box as the front desk's: a name prefix, a No. RM, a date of birth, a
    whole NIK, phone or email (through their blind indexes), each read from an index
    (patients.selectors), for the patients' list and for the lists about patients
    (`patient_path`, e.g. "billing__patient"). `own_search(term)` may answer first with the
    list's own exact key (an invoice number, an ICD-10 code)."""

    patient_path = "patient"
    search_fields = ["full_name"]  # only to show the search box; get_search_results searches
    search_help_text = _("Name (its beginning), No. RM, date of birth, or a whole NIK, phone number or email.")

    def own_search(self, term: str) -> Q | None:
        return None

    def get_search_results(self, request, queryset, search_term):
        term = normalised_query(search_term)
        if not term:
            return queryset, False
        if (own := self.own_search(term)) is not None:
            return queryset.filter(own), False
        patients = patients_matching(term)
        if patients is None:
            return queryset.none(), False
        # The first patients by name, as the front desk's search shows them: the rows of 18,000
        # patients named "Kar…" cannot be sorted by date in a page's time (0.9 s for the keys
        # alone at 1M patients), the rows of 50 can.
        ids = list(patients.order_by(*name_order()).values_list("pk", flat=True)[: SEARCH_LIMIT + 1])
        if len(ids) > SEARCH_LIMIT:
            ids = ids[:SEARCH_LIMIT]
            self.message_user(
                request,
                _(
                    "More than %(limit)s patients match: showing the rows of the first %(limit)s by name. "
                    "Type more of the name, or the No. RM, NIK or phone number."
                )
                % {"limit": SEARCH_LIMIT},
                messages.WARNING,
            )
        return queryset.filter(**{f"{self.patient_path}__in": ids}), False


@admin.register(Patient)
class PatientAdmin(PatientSearchAdminMixin, AuditReadAdminMixin, AdminRoleModelAdmin):
    allow_delete = False  # people are deactivated, never deleted; records are kept 25 years
    list_display = ["medical_record_number", "full_name", "date_of_birth", "gender", "phone", "is_active"]
    # Newest registrations first, on the created_at index; the date filter is a range on it
    # (a date hierarchy listed the distinct days of a million rows).
    ordering = ["-created_at", "-id"]
    sortable_by = ["medical_record_number", "full_name", "date_of_birth"]
    list_filter = ["is_active", "gender", "blood_type", ("created_at", admin.DateFieldListFilter)]
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

    def get_ordering(self, request):
        # Search results in the order of the name index the search reads (as at the front desk).
        return name_order() if normalised_query(request.GET.get("q", "")) else self.ordering

    def get_search_results(self, request, queryset, search_term):
        term = normalised_query(search_term)
        if not term:
            return queryset, False
        conditions = patient_search_conditions(term) if len(term) <= SEARCH_MAX_LENGTH else []
        return (queryset.filter(reduce(or_, conditions)) if conditions else queryset.none()), False

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
