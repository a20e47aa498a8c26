from django.contrib import admin

from accounts.admin_site import AdminRoleInline, AdminRoleModelAdmin, ReadOnlyAdmin
from audit.services import AuditReadAdminMixin
from records.models import LabResult, LabResultVersion, MedicalRecord, MedicalRecordVersion

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
class MedicalRecordAdmin(AuditReadAdminMixin, AdminRoleModelAdmin):
    allow_add = False
    allow_change = False
    allow_delete = False
    list_display = ["created_at", "patient", "doctor", "icd10_code", "diagnosis"]
    list_filter = ["doctor"]
    list_select_related = ["patient", "doctor"]
    search_fields = ["patient__full_name", "patient__medical_record_number", "=icd10_code"]
    date_hierarchy = "created_at"
    inlines = [LabResultInline]


@admin.register(LabResult)
class LabResultAdmin(AuditReadAdminMixin, AdminRoleModelAdmin):
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
    list_filter = ["is_abnormal", "test_name"]
    list_select_related = ["medical_record__patient"]
    search_fields = [
        "test_name",
        "medical_record__patient__full_name",
        "medical_record__patient__medical_record_number",
    ]
    date_hierarchy = "sampled_at"

    @admin.display(description=MedicalRecord._meta.get_field("patient").verbose_name)
    def patient(self, result):
        return result.medical_record.patient


# Earlier versions are evidence: readable by admins, never added, changed or deleted.
@admin.register(MedicalRecordVersion)
class MedicalRecordVersionAdmin(ReadOnlyAdmin):
    list_display = ["changed_at", "record", "version", "changed_by", "reason"]
    list_select_related = ["record__patient", "changed_by"]
    search_fields = ["record__patient__medical_record_number"]


@admin.register(LabResultVersion)
class LabResultVersionAdmin(ReadOnlyAdmin):
    list_display = ["changed_at", "lab_result", "version", "changed_by", "reason"]
    list_select_related = ["lab_result", "changed_by"]
    search_fields = ["lab_result__medical_record__patient__medical_record_number"]
