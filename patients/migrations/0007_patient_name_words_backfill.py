"""The words of the names of the patients registered before the words table (0006)."""

import re

from django.db import migrations

BATCH = 2000
_WORD = re.compile(r"\w+")


def name_words(text):
    # A copy of patients.models.name_words as it was at this migration: migrations do not
    # import application code that may change later.
    words = []
    for word in _WORD.findall((text or "").casefold()):
        if word not in words:
            words.append(word[:150])
    return words[:8]


def backfill(apps, schema_editor):
    Patient = apps.get_model("patients", "Patient")
    PatientNameWord = apps.get_model("patients", "PatientNameWord")
    alias = schema_editor.connection.alias
    last = 0
    while True:
        batch = list(
            Patient.objects.using(alias).filter(pk__gt=last).order_by("pk").values_list("pk", "full_name")[:BATCH]
        )
        if not batch:
            return
        PatientNameWord.objects.using(alias).bulk_create(
            [PatientNameWord(patient_id=pk, word=word) for pk, name in batch for word in name_words(name)],
            batch_size=BATCH,
            ignore_conflicts=True,
        )
        last = batch[-1][0]


class Migration(migrations.Migration):
    dependencies = [("patients", "0006_patient_name_words")]

    operations = [migrations.RunPython(backfill, migrations.RunPython.noop)]
