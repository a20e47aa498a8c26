"""RegistrationDaily moves here from the clinic app: its table (summary_registration_daily) was
created by clinic's migrations and stays as it is. State only: no SQL."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("clinic", "0007_revenue_day_cover"),
        ("patients", "0004_patients_prefix_c_indexes_postgresql"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="RegistrationDaily",
                    fields=[
                        ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                        ("day", models.DateField(unique=True, verbose_name="day")),
                        ("registered", models.BigIntegerField(default=0, verbose_name="registered")),
                        ("active", models.BigIntegerField(default=0, verbose_name="active")),
                    ],
                    options={
                        "verbose_name": "daily registrations",
                        "verbose_name_plural": "daily registrations",
                        "db_table": "summary_registration_daily",
                    },
                ),
            ],
            database_operations=[],
        ),
    ]
