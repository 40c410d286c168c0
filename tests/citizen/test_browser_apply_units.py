"""Choosing places in a real browser (Debian Chromium, headless) on a phone (390 px) and on a desktop (1440 px), in
Finnish, Swedish and English: three wishes chosen from the unit picker, a search as one types and a search by the
button, the wishes still there, one moved up, the application sent, the receipt showing the wishes in that order;
no page scrolls sideways; printed, the receipt shows what was sent and no buttons. Also the picker without
JavaScript. The clock is frozen in the application periods (the live server runs in this process)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest

from asti.applications.models import Application, ApplicationStatus
from asti.core import clock
from asti.units.models import Unit
from tests.citizen.application_family import NOW, Family
from tests.citizen.browser import assert_accessible
from tests.factories import UnitFactory

pytestmark = pytest.mark.django_db(transaction=True)

PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1440, "height": 900}

TEXTS = {
    "fi": {
        "guardian": "Maria Virtanen", "add": "Lisää toiveeksi", "up": "Siirrä ylemmäs", "search": "Hae",
        "field": "Hae nimellä, alueella, kadulla tai postinumerolla", "one": "1 paikka löytyi.",
        "send": "Lähetä hakemus", "sent": "Hakemus lähetetty", "receipt": "Kuittaus", "time": "klo 10.00",
    },
    "sv": {
        "guardian": "Karin Virtanen", "add": "Lägg till som önskemål", "up": "Flytta upp", "search": "Sök",
        "field": "Sök med namn, område, gata eller postnummer", "one": "1 plats hittades.",
        "send": "Skicka ansökan", "sent": "Ansökan skickad", "receipt": "Kvitto", "time": "kl. 10.00",
    },
    "en": {
        "guardian": "Maria Virtanen", "add": "Add as a wish", "up": "Move up", "search": "Search",
        "field": "Search by name, area, street or postal code", "one": "1 place found.",
        "send": "Send the application", "sent": "Application sent", "receipt": "Receipt", "time": "10:00",
    },
}  # fmt: skip


@pytest.fixture
def family(demo: Any) -> Iterator[Family]:
    with clock.frozen_at(NOW):
        f = Family()
        Unit.objects.filter(pk=f.kallio.pk).update(lat=60.1860, lon=24.9490)
        Unit.objects.filter(pk=f.vallila.pk).update(lat=60.1990, lon=24.9560)
        UnitFactory(unit_id="PK-HAKANIEMI", name_fi="Päiväkoti Hakaniemi", street_address="Siltasaarenkatu 4",
                    postal_code="00530", lat=60.1790, lon=24.9510, admission_area=f.area)  # fmt: skip
        yield f


def no_sideways_scrolling(page: Any) -> None:
    width = page.evaluate("document.documentElement.scrollWidth")
    viewport = page.viewport_size["width"]
    assert width <= viewport, f"{page.url}: {width} px wide on {viewport} px"


def labelled(action: str, name: str) -> re.Pattern[str]:
    """A picker button's name: the action, and the place's name for a screen reader."""
    return re.compile(rf"^{re.escape(action)}\s*:\s*{re.escape(name)}$")


def log_in(chromium: Any, base: str, name: str, viewport: dict[str, int], *, javascript: bool = True) -> Any:
    context = chromium.new_context(locale="fi-FI", viewport=viewport, bypass_csp=True, java_script_enabled=javascript)
    context.set_default_timeout(8000)
    page = context.new_page()
    page.goto(f"{base}/login/test/")
    page.get_by_role("button", name=name, exact=True).click()
    page.wait_for_url(f"{base}/")
    return context, page


def wishes(page: Any) -> list[str]:
    return [text.strip() for text in page.locator(".citizen-wishes .citizen-place__name").all_inner_texts()]


def add(page: Any, t: dict[str, str], name: str) -> None:
    page.get_by_role("button", name=labelled(t["add"], name)).click()
    page.locator(".citizen-wishes", has_text=name).wait_for()


@pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["390px", "1440px"])
@pytest.mark.parametrize("language", ["fi", "sv", "en"])
def test_three_wishes_survive_searches_are_reordered_sent_and_printed(
    chromium: Any, live_server: Any, family: Family, language: str, viewport: dict[str, int]
) -> None:
    t = TEXTS[language]
    context, page = log_in(chromium, live_server.url, t["guardian"], viewport)
    if language == "en":
        page.locator("button[name=language][value=en]").click()
        page.locator("html[lang=en]").wait_for()
    page.goto(f"{live_server.url}/children/{family.leo.pk}/apply/preschool/")
    page.locator("#unit-picker").wait_for()
    page.locator("#id_other_info").fill("Typed before choosing")
    no_sideways_scrolling(page)
    # nearest first, each with its distance from home
    found = page.locator("#picker-results .citizen-place__name").all_inner_texts()
    assert found[:2] == ["Päiväkoti Kallio", "Päiväkoti Hakaniemi"], found
    add(page, t, "Päiväkoti Kallio")
    add(page, t, "Päiväkoti Vallila")
    # as one types, only the places matching are listed; the wishes stay
    page.get_by_label(t["field"]).fill("Hakan")
    page.locator("[data-picker-count]", has_text=t["one"]).wait_for()
    assert page.locator("#picker-results .citizen-place__name").all_inner_texts() == ["Päiväkoti Hakaniemi"]
    add(page, t, "Päiväkoti Hakaniemi")
    assert wishes(page) == ["Päiväkoti Kallio", "Päiväkoti Vallila", "Päiväkoti Hakaniemi"]
    # a search by the button: the page comes back with the wishes and what was typed
    page.get_by_label(t["field"]).fill("Vallila")
    page.get_by_role("button", name=t["search"], exact=True).click()
    page.locator("[data-picker-count]", has_text=t["one"]).wait_for()
    assert wishes(page) == ["Päiväkoti Kallio", "Päiväkoti Vallila", "Päiväkoti Hakaniemi"]
    assert page.locator("#id_other_info").input_value() == "Typed before choosing"
    no_sideways_scrolling(page)
    assert_accessible(page)
    page.get_by_role("button", name=labelled(t["up"], "Päiväkoti Hakaniemi")).click()
    page.locator(".citizen-wishes .citizen-place__name").nth(1).filter(has_text="Päiväkoti Hakaniemi").wait_for()
    assert wishes(page) == ["Päiväkoti Kallio", "Päiväkoti Hakaniemi", "Päiväkoti Vallila"]
    page.get_by_role("button", name=t["send"]).click()
    page.locator("h1", has_text=t["sent"]).wait_for()
    no_sideways_scrolling(page)
    assert_accessible(page)
    application = Application.objects.get()
    assert application.status == ApplicationStatus.SENT and application.reference
    assert application.answers["other_info"] == "Typed before choosing"
    assert [w.unit.name_fi for w in application.wishes.all()] == [
        "Päiväkoti Kallio", "Päiväkoti Hakaniemi", "Päiväkoti Vallila"
    ]  # fmt: skip
    listed = page.locator("section[aria-labelledby=wishes-title] li").all_inner_texts()
    assert listed == ["Päiväkoti Kallio", "Päiväkoti Hakaniemi", "Päiväkoti Vallila"]
    page.get_by_text(t["time"]).first.wait_for()
    print_button = page.locator("[data-print]")
    assert print_button.is_visible()  # the script shows it
    # on paper: the receipt and what was sent, no buttons
    page.emulate_media(media="print")
    assert page.get_by_role("heading", name=t["receipt"], exact=True).is_visible()
    assert page.get_by_text(application.reference, exact=True).first.is_visible()
    assert page.locator("section[aria-labelledby=wishes-title]").is_visible()
    assert page.locator("#next-title").is_visible()
    assert not print_button.is_visible()
    assert page.locator(".hds-button:visible, button:visible").count() == 0
    no_sideways_scrolling(page)
    page.emulate_media(media="screen")
    assert print_button.is_visible()
    context.close()


def test_the_picker_works_without_javascript(chromium: Any, live_server: Any, family: Family) -> None:
    t = TEXTS["fi"]
    context, page = log_in(chromium, live_server.url, t["guardian"], PHONE, javascript=False)
    page.goto(f"{live_server.url}/children/{family.leo.pk}/apply/preschool/")
    assert not page.locator("[data-print]").count()
    page.locator("#id_phone").fill("040 555 1234")
    add(page, t, "Päiväkoti Vallila")
    page.get_by_label(t["field"]).fill("Kolmas linja")
    page.get_by_role("button", name=t["search"], exact=True).click()
    page.locator("[data-picker-count]", has_text=t["one"]).wait_for()
    add(page, t, "Päiväkoti Kallio")
    page.get_by_role("button", name=labelled(t["up"], "Päiväkoti Kallio")).click()
    page.locator(".citizen-wishes .citizen-place__name").first.filter(has_text="Päiväkoti Kallio").wait_for()
    assert wishes(page) == ["Päiväkoti Kallio", "Päiväkoti Vallila"]
    assert page.locator("#id_phone").input_value() == "040 555 1234"
    no_sideways_scrolling(page)
    page.get_by_role("button", name=t["send"]).click()
    page.locator("h1", has_text=t["sent"]).wait_for()
    assert not page.locator("[data-print]").is_visible()  # printing needs the script: no dead button
    context.close()
    application = Application.objects.get()
    assert [w.unit.name_fi for w in application.wishes.all()] == ["Päiväkoti Kallio", "Päiväkoti Vallila"]
    assert application.answers["phone"] == "040 555 1234"
