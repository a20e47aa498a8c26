from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SatusehatConfig(AppConfig):
    name = "satusehat"
    verbose_name = _("SATUSEHAT")

    def ready(self):
        from django.db.models.signals import post_save

        from records.models import LabResult, MedicalRecord
        from satusehat import receivers
        from scheduling.signals import appointment_completed

        # The outbox row is written in the completion's own transaction (docs/satusehat.md).
        appointment_completed.connect(receivers.queue_visit, dispatch_uid="satusehat.queue_visit")
        # A correction after sending sends an update.
        post_save.connect(receivers.record_changed, sender=MedicalRecord, dispatch_uid="satusehat.record_changed")
        post_save.connect(receivers.lab_result_changed, sender=LabResult, dispatch_uid="satusehat.lab_changed")
