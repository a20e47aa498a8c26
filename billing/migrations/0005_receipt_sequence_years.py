"""The receipt number series' rows for 2000–2100, so the first payments of a year never race to
create their year's row (billing.services.receipt_number_next)."""

from django.db import migrations


def years(apps, schema_editor):
    ReceiptSequence = apps.get_model("billing", "ReceiptSequence")
    alias = schema_editor.connection.alias
    ReceiptSequence.objects.using(alias).bulk_create(
        [ReceiptSequence(year=year, last=0) for year in range(2000, 2101)], ignore_conflicts=True
    )


class Migration(migrations.Migration):
    dependencies = [("billing", "0004_receipt_number_series")]

    operations = [migrations.RunPython(years, migrations.RunPython.noop)]
