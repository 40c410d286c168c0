"""The staff pages in a real browser in Finnish, Swedish and English: the SVG bar charts draw their bars in every
language (a decimal comma in a width draws nothing), and no page scrolls sideways at 320 or 390 px (wide tables
scroll inside their own region)."""

from __future__ import annotations

from typing import Any

import pytest
from django.conf import settings
from django.contrib.auth.models import Group, User
from django.test import Client

from asti.conversations.services import thread_start_by_guardian
from asti.identity.models import Role
from asti.offers.answers import offer_answer
from asti.offers.models import Offer, OfferRound
from asti.offers.sending import round_send
from asti.people.models import Child, Guardian
from asti.units.models import Unit
from tests.citizen import browser
from tests.citizen.test_browser_layout import LANGUAGES, LONG_EMAIL, LONG_WORD, WIDTHS, overflow
from tests.staff.applications_helpers import make_application
from tests.staff.conftest import staff_user

chromium = browser.chromium  # the Debian Chromium fixture of the guardian pages

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.slow]

BARS = """() => [...document.querySelectorAll('svg.staff-bar rect')].map(r => [
    r.getAttribute('width'), r.width.baseVal.value, r.getBoundingClientRect().width])"""
LINES = """() => ({
    reference: document.querySelector('line.staff-reference').y1.baseVal.value,
    bottom: document.querySelector('line.staff-axis + line.staff-axis').y1.baseVal.value,
    answered: [...document.querySelector('polyline.staff-line-answered').points].length,
    length: document.querySelector('polyline.staff-line-answered').getTotalLength()})"""


def everyone(city: None) -> User:
    user = staff_user("pia.planner", Role.PLANNER, ("PK-KALLIO",))
    for role in Role:
        user.groups.add(Group.objects.get_or_create(name=role.value)[0])
    return user


def open_context(chromium: Any, base: str, user: User, language: str, width: int = 1280) -> Any:
    client = Client()
    client.force_login(user)
    context = chromium.new_context(viewport={"width": width, "height": 900}, locale=f"{language}-FI")
    session = client.cookies[settings.SESSION_COOKIE_NAME].value
    context.add_cookies([
        {"name": settings.SESSION_COOKIE_NAME, "value": session, "url": base},
        {"name": "django_language", "value": language, "url": base},
    ])  # fmt: skip
    context.set_default_timeout(8000)
    return context


@pytest.mark.parametrize("language", LANGUAGES)
def test_bar_and_line_charts_draw_in_every_language(
    chromium: Any, live_server: Any, allocated_round: OfferRound, language: str
) -> None:
    user = everyone(None)
    round_send(round_id=allocated_round.pk, actor="test")
    offer_answer(offer_id=Offer.objects.get(child__child_id="C1").pk, accept=True, guardian=None, channel="phone",
                 actor="test")  # fmt: skip
    context = open_context(chromium, live_server.url, user, language)
    page = context.new_page()
    for path in (f"/staff/rounds/{allocated_round.pk}/", f"/staff/rounds/{allocated_round.pk}/dashboard/"):
        page.goto(f"{live_server.url}{path}")
        assert page.locator("html").get_attribute("lang") == language
        bars = page.evaluate(BARS)
        assert bars, path
        drawn = [(a, value, shown) for a, value, shown in bars if float(a.rstrip("%").replace(",", ".")) > 0]
        assert drawn and all(value > 0 and shown > 0 for _a, value, shown in drawn), f"{language} {path}: {bars}"
    lines = page.evaluate(LINES)  # the dashboard: one day of answers, against the reference 93 % replied
    assert lines["bottom"] == 170 and 39 < lines["reference"] < 41, lines
    assert lines["answered"] == 2 and lines["length"] > 500, lines
    context.close()


def test_staff_pages_do_not_scroll_sideways_on_a_small_phone(
    chromium: Any, live_server: Any, allocated_round: OfferRound
) -> None:
    user = everyone(None)
    rid = allocated_round.pk
    before_sending = [f"/staff/rounds/{rid}/send/", f"/staff/rounds/{rid}/children/C2/"]
    child = Child.objects.get(child_id="C1")
    Unit.objects.filter(unit_id="PK-KALLIO").update(email=LONG_EMAIL)
    thread = thread_start_by_guardian(guardian=Guardian.objects.get(guardian_id="G1"), child=child, title=LONG_WORD,
                                      body=f"{LONG_WORD} {LONG_EMAIL}")  # fmt: skip
    application = make_application("C1", wishes=("PK-KALLIO", "PK-TOOLO"))
    pages = [
        f"/staff/inbox/{thread.pk}/", f"/staff/applications/{application.pk}/",
        "/staff/", "/staff/rounds/", f"/staff/rounds/{rid}/", f"/staff/rounds/{rid}/losing/",
        f"/staff/rounds/{rid}/dashboard/", "/staff/families/", "/staff/families/find/?q=Virtanen",
        "/staff/families/C1/", "/staff/units/", "/staff/units/PK-KALLIO/", "/staff/schools/", "/staff/applications/",
        "/staff/inbox/", "/staff/inbox/answers/", "/staff/follow-ups/", "/staff/audit/?actor=pia.planner",
        "/staff/decisions/", "/staff/no-such-page/",
    ]  # fmt: skip
    problems = []
    for step, paths in enumerate((before_sending, pages)):
        if step == 1:
            round_send(round_id=rid, actor="test")
        for language in LANGUAGES:
            for width in WIDTHS:
                context = open_context(chromium, live_server.url, user, language, width)
                page = context.new_page()
                for path in paths:
                    response = page.goto(f"{live_server.url}{path}")
                    assert response is not None and response.status == (404 if "no-such" in path else 200), path
                    if found := overflow(page):
                        problems.append(f"{language} {width} px {path}: {found}")
                context.close()
    assert not problems, "\n".join(problems)
