"""The HTTP client of SATUSEHAT: OAuth2 client credentials, the FHIR base, TLS always verified.

The access token lives in Django's cache (shared by every process of the clinic: Redis in
production), until shortly before it expires. When the platform refuses a token (401), the
process that holds the renewal lock fetches one new token; the others wait for it in the cache:
one renewal for all processes. The client secret is sent only in the token request's form body
and never logged."""

import logging
import time

import httpx
from django.core.cache import cache

from satusehat.conf import Config

logger = logging.getLogger(__name__)

TOKEN_KEY = "satusehat:token:{env}"
LOCK_KEY = "satusehat:token-lock:{env}"
LOCK_SECONDS = 30
# The token is thrown away this long before the platform says it expires (at most a tenth of
# its life for short-lived tokens).
EXPIRY_MARGIN = 60


class PlatformError(Exception):
    """An answer that is not a success. `retryable`: worth trying again later (timeouts,
    connection errors, 429, 5xx); otherwise the request will fail the same way."""

    def __init__(self, message: str, *, status: int | None = None, outcome: dict | None = None, retryable: bool):
        super().__init__(message)
        self.status = status
        self.outcome = outcome
        self.retryable = retryable
        self.message = message


def outcome_message(outcome: dict | None) -> str:
    """The OperationOutcome's own words: each issue's diagnostics or details, joined."""
    if not isinstance(outcome, dict):
        return ""
    parts = []
    for issue in outcome.get("issue") or []:
        text = issue.get("diagnostics") or (issue.get("details") or {}).get("text") or issue.get("code") or ""
        if issue.get("expression"):
            text = f"{text} ({', '.join(issue['expression'])})"
        if text:
            parts.append(text)
    return "; ".join(parts)


class SatusehatClient:
    def __init__(self, config: Config, *, transport: httpx.BaseTransport | None = None):
        self.config = config
        # verify=True always: no setting turns certificate checks off.
        self.http = httpx.Client(timeout=config.timeout, verify=True, transport=transport)
        self.token_requests = 0  # how many tokens this client fetched (the tests' and logs' figure)

    def close(self) -> None:
        self.http.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    # --- the token ---------------------------------------------------------------------------

    @property
    def _token_key(self) -> str:
        return TOKEN_KEY.format(env=self.config.env)

    def token(self) -> str:
        token = cache.get(self._token_key)
        return token if token else self._renew(stale=None)

    def _renew(self, *, stale: str | None) -> str:
        """A new token, fetched by one process at a time. `stale` is the token the platform just
        refused: when the cache already holds another, someone renewed it meanwhile."""
        lock = LOCK_KEY.format(env=self.config.env)
        deadline = time.monotonic() + LOCK_SECONDS
        while True:
            current = cache.get(self._token_key)
            if current and current != stale:
                return current
            if cache.add(lock, "1", LOCK_SECONDS):
                try:
                    current = cache.get(self._token_key)
                    if current and current != stale:
                        return current
                    return self._fetch_token()
                finally:
                    cache.delete(lock)
            if time.monotonic() > deadline:
                return self._fetch_token()
            time.sleep(0.05)

    def _fetch_token(self) -> str:
        self.token_requests += 1
        try:
            response = self.http.post(
                self.config.token_url,
                params={"grant_type": "client_credentials"},
                data={"client_id": self.config.client_id, "client_secret": self.config.client_secret},
            )
        except httpx.TransportError as error:
            raise PlatformError(f"token: {type(error).__name__}", retryable=True) from error
        if response.status_code != 200:
            body = _json(response)
            message = outcome_message(body) or (body or {}).get("error_description") or response.text[:300]
            raise PlatformError(
                f"token: HTTP {response.status_code} {message}",
                status=response.status_code,
                outcome=body if isinstance(body, dict) else None,
                retryable=response.status_code == 429 or response.status_code >= 500,
            )
        body = response.json()
        token = body["access_token"]
        lifetime = int(body.get("expires_in", 3599))
        margin = min(EXPIRY_MARGIN, lifetime // 10)
        cache.set(self._token_key, token, max(lifetime - margin, 1))
        logger.info("SATUSEHAT token renewed (%s s)", lifetime)
        return token

    # --- requests ----------------------------------------------------------------------------

    def request(self, method: str, path: str, **kwargs) -> dict:
        """A FHIR request; its JSON answer, or PlatformError. A refused token is renewed once."""
        url = f"{self.config.fhir_url}/{path.lstrip('/')}" if path else self.config.fhir_url
        token = self.token()
        for attempt in (1, 2):
            try:
                response = self.http.request(
                    method,
                    url,
                    headers={"Authorization": f"Bearer {token}", "Accept": "application/fhir+json"},
                    **kwargs,
                )
            except httpx.TimeoutException as error:
                raise PlatformError(f"{method} {path}: timeout", retryable=True) from error
            except httpx.TransportError as error:
                raise PlatformError(f"{method} {path}: {type(error).__name__}", retryable=True) from error
            if response.status_code == 401 and attempt == 1:
                token = self._renew(stale=token)
                continue
            break
        body = _json(response)
        if response.status_code >= 400:
            message = outcome_message(body) or response.text[:500]
            raise PlatformError(
                f"HTTP {response.status_code}: {message}",
                status=response.status_code,
                outcome=body if isinstance(body, dict) and body.get("resourceType") == "OperationOutcome" else None,
                retryable=response.status_code in (401, 408, 429) or response.status_code >= 500,
            )
        return body or {}

    def find_by_nik(self, resource_type: str, nik: str) -> str | None:
        """The platform's id of the Patient or Practitioner with this NIK, or None."""
        bundle = self.request("GET", resource_type, params={"identifier": f"https://fhir.kemkes.go.id/id/nik|{nik}"})
        for entry in bundle.get("entry") or []:
            resource = entry.get("resource") or {}
            if resource.get("resourceType") == resource_type and resource.get("id"):
                return resource["id"]
        return None

    def transaction(self, bundle: dict) -> dict:
        """POSTs a transaction Bundle to the FHIR base; the transaction-response Bundle."""
        return self.request("POST", "", json=bundle)


def _json(response: httpx.Response):
    try:
        return response.json()
    except ValueError:
        return None
