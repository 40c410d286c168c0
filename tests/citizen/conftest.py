"""A sent round from the example extract, and guardians logged in as the identity app would log them in."""

from __future__ import annotations

from collections.abc import Iterator
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.core.cache import cache
from django.core.management import call_command
from django.test import Client

from asti.core import clock
from asti.identity.models import CitizenIdentity, Loa, LoginMethod
from asti.offers.links import make_token
from asti.offers.models import Offer, OfferRound
from asti.people.models import Guardian
from tests.citizen.browser import chromium  # noqa: F401 (a fixture for the browser tests)


@pytest.fixture(autouse=True)
def _fresh_cache() -> Iterator[None]:
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def demo(settings: Any, tmp_path: Path) -> Any:
    """The demo's settings for the browser journeys: the test login, and uploads in the test's own folder."""
    settings.ASTI_ENV = "demo"
    settings.ASTI_DEMO_LOGIN = True
    settings.MEDIA_ROOT = str(tmp_path / "media")
    return settings


@pytest.fixture
def sent_round(example_extract: Path) -> OfferRound:
    call_command("import_city_data", str(example_extract), stdout=StringIO())
    out = StringIO()
    call_command("offer_round", "create", "--year", "2027", stdout=out)
    round_id = int(out.getvalue().split()[-1])
    call_command("offer_round", "allocate", str(round_id), stdout=StringIO())
    call_command("offer_round", "send", str(round_id), stdout=StringIO())
    return OfferRound.objects.get(pk=round_id)


def guardian(guardian_id: str) -> Guardian:
    return Guardian.objects.get(guardian_id=guardian_id)


def offer_of(child_id: str) -> Offer:
    return Offer.objects.select_related("child", "unit").get(child__child_id=child_id)


def citizen_user(g: Guardian) -> User:
    identity = CitizenIdentity.objects.filter(hetu_digest=g.hetu_digest).select_related("user").first()
    if identity is not None:
        return identity.user
    user = User.objects.create_user(username=f"citizen-{g.guardian_id.lower()}")
    CitizenIdentity.objects.create(
        user=user, hetu_digest=g.hetu_digest, last_loa=Loa.SUBSTANTIAL, last_method=LoginMethod.DEMO,
        last_login_at=clock.now(),
    )  # fmt: skip
    return user


def client_for(guardian_id: str, *, language: str = "en", **kwargs: Any) -> Client:
    """A logged-in guardian whose language choice (cookie) is `language`."""
    client = Client(HTTP_ACCEPT_LANGUAGE=language, **kwargs)
    client.force_login(citizen_user(guardian(guardian_id)))
    client.cookies["django_language"] = language
    return client


def token_for(offer: Offer, guardian_id: str) -> str:
    return make_token(offer_id=offer.pk, guardian_id=guardian(guardian_id).pk, expires_at=offer.deadline)
