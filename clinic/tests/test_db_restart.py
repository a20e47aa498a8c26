"""Persistent connections survive a database restart: the app keeps its connection between
requests (CONN_MAX_AGE=60, as production does), the database restarts under it, and once the
database answers again no page fails, because Django checks a kept connection before a request
reuses it (CONN_HEALTH_CHECKS). Without the check the first page after the restart fails (503,
"the database is not available"): the same run with CONN_HEALTH_CHECKS=false shows it, so the
test sees what it claims to.

The database is a private MariaDB of this test (clinic/tests/mariadb.py: its own data directory
and port, never the machine's server), the app a `manage.py runserver --nothreading` process:
one thread, so one connection, kept from request to request as in a gunicorn worker. It runs
whenever /usr/sbin/mariadbd, mariadb-install-db and mysqlclient are there and is skipped
otherwise; CLINIC_MARIADBD_TESTS=1 (CI) turns a missing tool into a failure.
"""

import os
import secrets

import pytest

from clinic.tests import app_process, mariadb

pytestmark = [pytest.mark.mariadbd, pytest.mark.slow]

APP_USER, DATABASE = "clinic_app", "clinic_app"
PAGE = "/appointments/"  # the board: the session, the signed-in user and the page's own reads


@pytest.fixture(scope="module")
def database():
    """The private MariaDB with the project's schema and a signed-in receptionist: (server, the
    DATABASE_URL, the session key)."""
    lacking = mariadb.missing()
    if lacking:
        message = f"starts its own MariaDB; this machine lacks: {', '.join(lacking)}"
        if os.environ.get("CLINIC_MARIADBD_TESTS") == "1":
            pytest.fail(message)
        pytest.skip(message)
    with mariadb.running(prefix="clinic-restart-") as server:
        password = secrets.token_urlsafe(16)
        server.admin(f"CREATE DATABASE `{DATABASE}` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci")
        server.admin(f"CREATE USER '{APP_USER}'@'%%' IDENTIFIED BY %s", password)
        server.admin(f"GRANT ALL PRIVILEGES ON `{DATABASE}`.* TO '{APP_USER}'@'%'")
        url = f"mysql://{APP_USER}:{password}@127.0.0.1:{server.port}/{DATABASE}?charset=utf8mb4"
        app_process.manage("migrate", "--no-input", "-v", "0", DATABASE_URL=url)
        yield server, url, app_process.signed_in("resepsionis_restart", DATABASE_URL=url)


@pytest.fixture
def servers(tmp_path):
    servers = app_process.Servers(tmp_path)
    yield servers
    servers.stop_all()


def app_connections(server) -> int:
    return server.admin("SELECT COUNT(*) FROM information_schema.PROCESSLIST WHERE USER = %s", APP_USER)[0][0]


@pytest.mark.parametrize("health_checks", [True, False], ids=["health-checks", "no-health-checks"])
def test_no_page_fails_once_a_restarted_database_answers_again(database, servers, health_checks):
    server, url, session_key = database
    port = servers.start(
        threads=False, DATABASE_URL=url, CONN_MAX_AGE="60", CONN_HEALTH_CHECKS=str(health_checks).lower()
    )

    def page() -> int:
        return app_process.request(port, PAGE, cookies={"sessionid": session_key}).status

    assert [page() for _ in range(3)] == [200, 200, 200]
    assert app_connections(server) == 1  # kept between requests, not opened for each

    server.restart()  # returns once the database answers again

    after = [page() for _ in range(5)]
    if health_checks:
        assert after == [200] * 5
    else:
        # The dead connection fails the first page (the error pages answer a database that does
        # not answer with 503, core.views.server_error); the error makes Django close it.
        assert after == [503] + [200] * 4
