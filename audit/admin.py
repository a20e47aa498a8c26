from django.contrib import admin

from accounts.admin_site import ReadOnlyAdmin
from audit.models import AuditLog, EmergencyAccess


@admin.register(AuditLog)
class AuditLogAdmin(ReadOnlyAdmin):
    list_display = ["created_at", "actor_username", "action", "patient", "what", "ip_address", "seq"]
    list_filter = ["action"]
    list_select_related = ["patient"]
    search_fields = ["=actor_username", "patient__medical_record_number", "=object_id"]
    date_hierarchy = "created_at"
    list_per_page = 50
    show_full_result_count = False


@admin.register(EmergencyAccess)
class EmergencyAccessAdmin(ReadOnlyAdmin):
    list_display = ["created_at", "doctor", "patient", "expires_at", "ip_address"]
    list_select_related = ["doctor", "patient"]
    search_fields = ["doctor__username", "patient__medical_record_number"]
    date_hierarchy = "created_at"
