from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RecordsConfig(AppConfig):
    name = "records"
    verbose_name = _("Medical records")

    def ready(self):
        from records.receivers import open_medical_record
        from scheduling.signals import appointment_completed

        appointment_completed.connect(open_medical_record, dispatch_uid="records.open_medical_record")
