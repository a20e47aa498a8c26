"""accounts.policy: the capability table, the one view gate, and the object rules' refusals."""

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.test import RequestFactory

from accounts import policy
from accounts.models import User
from accounts.tests.factories import UserFactory


@policy.requires("billing.manage")
def front_desk_page(request):
    return HttpResponse("ok")


def request_of(user):
    request = RequestFactory().get("/some/page/")
    request.user = user
    request.session = {}
    return request


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("role", "status"),
    [
        (User.Role.ADMIN, 200),
        (User.Role.RECEPTIONIST, 200),
        (User.Role.DOCTOR, 403),
    ],
)
def test_it_opens_a_page_only_to_the_roles_holding_its_capability(role, status):
    request = request_of(UserFactory(role=role))
    if status == 403:
        with pytest.raises(PermissionDenied):
            front_desk_page(request)
    else:
        assert front_desk_page(request).status_code == 200


def test_it_sends_an_anonymous_visitor_to_the_login_page():
    response = front_desk_page(request_of(AnonymousUser()))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_it_tells_the_url_tests_which_roles_a_view_admits():
    assert front_desk_page.capability == "billing.manage"
    assert set(front_desk_page.allowed_roles) == {User.Role.ADMIN, User.Role.RECEPTIONIST}


@pytest.mark.django_db
def test_it_grants_nothing_to_an_inactive_or_anonymous_user():
    assert not policy.can(AnonymousUser(), "patients.view")
    assert not policy.can(UserFactory(role=User.Role.ADMIN, is_active=False), "patients.view")
    assert policy.can(UserFactory(role=User.Role.ADMIN), "patients.view")


def test_it_refuses_an_unknown_capability_when_the_view_is_defined():
    with pytest.raises(KeyError):
        policy.requires("patients.fly")


def test_every_capability_names_known_roles():
    assert {role for roles in policy.CAPABILITIES.values() for role in roles} <= set(User.Role.values)


@pytest.mark.django_db
def test_it_refuses_a_doctor_account_without_a_doctors_row_with_403():
    with pytest.raises(PermissionDenied):
        policy.doctor_of(UserFactory(role=User.Role.DOCTOR))
