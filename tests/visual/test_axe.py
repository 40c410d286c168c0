"""axe-core's WCAG 2.1 A and AA checks on every key page (tests/key_pages.py) in Finnish, Swedish and English on
a phone (390 px), and in Finnish on a desktop (1440 px): what the accessibility statement says is checked
automatically."""

from __future__ import annotations

from typing import Any

import pytest

from asti.core import clock
from tests.axe import axe_findings
from tests.citizen import browser
from tests.key_pages import LANGUAGES, NOW, tour

chromium = browser.chromium

pytestmark = [pytest.mark.django_db(transaction=True, reset_sequences=True), pytest.mark.slow]


@pytest.mark.parametrize(("width", "languages"), [(390, LANGUAGES), (1440, ("fi",))], ids=["phone", "desktop"])
def test_axe_finds_nothing_on_the_key_pages(
    chromium: Any, live_server: Any, width: int, languages: tuple[str, ...]
) -> None:
    findings = []
    with clock.frozen_at(NOW):
        for page, key_page, language, _width in tour(chromium, live_server.url, languages, (width,)):
            findings += axe_findings(page, f"{key_page.name} {language} {width} px ({key_page.path})")
    assert not findings, "\n".join(findings)
