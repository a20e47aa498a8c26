"""The navigation bar of every page (templates/partials/navbar.html): the links of the user's
role, the current page marked, the quick search, the language switch, and escaped values."""

import re

import pytest
from django.test import Client

from accounts.models import User
from accounts.tests.factories import UserFactory

pytestmark = pytest.mark.django_db

LINKS = {
    User.Role.ADMIN: ["/dashboard/", "/appointments/", "/patients/", "/billing/", "/admin/"],
    User.Role.RECEPTIONIST: ["/appointments/", "/patients/", "/billing/"],
    User.Role.DOCTOR: ["/dashboard/", "/records/"],
}


def navbar(html: str) -> str:
    return re.search(r'<nav class="navbar.*?</nav>', html, re.S).group(0)


def page(user, path="/patients/", language=None) -> str:
    client = Client()
    client.force_login(user)
    if language:
        client.cookies["django_language"] = language
    response = client.get(path)
    assert response.status_code == 200
    return response.content.decode()


@pytest.mark.parametrize("role", [User.Role.ADMIN, User.Role.RECEPTIONIST, User.Role.DOCTOR])
def test_it_links_the_pages_of_the_role(role):
    nav = navbar(page(UserFactory(role=role), "/accounts/two-step/setup/"))
    hrefs = re.findall(r'class="(?:nav-link|dropdown-item)[^"]*" href="([^"]+)"', nav)
    for prefix in LINKS[role]:
        assert any(href.startswith(prefix) for href in hrefs), (prefix, hrefs)
    assert ('id="quick-search"' in nav) == (role != User.Role.DOCTOR)
    assert "Keluar" in nav and 'aria-label="Menu navigasi"' in nav


def test_it_keeps_the_administrative_pages_and_logging_out_in_the_user_menu():
    # The bar must fit 1366 px (e2e/test_screens.py measures it): the admin's audit log and
    # administration, the role and logging out open from the user's name.
    nav = navbar(page(UserFactory(role=User.Role.ADMIN, first_name="Agus", last_name="Setiawan")))
    menu = re.search(r'id="user-menu">Agus Setiawan</a>\s*<ul class="dropdown-menu.*?</ul>', nav, re.S).group(0)
    for text in ('href="/accounts/audit/"', 'href="/admin/"', "Admin", "Keluar"):
        assert text in menu, text
    bar = nav.replace(menu, "")
    assert 'href="/admin/"' not in bar and 'href="/accounts/audit/"' not in bar and 'href="/billing/"' in bar


def test_it_marks_the_current_page():
    nav = navbar(page(UserFactory(role=User.Role.RECEPTIONIST), "/patients/?q=Siti"))
    assert re.search(r'class="nav-link text-nowrap active" href="/patients/"\s+aria-current="page"', nav)
    assert nav.count('aria-current="page"') == 1


def test_it_reads_english_by_the_language_cookie():
    nav = navbar(page(UserFactory(role=User.Role.RECEPTIONIST), language="en"))
    assert 'aria-label="Menu"' in nav and "Log out" in nav and "Keluar" not in nav
    assert re.search(r'value="en" lang="en"\s+class="btn btn-sm btn-light"', nav)


def test_it_shows_the_language_switch_when_signed_out(client):
    nav = navbar(client.get("/accounts/login/?next=/patients/").content.decode())
    assert "main-nav" not in nav and "lang-switch" in nav
    assert 'name="next" value="/accounts/login/?next=/patients/"' in nav


def test_it_escapes_the_name_and_the_path():
    user = UserFactory(role=User.Role.RECEPTIONIST, first_name="<script>alert(1)</script>", last_name='&"')
    nav = navbar(page(user, '/patients/?x="><script>x</script>'))
    assert "<script>" not in nav
    assert re.search(r"&lt;script&gt;alert\(1\)&lt;/script&gt; &amp;&quot;</a>", nav)
    assert "<script>x" not in nav


def test_it_falls_back_to_the_username_without_a_name():
    nav = navbar(page(UserFactory(role=User.Role.ADMIN, username="admin7", first_name="", last_name="")))
    assert ">admin7</a>" in nav


def test_a_page_shows_it_with_the_quick_search_value(client):
    client.force_login(UserFactory(role=User.Role.RECEPTIONIST))
    html = client.post("/patients/", {"q": "Siti"}, follow=True).content.decode()
    assert 'id="quick-search"' in html and 'value="Siti"' in html
    # The quick search is POSTed with its CSRF token: its words never reach a URL.
    assert re.search(
        r'role="search" method="post" action="/patients/">\s*<input type="hidden" name="csrfmiddlewaretoken"', html
    )
    assert html.count('name="csrfmiddlewaretoken"') >= 2  # the log-out and the language forms
