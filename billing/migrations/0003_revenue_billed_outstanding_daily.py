"""RevenueDaily, BilledServiceDaily and OutstandingDaily move here from the clinic app: their
tables, keys and indexes were created by clinic's migrations and stay as they are. State only:
no SQL."""

import django.db.models.deletion
from django.db import migrations, models

MONEY = {"decimal_places": 2, "default": 0, "max_digits": 18, "verbose_name": "amount (Rp)"}


class Migration(migrations.Migration):
    dependencies = [
        ("billing", "0002_open_bills_index_with_id"),
        ("clinic", "0007_revenue_day_cover"),
        ("scheduling", "0002_day_index_covers_doctor_and_status"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="RevenueDaily",
                    fields=[
                        ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                        ("day", models.DateField(verbose_name="day")),
                        ("method", models.CharField(choices=[("Cash", "Cash"), ("CreditCard", "Credit card"),
                                                             ("Insurance", "Insurance"), ("Transfer", "Bank transfer")],
                                                    max_length=20, verbose_name="method")),
                        ("amount", models.DecimalField(**MONEY)),
                        ("payments", models.BigIntegerField(default=0, verbose_name="payments")),
                    ],
                    options={
                        "verbose_name": "daily revenue",
                        "verbose_name_plural": "daily revenue",
                        "db_table": "summary_revenue_daily",
                        "constraints": [models.UniqueConstraint(fields=("day", "method"), name="summary_revenue_day_method")],
                        "indexes": [models.Index(fields=["day", "method", "amount", "payments"],
                                                 name="summary_revenue_day_cover")],
                    },
                ),
                migrations.CreateModel(
                    name="BilledServiceDaily",
                    fields=[
                        ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                        ("day", models.DateField(verbose_name="day")),
                        ("amount", models.DecimalField(**MONEY)),
                        ("quantity", models.BigIntegerField(default=0, verbose_name="quantity")),
                        ("lines", models.BigIntegerField(default=0, verbose_name="lines")),
                        ("service", models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name="+",
                                                      to="scheduling.service", verbose_name="service")),
                    ],
                    options={
                        "verbose_name": "daily billed per service",
                        "verbose_name_plural": "daily billed per service",
                        "db_table": "summary_billed_service_daily",
                        "constraints": [models.UniqueConstraint(fields=("day", "service"), name="summary_billed_day_service")],
                        "indexes": [models.Index(fields=["day", "service", "amount", "quantity", "lines"],
                                                 name="summary_billed_day_cover")],
                    },
                ),
                migrations.CreateModel(
                    name="OutstandingDaily",
                    fields=[
                        ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                        ("day", models.DateField(unique=True, verbose_name="day")),
                        ("amount", models.DecimalField(**MONEY)),
                        ("bills", models.BigIntegerField(default=0, verbose_name="bills")),
                    ],
                    options={
                        "verbose_name": "daily outstanding balance",
                        "verbose_name_plural": "daily outstanding balance",
                        "db_table": "summary_outstanding_daily",
                    },
                ),
            ],
            database_operations=[],
        ),
    ]
