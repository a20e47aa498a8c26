"""Case-insensitive prefix search on PostgreSQL.

Django writes `full_name__istartswith` as UPPER("full_name"::text) LIKE UPPER('abc%'); only an
index on that expression with text_pattern_ops serves it (docs/database-notes.md). MariaDB has no
expression indexes and already uses patients_full_name_idx (case-insensitive collation), so
the index is created on PostgreSQL alone."""

from django.db import migrations

INDEX = "patients_full_name_upper_prefix_idx"


def create(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(
            f'CREATE INDEX IF NOT EXISTS {INDEX} ON patients ((UPPER("full_name"::text)) text_pattern_ops)'
        )


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"DROP INDEX IF EXISTS {INDEX}")


class Migration(migrations.Migration):
    dependencies = [("patients", "0001_initial")]

    operations = [migrations.RunPython(create, drop, elidable=False)]
