"""The accessibility statement in Finnish, Swedish and English says what is tested (docs/accessibility.md), names
its exceptions, and gives the city profile's contacts and the supervisory authority."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.test import Client

from asti.core import city

SAYS = {
    "fi": ["WCAG 2.1", "AA-taso", "täyttää sen osittain", "Axe-core", "320 pikselin", "JavaScript",
           "pelkällä näppäimistöllä", "PDF/UA", "Liikenne- ja viestintävirasto Traficom", "4.12.2026"],
    "sv": ["WCAG 2.1", "nivå AA", "uppfyller den delvis", "axe-core", "320 pixlar", "JavaScript",
           "bara tangentbord", "PDF/UA", "Transport- och kommunikationsverket Traficom", "4.12.2026"],
    "en": ["WCAG 2.1", "level AA", "partially meets", "axe-core", "320 pixels", "JavaScript", "only a keyboard",
           "PDF/UA", "Finnish Transport and Communications Agency Traficom", "4 December 2026"],
}  # fmt: skip


@pytest.mark.parametrize("language", ["fi", "sv", "en"])
def test_the_statement_says_what_is_tested_and_whom_to_contact(settings: Any, language: str) -> None:
    client = Client()
    client.cookies["django_language"] = language
    response = client.get("/accessibility/")
    assert response.status_code == 200
    html = response.content.decode()
    text = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))
    missing = [phrase for phrase in SAYS[language] if phrase not in text]
    assert not missing, missing
    profile = city.active()
    assert f'href="mailto:{settings.ASTI_ACCESSIBILITY_EMAIL}"' in html
    assert profile.contact.phone in text and profile.contact.hours.get(language) in text
    assert 'href="https://www.saavutettavuusvaatimukset.fi"' in html
    assert "Regional State Administrative Agency" not in text and "aluehallintovirasto" not in text
