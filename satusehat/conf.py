"""SATUSEHAT's settings, read in one place (docs/satusehat.md, README "SATUSEHAT").

SATUSEHAT_ENV picks the platform: off (nothing is queued or sent), mock (the local mock of
`make satusehat-mock`), staging or production. The hosts default to the platform's published
ones; SATUSEHAT_AUTH_URL and SATUSEHAT_BASE_URL override them (the tests point them at a mock on
a free port). The client secret comes only from the environment and is never logged."""

from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

ENVIRONMENTS = ("off", "mock", "staging", "production")
HOSTS = {
    "mock": "http://127.0.0.1:8090",
    "staging": "https://api-satusehat-stg.dto.kemkes.go.id",
    "production": "https://api-satusehat.kemkes.go.id",
}


@dataclass(frozen=True)
class Config:
    env: str
    auth_url: str
    base_url: str
    client_id: str
    client_secret: str
    organization_id: str
    timeout: float
    max_attempts: int
    retry_base_seconds: float
    claim_seconds: float

    @property
    def enabled(self) -> bool:
        return self.env != "off"

    @property
    def token_url(self) -> str:
        return f"{self.auth_url}/oauth2/v1/accesstoken"

    @property
    def fhir_url(self) -> str:
        return f"{self.base_url}/fhir-r4/v1"

    def __repr__(self) -> str:  # never print the secret
        return f"Config(env={self.env!r}, base_url={self.base_url!r}, organization_id={self.organization_id!r})"


def config() -> Config:
    env = settings.SATUSEHAT_ENV
    if env not in ENVIRONMENTS:
        raise ImproperlyConfigured(f"SATUSEHAT_ENV must be one of {', '.join(ENVIRONMENTS)}, not {env!r}.")
    host = HOSTS.get(env, "")
    return Config(
        env=env,
        auth_url=(settings.SATUSEHAT_AUTH_URL or host).rstrip("/"),
        base_url=(settings.SATUSEHAT_BASE_URL or host).rstrip("/"),
        client_id=settings.SATUSEHAT_CLIENT_ID,
        client_secret=settings.SATUSEHAT_CLIENT_SECRET,
        organization_id=settings.SATUSEHAT_ORGANIZATION_ID,
        timeout=settings.SATUSEHAT_TIMEOUT,
        max_attempts=settings.SATUSEHAT_MAX_ATTEMPTS,
        retry_base_seconds=settings.SATUSEHAT_RETRY_BASE_SECONDS,
        claim_seconds=settings.SATUSEHAT_CLAIM_SECONDS,
    )
