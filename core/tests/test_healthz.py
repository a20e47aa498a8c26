"""GET /healthz: for a load balancer or a monitor. No login, no data, no error details."""

import json

import pytest
from django.db import OperationalError, connections


def break_the_database(monkeypatch):
    def refuse(*args, **kwargs):
        raise OperationalError("(2003) Can't connect to MySQL server on 'db-secret-host' (111)")

    monkeypatch.setattr(connections["default"], "ensure_connection", refuse)


@pytest.mark.django_db
def test_it_answers_ok_without_a_login(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert json.loads(response.content) == {"status": "ok"}
    assert "no-store" in response["Cache-Control"]
    assert not response.cookies  # no session, no CSRF cookie


@pytest.mark.django_db
def test_it_runs_one_query_and_one_write_probe_per_table(client, django_assert_num_queries, settings):
    # SELECT 1, then per table an INSERT … SELECT that matches no row (a refused write shows).
    assert settings.HEALTHZ_WRITE_TABLES == ["audit_log", "django_session"]
    with django_assert_num_queries(3):
        client.get("/healthz")


@pytest.mark.django_db
def test_it_answers_head(client):
    response = client.head("/healthz")
    assert response.status_code == 200
    assert response.content == b""


@pytest.mark.django_db
def test_it_answers_503_when_the_database_is_unreachable(client, monkeypatch, caplog):
    break_the_database(monkeypatch)
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response["Content-Type"] == "application/json"
    assert json.loads(response.content) == {"status": "unavailable"}
    assert "no-store" in response["Cache-Control"]
    # The details go to the server's log, never to whoever asks.
    assert b"secret" not in response.content and b"2003" not in response.content
    assert "db-secret-host" in caplog.text


@pytest.mark.django_db
def test_it_answers_503_to_head_when_the_database_is_unreachable(client, monkeypatch):
    break_the_database(monkeypatch)
    assert client.head("/healthz").status_code == 503


@pytest.mark.django_db
def test_it_answers_503_when_the_query_fails(client, monkeypatch):
    class BrokenCursor:
        def __enter__(self):
            return self

        def __exit__(self, *exc):
            return False

        def execute(self, sql, params=None):
            raise OperationalError("server has gone away")

    monkeypatch.setattr(connections["default"], "cursor", BrokenCursor)
    response = client.get("/healthz")
    assert response.status_code == 503
    assert json.loads(response.content) == {"status": "unavailable"}


@pytest.mark.django_db
@pytest.mark.parametrize("method", ["post", "put", "delete"])
def test_it_refuses_other_methods(method):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)  # as a real client: a POST gets 405, not 403
    response = getattr(client, method)("/healthz")
    assert response.status_code == 405


@pytest.mark.django_db
def test_it_shows_the_same_to_a_logged_in_user(client, admin_user):
    client.force_login(admin_user)
    response = client.get("/healthz")
    assert json.loads(response.content) == {"status": "ok"}
