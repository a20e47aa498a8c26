"""Sessions on a shared cache end in every process: with cached_db sessions on Redis, a session
that app process A has read (and so cached) is refused by A as soon as process B logs it out,
deactivates its user or resets the user's second factor (`manage.py otp_reset`).

The processes are `manage.py runserver` and `manage.py` commands on one SQLite file and one
Redis database (db 15 of 127.0.0.1:6379, or REDIS_URL), under a key prefix of this run, whose
keys are removed afterwards. Without Redis answering, the tests are skipped with the reason
(CI starts it: `redis-server --daemonize yes --bind 127.0.0.1 --port 6379 --save "" --appendonly no`).

The same processes with each its own cache in memory (no REDIS_URL) show why production needs the
shared one (`check --deploy` warns, accounts.W001): A still serves the session B ended.
"""

import os
import secrets
from itertools import count

import pytest

from clinic.tests import app_process

pytestmark = [pytest.mark.redis, pytest.mark.slow]

PAGE = "/appointments/"
LOGIN = "/accounts/login/"
DEFAULT_REDIS = "redis://127.0.0.1:6379/15"
_usernames = (f"resepsionis_{number}" for number in count(1))


@pytest.fixture(scope="module")
def redis_url():
    """The Redis database of these tests, with a key prefix of this run; its keys go afterwards."""
    import redis

    url = os.environ.get("REDIS_URL") or DEFAULT_REDIS
    client = redis.Redis.from_url(url, socket_connect_timeout=1, socket_timeout=5)
    try:
        client.ping()
    except redis.RedisError as error:
        pytest.skip(f"needs Redis at {url} ({error}); start it or set REDIS_URL")
    prefix = f"clinic-test-{secrets.token_hex(6)}"
    yield f"{url}{'&' if '?' in url else '?'}key_prefix={prefix}"
    for key in client.scan_iter(match=f"{prefix}:*"):
        client.delete(key)
    client.close()


@pytest.fixture(scope="module")
def database_url(tmp_path_factory):
    url = f"sqlite:///{tmp_path_factory.mktemp('sessions') / 'db.sqlite3'}"
    app_process.manage("migrate", "--no-input", "-v", "0", DATABASE_URL=url)
    return url


@pytest.fixture(scope="module")
def cluster(tmp_path_factory, database_url, redis_url):
    """Two app servers A and B and the environment of a command in a third process, all on the
    same database and the same Redis."""
    servers = app_process.Servers(tmp_path_factory.mktemp("servers"))
    env = {"DATABASE_URL": database_url, "CACHE_URL": redis_url}
    yield servers.start(**env), servers.start(**env), env
    servers.stop_all()


@pytest.fixture(scope="module")
def local_caches(tmp_path_factory, database_url):
    """The same, each process with its own cache in memory."""
    servers = app_process.Servers(tmp_path_factory.mktemp("local"))
    env = {"DATABASE_URL": database_url}
    yield servers.start(**env), servers.start(**env), env
    servers.stop_all()


def status(port, session_key) -> int:
    response = app_process.request(port, PAGE, cookies={"sessionid": session_key})
    assert response.status in (200, 302), response.status
    assert response.status == 200 or response.location.startswith(LOGIN)
    return response.status


def log_out(port, session_key):
    """Logs out through the page's own form: the CSRF cookie from a page, then the POST."""
    token = app_process.request(port, PAGE, cookies={"sessionid": session_key}).cookie("csrftoken")
    assert token
    response = app_process.request(
        port,
        "/accounts/logout/",
        method="POST",
        cookies={"sessionid": session_key, "csrftoken": token},
        headers={"X-CSRFToken": token},
    )
    assert response.status == 302, response.status


def deactivate(username, env):
    app_process.manage(
        "shell",
        "-c",
        (
            "from accounts.models import User\n"
            f"user = User.objects.get(username={username!r})\n"
            "user.is_active = False\n"
            "user.save(update_fields=['is_active'])\n"
        ),
        **env,
    )


def signed_in_on_a(a, env) -> tuple[str, str]:
    """A new user's session, read by A (so in its cache): (username, session key)."""
    username = next(_usernames)
    session_key = app_process.signed_in(username, **env)
    assert status(a, session_key) == 200
    assert status(a, session_key) == 200
    return username, session_key


def test_a_logout_in_one_process_ends_the_session_in_the_others(cluster):
    a, b, env = cluster
    _username, session_key = signed_in_on_a(a, env)
    log_out(b, session_key)
    assert status(a, session_key) == 302


def test_deactivating_a_user_in_one_process_ends_their_session_in_the_others(cluster):
    a, _b, env = cluster
    username, session_key = signed_in_on_a(a, env)
    deactivate(username, env)
    assert status(a, session_key) == 302


def test_otp_reset_in_one_process_ends_the_session_in_the_others(cluster):
    a, _b, env = cluster
    username, session_key = signed_in_on_a(a, env)
    # The user stays active and their password unchanged: only the ended session refuses them.
    app_process.manage("otp_reset", username, **env)
    assert status(a, session_key) == 302


def test_with_a_cache_in_each_process_a_logout_elsewhere_would_leave_the_session_alive(local_caches):
    a, b, env = local_caches
    _username, session_key = signed_in_on_a(a, env)
    log_out(b, session_key)
    assert status(b, session_key) == 302
    assert status(a, session_key) == 200  # A's own copy: why production needs the shared cache
