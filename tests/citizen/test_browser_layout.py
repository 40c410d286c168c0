"""The guardian pages at a small phone's width (320 and 390 px) in Finnish, Swedish and English: nothing makes
the page scroll sideways (WCAG 1.4.10), not even a unit's long email address or a long word. And every key page
(tests/key_pages.py, for families and for staff) at 320 px in all three languages."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any
from urllib.parse import urlsplit

import pytest
from django.conf import settings
from django.test import Client

from asti.conversations.services import thread_start_by_guardian
from asti.core import clock
from asti.offers.answers import offer_answer
from asti.offers.models import OfferRound
from asti.units.models import Unit
from tests import key_pages
from tests.citizen.application_family import NOW, Family
from tests.citizen.conftest import citizen_user, guardian, offer_of

pytestmark = pytest.mark.django_db(transaction=True)

WIDTHS = (320, 390)
LANGUAGES = ("fi", "sv", "en")
LONG_EMAIL = "varhaiskasvatus.esiopetus.paivakoti.kallio@kasvatuksen-ja-koulutuksen-toimiala.example.fi"
LONG_ADDRESS = "Kolmannenlinjankujanpoikkikatu 1234"
LONG_WORD = "Ruoka-aineallergia" + "pähkinä" * 12  # longer than a phone is wide


def session_cookie(guardian_id: str, base: str) -> dict[str, Any]:
    client = Client()
    client.force_login(citizen_user(guardian(guardian_id)))
    return {"name": settings.SESSION_COOKIE_NAME, "value": client.cookies[settings.SESSION_COOKIE_NAME].value,
            "url": base}  # fmt: skip


def overflow(page: Any) -> str:
    """'' when nothing is wider than the window, else the page's width and the widest elements."""
    return str(
        page.evaluate(
            """() => {
              const width = document.scrollingElement.scrollWidth, inner = window.innerWidth;
              if (width <= inner) return '';
              const wide = [...document.querySelectorAll('body *')]
                .filter(e => e.getBoundingClientRect().right > inner + 0.5)
                .map(e => e.tagName.toLowerCase() + (e.className ? '.' + String(e.className).split(' ')[0] : '')
                          + ' ' + Math.round(e.getBoundingClientRect().right));
              return `${width} px on ${inner} px: ${wide.slice(0, 6).join(', ')}`;
            }"""
        )
    )


def assert_no_sideways_scrolling(chromium: Any, base: str, paths: list[str], cookies: list[dict[str, Any]]) -> None:
    problems = []
    for language in LANGUAGES:
        for width in WIDTHS:
            context = chromium.new_context(viewport={"width": width, "height": 800}, locale=f"{language}-FI")
            context.add_cookies([*cookies, {"name": "django_language", "value": language, "url": base}])
            context.set_default_timeout(8000)
            page = context.new_page()
            for path in paths:
                page.goto(f"{base}{path}")
                assert page.locator("html").get_attribute("lang") == language, path
                assert urlsplit(page.url).path == urlsplit(path).path, f"{path} went to {page.url}"
                if found := overflow(page):
                    problems.append(f"{language} {width} px {path}: {found}")
            context.close()
    assert not problems, "\n".join(problems)


def test_guardian_pages_do_not_scroll_sideways_on_a_small_phone(
    chromium: Any, live_server: Any, sent_round: OfferRound
) -> None:
    offer = offer_of("C1")
    Unit.objects.filter(pk=offer.unit_id).update(email=LONG_EMAIL, street_address=LONG_ADDRESS)
    cookies = [session_cookie("G1", live_server.url)]
    thread = thread_start_by_guardian(
        guardian=guardian("G1"), child=offer.child, title=LONG_WORD, body=f"Yhteystieto: {LONG_EMAIL}"
    )
    open_offer = [f"/offers/{offer.pk}/", f"/offers/{offer.pk}/accept/", f"/offers/{offer.pk}/decline/"]
    public = ["/accessibility/", "/feedback/", "/o/1.2.3~forged", "/no-such-page/"]
    messages = ["/messages/", f"/messages/{thread.pk}/", "/messages/new/"]
    assert_no_sideways_scrolling(chromium, live_server.url, ["/", *open_offer, *messages, *public], cookies)
    offer_answer(offer_id=offer.pk, accept=False, guardian=guardian("G1"), channel="link", actor="test")
    assert_no_sideways_scrolling(chromium, live_server.url, [f"/offers/{offer.pk}/", f"/offers/{offer.pk}/apply/"],
                                 cookies)  # fmt: skip


@pytest.fixture
def family(settings: Any, tmp_path: Any) -> Iterator[Family]:
    settings.MEDIA_ROOT = str(tmp_path / "media")
    with clock.frozen_at(NOW):
        yield Family()


def test_application_forms_do_not_scroll_sideways_on_a_small_phone(
    chromium: Any, live_server: Any, family: Family
) -> None:
    Unit.objects.filter(pk=family.kallio.pk).update(email=LONG_EMAIL)
    forms = [(family.baby, "ecec"), (family.leo, "preschool"), (family.ella, "first_grade"), (family.ella, "afternoon")]
    paths = ["/", *(f"/children/{child.pk}/apply/{kind}/" for child, kind in forms)]
    assert_no_sideways_scrolling(chromium, live_server.url, paths, [session_cookie("G1", live_server.url)])


@pytest.mark.django_db(transaction=True, reset_sequences=True)
def test_key_pages_do_not_scroll_sideways_at_320_px(chromium: Any, live_server: Any) -> None:
    problems, seen = [], set()
    with clock.frozen_at(key_pages.NOW):
        for page, key_page, language, _width in key_pages.tour(chromium, live_server.url, LANGUAGES, (320,)):
            seen.add((key_page.name, language))
            if found := overflow(page):
                problems.append(f"{key_page.name} {language} 320 px ({key_page.path}): {found}")
    assert seen == {(name, language) for name in key_pages.NAMES for language in LANGUAGES}
    assert not problems, "\n".join(problems)
