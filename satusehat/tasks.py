"""The background task that sends a visit (django-tasks; `manage.py db_worker` runs it)."""

import threading

from django_tasks import task

from satusehat import services
from satusehat.client import SatusehatClient
from satusehat.conf import config

_local = threading.local()


def _client() -> SatusehatClient:
    """One HTTP client per worker thread and configuration: its connections are kept open
    between tasks (the token itself is in the shared cache)."""
    cfg = config()
    client = getattr(_local, "client", None)
    if client is None or client.config != cfg:
        if client is not None:
            client.close()
        client = _local.client = SatusehatClient(cfg)
    return client


@task()
def send_visit(submission_id: int) -> str:
    return services.send_submission(submission_id, client=_client())
