from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PharmacyConfig(AppConfig):
    name = "pharmacy"
    verbose_name = _("Pharmacy")

    def ready(self):
        from pharmacy.receivers import send_prescription
        from scheduling.signals import appointment_completed

        appointment_completed.connect(send_prescription, dispatch_uid="pharmacy.send_prescription")

    def satusehat_entries(self, visit):
        """The prescription's MedicationRequest and MedicationDispense for the visit's SATUSEHAT Bundle."""
        from pharmacy.fhir import medication_entries

        return medication_entries(visit)
