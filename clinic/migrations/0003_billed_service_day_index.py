"""The (service, day) index first, then the foreign key's own index goes: MariaDB keeps a
foreign key's index until another index can serve the constraint."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('clinic', '0002_fill_summaries'),
        ('scheduling', '0001_initial'),
    ]

    operations = [
        migrations.AddIndex(
            model_name='billedservicedaily',
            index=models.Index(fields=['service', 'day'], name='summary_billed_service_day'),
        ),
        migrations.AlterField(
            model_name='billedservicedaily',
            name='service',
            field=models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='scheduling.service', verbose_name='service'),
        ),
    ]
