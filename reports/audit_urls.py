from django.urls import path

from reports import audit_views

app_name = "audit"

urlpatterns = [
    # The audit log (Admin role only).
    path("accounts/audit/", audit_views.audit_search, name="search"),
    path("accounts/audit/patients/<int:pk>/", audit_views.audit_patient, name="patient"),
    path("accounts/audit/emergency-access/", audit_views.emergency_list, name="emergency_list"),
    # A doctor asks to read a patient outside their care.
    path("patients/<int:pk>/emergency-access/", audit_views.emergency_access, name="emergency_access"),
]
