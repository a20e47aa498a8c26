"""Security headers on staff pages and the PDF, the Content-Security-Policy with no inline script
or style anywhere, and the cookie flags of production."""

import re

import pytest
from django.conf import settings
from django.test import override_settings
from django.urls import reverse

from billing.tests.factories import BillingFactory
from patients.tests.factories import PatientFactory
from scheduling.tests.factories import AppointmentServiceFactory

pytestmark = pytest.mark.django_db

CSP = {
    "default-src": "'self'",
    "script-src": "'self'",
    "style-src": "'self'",
    "img-src": "'self' data:",
    "font-src": "'self'",
    "connect-src": "'self'",
    "frame-ancestors": "'none'",
    "form-action": "'self'",
    "base-uri": "'none'",
    "object-src": "'none'",
}

# What production adds over the test settings (clinic/settings/production.py).
PRODUCTION_LIKE = {
    "SECURE_HSTS_SECONDS": 31536000,
    "SECURE_HSTS_INCLUDE_SUBDOMAINS": True,
    "SECURE_HSTS_PRELOAD": True,
    "SESSION_COOKIE_SECURE": True,
    "CSRF_COOKIE_SECURE": True,
    "CSRF_COOKIE_HTTPONLY": True,
}


def policy(response) -> dict:
    header = response["Content-Security-Policy"]
    return dict(part.strip().split(" ", 1) for part in header.split(";") if part.strip())


def assert_security_headers(response, *, https=True):
    assert policy(response) == CSP
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["X-Frame-Options"] == "DENY"
    assert response["Cross-Origin-Opener-Policy"] == "same-origin"
    if https:
        assert response["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains; preload"


def assert_not_stored(response):
    directives = {d.strip() for d in response["Cache-Control"].split(",")}
    assert {"no-store", "private"} <= directives, response["Cache-Control"]


@pytest.fixture
def bill():
    bill = BillingFactory()
    AppointmentServiceFactory(appointment=bill.appointment)
    return bill


@override_settings(**PRODUCTION_LIKE)
def test_it_sends_every_security_header_on_a_staff_page(client, receptionist):
    client.force_login(receptionist)
    response = client.get(reverse("scheduling:board"), secure=True)
    assert response.status_code == 200
    assert_security_headers(response)
    assert_not_stored(response)


@override_settings(**PRODUCTION_LIKE)
def test_it_sends_every_security_header_on_the_receipt_pdf(client, receptionist, bill):
    client.force_login(receptionist)
    response = client.get(reverse("billing:receipt_pdf", args=[bill.pk]), secure=True)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert_security_headers(response)
    assert_not_stored(response)


@pytest.mark.parametrize(
    "role, name",
    [
        ("doctor_user", "records:queue"),
        ("admin_user", "admin:index"),
        ("receptionist", "patients:search"),
    ],
)
def test_it_never_lets_a_page_for_a_signed_in_user_be_cached(client, request, role, name):
    client.force_login(request.getfixturevalue(role))
    response = client.get(reverse(name))
    assert response.status_code == 200
    assert_not_stored(response)
    assert policy(response) == CSP


def test_it_never_lets_an_htmx_partial_with_patient_data_be_cached(client, receptionist):
    PatientFactory(full_name="Sari Wulandari")
    client.force_login(receptionist)
    response = client.post(reverse("patients:search"), {"q": "sari"}, HTTP_HX_REQUEST="true")
    assert "Sari Wulandari" in response.content.decode()
    assert_not_stored(response)


def test_it_sends_the_policy_on_the_login_page_too(client):
    response = client.get(reverse("accounts:login"))
    assert_security_headers(response, https=False)


@override_settings(**PRODUCTION_LIKE)
def test_it_sends_hsts_only_over_https(client):
    assert "Strict-Transport-Security" not in client.get(reverse("accounts:login"))
    assert "Strict-Transport-Security" in client.get(reverse("accounts:login"), secure=True)


@override_settings(**PRODUCTION_LIKE)
def test_it_sets_secure_httponly_samesite_cookies_in_production(client, receptionist):
    from accounts.tests.factories import PASSWORD

    page = client.get(reverse("accounts:login"), secure=True)
    csrf = page.cookies[settings.CSRF_COOKIE_NAME]
    assert csrf["secure"] and csrf["httponly"] and csrf["samesite"] == "Lax"
    response = client.post(
        reverse("accounts:login"), {"username": receptionist.username, "password": PASSWORD}, secure=True
    )
    session = response.cookies[settings.SESSION_COOKIE_NAME]
    assert session["secure"] is True
    assert session["httponly"] is True
    assert session["samesite"] == "Lax"
    assert int(session["max-age"]) == settings.SESSION_ABSOLUTE_HOURS * 3600


# --- no inline script or style (the policy would block them) -------------------------------------

INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)(?![^>]*type=\"application/json\")[^>]*>", re.I)
EVENT_HANDLER = re.compile(r"<[^>]*\son[a-z]+\s*=", re.I)
STYLE_ATTRIBUTE = re.compile(r"<[^>]*\sstyle\s*=", re.I)
STYLE_ELEMENT = re.compile(r"<style[\s>]", re.I)
JS_URL = re.compile(r"javascript:", re.I)


def inline_code(html: str) -> list[str]:
    found = []
    for name, pattern in [
        ("inline <script>", INLINE_SCRIPT),
        ("on...= handler", EVENT_HANDLER),
        ("style= attribute", STYLE_ATTRIBUTE),
        ("<style>", STYLE_ELEMENT),
        ("javascript: URL", JS_URL),
    ]:
        found += [f"{name}: {m.group(0)[:80]}" for m in pattern.finditer(html)]
    return found


def project_templates():
    return sorted((settings.BASE_DIR / "templates").rglob("*.html"))


@pytest.mark.parametrize("path", project_templates(), ids=lambda p: str(p.relative_to(settings.BASE_DIR)))
def test_it_keeps_inline_script_and_style_out_of_every_template(path):
    text = path.read_text()
    if path.name.endswith("_pdf.html"):
        # WeasyPrint renders the PDF on the server: its <style> never reaches a browser.
        text = STYLE_ELEMENT.sub("", text)
    assert inline_code(text) == [], path


def test_it_finds_the_templates():
    assert len(project_templates()) > 20


@pytest.mark.parametrize(
    ("role", "name"),
    [
        ("receptionist", "scheduling:board"),
        ("receptionist", "scheduling:book"),
        ("receptionist", "patients:create"),
        ("receptionist", "billing:unpaid"),
        ("doctor_user", "records:queue"),
        (None, "accounts:login"),
        ("receptionist", "accounts:otp_setup"),
    ],
)
def test_it_serves_pages_without_inline_code(client, request, role, name):
    if role:
        client.force_login(request.getfixturevalue(role))
    response = client.get(reverse(name))
    assert response.status_code == 200
    assert inline_code(response.content.decode()) == []


def test_it_serves_the_django_admin_with_static_scripts_only(client, admin_user, bill):
    # Django 5.2's admin keeps its JavaScript in static files (data-* attributes carry the values),
    # so it works under script-src 'self'.
    client.force_login(admin_user)
    for url in (
        reverse("admin:index"),
        reverse("admin:billing_billing_changelist"),
        reverse("admin:billing_billing_change", args=[bill.pk]),
        reverse("admin:accounts_user_add"),
    ):
        response = client.get(url)
        assert response.status_code == 200, url
        html = response.content.decode()
        assert not INLINE_SCRIPT.findall(html), url
        assert not EVENT_HANDLER.findall(html), url
        assert policy(response) == CSP


def test_it_tells_htmx_to_add_no_inline_style_and_no_eval(client):
    html = client.get(reverse("accounts:login")).content.decode()
    assert """<meta name="htmx-config" content='{"includeIndicatorStyles": false, "allowEval": false}'>""" in html
