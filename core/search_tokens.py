"""Searches whose words never appear in a URL.

A patient search may be a NIK, a phone number or an email. In a query string (`?q=...`) it
lands in the web server's access log, in the login page's `next=` after a session timeout and
in the browser's history. So a search is POSTed (with its CSRF token), its parameters are kept
in the user's session under a short random token, encrypted with the field keys
(core/crypto.py: the session rows are in every backup too), and the page's URL carries only
`?s=<token>`: pagination, reload and the back button work on that.

A token lives SEARCH_TOKEN_MINUTES and only in the session that made it (logging out or a timeout
ends it); a session keeps the newest SEARCH_TOKENS_KEPT of them.
"""

from __future__ import annotations

import json
import secrets
import time

from django.utils.http import urlencode

from core import crypto

SESSION_KEY = "clinic_searches"
PARAMETER = "s"
SEARCH_TOKEN_MINUTES = 60
SEARCH_TOKENS_KEPT = 20


def now() -> float:
    """The clock of the tokens (tests move it)."""
    return time.time()


def remember(request, params: dict[str, str]) -> str:
    """Keeps `params` in the session; the token that names them ("" when there is nothing to keep)."""
    params = {key: value for key, value in params.items() if value}
    if not params:
        return ""
    token = secrets.token_urlsafe(12)
    moment = int(now())
    kept = {
        key: entry
        for key, entry in request.session.get(SESSION_KEY, {}).items()
        if moment - entry[0] <= SEARCH_TOKEN_MINUTES * 60
    }
    kept[token] = [moment, crypto.encrypt(json.dumps(params, ensure_ascii=False))]
    newest = sorted(kept.items(), key=lambda item: item[1][0])[-SEARCH_TOKENS_KEPT:]
    request.session[SESSION_KEY] = dict(newest)
    return token


def recall(request, token: str | None = None) -> dict[str, str] | None:
    """The parameters kept under `token` (by default the request's `?s=`): None when there is no
    token; {} when it is unknown or expired."""
    if token is None:
        token = request.GET.get(PARAMETER, "")
    if not token:
        return None
    entry = request.session.get(SESSION_KEY, {}).get(token)
    if not entry or now() - entry[0] > SEARCH_TOKEN_MINUTES * 60:
        return {}
    try:
        params = json.loads(crypto.decrypt(entry[1], label="a kept search"))
    except (crypto.DecryptionError, ValueError):
        return {}
    return {str(key): str(value) for key, value in params.items()} if isinstance(params, dict) else {}


def query_string(token: str, **extra) -> str:
    """`?s=<token>` (and `extra`), or "" without a token and extras."""
    params = {PARAMETER: token, **extra} if token else dict(extra)
    params = {key: value for key, value in params.items() if value not in (None, "")}
    return f"?{urlencode(params)}" if params else ""
