"""Browser journey for service guidance on the phone: the staff home page shows the work list's counts; a caller is
found by a phone number typed the way they say it and by the other guardian's name; the family page shows both
guardians and takes a call note; every follow-up is marked done with a note until the work list is empty. The
search, the family page and the work list are checked with axe-core in Finnish, Swedish and English on a 390 px
wide phone screen (no sideways scrolling)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest

from asti.conversations.models import CallNote
from asti.messaging.models import FollowUp, FollowUpReason
from asti.messaging.services import follow_up_add
from asti.offers.models import Offer, OfferRound
from asti.offers.sending import round_send
from asti.people.models import Guardian
from tests.citizen.browser import assert_accessible, chromium  # noqa: F401  (the fixture)

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.slow]

WIDTH = 390


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


@pytest.fixture
def follow_ups(allocated_round: OfferRound) -> list[FollowUp]:
    round_send(round_id=allocated_round.pk, actor="test")

    def add(child_id: str, guardian_id: str, reason: str, detail: str = "") -> FollowUp:
        offer = Offer.objects.get(child__child_id=child_id)
        guardian = Guardian.objects.get(guardian_id=guardian_id)
        return follow_up_add(
            reason=reason, guardian_id=guardian.pk, subject_type="offer", subject_id=str(offer.pk), detail=detail
        )

    return [
        add("C1", "G1", FollowUpReason.UNCLEAR_REPLY, "kyllä ja ei"),
        add("C5", "G5", FollowUpReason.UNREACHABLE),
        add("C3", "G4", FollowUpReason.GUARDIANS_DISAGREE),
    ]


def check(page: Any) -> None:
    """No sideways scrolling at 390 px (measured first: axe changes the page), and nothing axe-core finds."""
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= WIDTH, f"{page.url}: {width} px wide at {WIDTH} px"
    assert_accessible(page)


def find(page: Any, query: str) -> list[str]:
    """Searches as staff type it; the child ids of the families found."""
    page.goto("/staff/families/find/")
    page.locator("#id_q").fill(query)
    page.locator("form[role=search] button[type=submit]").click()
    page.wait_for_url("**/staff/families/find/?q=*")
    hrefs = page.locator("#family-find a").evaluate_all("links => links.map(a => a.getAttribute('href'))")
    return [m.group(1) for href in hrefs if (m := re.search(r"/staff/families/([^/]+)/$", href))]


def test_a_caller_is_found_and_the_work_list_is_emptied(staff_page: Any, follow_ups: list[FollowUp]) -> None:
    page = staff_page
    page.goto("/login/staff/?next=/staff/")
    page.locator("button[name=staff][value=planner]").click()
    page.wait_for_url("**/staff/")
    assert page.locator("html").get_attribute("lang") == "fi"
    home = page.locator("#home-worklist").inner_text()
    assert home.startswith("3 ")  # three open follow-ups, none taken yet
    check(page)

    # Maria calls and gives her number as she says it; then her husband Juha calls about the same child.
    assert find(page, "040-123 4567") == ["C1", "C11"]  # both of her children
    check(page)
    assert "C1" in find(page, "juha virtanen")
    row = page.locator("#family-find tbody tr", has=page.locator("a[href='/staff/families/C1/']"))
    assert "Maria Virtanen" in row.inner_text() and "Juha Virtanen" in row.inner_text()
    row.locator("a[href='/staff/families/C1/']").click()
    page.wait_for_url("**/staff/families/C1/")
    check(page)
    page.locator("#id_note-child").select_option("C1")  # the family has two children
    page.locator("#id_note-guardian").select_option(label="Juha Virtanen")
    page.locator("#id_note-text").fill("Isä kysyi esiopetuksen alkamispäivää, kerroin 11.8.")
    page.locator("form[aria-labelledby=call-note-add] button[type=submit]").click()
    page.locator("#call-note-list").wait_for()
    note = CallNote.objects.get()
    assert note.guardian == Guardian.objects.get(guardian_id="G2") and note.child.child_id == "C1"
    assert "kerroin 11.8." in page.locator("#call-note-list").inner_text()
    check(page)

    # The work list: each follow-up sorted out and marked done with a note, until nothing waits.
    page.goto("/staff/follow-ups/")
    check(page)
    for follow_up in follow_ups:
        item = page.locator(f"#follow-up-{follow_up.pk}")
        item.locator("textarea[name=note]").fill("Soitin, asia selvitetty.")
        item.locator("form[action$='/done/'] button[type=submit]").click()
        page.wait_for_load_state()
        assert page.locator(f"#follow-up-{follow_up.pk}").count() == 0
    page.locator("#worklist-empty").wait_for()
    assert page.locator("#count-open").inner_text() == "0"
    done = FollowUp.objects.filter(pk__in=[f.pk for f in follow_ups])
    assert {(f.resolved_by, f.resolution_note) for f in done} == {("demo.planner", "Soitin, asia selvitetty.")}
    page.goto("/staff/")
    assert page.locator("#home-worklist").inner_text().startswith("0 ")

    for language in ("fi", "sv", "en"):
        page.goto("/staff/follow-ups/")
        page.locator(f"button[name=language][value={language}]").click()
        page.wait_for_load_state()
        assert page.locator("html").get_attribute("lang") == language
        for url in ("/staff/follow-ups/", "/staff/follow-ups/?state=done", "/staff/families/find/?q=Virtanen",
                    "/staff/families/C1/"):  # fmt: skip
            response = page.goto(url)
            assert response is not None and response.status == 200, url
            check(page)
