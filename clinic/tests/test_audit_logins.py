"""A flood of failed logins is bounded in the audit log: one row for the first failure of a
username from an address per lockout window and one for its lockout, every attempt counted
(LoginFailureWindow) with the time of the first and the last; user agents cut to a sane size."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from audit import services as audit
from audit.models import AuditLog, LoginFailureWindow

pytestmark = pytest.mark.django_db

A = AuditLog.Action
LONG_AGENT = "Mozilla/5.0 " + "X" * 1000


def fail(client, username, times, address="10.0.0.7"):
    for _ in range(times):
        client.post(
            reverse("accounts:login"),
            {"username": username, "password": "salah-terus"},
            HTTP_USER_AGENT=LONG_AGENT,
            REMOTE_ADDR=address,
        )


def login_rows():
    return list(AuditLog.objects.filter(action__in=[A.LOGIN_FAILED, A.LOCKOUT]).order_by("id"))


def test_twelve_failed_logins_write_two_rows_and_count_every_attempt(client, receptionist, settings):
    fail(client, receptionist.username, 12)
    rows = login_rows()
    assert [row.action for row in rows] == [A.LOGIN_FAILED, A.LOCKOUT]
    window = LoginFailureWindow.objects.get()
    assert (window.username, window.ip_address, window.attempts, window.locked) == (
        receptionist.username,
        "10.0.0.7",
        12,
        True,
    )
    assert window.first_at <= window.last_at and window.audit_row == rows[0]
    assert rows[1].changes["attempts"] == settings.AXES_FAILURE_LIMIT - 1  # the count when it locked
    assert all(len(row.user_agent) <= audit.USER_AGENT_MAX for row in rows)
    assert rows[0].user_agent.startswith("Mozilla/5.0 X") and rows[0].user_agent.endswith("…")
    assert audit.verify_chain().ok


def test_an_unknown_username_and_another_address_each_get_their_own_rows(client, receptionist):
    fail(client, "tidak-ada", 8)
    fail(client, receptionist.username, 2, address="10.0.0.8")
    assert [(r.actor_username, r.action) for r in login_rows()] == [
        ("tidak-ada", A.LOGIN_FAILED),
        ("tidak-ada", A.LOCKOUT),
        (receptionist.username, A.LOGIN_FAILED),
    ]
    assert LoginFailureWindow.objects.get(username="tidak-ada").attempts == 8


def test_a_new_window_starts_with_a_new_row(client, receptionist):
    fail(client, receptionist.username, 2)
    LoginFailureWindow.objects.update(first_at=timezone.now() - datetime.timedelta(hours=1))
    fail(client, receptionist.username, 1)
    assert [r.action for r in login_rows()] == [A.LOGIN_FAILED, A.LOGIN_FAILED]
    assert sorted(LoginFailureWindow.objects.values_list("attempts", flat=True)) == [1, 2]


def test_a_user_agent_is_cut_and_cleaned_in_every_row(rf, receptionist):
    request = rf.get("/", HTTP_USER_AGENT="Agent\x00\x07 " + "Y" * 400)
    request.user = receptionist
    row = audit.audit_write(action=A.READ, request=request, what="patient detail")
    assert len(row.user_agent) == audit.USER_AGENT_MAX and "\x00" not in row.user_agent
