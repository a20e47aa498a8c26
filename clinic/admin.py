"""The background tasks' queue in the Django admin, read-only and for the Admin role like every
other table (django-tasks-db's own admin asks for per-model permissions, which no role has)."""

from django.contrib import admin
from django_tasks_db.models import DBTaskResult

from accounts.admin_site import ReadOnlyAdmin

if admin.site.is_registered(DBTaskResult):
    admin.site.unregister(DBTaskResult)


@admin.register(DBTaskResult)
class TaskResultAdmin(ReadOnlyAdmin):
    list_display = ("id", "task_path", "status", "enqueued_at", "started_at", "finished_at", "queue_name")
    list_filter = ("status", "queue_name")
    ordering = ["-enqueued_at"]
