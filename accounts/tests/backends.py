"""The lockout backend of the test settings (clinic/settings/test.py).

django-axes needs the request to count failures, and refuses an authenticate() call without
one. Django's test client `client.login()` calls authenticate() without a request; this
subclass lets such calls through to the next backend unchecked, and checks every call that has
a request (the login page, the admin login) exactly as axes.backends.AxesStandaloneBackend does
in production — the lockout tests go through the login page."""

from axes.backends import AxesStandaloneBackend


class TestClientAwareAxesBackend(AxesStandaloneBackend):
    def authenticate(self, request, username=None, password=None, **kwargs):
        if request is None:
            return None
        return super().authenticate(request, username=username, password=password, **kwargs)
