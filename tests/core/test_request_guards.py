"""Requests with a NUL byte are refused before any view (PostgreSQL cannot take one); sessions end when idle."""

from __future__ import annotations

import datetime as dt

import pytest
from django.conf import settings
from django.contrib.auth.models import User
from django.contrib.sessions.models import Session
from django.test import Client

from asti.core import clock

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "url", ["/staff/families/find/?q=a%00b", "/staff/families/find/?q%00=x", "/staff/families/%00/", "/?x=%00"]
)
def test_a_nul_byte_in_the_path_or_a_parameter_is_a_clear_400(url: str) -> None:
    response = Client().get(url)
    assert response.status_code == 400 and b"NUL" in response.content


def test_a_nul_byte_in_a_posted_form_is_a_clear_400() -> None:
    response = Client().post("/feedback/", {"text": "hei\x00"})
    assert response.status_code == 400


def test_a_request_without_nul_passes() -> None:
    assert Client().get("/?x=a").status_code == 302  # on to the login, as without the parameter


def test_sessions_end_after_half_an_hour_idle_and_each_request_extends_them() -> None:
    assert settings.SESSION_COOKIE_AGE == 30 * 60
    user = User.objects.create_user(username="idle")
    client = Client()
    client.force_login(user)
    session = Session.objects.get()
    session.expire_date = clock.now() + dt.timedelta(seconds=5)  # nearly idle for half an hour
    session.save()
    assert client.get("/staff/").status_code == 403  # logged in (no staff role)
    extended = Session.objects.get(pk=session.pk).expire_date
    assert extended > clock.now() + dt.timedelta(minutes=29)
    Session.objects.filter(pk=session.pk).update(expire_date=clock.now() - dt.timedelta(seconds=1))
    assert client.get("/staff/").status_code == 302  # idle too long: back to the login
