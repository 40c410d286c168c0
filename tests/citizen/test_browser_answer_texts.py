"""The answer pages' words on a 390 px phone in Finnish, Swedish and English: offer → accept → receipt and
offer → decline → receipt, each saying what happens next and where to call, never a double negative on the way
to declining nor "rejected" for a guardian's own decline; nothing scrolls sideways, and on paper the receipt
keeps its facts while the navigation, the language switch and the buttons stay on the screen."""

from __future__ import annotations

from typing import Any

import pytest

from asti.core import city
from asti.offers.models import NoAnswerPolicy, OfferRound, OfferStatus
from tests.citizen.conftest import client_for, offer_of
from tests.citizen.test_browser_layout import overflow, session_cookie

pytestmark = pytest.mark.django_db(transaction=True)

WORDS: dict[str, dict[str, str]] = {
    "fi": {
        "accept": "Ota paikka vastaan",
        "accept_yes": "Kyllä, otan paikan vastaan",
        "accepted": "Paikka vastaanotettu",
        "decline": "Kieltäydy paikasta ja hae toista",
        "decline_title": "Haluatko kieltäytyä paikasta?",
        "decline_yes": "Kyllä, kieltäydyn paikasta",
        "declined": "Kieltäydyit paikasta",
        "next": "Mitä seuraavaksi tapahtuu",
        "no_answer": "paikka vahvistetaan",
        "child": "Lapsi",
        "nav": "Omat sivut",
    },
    "sv": {
        "accept": "Ta emot platsen",
        "accept_yes": "Ja, jag tar emot platsen",
        "accepted": "Platsen mottagen",
        "decline": "Tacka nej och ansök om en annan plats",
        "decline_title": "Vill du tacka nej till platsen?",
        "decline_yes": "Ja, jag tackar nej till platsen",
        "declined": "Du tackade nej till platsen",
        "next": "Vad händer härnäst",
        "no_answer": "bekräftas platsen",
        "child": "Barn",
        "nav": "Dina sidor",
    },
    "en": {
        "accept": "Accept the place",
        "accept_yes": "Yes, accept the place",
        "accepted": "Place accepted",
        "decline": "Decline the place and apply for another",
        "decline_title": "Do you want to decline the place?",
        "decline_yes": "Yes, I decline the place",
        "declined": "You declined the place",
        "next": "What happens next",
        "no_answer": "the place is confirmed",
        "child": "Child",
        "nav": "Your pages",
    },
}
# what a guardian must never read on the way to declining, or about their own decline
DOUBLE_NEGATIVES = ("Etkö ota", "en ota", "Älä ota", "Tackar du inte")
REJECTED = ("Hylätty", "hylätty", "Avvisad", "Rejected", "rejected")
HELP_PHONE = "09 310 80488"  # Helsinki's service desk, as the city profile writes it (the same in its messages)


def phone_page(chromium: Any, base: str, guardian_id: str, language: str) -> tuple[Any, Any]:
    context = chromium.new_context(viewport={"width": 390, "height": 844}, locale=f"{language}-FI")
    language_cookie = {"name": "django_language", "value": language, "url": base}
    context.add_cookies([session_cookie(guardian_id, base), language_cookie])
    context.set_default_timeout(8000)
    return context, context.new_page()


def main_text(page: Any) -> str:
    return str(page.locator("main").inner_text())


def assert_fits(page: Any) -> None:
    assert overflow(page) == "", page.url


def assert_prints_without_navigation(page: Any, words: dict[str, str]) -> None:
    nav = page.get_by_role("navigation", name=words["nav"])
    assert nav.is_visible() and page.locator("form.asti-language").is_visible()  # on the screen: there
    page.emulate_media(media="print")
    try:
        assert not nav.is_visible()
        assert not page.locator("form.asti-language").is_visible()
        assert not page.locator(".asti-footer__links").is_visible()
        assert page.locator("main button:visible, main .hds-button:visible").count() == 0
        assert page.locator("h1").is_visible() and page.locator(".asti-header__city").is_visible()
        assert page.get_by_role("heading", name=words["next"]).first.is_visible()
        assert page.get_by_text(HELP_PHONE).first.is_visible()
    finally:
        page.emulate_media(media="screen")


@pytest.mark.parametrize("language", ["fi", "sv", "en"])
def test_offer_accept_receipt_says_what_happens_next_and_prints(
    chromium: Any, live_server: Any, sent_round: OfferRound, language: str
) -> None:
    words = WORDS[language]
    offer = offer_of("C1")
    context, page = phone_page(chromium, live_server.url, "G1", language)
    page.goto(f"{live_server.url}/offers/{offer.pk}/")
    assert page.locator("html").get_attribute("lang") == language
    text = main_text(page)
    assert words["next"] in text and words["no_answer"] in text and HELP_PHONE in text
    assert city.texts(language).decisions_expected in text
    assert_fits(page)
    page.get_by_role("link", name=words["accept"], exact=True).click()
    assert_fits(page)
    assert offer.child.first_name in main_text(page) and HELP_PHONE in main_text(page)
    page.get_by_role("button", name=words["accept_yes"]).click()
    page.locator("h1", has_text=words["accepted"]).wait_for()
    receipt = main_text(page)
    assert offer.child.first_name in receipt and words["child"] in receipt
    assert city.texts(language).decisions_expected in receipt and city.texts(language).organisation in receipt
    assert HELP_PHONE in receipt and words["next"] in receipt
    assert_fits(page)
    assert_prints_without_navigation(page, words)
    context.close()
    offer.refresh_from_db()
    assert offer.status == OfferStatus.ACCEPTED


@pytest.mark.parametrize("language", ["fi", "sv", "en"])
def test_offer_decline_receipt_has_no_double_negative_and_prints(
    chromium: Any, live_server: Any, sent_round: OfferRound, language: str
) -> None:
    words = WORDS[language]
    offer = offer_of("C6")
    context, page = phone_page(chromium, live_server.url, "G6", language)
    page.goto(f"{live_server.url}/offers/{offer.pk}/")
    page.get_by_role("link", name=words["decline"], exact=True).click()
    page.locator("h1", has_text=words["decline_title"]).wait_for()
    confirm = main_text(page)
    assert not any(phrase in confirm for phrase in DOUBLE_NEGATIVES), confirm
    assert offer.child.first_name in confirm and HELP_PHONE in confirm
    assert_fits(page)
    page.get_by_role("button", name=words["decline_yes"]).click()
    page.wait_for_url(f"**/offers/{offer.pk}/apply/")
    page.goto(f"{live_server.url}/offers/{offer.pk}/")  # the offer page is the decline's receipt
    receipt = main_text(page)
    assert page.locator(".asti-status", has_text=words["declined"]).is_visible()
    assert page.get_by_role("heading", name=words["declined"]).is_visible()
    assert not any(word in receipt for word in REJECTED), receipt
    assert not any(phrase in receipt for phrase in DOUBLE_NEGATIVES), receipt
    assert words["next"] in receipt and HELP_PHONE in receipt
    assert_fits(page)
    assert_prints_without_navigation(page, words)
    context.close()
    offer.refresh_from_db()
    assert offer.status == OfferStatus.DECLINED


@pytest.mark.parametrize(
    ("language", "staff_calls"),
    [("fi", "palveluohjaus ottaa sinuun yhteyttä"), ("sv", "kontaktar servicehandledningen dig"),
     ("en", "service guidance will contact you")],
)  # fmt: skip
def test_the_offer_page_says_what_the_rounds_no_answer_policy_does(
    sent_round: OfferRound, language: str, staff_calls: str
) -> None:
    offer = offer_of("C1")
    confirmed = WORDS[language]["no_answer"]
    page = client_for("G1", language=language).get(f"/offers/{offer.pk}/").content.decode()
    assert confirmed in page and staff_calls not in page
    OfferRound.objects.filter(pk=sent_round.pk).update(no_answer_policy=NoAnswerPolicy.STAFF)
    page = client_for("G1", language=language).get(f"/offers/{offer.pk}/").content.decode()
    assert staff_calls in page and confirmed not in page
