# The dashboard keeps its URL names without a namespace ("dashboard", "dashboard_export"), as
# before it had an app of its own: templates and redirects name it so.
from django.urls import path

from reports import views

urlpatterns = [
    path("dashboard/", views.dashboard, name="dashboard"),
    path("dashboard/export.csv", views.dashboard_export, name="dashboard_export"),
]
