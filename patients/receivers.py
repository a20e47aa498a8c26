"""Patients saved outside the services: fixtures (loaddata saves raw rows) get their name words
too, so the sample data of `make run` is searchable by any word of a name."""

from django.db.models.signals import post_save
from django.dispatch import receiver

from patients.models import Patient
from patients.services import patient_name_words_sync


@receiver(post_save, sender=Patient, dispatch_uid="patients:name_words_of_fixtures")
def name_words_of_fixtures(sender, instance: Patient, raw: bool = False, **kwargs) -> None:
    if raw:
        patient_name_words_sync(instance)
