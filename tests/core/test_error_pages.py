"""The error pages speak the visitor's language and look like the service: 403 and 404 on the project's base
template, 400 and 500 on a plain one that needs nothing that could itself be broken."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.auth.models import User
from django.template import loader
from django.test import Client, RequestFactory
from django.utils import translation
from django.views.defaults import bad_request, server_error

HEADINGS = {
    404: {"fi": "Sivua ei löytynyt", "sv": "Sidan hittades inte", "en": "Page not found"},
    403: {"fi": "Ei pääsyä tälle sivulle", "sv": "Ingen åtkomst till sidan", "en": "No access to this page"},
    500: {"fi": "Jokin meni vikaan", "sv": "Något gick fel", "en": "Something went wrong"},
    400: {"fi": "Pyyntöä ei voitu lukea", "sv": "Begäran kunde inte läsas", "en": "The request could not be read"},
    "csrf": {"fi": "Lomaketta ei voitu lähettää", "sv": "Formuläret kunde inte skickas",
             "en": "The form could not be sent"},
}  # fmt: skip
LANGUAGES = ["fi", "sv", "en"]


def client_in(language: str, **kwargs: Any) -> Client:
    client = Client(**kwargs)
    client.cookies["django_language"] = language
    return client


def assert_branded(html: str, language: str, heading: str) -> None:
    assert f'<html lang="{language}">' in html
    assert f"<h1>{heading}</h1>" in html
    assert "/static/asti/asti.css" in html and 'class="asti-header"' in html


@pytest.mark.django_db
@pytest.mark.parametrize("language", LANGUAGES)
def test_a_missing_page_is_a_branded_404_in_the_visitors_language(language: str) -> None:
    response = client_in(language).get("/no-such-page/")
    assert response.status_code == 404
    html = response.content.decode()
    assert_branded(html, language, HEADINGS[404][language])
    assert 'name="language" value="sv"' in html  # the base template's language switch
    staff = client_in(language).get("/staff/no-such-page/")
    assert staff.status_code == 404 and 'href="/staff/"' in staff.content.decode()


@pytest.mark.django_db
@pytest.mark.parametrize("language", LANGUAGES)
def test_a_page_without_the_right_is_a_branded_403(language: str, django_user_model: type[User]) -> None:
    client = client_in(language)
    client.force_login(django_user_model.objects.create_user(username="no-role"))
    response = client.get("/staff/rounds/")
    assert response.status_code == 403
    assert_branded(response.content.decode(), language, HEADINGS[403][language])


@pytest.mark.django_db
@pytest.mark.parametrize("language", LANGUAGES)
def test_a_form_without_its_csrf_token_gets_a_branded_explanation(language: str) -> None:
    response = client_in(language, enforce_csrf_checks=True).post("/i18n/setlang/", {"language": "en"})
    assert response.status_code == 403
    assert_branded(response.content.decode(), language, HEADINGS["csrf"][language])


@pytest.mark.parametrize("language", LANGUAGES)
def test_500_and_400_render_without_a_request_database_or_url_in_every_language(language: str) -> None:
    with translation.override(language):
        assert_branded(loader.get_template("500.html").render(), language, HEADINGS[500][language])
        request = RequestFactory().get("/")
        response = server_error(request)
        assert response.status_code == 500
        assert_branded(response.content.decode(), language, HEADINGS[500][language])
        response = bad_request(request, Exception("bad"))
        assert response.status_code == 400
        assert_branded(response.content.decode(), language, HEADINGS[400][language])
