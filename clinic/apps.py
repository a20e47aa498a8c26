from django.apps import AppConfig
from django.contrib.admin import apps as admin_apps


class ClinicConfig(AppConfig):
    name = "clinic"
    default = True


class ClinicAdminConfig(admin_apps.AdminConfig):
    default = False
    default_site = "accounts.admin_site.ClinicAdminSite"
