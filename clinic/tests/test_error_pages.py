"""The error pages with DEBUG off (issue 14): the clinic's own, translated, with a way back; the
500 page without the database; a favicon instead of a 404 on every page."""

import pytest
from django.contrib.staticfiles import finders
from django.db import OperationalError, connection
from django.test import Client, RequestFactory
from django.urls import get_resolver

LANGUAGE = {"django_language": "en"}


def english(client):
    client.cookies["django_language"] = "en"
    return client


def assert_clinic_page(response, status, *texts):
    html = response.content.decode()
    assert response.status_code == status
    assert response["Content-Type"].startswith("text/html")
    assert f'id="error-{status}"' in html
    assert 'href="/"' in html  # the way back
    for text in texts:
        assert text in html, text
    return html


@pytest.mark.django_db
def test_the_404_page_is_the_clinics_in_indonesian(client):
    html = assert_clinic_page(client.get("/no-such-page/"), 404, "Halaman tidak ditemukan")
    assert "The requested resource was not found" not in html
    assert 'lang="id"' in html


@pytest.mark.django_db
def test_the_404_page_follows_the_chosen_language(client):
    assert_clinic_page(english(client).get("/no-such-page/"), 404, "Page not found")


@pytest.mark.django_db
def test_the_404_page_keeps_the_signed_in_users_navigation(client, receptionist):
    client.force_login(receptionist)
    html = assert_clinic_page(client.get("/patients/999999999/"), 404, "Halaman tidak ditemukan")
    assert 'id="main-nav"' in html and "/patients/" in html


@pytest.mark.django_db
@pytest.mark.urls("clinic.tests.error_urls")
def test_the_500_page_is_the_clinics_in_indonesian(receptionist):
    client = Client(raise_request_exception=False)
    client.force_login(receptionist)
    html = assert_clinic_page(client.get("/test-fails/"), 500, "Terjadi kesalahan")
    assert "Server Error (500)" not in html and "a bug" not in html


@pytest.mark.django_db
def test_the_500_page_needs_no_database():
    def outage(execute, sql, params, many, context):
        raise OperationalError("server has gone away")

    request = RequestFactory().get("/patients/")
    request.session = {}  # touching the session or the user would ask the database
    handler = get_resolver().resolve_error_handler(500)
    with connection.execute_wrapper(outage):
        response = handler(request)
    assert_clinic_page(response, 500, "Terjadi kesalahan")


@pytest.mark.django_db
def test_a_bad_host_gets_the_400_page(client):
    response = client.get("/", HTTP_HOST="evil.example")
    assert_clinic_page(response, 400, "Permintaan tidak valid")


@pytest.mark.django_db
def test_a_form_without_its_csrf_token_gets_the_clinics_403_page():
    client = Client(enforce_csrf_checks=True)
    response = client.post("/accounts/login/", {"username": "x", "password": "y"})
    html = assert_clinic_page(response, 403, "Formulir sudah kedaluwarsa")
    assert "CSRF verification failed" not in html


@pytest.mark.django_db
def test_every_page_links_a_favicon_and_favicon_ico_answers(client):
    html = client.get("/accounts/login/").content.decode()
    assert 'rel="icon"' in html
    assert finders.find("img/favicon.ico") and finders.find("img/favicon.svg")
    response = client.get("/favicon.ico")
    assert response.status_code == 302 and response["Location"].endswith(".ico")
    assert "favicon" in response["Location"]
