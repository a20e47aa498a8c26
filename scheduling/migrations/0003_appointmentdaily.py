"""AppointmentDaily moves here from the clinic app: its table (summary_appointment_daily), key
and indexes were created by clinic's migrations and stay as they are. State only: no SQL."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("clinic", "0007_revenue_day_cover"),
        ("patients", "0004_patients_prefix_c_indexes_postgresql"),
        ("scheduling", "0002_day_index_covers_doctor_and_status"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="AppointmentDaily",
                    fields=[
                        ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                        ("day", models.DateField(verbose_name="day")),
                        ("status", models.CharField(max_length=20, verbose_name="status")),
                        ("appointments", models.BigIntegerField(default=0, verbose_name="appointments")),
                        ("doctor", models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name="+",
                                                     to="patients.doctor", verbose_name="doctor")),
                    ],
                    options={
                        "verbose_name": "daily appointments",
                        "verbose_name_plural": "daily appointments",
                        "db_table": "summary_appointment_daily",
                        "constraints": [models.UniqueConstraint(fields=("day", "doctor", "status"),
                                                                name="summary_appointment_day_doctor_status")],
                    },
                ),
            ],
            database_operations=[],
        ),
    ]
