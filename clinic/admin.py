"""django-tasks-db registers its queue table in the Django admin with per-model permissions,
which no role has: it is taken out. What the background work did is shown where it matters
(the SATUSEHAT page); the queue itself is read with `manage.py` or SQL."""

from django.contrib import admin
from django_tasks_db.models import DBTaskResult

if admin.site.is_registered(DBTaskResult):
    admin.site.unregister(DBTaskResult)
