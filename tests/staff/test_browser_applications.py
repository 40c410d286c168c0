"""Browser journey on the staff application pages: service guidance finds an application in the queue, starts
processing and proposes a place, in Finnish and in Swedish, on a 390 px wide phone screen (no sideways
scrolling), with axe-core checking WCAG 2.1 AA on every page visited.

With ASTI_SCREENSHOTS=DIR set, each page visited is also saved as DIR/<language>-<name>.png."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from asti.applications.models import Application, ApplicationStatus
from asti.units.models import Unit
from tests.citizen.browser import assert_accessible, chromium  # noqa: F401  (the fixture)
from tests.staff.applications_helpers import make_application, places_in_city

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.slow]

WIDTH = 390
TEXTS = {
    "fi": {"start": "Aloita käsittely", "propose": "Ehdota paikkaa", "proposed": "paikkaa ehdotettu", "show": "Näytä"},
    "sv": {
        "start": "Påbörja behandlingen",
        "propose": "Föreslå platsen",
        "proposed": "plats föreslagen",
        "show": "Visa",
    },
}


@pytest.fixture
def staff_page(chromium: Any, live_server: Any, settings: Any) -> Iterator[Any]:  # noqa: F811
    settings.ASTI_ENV = "demo"
    settings.ASTI_DEMO_LOGIN = True
    context = chromium.new_context(
        base_url=live_server.url, locale="fi-FI", bypass_csp=True, viewport={"width": WIDTH, "height": 844}
    )
    context.set_default_timeout(10_000)
    yield context.new_page()
    context.close()


WIDE = """(limit) => [...document.querySelectorAll('body *')]
  .filter(e => (e.getBoundingClientRect().right > limit - 16 || e.scrollWidth > limit)
               && !(e.parentElement && e.parentElement.closest('.staff-scroll')))
  .slice(0, 8).map(e => e.tagName + '.' + e.className + ' ' + Math.round(e.getBoundingClientRect().right))"""


def check(page: Any, name: str, language: str) -> None:
    """axe finds nothing, the page does not scroll sideways at 390 px, and (on request) a screenshot."""
    # first: a screenshot or axe changes the layout
    width = page.evaluate("document.documentElement.scrollWidth")
    wide = page.evaluate(WIDE, WIDTH)
    folder = os.environ.get("ASTI_SCREENSHOTS")
    if folder:
        Path(folder).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(folder) / f"{language}-{name}.png"), full_page=True)
    assert width <= WIDTH, f"{name} {page.url}: {width} px wide at {WIDTH} px: {wide}"
    assert_accessible(page)


def visit(page: Any, url: str, name: str, language: str) -> None:
    response = page.goto(url)
    assert response is not None and response.status == 200, url
    check(page, name, language)


def test_from_the_queue_to_place_proposed_in_finnish_and_swedish(staff_page: Any, city: None) -> None:
    page = staff_page
    school = places_in_city()
    ecec = make_application("C11", wishes=("PK-SORNAINEN", "PK-KALLIO"), answers={"phone": "+358401111111"})
    preschool = make_application("C7", kind="preschool", language="sv", wishes=("DH-TOLO",), school_year=2027)
    page.goto("/login/staff/?next=/staff/")
    page.locator("button[name=staff][value=planner]").click()
    page.wait_for_url("**/staff/")

    for language, application in (("fi", ecec), ("sv", preschool)):
        text = TEXTS[language]
        if language == "sv":
            page.get_by_role("button", name="svenska").click()
            page.wait_for_load_state()
        check(page, "home", language)
        visit(page, "/staff/applications/", "queue", language)
        page.locator("summary").click()
        page.select_option("#id_language", application.education_language)
        page.get_by_role("button", name=text["show"]).click()
        page.wait_for_load_state()
        check(page, "queue-filtered", language)
        page.get_by_role("link", name=application.reference).click()
        page.wait_for_url(f"**/staff/applications/{application.pk}/")
        check(page, "application", language)
        page.get_by_role("button", name=text["start"]).click()
        page.wait_for_url(f"**/staff/applications/{application.pk}/")
        check(page, "application-in-process", language)
        page.get_by_role("button", name=text["propose"]).click()
        page.wait_for_url(f"**/staff/applications/{application.pk}/")
        assert text["proposed"] in page.locator("#application-status-value").inner_text()
        check(page, "application-proposed", language)
        application.refresh_from_db()
        assert application.status == ApplicationStatus.PLACE_PROPOSED
    # the default place was the first wish with room for each
    assert Application.objects.get(pk=ecec.pk).proposed_unit == Unit.objects.get(unit_id="PK-SORNAINEN")
    assert Application.objects.get(pk=preschool.pk).proposed_unit == Unit.objects.get(unit_id="DH-TOLO")

    for language in ("sv", "fi"):
        if language == "fi":
            page.goto("/staff/")
            page.get_by_role("button", name="suomi").click()
            page.wait_for_load_state()
        visit(page, "/staff/units/", "units", language)
        visit(page, "/staff/units/PK-KALLIO/", "unit", language)
        visit(page, "/staff/schools/", "schools", language)
        visit(page, f"/staff/schools/{school.school_id}/", "school", language)
        visit(page, "/staff/families/C11/", "family", language)
        visit(page, "/staff/families/C11/applications/ecec/", "paper-ecec", language)
        visit(page, "/staff/applications/?status=all", "queue-all", language)
