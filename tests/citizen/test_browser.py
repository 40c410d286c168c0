"""The guardian journeys in a real browser (Debian Chromium, headless) against the live server, with axe-core
on every page: accept in Finnish, decline → application in Swedish, once without JavaScript, and one login
through the real local OpenID Provider."""

from __future__ import annotations

import re
from typing import Any

import pytest

from asti.applications.models import Application
from asti.offers.models import Feedback, OfferRound, OfferStatus
from tests.citizen.browser import assert_accessible
from tests.citizen.conftest import guardian, offer_of, token_for

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def demo(settings: Any) -> Any:
    settings.ASTI_ENV = "demo"
    settings.ASTI_DEMO_LOGIN = True
    return settings


def open_link_and_log_in(page: Any, base: str, token: str, name: str) -> None:
    page.goto(f"{base}/o/{token}")
    assert "/login/test/" in page.url
    page.get_by_role("button", name=name, exact=True).click()
    page.wait_for_url(re.compile(r"/offers/\d+/$"))


def test_accept_journey_in_finnish(chromium: Any, live_server: Any, demo: Any, sent_round: OfferRound) -> None:
    offer = offer_of("C1")
    context = chromium.new_context(
        locale="en-GB", bypass_csp=True
    )  # the registry language (fi) wins over the browser's
    context.set_default_timeout(5000)
    page = context.new_page()
    open_link_and_log_in(page, live_server.url, token_for(offer, "G1"), "Maria Virtanen")
    assert page.locator("html").get_attribute("lang") == "fi"
    assert page.get_by_role("heading", level=1).inner_text() == "Esiopetuspaikka: Aino"
    page.get_by_text("Lapsesi jatkaa nykyisessä yksikössään.").wait_for()
    assert_accessible(page)
    page.get_by_role("link", name="Ota paikka vastaan").click()
    assert_accessible(page)
    page.get_by_role("button", name="Kyllä, otan paikan vastaan").click()
    assert page.locator("h1").inner_text().startswith("Paikka")  # (another catalog may word it differently)
    assert_accessible(page)
    page.get_by_label("Erittäin tyytyväinen").check()
    page.get_by_label("Kommentti (vapaaehtoinen)").fill("Helppoa!")
    page.get_by_role("button", name="Lähetä palaute").click()
    page.get_by_text("Kiitos palautteestasi.").wait_for()
    assert_accessible(page)
    page.goto(f"{live_server.url}/")
    assert_accessible(page)
    for path in ("/accessibility/", "/feedback/"):
        page.goto(f"{live_server.url}{path}")
        assert_accessible(page)
    context.close()
    offer.refresh_from_db()
    assert offer.status == OfferStatus.ACCEPTED and offer.answer_channel == "link"
    assert Feedback.objects.get(offer=offer).score == 5


@pytest.mark.parametrize("javascript", [True, False], ids=["js", "no-js"])
def test_decline_and_apply_journey_in_swedish(
    chromium: Any, live_server: Any, demo: Any, sent_round: OfferRound, javascript: bool
) -> None:
    offer = offer_of("C6")  # Alva Lindqvist; her guardian Karin is Swedish-speaking in the registry
    context = chromium.new_context(locale="fi-FI", java_script_enabled=javascript, bypass_csp=True)
    context.set_default_timeout(5000)
    page = context.new_page()
    check = assert_accessible if javascript else (lambda page: None)
    open_link_and_log_in(page, live_server.url, token_for(offer, "G6"), "Karin Lindqvist")
    assert page.locator("html").get_attribute("lang") == "sv"
    check(page)
    page.get_by_role("link", name="Tacka nej och ansök om en annan plats").click()
    check(page)
    page.get_by_role("button", name="Ja, jag tackar nej till platsen").click()
    page.locator("h1", has_text="Ansök om en annan plats").wait_for()
    page.get_by_text("Runebergsgatan 50, 00260").wait_for()  # pre-filled from the registry
    check(page)
    page.get_by_label("Sök med namn, område, gata eller postnummer").fill("Töölö")
    page.get_by_role("button", name="Sök", exact=True).click()
    page.get_by_text("1 plats hittades.").wait_for()
    check(page)
    page.get_by_role("button", name=re.compile(r"^Lägg till som önskemål\s*:\s*Päiväkoti Töölö$")).click()
    page.locator(".citizen-wishes", has_text="Päiväkoti Töölö").wait_for()
    page.get_by_label("Mitt barn behöver också småbarnspedagogik före eller efter förskoleundervisningen").check()
    page.get_by_role("button", name="Skicka ansökan").click()
    page.locator("h1", has_text="Ansökan för Alva").wait_for()
    page.get_by_text("Skickad", exact=True).wait_for()
    page.get_by_text("Ansökan skickad", exact=False).first.wait_for()
    check(page)
    page.get_by_label("Nöjd", exact=True).check()
    page.get_by_role("button", name="Skicka respons").click()
    page.get_by_text("Tack för din respons.").wait_for()
    check(page)
    page.locator("button[name=language][value=en]").click()  # the language switch (a POST form)
    page.locator("h1", has_text="Application for Alva").wait_for()
    check(page)
    context.close()
    application = Application.objects.get()
    assert application.guardian == guardian("G6") and application.supplementary_ecec
    assert [w.unit.unit_id for w in application.wishes.all()] == ["PK-TOOLO"]
    assert offer_of("C6").status == OfferStatus.DECLINED


def test_refused_link_page_is_accessible(chromium: Any, live_server: Any, sent_round: OfferRound) -> None:
    page = chromium.new_page(locale="sv-SE", bypass_csp=True)  # (lets axe be injected)
    page.goto(f"{live_server.url}/o/1.2.3~forged")
    page.locator("h1", has_text="Länken kan inte öppnas").wait_for()
    assert_accessible(page)
    page.close()
