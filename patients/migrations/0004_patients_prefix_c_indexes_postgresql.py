"""Prefix search that stops after its page on PostgreSQL (issue 6).

patients.selectors.prefix_condition writes a name or No. RM prefix search on PostgreSQL as
UPPER(col) COLLATE "C" LIKE 'SITI%' and orders names by UPPER(full_name) COLLATE "C", id. These
indexes are on exactly those expressions: the same index finds the prefix and gives the order,
so `LIMIT 50` ends the read (0002's text_pattern_ops index serves the prefix, not the order).
MariaDB's case-insensitive collation needs none of this."""

from django.db import migrations

INDEXES = {
    "patients_name_upper_c_idx": '(UPPER("full_name") COLLATE "C"), "id"',
    "patients_rm_upper_c_idx": '(UPPER("medical_record_number") COLLATE "C")',
}


def create(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for name, columns in INDEXES.items():
            schema_editor.execute(f"CREATE INDEX IF NOT EXISTS {name} ON patients ({columns})")


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for name in INDEXES:
            schema_editor.execute(f"DROP INDEX IF EXISTS {name}")


class Migration(migrations.Migration):
    dependencies = [("patients", "0003_patient_encryption_at_rest")]

    operations = [migrations.RunPython(create, drop, elidable=False)]
