import base64
from base64 import b32encode

import qrcode
import qrcode.image.svg
from axes.handlers.proxy import AxesProxyHandler
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login, user_login_failed
from django.contrib.auth import views as auth_views
from django.db import transaction
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST
from django_otp import login as otp_login
from django_otp import verify_token
from django_otp.oath import TOTP
from django_otp.util import random_hex

from accounts.backends import ClinicModelBackend
from accounts.forms import LockedLoginForm, LoginForm, TokenForm
from accounts.middleware import HAS_OTP_DEVICE
from accounts.models import ClinicTOTPDevice
from accounts.policy import ADMIN, requires
from core import crypto

# The form of a locked username's way in, for the lockout page (AxesMiddleware renders it again).
LOCKED_FORM = "clinic_locked_login_form"
# The secret of an authenticator being set up, until its first code confirms it.
SETUP_KEY = "clinic_otp_setup_key"


class LoginView(auth_views.LoginView):
    template_name = "accounts/login.html"
    authentication_form = LoginForm
    redirect_authenticated_user = True


class LogoutView(auth_views.LogoutView):
    pass


def home(request):
    """Each role lands on its own page."""
    user = request.user
    if not user.is_authenticated:
        return redirect("accounts:login")
    if user.is_doctor:
        return redirect("records:queue")
    if user.role == ADMIN:
        return redirect("dashboard")
    if user.is_pharmacist:
        return redirect("pharmacy:queue")
    return redirect("scheduling:board")


def _next_url(request) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    # A path on this site only: redirect() reads anything without a "/" or "." as a URL name, and
    # next=abc was a 500 (NoReverseMatch).
    if target.startswith("/") and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return settings.LOGIN_REDIRECT_URL


def _device_of(user) -> ClinicTOTPDevice | None:
    """The user's confirmed authenticator, its secret read from TOTPSecret (encrypted)."""
    return ClinicTOTPDevice.objects.devices_for_user(user, confirmed=True).first()


def _otp_required(user) -> bool:
    return settings.OTP_REQUIRED_FOR_ADMIN and user.is_admin_role


def _qr_svg_data_uri(text: str) -> str:
    """The QR code as an SVG data: URI, for an <img> (CSP allows data: images, not inline SVG
    styles); drawn here, no outside service."""
    image = qrcode.make(text, image_factory=qrcode.image.svg.SvgPathImage, box_size=8)
    return "data:image/svg+xml;base64," + base64.b64encode(image.to_string()).decode("ascii")


@requires("accounts.two_step")
def otp_verify(request):
    """The second step of logging in: the code of the user's authenticator app."""
    user = request.user
    if user.is_verified():
        return redirect(_next_url(request))
    device = _device_of(user)
    if device is None:
        request.session[HAS_OTP_DEVICE] = False
        if _otp_required(user):
            return redirect(f"{reverse('accounts:otp_setup')}?{urlencode({'next': _next_url(request)})}")
        return redirect(_next_url(request))
    form = TokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        allowed, _details = device.verify_is_allowed()
        if not allowed:
            form.add_error("token", _("Too many wrong codes. Wait a moment, then try again."))
        elif verify_token(user, device.persistent_id, form.cleaned_data["token"]):
            otp_login(request, device)
            request.session.cycle_key()
            return redirect(_next_url(request))
        else:
            form.add_error("token", _("That code is not right. Enter the code your app shows now."))
    return render(request, "accounts/otp_verify.html", {"form": form, "next": _next_url(request)})


def setup_key(session) -> str:
    """The secret of the authenticator being set up (hex). The session keeps it encrypted with
    the field keys (core/crypto.py): session rows are in every backup."""
    stored = session.get(SETUP_KEY)
    if stored:
        try:
            return crypto.decrypt(stored, label="the two-step setup secret")
        except crypto.DecryptionError:
            pass  # a plain or unreadable secret from before: a new one
    key = random_hex(20)
    session[SETUP_KEY] = crypto.encrypt(key)
    return key


@requires("accounts.two_step")
def otp_setup(request):
    """Set up an authenticator app (TOTP): scan the QR code or type the key, then confirm with
    the first code. Optional for everyone; required for Admins when OTP_REQUIRED_FOR_ADMIN is on."""
    user = request.user
    device = _device_of(user)
    if device is not None:
        if not user.is_verified():
            return redirect(f"{reverse('accounts:otp_verify')}?{urlencode({'next': request.get_full_path()})}")
        return render(
            request,
            "accounts/otp_setup.html",
            {
                "device": device,
                "required": _otp_required(user),
                "next": _next_url(request),
            },
        )
    key = setup_key(request.session)
    pending = ClinicTOTPDevice.new(user=user, key=key, name=_("Authenticator app"))
    form = TokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        totp = TOTP(pending.bin_key, pending.step, pending.t0, pending.digits)
        if totp.verify(int(form.cleaned_data["token"]), tolerance=pending.tolerance):
            with transaction.atomic():
                pending.confirmed = True
                pending.last_t = totp.t()
                pending.save()
            del request.session[SETUP_KEY]
            request.session[HAS_OTP_DEVICE] = True
            otp_login(request, pending)
            request.session.cycle_key()
            messages.success(
                request, _("Two-step login is on: from now on you enter a code from your app after your password.")
            )
            return redirect(_next_url(request))
        form.add_error(
            "token", _("That code is not right. Check the time on your phone and enter the code your app shows now.")
        )
    return render(
        request,
        "accounts/otp_setup.html",
        {
            "form": form,
            "config_url": pending.config_url,
            "secret": b32encode(pending.bin_key).decode("ascii"),
            "qr": _qr_svg_data_uri(pending.config_url),
            "required": _otp_required(user),
            "next": _next_url(request),
        },
    )


@requires("accounts.two_step")
@require_POST
def otp_disable(request):
    """Turn the second step off again: only in a session that gave a code, and not for an Admin
    while it is required."""
    user = request.user
    if _otp_required(user):
        messages.error(request, _("Two-step login is required for admins and cannot be turned off."))
    elif not user.is_verified():
        messages.error(request, _("Enter a code from your app first."))
    else:
        ClinicTOTPDevice.objects.filter(user=user).delete()
        request.session[HAS_OTP_DEVICE] = False
        messages.success(request, _("Two-step login is off."))
    return redirect("accounts:otp_setup")


def lockout(request, original_response=None, credentials=None, form=None):
    """django-axes' answer to a locked-out username (AXES_LOCKOUT_CALLABLE): the 429 page. It
    offers the way in for a user with two-step login: password and code (locked_login)."""
    minutes = int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)
    # AxesMiddleware renders this page again for a request it saw locked out: keep the form.
    form = form or getattr(request, LOCKED_FORM, None)
    username = (credentials or {}).get("username") or request.POST.get("username", "")
    return render(
        request,
        "accounts/lockout.html",
        {
            "failure_limit": settings.AXES_FAILURE_LIMIT,
            "minutes": minutes,
            "username": str(username)[:150],
            "form": form,
            "next": _next_url(request),
        },
        status=settings.AXES_HTTP_RESPONSE_CODE,
    )


@require_POST
def locked_login(request):
    """Anyone can lock a username with a few wrong passwords (the lock is by username: a clinic
    shares one address). The user it belongs to still gets in with the right password AND a valid
    code of their confirmed authenticator app; without two-step login the lock holds. A wrong
    password or code is a failed login like any other, and the answer never says which was wrong.
    Only for a username that is locked now: otherwise the login page, where axes counts."""
    form = LockedLoginForm(request.POST)
    credentials = {"username": request.POST.get("username", "")[:150]}
    AxesProxyHandler.update_request(request)
    if not AxesProxyHandler.is_locked(request, credentials):
        return redirect(f"{reverse('accounts:login')}?{urlencode({'next': _next_url(request)})}")
    if form.is_valid():
        data = form.cleaned_data
        failures = AxesProxyHandler.get_failures(request, credentials)
        # Straight to the password backend: axes' backend refuses every password of a locked
        # username. Its timing is the same for an unknown username.
        user = ClinicModelBackend().authenticate(request, username=data["username"], password=data["password"])
        device = _device_of(user) if user is not None else None
        if device is not None and verify_token(user, device.persistent_id, data["token"]):
            login(request, user, backend=f"{ClinicModelBackend.__module__}.{ClinicModelBackend.__qualname__}")
            otp_login(request, device)
            request.session[HAS_OTP_DEVICE] = True
            messages.warning(
                request,
                ngettext(
                    "This account was locked after %(count)d failed login attempt. You got in with your "
                    "two-step code. If the failed attempts were not yours, tell an admin.",
                    "This account was locked after %(count)d failed login attempts. You got in with your "
                    "two-step code. If the failed attempts were not yours, tell an admin.",
                    failures,
                )
                % {"count": failures},
            )
            return redirect(_next_url(request))
        user_login_failed.send(sender=__name__, credentials=credentials, request=request)
        form.add_error(None, _("The password or the code is not right. The account stays locked."))
        setattr(request, LOCKED_FORM, form)
    return lockout(request, credentials=credentials, form=form)
