"""A minimal HTTP "browser" for tests that talk to a real server (live_server, gunicorn): it
keeps its cookies, sends the CSRF token with every POST and follows no redirect, so a test sees
each redirect (e.g. back to the login page) as it happens."""

import http.cookiejar
import re
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass, field

CSRF_INPUT = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


@dataclass
class Page:
    status: int
    headers: dict = field(default_factory=dict)
    body: str = ""

    @property
    def location(self) -> str:
        return self.headers.get("Location", "")


class Browser:
    def __init__(self, base_url: str):
        self.base_url = base_url.rstrip("/")
        self.cookies = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.cookies), _NoRedirect)
        self.csrf_token = ""

    def _open(self, request: urllib.request.Request) -> Page:
        try:
            with self.opener.open(request, timeout=60) as response:
                page = Page(response.status, dict(response.headers), response.read().decode("utf-8", "replace"))
        except urllib.error.HTTPError as error:
            page = Page(error.code, dict(error.headers), error.read().decode("utf-8", "replace"))
        match = CSRF_INPUT.search(page.body)
        if match:
            self.csrf_token = match.group(1)
        return page

    def get(self, path: str, headers: dict | None = None) -> Page:
        return self._open(urllib.request.Request(self.base_url + path, headers=headers or {}))

    def post(self, path: str, data: dict, headers: dict | None = None) -> Page:
        body = urllib.parse.urlencode({"csrfmiddlewaretoken": self.csrf_token, **data}).encode()
        outgoing = urllib.request.Request(
            self.base_url + path,
            data=body,
            method="POST",
            headers={"Referer": self.base_url + path, **(headers or {})},
        )
        return self._open(outgoing)

    def log_in(self, username: str, password: str) -> Page:
        self.get("/accounts/login/")
        return self.post("/accounts/login/", {"username": username, "password": password})
