"""Background tasks of the core (django-tasks, run by `manage.py db_worker`).

clear_expired_sessions: the klinik-sessions timer (deploy/systemd/) enqueues it every night
through `manage.py enqueue_clear_sessions`; the worker runs it. It deletes the sessions whose
expiry date has passed, as Django's `clearsessions` command does, and is harmless to run at any
time: the production smoke test uses it to see that the worker runs tasks.
"""

from importlib import import_module

from django.conf import settings
from django.contrib.sessions.models import Session
from django.utils import timezone
from django_tasks import task


@task()
def clear_expired_sessions() -> int:
    """Deletes the expired sessions; how many there were."""
    expired = Session.objects.filter(expire_date__lt=timezone.now()).count()
    import_module(settings.SESSION_ENGINE).SessionStore.clear_expired()
    return expired
