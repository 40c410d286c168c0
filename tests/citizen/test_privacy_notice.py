"""The privacy notice (GDPR articles 13 and 14): in Finnish, Swedish and English, linked from every page's footer,
naming the controller and contacts from the settings (another city's too) and the retention periods the purge
uses; no sideways scrolling on a phone, and accessible."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.test import Client

from tests.citizen.browser import assert_accessible
from tests.citizen.test_browser_layout import assert_no_sideways_scrolling

HEADINGS = {"fi": "Tietosuojaseloste", "sv": "Dataskyddsbeskrivning", "en": "Privacy notice"}
TWO_YEARS = {"fi": "2 vuotta lähettämisestä", "sv": "2 år efter att de skickades", "en": "2 years after sending"}


def notice(language: str) -> str:
    client = Client(HTTP_ACCEPT_LANGUAGE=language)
    client.cookies["django_language"] = language
    response = client.get("/privacy/")
    assert response.status_code == 200
    return response.content.decode()


def main(html: str) -> str:
    return html.split('<main id="main"', 1)[1].split("</main>", 1)[0]


@pytest.mark.django_db
@pytest.mark.parametrize("language", ["fi", "sv", "en"])
def test_the_notice_in_each_language(language: str) -> None:
    html = notice(language)
    assert f"<h1>{HEADINGS[language]}</h1>" in html
    assert TWO_YEARS[language] in html  # the messages' period, from the purge's setting
    assert "tietosuoja@om.fi" in html and "tietosuoja@hel.fi" in html
    controller = {"fi": "Helsingin kaupunki", "sv": "Helsingfors stad", "en": "City of Helsinki"}[language]
    assert controller in html
    # the footer links to it beside the accessibility statement, in the page's language
    assert re.search(rf'<a href="/privacy/">{HEADINGS[language]}</a>', html)


@pytest.mark.django_db
def test_the_notice_follows_the_settings(settings: Any) -> None:
    settings.ASTI_DECISION_AUTHORITY_FI = "Esimerkkilän kaupunki, sivistystoimi"
    settings.ASTI_PRIVACY_CONTROLLER_EN = "City of Esimerkkilä, Education"
    settings.ASTI_PRIVACY_DPO_EMAIL = "dpo@esimerkkila.example"
    settings.ASTI_DECISION_REGISTRY_ADDRESS = "Esimerkkilän kirjaamo, PL 1, 99999 Esimerkkilä"
    settings.ASTI_RETENTION_MESSAGE_DAYS = 180
    settings.ASTI_RETENTION_FEEDBACK_DAYS = 0
    fi, en = main(notice("fi")), main(notice("en"))
    assert "Esimerkkilän kaupunki, sivistystoimi" in fi and "Helsin" not in fi
    assert "City of Esimerkkilä, Education" in en and "Helsin" not in en
    assert "dpo@esimerkkila.example" in en and "Esimerkkilän kirjaamo" in en
    assert "6 months after sending" in en and "6 kuukautta lähettämisestä" in fi
    assert "after answering an offer: not removed automatically" in en


@pytest.mark.django_db(transaction=True)
def test_the_notice_fits_a_phone_and_is_accessible(chromium: Any, live_server: Any) -> None:
    assert_no_sideways_scrolling(chromium, live_server.url, ["/privacy/"], [])
    for language in ("fi", "sv", "en"):
        context = chromium.new_context(viewport={"width": 390, "height": 800}, locale=f"{language}-FI", bypass_csp=True)
        context.add_cookies([{"name": "django_language", "value": language, "url": live_server.url}])
        page = context.new_page()
        page.goto(f"{live_server.url}/accessibility/")
        page.get_by_role("link", name=HEADINGS[language]).click()
        assert page.get_by_role("heading", level=1).inner_text() == HEADINGS[language]
        assert_accessible(page)
        context.close()
