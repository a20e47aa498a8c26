from django.apps import AppConfig
from django.contrib.admin import apps as admin_apps


class ClinicConfig(AppConfig):
    name = "clinic"
    default = True

    def ready(self):
        from clinic import summaries

        summaries.connect()  # the dashboard's summary tables follow every saved row


class ClinicAdminConfig(admin_apps.AdminConfig):
    default = False
    default_site = "clinic.admin_site.ClinicAdminSite"
