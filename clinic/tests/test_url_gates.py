"""Every URL of the staff pages answers an anonymous visitor with the login page, and a
deactivated user too — found by walking the URL resolver, so a new URL is covered at once."""

import re

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse

# Pages anyone may reach: logging in and out, the language switch, the home redirect, and the
# health check for a load balancer (core/tests/test_healthz.py), the browser's /favicon.ico, and
# the waiting room's screen, opened by its display token (scheduling/tests/test_queue_display.py).
PUBLIC = {
    "accounts:login",
    "accounts:login_locked",
    "accounts:logout",
    "set_language",
    "home",
    "healthz",
    "favicon",
    "queue:display",
    "queue:display_poll",
}


def walk(patterns, prefix="", namespace=None):
    for entry in patterns:
        if isinstance(entry, URLResolver):
            if entry.namespace == "admin":
                continue  # the Django admin has its own gate, tested in test_admin.py
            ns = entry.namespace or namespace
            yield from walk(entry.url_patterns, prefix + str(entry.pattern), ns)
        elif isinstance(entry, URLPattern) and entry.name:
            name = f"{namespace}:{entry.name}" if namespace else entry.name
            yield name, prefix + str(entry.pattern)


def concrete(route: str) -> str:
    # Any object id will do: the gate must answer before the object is looked up.
    path = re.sub(r"<(?:\w+:)?\w+>", "999999", route)
    return "/" + path.lstrip("^").rstrip("$")


STAFF_URLS = sorted({(name, concrete(route)) for name, route in walk(get_resolver().url_patterns)})


@pytest.mark.django_db
@pytest.mark.parametrize(("name", "path"), [u for u in STAFF_URLS if u[0] not in PUBLIC])
@pytest.mark.parametrize("method", ["get", "post"])
def test_it_sends_anonymous_visitors_to_login(client, name, path, method):
    response = getattr(client, method)(path)
    assert response.status_code == 302, (name, path, response.status_code)
    assert response["Location"].startswith(reverse("accounts:login"))


@pytest.mark.django_db
@pytest.mark.parametrize(("name", "path"), [u for u in STAFF_URLS if u[0] not in PUBLIC])
def test_it_ends_the_session_of_a_deactivated_user(client, inactive_user, name, path):
    client.force_login(inactive_user)
    response = client.get(path)
    assert response.status_code == 302, (name, path)
    assert response["Location"].startswith(reverse("accounts:login"))


def test_it_found_the_staff_pages():
    names = {name for name, _path in STAFF_URLS}
    assert {"patients:search", "scheduling:board", "records:queue", "billing:unpaid", "pharmacy:queue"} <= names


def allowed_roles(path: str) -> tuple:
    from django.urls import resolve

    return getattr(resolve(path).func, "allowed_roles", None)


@pytest.mark.parametrize(("name", "path"), [u for u in STAFF_URLS if u[0] not in PUBLIC])
def test_it_gates_every_staff_url_with_the_policy(name, path):
    assert allowed_roles(path), f"{name} is not wrapped in accounts.policy.requires"


@pytest.mark.django_db
@pytest.mark.parametrize(("name", "path"), [u for u in STAFF_URLS if u[0] not in PUBLIC])
@pytest.mark.parametrize("role", ["admin_user", "receptionist", "doctor_user", "pharmacist"])
@pytest.mark.parametrize("method", ["get", "post"])
def test_it_answers_each_role_with_403_or_never_a_500(client, request, name, path, role, method):
    user = request.getfixturevalue(role)
    client.force_login(user)
    response = getattr(client, method)(path)
    if user.role not in allowed_roles(path):
        assert response.status_code == 403, (name, response.status_code)
    else:
        # Allowed, but object 999999 does not exist (404), the method may be wrong (405), or the
        # page answers / redirects: anything but an error of ours.
        assert response.status_code in (200, 302, 404, 405), (name, response.status_code)


@pytest.mark.django_db
@pytest.mark.parametrize("name", ["queue:display", "queue:display_poll"])
@pytest.mark.parametrize("role", [None, "receptionist", "admin_user"])
def test_the_waiting_room_screen_needs_its_token_whoever_asks(client, request, name, role):
    """Public, but a guessed token is a 404 for everyone, staff included: no login opens it."""
    from scheduling.models import QueueDisplay

    if role:
        client.force_login(request.getfixturevalue(role))
    display = QueueDisplay.objects.create(name="Lobi", is_active=False)
    assert client.get(reverse(name, args=["tebakan"])).status_code == 404
    assert client.get(reverse(name, args=[display.token])).status_code == 404
    display.is_active = True
    display.save()
    assert client.get(reverse(name, args=[display.token])).status_code == 200
