"""Puts the task that deletes expired sessions (core.tasks.clear_expired_sessions) on the task
queue; `manage.py db_worker` runs it. The klinik-sessions timer calls this every night
(deploy/systemd/klinik-sessions.service).

    python manage.py enqueue_clear_sessions
"""

from django.core.management.base import BaseCommand

from core.tasks import clear_expired_sessions


class Command(BaseCommand):
    help = "Enqueue the task that deletes expired sessions (run by manage.py db_worker)."

    def handle(self, *args, **options):
        result = clear_expired_sessions.enqueue()
        self.stdout.write(f"Enqueued clear_expired_sessions: task {result.id}")
