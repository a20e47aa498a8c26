from django.contrib import admin
from django.urls import include, path

from accounts.views import home
from core.views import healthz

urlpatterns = [
    path("", home, name="home"),
    path("healthz", healthz, name="healthz"),
    path("", include("reports.urls")),
    path("accounts/", include("accounts.urls")),
    path("patients/", include("patients.urls")),
    path("appointments/", include("scheduling.urls")),
    path("records/", include("records.urls")),
    path("billing/", include("billing.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
]

# Refusals go into the audit log (accounts.views_audit.permission_denied), then a translated page.
handler403 = "accounts.views_audit.permission_denied"
