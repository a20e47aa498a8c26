"""Fills the daily appointment counts from the appointments already there. A migration of its
own: MariaDB's CREATE TABLE is not transactional, the fill is."""

from django.db import migrations


def fill(apps, schema_editor):
    # The table belonged to this app then; scheduling keeps it now.
    from scheduling.summaries import rebuild

    rebuild(registry=apps, app_label="clinic", using=schema_editor.connection.alias)


class Migration(migrations.Migration):
    dependencies = [
        ("clinic", "0005_appointment_daily"),
        ("scheduling", "0002_day_index_covers_doctor_and_status"),
    ]

    operations = [migrations.RunPython(fill, migrations.RunPython.noop, elidable=False)]
