from django.contrib import admin
from django.db.models import Prefetch

from accounts.admin_site import ReadOnlyAdmin
from audit.models import AuditLog, EmergencyAccess


@admin.register(AuditLog)
class AuditLogAdmin(ReadOnlyAdmin):
    list_display = ["created_at", "actor_username", "action", "patient", "what", "ip_address", "seq"]
    # Newest first on the created_at index; the date filter is a range of it (a date hierarchy
    # listed the distinct days of every row). Patients by key after the page's rows.
    ordering = ["-created_at", "-id"]
    sortable_by = ["created_at"]
    list_filter = ["action", ("created_at", admin.DateFieldListFilter)]
    list_select_related = ()
    # The patient's name and No. RM only (the patients' model sits above the audit log).
    list_prefetch_related = (
        Prefetch(
            "patient",
            queryset=AuditLog._meta.get_field("patient").related_model.objects.only(
                "id", "full_name", "medical_record_number"
            ),
        ),
    )
    search_fields = ["=actor_username", "=patient__medical_record_number", "=object_id"]
    list_per_page = 50


@admin.register(EmergencyAccess)
class EmergencyAccessAdmin(ReadOnlyAdmin):
    list_display = ["created_at", "doctor", "patient", "expires_at", "ip_address"]
    list_select_related = ["doctor", "patient"]
    search_fields = ["doctor__username", "patient__medical_record_number"]
    date_hierarchy = "created_at"
