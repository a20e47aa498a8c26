"""The summary tables now belong to the apps whose rows they summarise (patients, scheduling,
billing): the clinic app lets go of them in the migration state only. The tables, their rows
and indexes stay."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("clinic", "0007_revenue_day_cover"),
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
    ]
