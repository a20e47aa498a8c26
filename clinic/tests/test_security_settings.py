"""The security settings every real environment gets from clinic/settings/base.py (the test
settings override some of them for speed)."""

import datetime

from django.conf import settings

from clinic.settings import base


def test_it_hashes_passwords_with_argon2_in_every_real_environment():
    # The test settings use MD5 for speed; base and production use Argon2 first.
    assert base.PASSWORD_HASHERS[0] == "django.contrib.auth.hashers.Argon2PasswordHasher"


def test_it_checks_every_login_through_the_lockout_backend_first():
    assert base.AUTHENTICATION_BACKENDS[0] == "axes.backends.AxesStandaloneBackend"
    assert base.MIDDLEWARE[-1] == "axes.middleware.AxesMiddleware"
    assert settings.AXES_ENABLED is True
    assert settings.AXES_LOCKOUT_PARAMETERS == ["username"]
    assert (settings.AXES_FAILURE_LIMIT, settings.AXES_COOLOFF_TIME) == (5, datetime.timedelta(minutes=15))
    assert settings.AXES_RESET_ON_SUCCESS is True
