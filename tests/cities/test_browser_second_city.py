"""The second city in a real browser (Debian Chromium) on a 390 px phone: Tampere's offer page shows Tampere's
name, colours and logo in fi, sv and en under the strict Content Security Policy, never Helsinki, and does not
scroll sideways."""

from __future__ import annotations

from typing import Any

import pytest
from django.conf import settings
from django.test import Client

from asti.offers.models import Offer, OfferRound
from tests.citizen.browser import assert_accessible
from tests.citizen.conftest import citizen_user
from tests.citizen.test_browser_layout import overflow

pytestmark = pytest.mark.django_db(transaction=True)

ORGANISATION = {"fi": "Tampereen kaupunki", "sv": "Tammerfors stad", "en": "City of Tampere"}
HEADING = {"fi": "Esiopetuspaikka", "sv": "Förskoleplats", "en": "Pre-primary place"}


def test_the_second_citys_offer_page_in_every_language_at_390_px(
    chromium: Any, live_server: Any, tampere_round: OfferRound
) -> None:
    offer = Offer.objects.select_related("child").order_by("pk").first()
    assert offer is not None
    guardian = offer.child.custodies.select_related("guardian").first().guardian  # type: ignore[union-attr]
    login = Client()
    login.force_login(citizen_user(guardian))
    base = live_server.url
    session = {"name": settings.SESSION_COOKIE_NAME, "value": login.cookies[settings.SESSION_COOKIE_NAME].value,
               "url": base}  # fmt: skip
    for language in ("fi", "sv", "en"):
        context = chromium.new_context(viewport={"width": 390, "height": 800}, locale=f"{language}-FI")
        context.add_cookies([session, {"name": "django_language", "value": language, "url": base}])
        context.set_default_timeout(5000)
        page = context.new_page()
        response = page.goto(f"{base}/offers/{offer.pk}/")
        assert response is not None and response.status == 200
        assert page.locator("html").get_attribute("lang") == language
        assert page.locator(".asti-header__city").inner_text() == ORGANISATION[language]
        assert page.get_by_role("heading", level=1).inner_text().startswith(HEADING[language])
        assert page.title().endswith(f"– {ORGANISATION[language]}")
        assert page.locator("footer").inner_text().startswith(f"{ORGANISATION[language]} – ")
        header = page.locator("header.asti-header").first
        colours = header.evaluate("e => [getComputedStyle(e).backgroundColor, getComputedStyle(e).color]")
        assert colours == ["rgb(26, 58, 107)", "rgb(255, 255, 255)"], colours  # Tampere's #1a3a6b, white text
        link = page.locator("main a").first.evaluate("e => getComputedStyle(e).color")
        button = page.locator("main a.hds-button--primary").first.evaluate("e => getComputedStyle(e).backgroundColor")
        assert link == button == "rgb(26, 58, 107)"  # HDS's own buttons follow the city's colour too
        assert page.locator("img.asti-header__logo").evaluate("e => e.complete && e.naturalWidth > 0")
        assert "helsin" not in page.content().lower()
        assert overflow(page) == "", f"{language}: {overflow(page)}"
        context.close()
    context = chromium.new_context(viewport={"width": 390, "height": 800}, locale="fi-FI", bypass_csp=True)
    context.add_cookies([session, {"name": "django_language", "value": "fi", "url": base}])
    page = context.new_page()
    page.goto(f"{base}/offers/{offer.pk}/")
    assert_accessible(page)  # white on Tampere's blue header, its links and focus colour pass axe's contrast rules
    context.close()
