"""Fills the summary tables from the data already there (nothing to do on an empty database).
A migration of its own: MariaDB's CREATE TABLE is not transactional, the fill is."""

from django.db import migrations


def fill(apps, schema_editor):
    # The tables belonged to this app then; the apps that keep them now rebuild them.
    from billing.summaries import rebuild as rebuild_billing
    from patients.summaries import rebuild as rebuild_patients

    for rebuild in (rebuild_patients, rebuild_billing):
        rebuild(registry=apps, app_label="clinic", using=schema_editor.connection.alias)


class Migration(migrations.Migration):
    dependencies = [
        ("clinic", "0001_summary_tables"),
        ("billing", "0001_initial"),
        ("patients", "0003_patient_encryption_at_rest"),
        ("scheduling", "0001_initial"),
    ]

    operations = [migrations.RunPython(fill, migrations.RunPython.noop, elidable=False)]
