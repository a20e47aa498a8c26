from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AuditConfig(AppConfig):
    name = "audit"
    verbose_name = _("Audit")

    def ready(self):
        # The audit log: changes of the clinical and financial models, logins and lockouts.
        from audit import checks, signals  # noqa: F401  (checks registers the system checks)

        signals.connect()
