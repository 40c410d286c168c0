"""Messages with the city in a real browser (Debian Chromium, headless) against the live server, logged in through
the demo's test identification at a phone's width (390 px): a guardian writes to the city with an attachment in
Finnish, service guidance answers, and the other guardian reads and answers in Swedish, then in English; every page
checked with axe-core and for horizontal scrolling."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from asti.conversations.models import Thread, ThreadAttachment, ThreadMessage
from asti.conversations.services import staff_reply
from asti.core import clock
from asti.identity.models import Role
from tests.citizen.application_family import NOW, PNG, Family
from tests.citizen.browser import assert_accessible
from tests.staff.conftest import staff_user

pytestmark = pytest.mark.django_db(transaction=True)

PHONE = {"width": 390, "height": 844}
# A title with a word longer than the phone is wide: it must wrap, not widen the page.
LONG_TITLE = "Ruoka-aineallergia " + "pähkinä" * 12


@pytest.fixture
def family(demo: Any) -> Iterator[Family]:
    with clock.frozen_at(NOW):
        family = Family()
        staff_user("ulla.director", Role.UNIT_DIRECTOR, ("PK-KALLIO",))
        yield family


def check(page: Any) -> None:
    """No horizontal scrolling at 390 px, and no accessibility violations."""
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"], f"{page.url}: {width} px wide"
    assert_accessible(page)


def log_in(chromium: Any, base: str, name: str) -> tuple[Any, Any]:
    context = chromium.new_context(locale="fi-FI", viewport=PHONE, bypass_csp=True)  # (lets axe be injected)
    context.set_default_timeout(8000)
    page = context.new_page()
    page.goto(f"{base}/login/test/")
    page.get_by_role("button", name=name, exact=True).click()
    page.wait_for_url(f"{base}/")
    return context, page


def test_a_guardian_writes_to_the_city_and_the_other_guardian_answers(
    chromium: Any, live_server: Any, family: Family, tmp_path: Path
) -> None:
    context, page = log_in(chromium, live_server.url, "Maria Virtanen")
    assert page.locator("html").get_attribute("lang") == "fi"
    page.get_by_role("link", name="Lue ja kirjoita viestejä").wait_for()  # from the family's front page
    page.get_by_role("navigation", name="Omat sivut").get_by_role("link", name="Viestit").click()
    page.get_by_text("Sinulla ei ole vielä viestejä.").wait_for()
    check(page)
    page.get_by_role("link", name="Kirjoita kaupungille").click()
    page.locator("h1", has_text="Kirjoita kaupungille").wait_for()
    check(page)
    # sending with nothing written: the problems at the top and next to their fields
    page.get_by_role("button", name="Lähetä viesti").click()
    page.get_by_role("heading", name="Viestiä ei lähetetty.").wait_for()
    page.get_by_role("link", name="Anna viestille otsikko.").wait_for()
    check(page)
    page.get_by_label("Leo Virtanen").check()
    page.get_by_label("Palveluohjaus", exact=False).check()
    page.get_by_label("Aihe").select_option(value="placement")
    page.get_by_label("Otsikko").fill(LONG_TITLE)
    page.get_by_label("Viesti", exact=True).fill("Leo ei voi syödä pähkinöitä. Lääkärintodistus on liitteenä.")
    certificate = tmp_path / "laakarintodistus.png"
    certificate.write_bytes(PNG)
    page.get_by_label("Liitteet (vapaaehtoinen)").set_input_files(str(certificate))
    page.get_by_role("button", name="Lähetä viesti").click()
    page.get_by_text("Viestisi on lähetetty. Saat vastauksen tänne.").wait_for()
    page.get_by_role("link", name="laakarintodistus.png").wait_for()
    check(page)
    context.close()

    thread = Thread.objects.get()
    assert (thread.child, thread.unit, thread.topic) == (family.leo, None, "placement")
    assert ThreadAttachment.objects.get().message.guardian == family.maria
    planner = staff_user("pia.planner", Role.PLANNER)
    planner.first_name = "Pia"
    planner.save()
    staff_reply(user=planner, thread=thread, body="Kiitos, välitimme tiedon päiväkotiin.")

    context, page = log_in(chromium, live_server.url, "Karin Virtanen")
    assert page.locator("html").get_attribute("lang") == "sv"
    page.get_by_role("link", name="Meddelanden (1 ny)").click()
    page.get_by_text("Ny", exact=True).wait_for()
    check(page)
    page.get_by_role("link", name=LONG_TITLE).click()
    page.get_by_role("heading", name="Pia, Servicehandledningen", exact=False).wait_for()
    check(page)
    page.get_by_label("Meddelande", exact=True).fill("Tack! Han tål inte heller ägg.")
    page.get_by_role("button", name="Skicka svaret").click()
    page.get_by_text("Ditt meddelande har skickats.").wait_for()
    check(page)
    page.locator('button[name="language"][value="en"]').click()  # the language switch
    page.get_by_role("heading", name="Reply").wait_for()
    page.get_by_role("heading", name="You", exact=False).last.wait_for()
    check(page)
    context.close()
    assert ThreadMessage.objects.filter(thread=thread, guardian=family.karin).get().body.startswith("Tack!")
