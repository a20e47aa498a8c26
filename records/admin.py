import re

from django.contrib import admin
from django.db.models import Prefetch, Q

from accounts.admin_site import AdminRoleInline, AdminRoleModelAdmin, ReadOnlyAdmin
from audit.services import AuditReadAdminMixin
from patients.admin import PatientSearchAdminMixin, patients_prefetch
from records.models import LabResult, LabResultVersion, MedicalRecord, MedicalRecordVersion

ICD10_CODE = re.compile(r"[A-Z][0-9]{2}(\.[0-9A-Z]{1,4})?", re.IGNORECASE)

# The role table: admins read medical records and lab results but never write them; only the
# treating doctor writes and corrects them, from the visit page.


class LabResultInline(AdminRoleInline, admin.TabularInline):
    model = LabResult
    extra = 0
    allow_add = False
    allow_change = False
    fields = [
        "test_name",
        "value",
        "unit",
        "reference_low",
        "reference_high",
        "is_abnormal",
        "sampled_at",
        "reported_at",
    ]
    readonly_fields = fields


@admin.register(MedicalRecord)
class MedicalRecordAdmin(PatientSearchAdminMixin, AuditReadAdminMixin, AdminRoleModelAdmin):
    allow_add = False
    allow_change = False
    allow_delete = False
    list_display = ["created_at", "patient", "doctor", "icd10_code", "diagnosis"]
    # Newest first on the created_at index (the date filter is a range of it); patients and
    # doctors by key after the page's rows. An ICD-10 code in the search box is looked up whole.
    ordering = ["-created_at", "-id"]
    sortable_by = ["created_at"]
    list_filter = ["doctor", ("created_at", admin.DateFieldListFilter)]
    list_select_related = ()
    list_prefetch_related = (patients_prefetch(), "doctor")
    inlines = [LabResultInline]

    def own_search(self, term):
        return Q(icd10_code=term.upper()) if ICD10_CODE.fullmatch(term) else None


@admin.register(LabResult)
class LabResultAdmin(PatientSearchAdminMixin, AuditReadAdminMixin, AdminRoleModelAdmin):
    allow_add = False
    allow_change = False
    allow_delete = False
    list_display = [
        "sampled_at",
        "patient",
        "test_name",
        "value",
        "unit",
        "reference_low",
        "reference_high",
        "is_abnormal",
    ]
    # Newest first on the sampled_at index (the date filter is a range of it). The test-name
    # filter went: it listed the distinct names of every result (a scan of the table).
    ordering = ["-sampled_at", "-id"]
    sortable_by = ["sampled_at"]
    list_filter = ["is_abnormal", ("sampled_at", admin.DateFieldListFilter)]
    list_select_related = ()
    list_prefetch_related = (
        Prefetch("medical_record", queryset=MedicalRecord.objects.only("id", "patient_id")),
        patients_prefetch("medical_record__patient"),
    )
    patient_path = "medical_record__patient"

    @admin.display(description=MedicalRecord._meta.get_field("patient").verbose_name)
    def patient(self, result):
        return result.medical_record.patient


# Earlier versions are evidence: readable by admins, never added, changed or deleted.
@admin.register(MedicalRecordVersion)
class MedicalRecordVersionAdmin(ReadOnlyAdmin):
    list_display = ["changed_at", "record", "version", "changed_by", "reason"]
    list_select_related = ["record__patient", "changed_by"]
    search_fields = ["=record__patient__medical_record_number"]


@admin.register(LabResultVersion)
class LabResultVersionAdmin(ReadOnlyAdmin):
    list_display = ["changed_at", "lab_result", "version", "changed_by", "reason"]
    list_select_related = ["lab_result", "changed_by"]
    search_fields = ["=lab_result__medical_record__patient__medical_record_number"]
