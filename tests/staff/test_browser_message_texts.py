"""The message-text pages and the round's send page in the browser on a 390 px phone, in fi, sv and en: a
planner previews a text without JavaScript, sees the SMS parts, saves it and returns to the default; on the send
page they see the round's settings and the offer in every language, send a test to their own phone, are refused
without the tick and send with it. axe-core checks each page, and no page scrolls sideways."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from asti.jobs.models import Job
from asti.messaging.models import Message, MessageText
from asti.messaging.texts import text_rules
from asti.offers.models import OfferRound
from tests.citizen.browser import assert_accessible, chromium  # noqa: F401  (the fixture)

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.slow]

WIDTH = 390
WORDS = {
    "fi": {"preview": "Esikatsele", "save": "Tallenna teksti", "reset": "Palaa oletustekstiin",
           "test": "Lähetä testiviesti", "send": "Lähetä kierros nyt", "saved": "Teksti tallennettiin",
           "tick": "Vahvista valintaruudulla", "settings": "Kierroksen asetukset", "parts": "osa"},
    "sv": {"preview": "Förhandsvisa", "save": "Spara texten", "reset": "Återgå till standardtexten",
           "test": "Skicka ett test", "send": "Skicka omgången nu", "saved": "Texten sparades",
           "tick": "Kryssa i rutan", "settings": "Omgångens inställningar", "parts": "del"},
    "en": {"preview": "Preview", "save": "Save the text", "reset": "Return to the default text",
           "test": "Send a test", "send": "Send the round now", "saved": "The text was saved",
           "tick": "Tick the box", "settings": "The round's settings", "parts": "part"},
}  # fmt: skip


@pytest.fixture
def page(chromium: Any, live_server: Any, settings: Any, request: pytest.FixtureRequest) -> Iterator[Any]:  # noqa: F811
    settings.ASTI_ENV = "demo"
    settings.ASTI_DEMO_LOGIN = True
    locale = {"fi": "fi-FI", "sv": "sv-SE", "en": "en-GB"}[request.node.callspec.params["language"]]
    context = chromium.new_context(
        base_url=live_server.url, locale=locale, bypass_csp=True, viewport={"width": WIDTH, "height": 844}
    )
    context.set_default_timeout(10_000)
    opened = context.new_page()
    opened.goto("/login/staff/?next=/staff/")
    opened.locator("button[name=staff][value=planner]").click()
    opened.wait_for_url("**/staff/")
    yield opened
    context.close()


def check(page: Any) -> None:
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= WIDTH, f"{page.url}: {width} px wide at {WIDTH} px"
    assert_accessible(page)


@pytest.mark.parametrize("language", ["fi", "sv", "en"])
def test_a_text_is_previewed_saved_and_returned_to_the_default(
    page: Any, language: str, allocated_round: OfferRound
) -> None:
    words = WORDS[language]
    page.goto("/staff/texts/")
    assert page.locator("html").get_attribute("lang") == language
    check(page)
    page.locator("#text-offersoffer a").nth(1).click()  # the Swedish offer SMS
    page.wait_for_url("**/staff/texts/offers.offer/sv/")
    check(page)
    default = text_rules("offers.offer", "sv").default_body
    page.fill("#id_body", "Hej! " + default)
    page.get_by_role("button", name=words["preview"], exact=True).click()
    page.wait_for_load_state()
    assert page.locator("#preview-sms").inner_text().startswith("Hej! ")
    parts = int(page.locator("#sms-parts").inner_text())
    assert parts >= 1 and page.locator("#sms-encoding").inner_text() in ("GSM-7", "UCS-2")
    assert not MessageText.objects.exists()  # a preview saves nothing
    check(page)

    page.get_by_role("button", name=words["save"]).click()
    page.wait_for_url("**/staff/texts/offers.offer/sv/")
    assert words["saved"] in page.locator(".staff-message").inner_text()
    assert page.locator(".staff-message").count() == 1
    assert MessageText.objects.get().body.startswith("Hej! ")
    check(page)
    page.get_by_role("button", name=words["reset"]).click()
    page.wait_for_url("**/staff/texts/offers.offer/sv/")
    assert page.locator("#id_body").input_value().strip() == default
    assert MessageText.objects.order_by("-id")[0].is_default
    check(page)


@pytest.mark.parametrize("language", ["fi", "sv", "en"])
def test_the_send_page_shows_settings_previews_a_test_and_needs_the_tick(
    page: Any, language: str, allocated_round: OfferRound
) -> None:
    words = WORDS[language]
    page.goto(f"/staff/rounds/{allocated_round.pk}/send/")
    assert words["settings"] in page.locator("#round-settings").inner_text()
    for code in ("sv", "en"):  # the first language is open; the others open with a click, no script
        page.locator(f"#offer-{code} summary").click()
    for code in ("fi", "sv", "en"):
        assert f" {words['parts']}" in page.locator(f"#offer-{code}-parts").inner_text()
    check(page)

    page.fill("#id_recipient", "040 765 4321")
    page.get_by_role("button", name=words["test"]).click()
    page.wait_for_url(f"**/staff/rounds/{allocated_round.pk}/send/")
    test = Message.objects.get()
    assert (test.recipient, test.template_key) == ("+358407654321", "messaging.test")
    check(page)

    page.get_by_role("button", name=words["send"]).click()  # without the tick
    page.wait_for_load_state()
    assert words["tick"] in page.locator("#send-confirm").inner_text()
    assert not Job.objects.filter(kind="offers.send").exists()
    check(page)
    page.locator("#id_confirm").check()
    page.get_by_role("button", name=words["send"]).click()
    page.wait_for_url("**/staff/jobs/*/")
    assert Job.objects.filter(kind="offers.send").count() == 1
