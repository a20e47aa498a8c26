from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class BillingConfig(AppConfig):
    name = "billing"
    verbose_name = _("Billing")

    def ready(self):
        from billing.receivers import issue_bill
        from scheduling.signals import appointment_completed

        appointment_completed.connect(issue_bill, dispatch_uid="billing.issue_bill")
