"""Rules that hold on every request of a signed-in user: the session limits, the second factor,
and no caching of pages with patient data (README.md, "Security").

Session limits: a session ends SESSION_IDLE_TIMEOUT_MINUTES after the last activity and
SESSION_ABSOLUTE_HOURS after logging in. Both clocks start at login (the receiver below, so a
test's force_login starts them too). The last activity is written at most once a minute: a
session is not saved on every click, and the limit is exact to within that minute.

Polling does not count as activity: the board and the doctor's queue refresh themselves every
30 seconds and would otherwise keep an unattended screen signed in for ever. The polling elements
send the header `X-Clinic-Poll: 1` (hx-headers in their templates); a GET carrying it is not
activity. A click on a button inside them is a POST, and counts.
"""

import time
from importlib import import_module
from urllib.parse import urlsplit

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import SESSION_KEY, logout, user_logged_in
from django.contrib.auth.views import redirect_to_login
from django.contrib.sessions.backends.db import SessionStore as DatabaseSessionStore
from django.db.models.signals import post_save
from django.dispatch import receiver
from django.http import HttpResponse
from django.shortcuts import redirect
from django.urls import Resolver404, resolve, reverse
from django.utils import timezone
from django.utils.cache import add_never_cache_headers
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django_otp import user_has_device

from accounts.models import User

LOGIN_AT = "clinic_login_at"
LAST_ACTIVITY = "clinic_last_activity"
HAS_OTP_DEVICE = "clinic_has_otp_device"
ACTIVITY_RESOLUTION = 60  # seconds
POLL_HEADER = "X-Clinic-Poll"

# Pages an unverified user may still open: the second-factor pages themselves, logging out, and
# the language switch.
OTP_EXEMPT = {"accounts:otp_verify", "accounts:otp_setup", "accounts:logout", "set_language"}


def now() -> float:
    """The clock of the session rules (tests move it)."""
    return time.time()


def is_poll(request) -> bool:
    return request.method == "GET" and request.headers.get(POLL_HEADER) == "1"


def _redirect(request, url: str) -> HttpResponse:
    """A redirect that also works for htmx: its requests follow a 302 inside the element they
    swap, so they get HX-Redirect, and the browser loads the whole page."""
    if request.headers.get("HX-Request") == "true":
        response = HttpResponse(status=204)
        response["HX-Redirect"] = url
        return response
    return redirect(url)


def _current_path(request) -> str:
    """The page the user is on: for an htmx request the page around the element (HX-Current-URL),
    not the partial it asked for."""
    current = request.headers.get("HX-Current-URL") if request.headers.get("HX-Request") else None
    if current:
        parts = urlsplit(current)
        return parts.path + (f"?{parts.query}" if parts.query else "")
    return request.get_full_path()


@receiver(user_logged_in, dispatch_uid="accounts_start_session_clock")
def start_session_clock(sender, request, user, **kwargs):
    session = getattr(request, "session", None)
    if session is None:
        return
    started = int(now())
    session[LOGIN_AT] = started
    session[LAST_ACTIVITY] = started
    # Whether this user must give a TOTP code: asked once here, not on every request.
    session[HAS_OTP_DEVICE] = user_has_device(user, confirmed=True)


@receiver(post_save, sender=User, dispatch_uid="accounts_end_sessions_of_deactivated_user")
def end_sessions_of_deactivated_user(sender, instance, created, update_fields=None, **kwargs):
    """Deactivating a user ends their sessions at once (accounts.policy.requires and
    SessionTimeoutMiddleware also end a deactivated user's session on their next request, whatever
    the session store)."""
    if created or instance.is_active:
        return
    if update_fields is not None and "is_active" not in update_fields:
        return
    end_sessions_of(instance)


def end_sessions_of(user) -> int:
    """Ends every session of `user` and returns how many there were. Each is deleted through the
    session store, which removes the database row and, with cached_db, the cached copy every
    process reads first. A store without database rows (cache, signed cookies) cannot be searched:
    there the next request ends the session (SessionTimeoutMiddleware, accounts.policy.requires)."""
    store = import_module(settings.SESSION_ENGINE).SessionStore
    if not issubclass(store, DatabaseSessionStore):
        return 0
    user_id = str(user.pk)
    ended = [
        session.session_key
        for session in store.get_model_class().objects.filter(expire_date__gt=timezone.now()).iterator()
        if str(session.get_decoded().get(SESSION_KEY)) == user_id
    ]
    for session_key in ended:
        store(session_key).delete()
    return len(ended)


class NoStoreMiddleware:
    """Cache-Control: no-store (and private, no-cache) on every response to a signed-in user:
    every staff page, partial and PDF shows patient data."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            add_never_cache_headers(response)
        return response


class SessionTimeoutMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.user.is_authenticated:
            ended = self.check_limits(request)
            if ended is not None:
                return ended
        elif SESSION_KEY in request.session:
            # The session of a user who can no longer sign in (deactivated): end it.
            request.session.flush()
        return self.get_response(request)

    def check_limits(self, request):
        session = request.session
        moment = now()
        login_at = session.get(LOGIN_AT)
        last_activity = session.get(LAST_ACTIVITY)
        if login_at is None or last_activity is None:  # a session from before these rules
            session[LOGIN_AT] = login_at or int(moment)
            session[LAST_ACTIVITY] = int(moment)
            return None
        if moment - login_at > settings.SESSION_ABSOLUTE_HOURS * 3600:
            return self.end(
                request,
                _("You were signed out %(hours)d hours after logging in. Please log in again.")
                % {"hours": settings.SESSION_ABSOLUTE_HOURS},
            )
        if moment - last_activity > settings.SESSION_IDLE_TIMEOUT_MINUTES * 60:
            return self.end(
                request,
                _("You were signed out after %(minutes)d minutes without activity. Please log in again.")
                % {"minutes": settings.SESSION_IDLE_TIMEOUT_MINUTES},
            )
        if not is_poll(request) and moment - last_activity >= ACTIVITY_RESOLUTION:
            session[LAST_ACTIVITY] = int(moment)
        return None

    def end(self, request, message: str) -> HttpResponse:
        next_path = _current_path(request)
        logout(request)
        messages.info(request, message)
        return _redirect(request, redirect_to_login(next_path).url)


class OTPRequiredMiddleware:
    """Asks for the TOTP code of a user who set one up, and of every Admin when
    OTP_REQUIRED_FOR_ADMIN is on (an Admin without a device is sent to set one up first), before
    any other page: the staff pages and the Django admin alike."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = request.user
        if user.is_authenticated and not user.is_verified():
            target = self.second_factor_page(request, user)
            if target is not None:
                return target
        return self.get_response(request)

    def second_factor_page(self, request, user):
        has_device = request.session.get(HAS_OTP_DEVICE)
        if has_device is None:
            has_device = request.session[HAS_OTP_DEVICE] = user_has_device(user, confirmed=True)
        required = settings.OTP_REQUIRED_FOR_ADMIN and getattr(user, "is_admin_role", False)
        if not (has_device or required):
            return None
        try:
            view_name = resolve(request.path_info).view_name
        except Resolver404:
            return None
        if view_name in OTP_EXEMPT:
            return None
        page = "accounts:otp_verify" if has_device else "accounts:otp_setup"
        return _redirect(request, f"{reverse(page)}?{urlencode({'next': _current_path(request)})}")
