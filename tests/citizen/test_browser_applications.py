"""Applications of each kind sent in a real browser (Debian Chromium, headless) against the live server, logged in
through the demo's test identification, at a phone's width (390 px): every page checked with axe-core and for
horizontal scrolling. The clock is frozen in the application periods (the live server runs in this process)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from asti.applications.models import Application, ApplicationStatus, Attachment
from asti.core import clock
from tests.citizen.application_family import NOW, PNG, Family
from tests.citizen.browser import assert_accessible

pytestmark = pytest.mark.django_db(transaction=True)

PHONE = {"width": 390, "height": 844}


@pytest.fixture
def family(demo: Any) -> Iterator[Family]:
    with clock.frozen_at(NOW):
        yield Family()


def check(page: Any) -> None:
    """No horizontal scrolling at 390 px, and no accessibility violations."""
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"], f"{page.url}: {width} px wide"
    assert_accessible(page)


def add_wish(page: Any, button: str, name: str) -> None:
    """Adds a place from the unit picker's list and waits for it among the wishes."""
    page.get_by_role("button", name=labelled(button, name)).click()
    page.locator(".citizen-wishes", has_text=name).wait_for()


def labelled(action: str, name: str) -> re.Pattern[str]:
    """A picker button's name: the action, and the place's name for a screen reader."""
    return re.compile(rf"^{re.escape(action)}\s*:\s*{re.escape(name)}$")


def log_in(chromium: Any, base: str, name: str, *, locale: str = "fi-FI") -> tuple[Any, Any]:
    context = chromium.new_context(locale=locale, viewport=PHONE, bypass_csp=True)  # (lets axe be injected)
    context.set_default_timeout(8000)
    page = context.new_page()
    page.goto(f"{base}/login/test/")
    page.get_by_role("button", name=name, exact=True).click()
    page.wait_for_url(f"{base}/")
    return context, page


def test_ecec_with_an_attachment_in_finnish(chromium: Any, live_server: Any, family: Family, tmp_path: Path) -> None:
    context, page = log_in(chromium, live_server.url, "Maria Virtanen")
    assert page.locator("html").get_attribute("lang") == "fi"
    page.get_by_text("Hakuaika 12. tammikuuta 2027–25. tammikuuta 2027.").first.wait_for()
    check(page)
    page.get_by_role("link", name="Hae varhaiskasvatukseen: Aino").click()
    page.locator("h1", has_text="Varhaiskasvatushakemus").wait_for()
    page.get_by_text("Varhaisin mahdollinen aloituspäivä on 14. toukokuuta 2027").wait_for()
    check(page)
    page.get_by_label("Aloituspäivä").fill("2027-02-01")
    page.get_by_label("Tarve on äkillinen", exact=False).check()
    page.get_by_label("Kokopäiväinen: yli 5 tuntia päivässä").check()
    page.get_by_label("Päivittäinen aika alkaen").fill("08:00")
    page.get_by_label("Päivittäinen aika päättyen").fill("16:00")
    add_wish(page, "Lisää toiveeksi", "Päiväkoti Kallio")
    # sending without the certificate: a clear message next to the attachments
    page.get_by_role("button", name="Lähetä hakemus").click()
    page.get_by_text("Kun tarve on äkillinen, lisää todistus työstä tai opiskelusta liitteeksi.").wait_for()
    check(page)
    certificate = tmp_path / "tyotodistus.png"
    certificate.write_bytes(PNG)
    page.get_by_label("Mikä tiedosto on?").select_option(value="employment")
    page.get_by_label("Tiedosto (PDF, JPEG tai PNG)").set_input_files(str(certificate))
    page.get_by_role("button", name="Lisää tiedosto").click()
    page.get_by_text("Liite on lisätty ja luonnoksesi tallennettu.").wait_for()
    page.get_by_role("link", name="tyotodistus.png").wait_for()
    check(page)
    page.get_by_role("button", name="Lähetä hakemus").click()
    page.locator("h1", has_text="Hakemus lähetetty").wait_for()
    check(page)
    application = Application.objects.get()
    assert application.reference is not None
    page.get_by_text(application.reference).first.wait_for()
    page.get_by_role("link", name="Katso hakemus").click()
    page.get_by_text("Hakemus lähetetty").first.wait_for()
    page.get_by_role("link", name="tyotodistus.png").wait_for()
    check(page)
    page.get_by_role("link", name="Peru hakemus").click()
    check(page)
    context.close()
    assert application.status == ApplicationStatus.SENT and application.urgent and application.kind == "ecec"
    assert Attachment.objects.get().application_id == application.pk


def test_pre_primary_in_swedish(chromium: Any, live_server: Any, family: Family) -> None:
    context, page = log_in(chromium, live_server.url, "Karin Virtanen")
    assert page.locator("html").get_attribute("lang") == "sv"
    check(page)
    page.get_by_role("link", name="Ansök om förskoleundervisning: Leo").click()
    page.locator("h1", has_text="Ansökan till förskoleundervisning").wait_for()
    check(page)
    page.locator("#field-education_language").get_by_label("svenska", exact=True).check()
    page.get_by_role("button", name="Sök", exact=True).click()  # the places found follow the language chosen
    add_wish(page, "Lägg till som önskemål", "Daghemmet Tölö")
    page.get_by_label("Mitt barn behöver också småbarnspedagogik före eller efter förskoleundervisningen").check()
    page.get_by_label("Dagliga tider från").fill("07:30")
    page.get_by_label("Dagliga tider till").fill("16:00")
    page.get_by_role("button", name="Spara utkast").click()
    page.get_by_text("Ditt utkast har sparats. Bara du ser det.").wait_for()
    check(page)
    page.get_by_role("button", name="Skicka ansökan").click()
    page.locator("h1", has_text="Ansökan skickad").wait_for()
    check(page)
    page.get_by_role("link", name="Se ansökan").click()
    page.get_by_text("Daghemmet Tölö").wait_for()
    check(page)
    context.close()
    application = Application.objects.get()
    assert application.kind == "preschool" and application.status == ApplicationStatus.SENT
    assert application.education_language == "sv" and application.supplementary_ecec


def test_first_grade_in_english(chromium: Any, live_server: Any, family: Family) -> None:
    context, page = log_in(chromium, live_server.url, "Maria Virtanen")
    page.locator("button[name=language][value=en]").click()  # the language switch
    page.locator("h1", has_text="My children").wait_for()
    check(page)
    page.get_by_role("link", name="Enrol in school: Ella").click()
    page.locator("h1", has_text="Enrolment in first grade").wait_for()
    page.locator("#designated-school", has_text="Kallion ala-aste").wait_for()
    check(page)
    page.get_by_label("Another school").check()
    add_wish(page, "Add as a wish", "Vallilan ala-aste")
    page.get_by_role("button", name="Send the application").click()
    page.locator("h1", has_text="Application sent").wait_for()
    check(page)
    page.get_by_role("link", name="See the application").click()
    page.get_by_text("Vallilan ala-aste").wait_for()
    check(page)
    page.get_by_role("link", name="Change").click()
    page.get_by_role("button", name="Save changes").wait_for()
    check(page)
    context.close()
    application = Application.objects.get()
    assert application.kind == "first_grade" and application.first_grade_choice == "other_school"
    assert [w.school_id for w in application.wishes.all()] == [family.other_school.pk]


def test_afternoon_activities_in_finnish(chromium: Any, live_server: Any, family: Family) -> None:
    context, page = log_in(chromium, live_server.url, "Maria Virtanen")
    page.get_by_role("link", name="Hae iltapäivätoimintaan: Ella").click()
    page.locator("h1", has_text="Iltapäivätoiminnan hakemus").wait_for()
    check(page)
    page.get_by_label(re.compile("^760 tuntia vuodessa")).check()
    add_wish(page, "Lisää toiveeksi", "Kallion ala-aste")
    page.get_by_role("button", name="Lähetä hakemus").click()
    page.locator("h1", has_text="Hakemus lähetetty").wait_for()
    check(page)
    page.get_by_role("link", name="Takaisin omiin lapsiin").click()
    page.get_by_text("Iltapäivätoiminnan hakemus").first.wait_for()
    check(page)
    context.close()
    application = Application.objects.get()
    assert application.kind == "afternoon" and application.annual_hours == 760
