"""Rebuilds the words table of the any-word name search (patients.models.PatientNameWord) from
the patients' names: after rows were written around the services (a bulk load, a restore)."""

from django.core.management.base import BaseCommand
from django.db import transaction

from patients.models import Patient, PatientNameWord, name_words

BATCH = 2000


class Command(BaseCommand):
    help = "Rebuild the words table of the name search from the patients' names."

    def handle(self, *args, **options):
        last, count = 0, 0
        while True:
            batch = list(Patient.objects.filter(pk__gt=last).order_by("pk").values_list("pk", "full_name")[:BATCH])
            if not batch:
                break
            with transaction.atomic():
                PatientNameWord.objects.filter(patient_id__gt=last, patient_id__lte=batch[-1][0]).delete()
                PatientNameWord.objects.bulk_create(
                    [PatientNameWord(patient_id=pk, word=w) for pk, name in batch for w in name_words(name)],
                    batch_size=BATCH,
                )
            count += len(batch)
            last = batch[-1][0]
        self.stdout.write(f"Name words rebuilt for {count} patients.")
