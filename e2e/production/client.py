"""A small HTTPS client for the smoke test: verifies the stack's self-signed certificate, keeps
cookies, can connect from another loopback address (127.0.0.x) and send any header."""

from __future__ import annotations

import http.client
import re
import ssl
from dataclasses import dataclass
from http.cookies import SimpleCookie
from urllib.parse import urlencode


@dataclass
class Response:
    status: int
    headers: http.client.HTTPMessage
    body: str

    def header(self, name: str) -> str:
        return self.headers.get(name, "")


class Client:
    def __init__(self, production, *, source: str = "127.0.0.1"):
        self.host = "localhost"
        self.port = production.https_port
        self.http_port = production.http_port
        self.source = source
        self.context = ssl.create_default_context(cafile=str(production.certificate))
        self.cookies: dict[str, str] = {}

    def request(self, method: str, path: str, *, body: dict | None = None, headers: dict | None = None) -> Response:
        # To 127.0.0.1 (nginx listens there only; "localhost" may resolve to ::1 first); the
        # certificate names 127.0.0.1 too, and Host says localhost.
        connection = http.client.HTTPSConnection(
            "127.0.0.1", self.port, context=self.context, timeout=30, source_address=(self.source, 0)
        )
        outgoing = {"Host": f"{self.host}:{self.port}", **(headers or {})}
        if self.cookies:
            outgoing["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        data = None
        if body is not None:
            data = urlencode(body)
            outgoing["Content-Type"] = "application/x-www-form-urlencoded"
            outgoing["Origin"] = f"https://{self.host}:{self.port}"
            outgoing["Referer"] = f"https://{self.host}:{self.port}{path}"
        try:
            connection.request(method, path, body=data, headers=outgoing)
            response = connection.getresponse()
            text = response.read().decode("utf-8", errors="replace")
        finally:
            connection.close()
        for header in response.headers.get_all("Set-Cookie") or []:
            cookie = SimpleCookie()
            cookie.load(header)
            for name, morsel in cookie.items():
                self.cookies[name] = morsel.value
        return Response(response.status, response.headers, text)

    def get(self, path: str, **kwargs) -> Response:
        return self.request("GET", path, **kwargs)

    def post(self, path: str, body: dict, **kwargs) -> Response:
        return self.request("POST", path, body=body, **kwargs)

    def log_in(self, username: str, password: str) -> Response:
        page = self.get("/accounts/login/")
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.body)
        assert token, "no CSRF token on the login page"
        response = self.post(
            "/accounts/login/",
            {"csrfmiddlewaretoken": token[1], "username": username, "password": password},
        )
        assert response.status == 302, f"login refused ({response.status})"
        return response

    def plain_http(self, path: str) -> Response:
        connection = http.client.HTTPConnection("127.0.0.1", self.http_port, timeout=30)
        try:
            connection.request("GET", path, headers={"Host": self.host})
            response = connection.getresponse()
            return Response(response.status, response.headers, response.read().decode("utf-8", errors="replace"))
        finally:
            connection.close()
