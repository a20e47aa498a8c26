"""CSRF: every URL of the project — found by walking the URL resolver, the Django admin included,
so a new URL is covered at once — refuses a POST without a CSRF token from a signed-in user of a
role it allows, and nothing in the database changes. With the token the same POST gets past the
check (so the 403 really is the CSRF check)."""

import re

import pytest
from django.apps import apps
from django.core import serializers
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, resolve, reverse

from accounts.models import User
from billing.tests.factories import BillingFactory, PaymentFactory
from records.tests.factories import LabResultFactory
from scheduling.models import Appointment

ROLES = {User.Role.ADMIN: "admin_user", User.Role.DOCTOR: "doctor_user", User.Role.RECEPTIONIST: "receptionist"}
CSRF_FAILURE = "CSRF"


def walk(patterns, prefix=""):
    for entry in patterns:
        if isinstance(entry, URLResolver):
            yield from walk(entry.url_patterns, prefix + str(entry.pattern))
        elif isinstance(entry, URLPattern):
            yield prefix + str(entry.pattern)


def concrete(route: str, pk: int) -> str:
    path = re.sub(r"<(?:\w+:)?\w+>", str(pk), route)
    path = re.sub(r"\(\?P<\w+>[^)]*\)", str(pk), path)  # the admin's regex routes
    return "/" + path.lstrip("^").rstrip("$").replace("\\", "")


ROUTES = sorted(set(walk(get_resolver().url_patterns)))


def role_for(path: str) -> str:
    """A role the URL allows (so the answer is about CSRF, not about the role)."""
    allowed = getattr(resolve(path).func, "allowed_roles", None)
    if not allowed:  # the Django admin, logging in and out, the language switch
        return "admin_user"
    return ROLES[allowed[0]]


@pytest.fixture
def world(doctor_user):
    """A doctor's visit with a lab result, a bill and a payment, for URLs that name an object
    (the CSRF check answers before any object is looked up; the rows show that nothing changed)."""
    lab = LabResultFactory(
        medical_record__appointment__doctor=doctor_user.doctor_profile,
        medical_record__appointment__status=Appointment.Status.IN_CONSULTATION,
    )
    bill = BillingFactory(appointment=lab.medical_record.appointment, patient=lab.medical_record.patient)
    PaymentFactory(billing=bill)
    return lab


def snapshot() -> str:
    models = [
        m
        for m in apps.get_models()
        if m._meta.app_label
        in {"accounts", "audit", "patients", "scheduling", "records", "billing", "django_otp", "otp_totp"}
    ]
    return "".join(serializers.serialize("json", m._default_manager.order_by("pk")) for m in models)


@pytest.mark.django_db
@pytest.mark.parametrize("route", ROUTES)
def test_it_refuses_a_post_without_a_csrf_token(request, world, route):
    path = concrete(route, world.pk)
    user = request.getfixturevalue(role_for(path))
    client = Client(enforce_csrf_checks=True)
    client.force_login(user)
    before = snapshot()
    response = client.post(path, {"status": "cancelled", "amount": "1", "role": "admin", "token": "123456"})
    if response.status_code == 405:
        # Exempt from CSRF (e.g. the health check) but it takes no POST at all: nothing to forge.
        assert "POST" not in response["Allow"], route
    else:
        assert response.status_code == 403, (route, response.status_code)
        assert CSRF_FAILURE in response.content.decode(), route
    assert snapshot() == before, route


@pytest.mark.django_db
def test_it_lets_the_same_post_through_with_the_token(receptionist):
    client = Client(enforce_csrf_checks=True)
    client.force_login(receptionist)
    client.get(reverse("scheduling:board"))  # sets the CSRF cookie
    token = client.cookies["csrftoken"].value
    response = client.post(reverse("set_language"), {"language": "en", "next": "/"}, HTTP_X_CSRFTOKEN=token)
    assert response.status_code == 302


def test_it_found_the_post_views():
    names = {resolve(concrete(r, 1)).view_name for r in ROUTES}
    assert {
        "scheduling:check_in",
        "billing:pay",
        "records:record",
        "accounts:logout",
        "accounts:login",
        "accounts:otp_verify",
        "patients:create",
        "admin:login",
    } <= names
