import pytest
from django.urls import reverse

from accounts.tests.factories import PASSWORD

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("role", "home"),
    [
        ("admin_user", "dashboard"),
        ("receptionist", "scheduling:board"),
        ("doctor_user", "records:queue"),
    ],
)
def test_it_lands_each_role_on_its_own_home_page(client, request, role, home):
    user = request.getfixturevalue(role)
    response = client.post(reverse("accounts:login"), {"username": user.username, "password": PASSWORD})
    assert response.status_code == 302
    assert client.get(response["Location"]).url == reverse(home)


def test_it_shows_the_form_again_for_a_wrong_password(client, receptionist):
    response = client.post(reverse("accounts:login"), {"username": receptionist.username, "password": "salah"})
    assert response.status_code == 200
    assert response.context["form"].errors
    assert "_auth_user_id" not in client.session


def test_it_refuses_an_inactive_user(client, inactive_user):
    response = client.post(reverse("accounts:login"), {"username": inactive_user.username, "password": PASSWORD})
    assert response.status_code == 200
    assert "_auth_user_id" not in client.session


def test_it_logs_out_on_post_only(client, receptionist):
    client.force_login(receptionist)
    assert client.get(reverse("accounts:logout")).status_code == 405
    response = client.post(reverse("accounts:logout"))
    assert response.status_code == 302
    assert "_auth_user_id" not in client.session


def test_it_sends_anonymous_visitors_from_home_to_login(client):
    response = client.get(reverse("home"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))


def test_it_serves_the_login_page_in_indonesian_by_default(client):
    response = client.get(reverse("accounts:login"))
    assert response.status_code == 200
    assert 'lang="id"' in response.content.decode()


def test_it_keeps_the_chosen_language(client):
    response = client.post(reverse("set_language"), {"language": "en", "next": reverse("accounts:login")})
    assert response.status_code == 302
    page = client.get(reverse("accounts:login"))
    assert 'lang="en"' in page.content.decode()
    assert "Log in" in page.content.decode()


@pytest.mark.parametrize(
    ("role", "visible", "hidden"),
    [
        (
            "receptionist",
            ["scheduling:board", "patients:search", "billing:unpaid"],
            ["records:queue", "admin:index", "dashboard"],
        ),
        ("doctor_user", ["records:queue", "dashboard"], ["billing:unpaid", "patients:search", "admin:index"]),
        ("admin_user", ["dashboard", "scheduling:board", "billing:unpaid", "admin:index"], ["records:queue"]),
    ],
)
def test_it_shows_only_what_the_role_may_use_in_the_navigation(client, request, role, visible, hidden):
    client.force_login(request.getfixturevalue(role))
    response = client.get(reverse("home"), follow=True)
    urls = [item["url"] for item in response.context["nav_items"]]
    assert all(reverse(name) in urls for name in visible), urls
    assert not any(reverse(name) in urls for name in hidden), urls


def test_it_speaks_indonesian_to_an_english_browser_until_the_user_switches(client):
    # Browsers in Indonesian clinics often send en-US; the clinic's default wins.
    page = client.get(reverse("accounts:login"), HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9")
    assert 'lang="id"' in page.content.decode()
    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    page = client.get(reverse("accounts:login"), HTTP_ACCEPT_LANGUAGE="id")
    assert 'lang="en"' in page.content.decode()
