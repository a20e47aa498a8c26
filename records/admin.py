from django.contrib import admin

from clinic.admin_site import AdminRoleInline, AdminRoleModelAdmin
from records.models import LabResult, MedicalRecord

# The role table: admins read medical records and lab results but never write them; only the
# treating doctor writes and corrects them, from the visit page.


class LabResultInline(AdminRoleInline, admin.TabularInline):
    model = LabResult
    extra = 0
    allow_add = False
    allow_change = False
    fields = ["test_name", "value", "unit", "reference_low", "reference_high", "is_abnormal", "sampled_at",
              "reported_at"]
    readonly_fields = fields


@admin.register(MedicalRecord)
class MedicalRecordAdmin(AdminRoleModelAdmin):
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
class LabResultAdmin(AdminRoleModelAdmin):
    allow_add = False
    allow_change = False
    allow_delete = False
    list_display = ["sampled_at", "patient", "test_name", "value", "unit", "reference_low", "reference_high",
                    "is_abnormal"]
    list_filter = ["is_abnormal", "test_name"]
    list_select_related = ["medical_record__patient"]
    search_fields = ["test_name", "medical_record__patient__full_name", "medical_record__patient__medical_record_number"]
    date_hierarchy = "sampled_at"

    @admin.display(description=MedicalRecord._meta.get_field("patient").verbose_name)
    def patient(self, result):
        return result.medical_record.patient
