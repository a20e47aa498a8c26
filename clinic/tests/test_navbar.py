"""The navigation bar (clinic/templatetags/navbar.py) writes the markup templates/base.html wrote
through the template engine, for every role, both languages, the signed-out pages, and values
that need escaping."""

import re

import pytest
from django.contrib.auth.models import AnonymousUser
from django.middleware.csrf import get_token
from django.template import engines
from django.test import RequestFactory
from django.utils import translation
from pytest_django.asserts import assertHTMLEqual

from accounts.models import User
from accounts.tests.factories import UserFactory

pytestmark = pytest.mark.django_db

# The navigation bar of templates/base.html before {% navbar %} (commit 7a14d72).
OLD_NAVBAR = """{% load i18n %}{% get_current_language as LANGUAGE_CODE %}
<nav class="navbar navbar-expand-xl navbar-dark bg-primary d-print-none">
  <div class="container-fluid">
    <a class="navbar-brand" href="{% url 'home' %}">{{ CLINIC_NAME|default:"Klinik" }}</a>
    {% if user.is_authenticated %}
    <button class="navbar-toggler" type="button" data-bs-toggle="collapse" data-bs-target="#main-nav"
            aria-controls="main-nav" aria-expanded="false" aria-label="{% translate 'Menu' %}">
      <span class="navbar-toggler-icon"></span>
    </button>
    <div class="collapse navbar-collapse" id="main-nav">
      <ul class="navbar-nav me-auto">
        {% for item in nav_items %}
        <li class="nav-item"><a class="nav-link text-nowrap{% if item.active %} active{% endif %}" href="{{ item.url }}"
            {% if item.active %}aria-current="page"{% endif %}>{{ item.label }}</a></li>
        {% endfor %}
      </ul>
      {% if nav_search_url %}
      <form class="d-flex me-xl-3 my-2 my-xl-0" role="search" method="get" action="{{ nav_search_url }}">
        <input class="form-control form-control-sm" type="search" name="q" value="{{ quick_search_q|default:'' }}"
               placeholder="{% translate 'Name, No. RM, NIK, phone, date of birth' %}"
               aria-label="{% translate 'Search patients' %}" id="quick-search">
      </form>
      {% endif %}
      <span class="navbar-text me-3 small text-nowrap"><a class="link-light" href="{% url 'accounts:otp_setup' %}"
        title="{% translate 'Two-step login' %}">{{ user.get_full_name|default:user.username }}</a> · {{ user.get_role_display }}</span>
      <form method="post" action="{% url 'accounts:logout' %}" class="d-inline">{% csrf_token %}
        <button type="submit" class="btn btn-sm btn-outline-light">{% translate "Log out" %}</button>
      </form>
    </div>
    {% endif %}
    <form method="post" action="{% url 'set_language' %}" class="ms-2 d-flex gap-1 lang-switch">{% csrf_token %}
      <input type="hidden" name="next" value="{{ request.get_full_path }}">
      {% get_available_languages as LANGUAGES %}
      {% for code, name in LANGUAGES %}
      <button type="submit" name="language" value="{{ code }}" lang="{{ code }}"
              class="btn btn-sm {% if code == LANGUAGE_CODE %}btn-light{% else %}btn-outline-light{% endif %}"
              title="{{ name }}">{{ code|upper }}</button>
      {% endfor %}
    </form>
  </div>
</nav>
"""
NEW_NAVBAR = "{% load navbar %}{% navbar %}"
TOKEN = re.compile(r'name="csrfmiddlewaretoken" value="[^"]+"')


def render(source: str, request) -> str:
    html = engines["django"].from_string(source).render({}, request)
    return TOKEN.sub('name="csrfmiddlewaretoken" value="T"', html)  # each {% csrf_token %} masks anew


def request_for(user, path="/appointments/?doctor=3&status=scheduled", **extra):
    request = RequestFactory().get(path, **extra)
    request.user = user
    get_token(request)
    return request


@pytest.mark.parametrize("role", [User.Role.ADMIN, User.Role.RECEPTIONIST, User.Role.DOCTOR])
@pytest.mark.parametrize("language", ["id", "en"])
@pytest.mark.parametrize("path", ["/appointments/?doctor=3&status=scheduled", "/patients/?q=Siti", "/"])
def test_it_writes_what_the_template_wrote(role, language, path):
    user = UserFactory(role=role, first_name="Siti", last_name="Rahma")
    request = request_for(user, path)
    with translation.override(language):
        new, old = render(NEW_NAVBAR, request), render(OLD_NAVBAR, request)
    assertHTMLEqual(new, old)
    # The board and the search are the receptionist's and the admin's; a doctor has neither.
    assert ('aria-current="page"' in new) == (path != "/" and role != User.Role.DOCTOR)


def test_it_writes_what_the_template_wrote_when_signed_out():
    request = request_for(AnonymousUser(), "/accounts/login/?next=/patients/")
    with translation.override("id"):
        new, old = render(NEW_NAVBAR, request), render(OLD_NAVBAR, request)
    assertHTMLEqual(new, old)
    assert "main-nav" not in new and "lang-switch" in new


def test_it_escapes_the_name_and_the_path():
    user = UserFactory(role=User.Role.RECEPTIONIST, first_name='<script>alert(1)</script>', last_name='&"')
    request = request_for(user, '/patients/?q="><script>x</script>')
    new, old = render(NEW_NAVBAR, request), render(OLD_NAVBAR, request)
    assertHTMLEqual(new, old)
    assert "<script>" not in new


def test_it_falls_back_to_the_username_without_a_name():
    user = UserFactory(role=User.Role.ADMIN, username="admin7", first_name="", last_name="")
    request = request_for(user, "/dashboard/")
    new, old = render(NEW_NAVBAR, request), render(OLD_NAVBAR, request)
    assertHTMLEqual(new, old)
    assert ">admin7</a>" in new


def test_a_page_shows_it_with_the_quick_search_value(client):
    user = UserFactory(role=User.Role.RECEPTIONIST)
    client.force_login(user)
    html = client.get("/patients/?q=Siti").content.decode()
    assert 'id="quick-search"' in html and 'value="Siti"' in html
    assert html.count('name="csrfmiddlewaretoken"') >= 2  # the log-out and the language forms
