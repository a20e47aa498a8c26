"""The summary tables now belong to the apps whose rows they summarise (patients, scheduling,
billing): the clinic app lets go of them in the migration state only. The tables, their rows
and indexes stay; their content types move along (so permissions given on them stay given)."""

from django.db import migrations

# model name: the app that holds it now
MOVED = {
    "appointmentdaily": "scheduling",
    "billedservicedaily": "billing",
    "outstandingdaily": "billing",
    "registrationdaily": "patients",
    "revenuedaily": "billing",
}


def _relabel(apps, schema_editor, *, forward: bool) -> None:
    content_types = apps.get_model("contenttypes", "ContentType").objects.using(schema_editor.connection.alias)
    for model, app_label in MOVED.items():
        old, new = ("clinic", app_label) if forward else (app_label, "clinic")
        if not content_types.filter(app_label=old, model=model).exists():
            continue
        # A content type made for the new label in between (post_migrate after a partial
        # migration back) gives way to the one that carries the model's history.
        content_types.filter(app_label=new, model=model).delete()
        content_types.filter(app_label=old, model=model).update(app_label=new)


def move_content_types(apps, schema_editor):
    _relabel(apps, schema_editor, forward=True)


def move_content_types_back(apps, schema_editor):
    _relabel(apps, schema_editor, forward=False)


class Migration(migrations.Migration):
    dependencies = [
        ("clinic", "0007_revenue_day_cover"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("billing", "0003_revenue_billed_outstanding_daily"),
        ("patients", "0005_registrationdaily"),
        ("scheduling", "0003_appointmentdaily"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.DeleteModel(name="AppointmentDaily"),
                migrations.DeleteModel(name="BilledServiceDaily"),
                migrations.DeleteModel(name="OutstandingDaily"),
                migrations.DeleteModel(name="RegistrationDaily"),
                migrations.DeleteModel(name="RevenueDaily"),
            ],
            database_operations=[],
        ),
        migrations.RunPython(move_content_types, move_content_types_back, elidable=False),
    ]
