"""Browser journeys on the staff pages: Playwright driving Debian's Chromium against the live server, logging in
through the demo's test identification page, with axe-core checking WCAG 2.1 AA on every staff page visited."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.contrib.auth.models import User

from asti.applications.models import Application
from asti.jobs.scheduler import tick_jobs
from asti.messaging.inbound import inbound_receive
from asti.messaging.models import Message
from asti.offers.models import Offer, OfferRound, OfferStatus
from asti.offers.notify import OFFER_TEMPLATE_KEYS
from asti.units.models import Unit

CHROMIUM = "/usr/bin/chromium"
AXE = Path(__file__).resolve().parents[2] / "node_modules" / "axe-core" / "axe.min.js"
WCAG = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]

if not (Path(CHROMIUM).exists() and shutil.which(CHROMIUM)) and os.environ.get("CI") != "true":
    pytest.skip("chromium is not installed (scripts/install-system-packages)", allow_module_level=True)

sync_api = pytest.importorskip("playwright.sync_api") if os.environ.get("CI") != "true" else None
from playwright.sync_api import Browser, Page, expect, sync_playwright  # noqa: E402

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.slow]


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")  # the sync API runs an event loop in this thread
    with sync_playwright() as p:
        chromium = p.chromium.launch(
            executable_path=CHROMIUM,
            args=["--no-sandbox", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
        )
        yield chromium
        chromium.close()


@pytest.fixture
def demo_settings(settings: Any) -> None:
    settings.ASTI_ENV = "demo"
    settings.ASTI_DEMO_LOGIN = True


@pytest.fixture
def page(browser: Browser, live_server: Any, demo_settings: None) -> Iterator[Page]:
    # bypass_csp lets axe-core be injected; the pages themselves run under the project's CSP as usual.
    context = browser.new_context(base_url=live_server.url, locale="fi-FI", bypass_csp=True)
    context.set_default_timeout(10_000)
    yield context.new_page()
    context.close()


def login(page: Page, who: str, next_url: str = "/staff/") -> None:
    page.goto(f"/login/staff/?next={next_url}")
    page.locator(f"button[name=staff][value={who}]").click()
    page.wait_for_url(f"**{next_url}")


def assert_accessible(page: Page) -> None:
    page.add_script_tag(content=AXE.read_text(encoding="utf-8"))
    result = page.evaluate("async (tags) => await axe.run(document, {runOnly: {type: 'tag', values: tags}})", WCAG)
    problems = [(v["id"], v["help"], [n["target"] for n in v["nodes"]][:3]) for v in result["violations"]]
    assert problems == [], f"{page.url}: {problems}"


def visit(page: Page, url: str) -> None:
    response = page.goto(url)
    assert response is not None and response.status == 200, url
    assert_accessible(page)


def test_planner_reviews_overrides_and_sends_the_round_then_watches_the_dashboard(
    page: Page, allocated_round: OfferRound
) -> None:
    rid = allocated_round.pk
    login(page, "planner")
    assert_accessible(page)
    for url in ("/staff/rounds/", f"/staff/rounds/{rid}/", f"/staff/rounds/{rid}/losing/"):
        visit(page, url)
    visit(page, f"/staff/rounds/{rid}/what-if/")

    visit(page, f"/staff/rounds/{rid}/children/C2/")
    page.get_by_role("button", name="Muuta ehdotusta").click()  # no justification: refused
    expect(page.locator(".staff-error")).to_be_visible()
    page.select_option("#id_unit", "PK-TOOLO")
    page.fill("#id_justification", "Huoltaja työskentelee vieressä")
    page.get_by_role("button", name="Muuta ehdotusta").click()
    page.wait_for_url("**/staff/jobs/*/")  # the re-allocation around it runs in the background
    expect(page.locator(".staff-message")).to_contain_text("Muutos on jonossa")
    assert tick_jobs("browser-test") == 1
    page.reload()
    page.get_by_role("link", name="Takaisin ehdotukseen").click()
    page.wait_for_url(f"**/staff/rounds/{rid}/children/C2/")
    expect(page.locator(".staff-details")).to_contain_text("Päiväkoti Töölö")

    visit(page, f"/staff/rounds/{rid}/send/")
    promised = int(page.locator("#send-total").inner_text())
    page.locator("#id_confirm").check()
    page.get_by_role("button", name="Lähetä kierros nyt").click()
    page.wait_for_url("**/staff/jobs/*/")  # the sending runs in the background
    assert tick_jobs("browser-test") == 1
    page.reload()
    page.get_by_role("link", name="Tilannekuva").click()
    page.wait_for_url(f"**/staff/rounds/{rid}/dashboard/")
    assert_accessible(page)
    expect(page.locator("#fig-offered")).to_have_text("7")
    expect(page.locator("#fig-answered")).to_have_text("0")
    assert Offer.objects.get(child__child_id="C2").unit.unit_id == "PK-TOOLO"
    assert Message.objects.filter(template_key__in=OFFER_TEMPLATE_KEYS).count() == promised

    # A guardian answers by SMS on the simulated phone: the dashboard moves.
    inbound_receive(gateway="simulated", gateway_id="b1", sender="+358401234567", text="KYLLÄ")
    page.reload()
    expect(page.locator("#fig-answered")).to_have_text("1")
    expect(page.locator("#fig-accepted")).to_have_text("1")

    # Service guidance records a phone answer for another family.
    visit(page, "/staff/families/")
    visit(page, "/staff/families/?q=Ali")
    page.get_by_role("link", name="Amina Ali").click()
    assert_accessible(page)
    page.get_by_label("ei ota paikkaa vastaan").check()
    page.get_by_label("puhelimitse").check()
    page.get_by_role("button", name="Kirjaa vastaus").click()
    expect(page.locator(".staff-message")).to_contain_text("Vastaus kirjattiin")
    assert Offer.objects.get(child__child_id="C5").status == OfferStatus.DECLINED

    # The family's application for another place came on paper: service guidance enters it.
    page.select_option("#id_wish_1", "PK-TOOLO")
    page.get_by_role("button", name="Kirjaa hakemus").click()
    expect(page.locator(".staff-message")).to_contain_text("Paperihakemus kirjattiin")
    expect(page.locator(".staff-application")).to_contain_text("Päiväkoti Töölö")
    expect(page.locator("#timeline")).to_contain_text("Paperihakemus saapui")
    assert_accessible(page)
    application = Application.objects.get(child__child_id="C5")
    assert application.channel == "paper" and application.recorded_by == "demo.planner"
    page.goto(f"/staff/rounds/{rid}/dashboard/")
    expect(page.locator("#fig-declined")).to_have_text("1")
    visit(page, "/staff/units/")
    visit(page, "/staff/units/PK-SORNAINEN/")


def test_director_edits_capacity_and_cannot_open_another_unit_or_a_family(
    page: Page, allocated_round: OfferRound
) -> None:
    login(page, "director")
    assert_accessible(page)
    visit(page, "/staff/units/")
    visit(page, "/staff/units/PK-KALLIO/")
    page.fill("#id_pre_primary_capacity", "6")
    page.get_by_role("button", name="Tallenna").click()
    expect(page.locator(".staff-message")).to_contain_text("tallennettiin")
    assert Unit.objects.get(unit_id="PK-KALLIO").pre_primary_capacity == 6
    page.fill("#id_pre_primary_hours", "8:30 - 12:30")
    page.get_by_role("button", name="Tallenna").click()
    expect(page.locator("#id_pre_primary_hours")).to_have_value("8.30–12.30")
    page.get_by_role("button", name="svenska").click()  # the language switch, on a staff page
    expect(page.locator("html")).to_have_attribute("lang", "sv")
    expect(page.get_by_role("button", name="Spara")).to_be_visible()
    assert_accessible(page)
    for url, status in (("/staff/units/PK-SORNAINEN/", 404), ("/staff/families/C1/", 403), ("/staff/rounds/", 403)):
        response = page.goto(url)
        assert response is not None and response.status == status, url


def test_admin_reads_the_audit_trail(page: Page, allocated_round: OfferRound, django_user_model: type[User]) -> None:
    login(page, "admin")
    visit(page, "/staff/audit/")
    visit(page, "/staff/audit/?actor=demo.admin&person=")
    expect(page.locator("#audit-events")).to_contain_text("kirjautui sisään")
    expect(page.locator("#audit-events")).not_to_contain_text("LOGIN")
