from django.contrib import admin
from django.urls import include, path

from accounts.views import home
from core.views import favicon, healthz

urlpatterns = [
    path("", home, name="home"),
    path("healthz", healthz, name="healthz"),
    path("favicon.ico", favicon, name="favicon"),
    path("", include("reports.urls")),
    path("accounts/", include("accounts.urls")),
    # The audit screens: accounts/audit/… and patients/<pk>/emergency-access/.
    path("", include("reports.audit_urls")),
    path("patients/", include("patients.urls")),
    path("patients/", include("billing.insurance_urls")),
    path("appointments/", include("scheduling.urls")),
    path("records/", include("records.urls")),
    # The waiting room's screens: no login, a display token (scheduling.QueueDisplay).
    path("queue/", include("scheduling.queue_urls")),
    path("billing/", include("billing.urls")),
    path("pharmacy/", include("pharmacy.urls")),
    path("satusehat/", include("satusehat.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
]

# Refusals go into the audit log (audit.views.permission_denied), then a translated page.
handler403 = "audit.views.permission_denied"
# The clinic's own translated pages (core/views.py); the 500 page needs no database.
handler400 = "core.views.bad_request"
handler404 = "core.views.page_not_found"
handler500 = "core.views.server_error"
