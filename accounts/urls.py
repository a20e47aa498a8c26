from django.urls import path

from accounts import views, views_audit

app_name = "accounts"

urlpatterns = [
    path("login/", views.LoginView.as_view(), name="login"),
    path("logout/", views.LogoutView.as_view(), name="logout"),
    path("two-step/", views.otp_verify, name="otp_verify"),
    path("two-step/setup/", views.otp_setup, name="otp_setup"),
    path("two-step/disable/", views.otp_disable, name="otp_disable"),
    # The audit log (Admin role only).
    path("audit/", views_audit.audit_search, name="audit"),
    path("audit/patients/<int:pk>/", views_audit.audit_patient, name="audit_patient"),
    path("audit/emergency-access/", views_audit.emergency_list, name="emergency_list"),
]
