"""Every app's daily summary tables rebuilt at once: for `manage.py rebuild_summaries`, bulk
loads (seed_demo) and anything else that wrote rows without the services. Each app recomputes
its own tables from its raw rows (patients, scheduling, billing: `<app>/summaries.py`)."""

from django.db import DEFAULT_DB_ALIAS, transaction

from billing import summaries as billing_summaries
from patients import summaries as patient_summaries
from scheduling import summaries as scheduling_summaries

REBUILDS = (patient_summaries.rebuild, scheduling_summaries.rebuild, billing_summaries.rebuild)


def rebuild_all(*, using: str = DEFAULT_DB_ALIAS) -> None:
    """Recomputes every summary table from the raw rows, in one transaction."""
    with transaction.atomic(using=using):
        for rebuild in REBUILDS:
            rebuild(using=using)
