"""The housekeeping task the klinik-sessions timer enqueues and the task worker runs."""

import datetime

import pytest
from django.contrib.sessions.models import Session
from django.core.management import call_command
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from core.tasks import clear_expired_sessions


def make_session(key: str, expires_in: datetime.timedelta) -> None:
    Session.objects.create(session_key=key, session_data="", expire_date=timezone.now() + expires_in)


@pytest.mark.django_db
def test_the_task_deletes_only_the_expired_sessions():
    make_session("a" * 32, -datetime.timedelta(minutes=1))
    make_session("b" * 32, -datetime.timedelta(days=3))
    make_session("c" * 32, datetime.timedelta(hours=1))

    assert clear_expired_sessions.call() == 2
    assert list(Session.objects.values_list("session_key", flat=True)) == ["c" * 32]


@pytest.mark.django_db(transaction=True)
def test_the_command_enqueues_it_and_the_worker_runs_it(capsys):
    make_session("a" * 32, -datetime.timedelta(minutes=1))

    call_command("enqueue_clear_sessions")
    result = DBTaskResult.objects.get()
    assert result.task_path == "core.tasks.clear_expired_sessions" and result.status == "READY"
    assert f"task {result.id}" in capsys.readouterr().out
    assert Session.objects.count() == 1

    call_command("db_worker", "--batch", "--no-startup-delay")
    result.refresh_from_db()
    assert result.status == "SUCCESSFUL" and result.return_value == 1
    assert not Session.objects.exists()
