"""Sessions, the cache and the database connections, as each settings module makes them from the
environment (evaluated in a fresh interpreter, as clinic/tests/test_settings.py does)."""

import json

from clinic.tests.test_settings import GOOD_KEY, PRODUCTION, SHARED_CACHE, run_python

HOST = "klinik.example.co.id"
BASE = "clinic.settings.base"


def settings_of(module, **env_vars) -> dict:
    code = f"""
import importlib, json
s = importlib.import_module({module!r})
default = s.DATABASES["default"]
print(json.dumps({{
    "CACHE": s.CACHES["default"],
    "SESSION_ENGINE": s.SESSION_ENGINE,
    "CONN_MAX_AGE": default["CONN_MAX_AGE"],
    "CONN_HEALTH_CHECKS": default["CONN_HEALTH_CHECKS"],
    "REPLICAS": {{alias: [config["CONN_MAX_AGE"], config["CONN_HEALTH_CHECKS"]]
                 for alias, config in s.DATABASES.items() if alias != "default"}},
}}))
"""
    if module == PRODUCTION:
        env_vars = {"SECRET_KEY": GOOD_KEY, "ALLOWED_HOSTS": HOST, **env_vars}
    result = run_python(code, **env_vars)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def deploy_check(**env_vars):
    return run_python(
        "from django.core.management import execute_from_command_line\n"
        "execute_from_command_line(['manage.py', 'check', '--deploy', '--fail-level', 'WARNING'])\n",
        DJANGO_SETTINGS_MODULE=PRODUCTION,
        SECRET_KEY=GOOD_KEY,
        ALLOWED_HOSTS=HOST,
        **env_vars,
    )


def test_it_keeps_sessions_in_the_database_read_through_the_cache():
    assert settings_of(BASE)["SESSION_ENGINE"] == "core.sessions"  # cached_db (core/sessions.py)
    assert settings_of(PRODUCTION)["SESSION_ENGINE"] == "core.sessions"  # cached_db (core/sessions.py)


def test_it_caches_in_each_processs_memory_without_a_cache_url():
    assert settings_of(BASE)["CACHE"] == {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}


def test_it_uses_djangos_redis_cache_for_redis_url():
    cache = settings_of(BASE, REDIS_URL="redis://:s3cret@10.0.0.5:6379/2?key_prefix=klinik&timeout=600")["CACHE"]
    assert cache["BACKEND"] == "django.core.cache.backends.redis.RedisCache"
    assert cache["LOCATION"] == "redis://:s3cret@10.0.0.5:6379/2"
    # In capitals, as Django reads them (django-environ gives them in small letters here).
    assert (cache["KEY_PREFIX"], cache["TIMEOUT"]) == ("klinik", 600)


def test_it_prefers_cache_url_to_redis_url():
    cache = settings_of(BASE, CACHE_URL="rediss://cache.example:6380/0", REDIS_URL="redis://127.0.0.1:6379/0")["CACHE"]
    assert cache == {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": "rediss://cache.example:6380/0",
    }


def test_it_closes_connections_after_each_request_outside_production():
    s = settings_of(BASE)
    assert (s["CONN_MAX_AGE"], s["CONN_HEALTH_CHECKS"]) == (0, True)


def test_it_keeps_connections_with_health_checks_in_production():
    s = settings_of(PRODUCTION, DATABASE_REPLICA_URLS="mysql://clinic:secret@10.0.0.12:3306/clinic")
    assert (s["CONN_MAX_AGE"], s["CONN_HEALTH_CHECKS"]) == (60, True)
    assert s["REPLICAS"] == {"replica_1": [60, True]}


def test_it_lets_the_environment_tune_the_connections_in_production():
    s = settings_of(PRODUCTION, CONN_MAX_AGE="0", CONN_HEALTH_CHECKS="false")
    assert (s["CONN_MAX_AGE"], s["CONN_HEALTH_CHECKS"]) == (0, False)


def test_its_deployment_checks_ask_for_a_shared_session_cache():
    result = deploy_check()
    assert result.returncode != 0
    assert "accounts.W001" in result.stderr + result.stdout

    assert deploy_check(**SHARED_CACHE).returncode == 0
