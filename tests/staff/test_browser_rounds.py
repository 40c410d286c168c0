"""A round's lifecycle in the browser on a phone-sized screen (390 px): the planner creates the round,
allocates and sends it (following the background jobs on their pages), runs and confirms a second round,
prepares the decisions, and the decision-maker approves them; in Finnish, then the same pages in Swedish.
axe-core checks every page, and no page scrolls sideways. ASTI_SCREENSHOTS=DIR keeps a screenshot of each."""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.contrib.auth.models import User

from asti.applications.models import ApplicationStatus
from asti.applications.services import application_create
from asti.core import clock
from asti.decisions.models import BatchStatus, DecisionBatch
from asti.jobs.models import Job
from asti.jobs.scheduler import tick_jobs
from asti.offers.answers import offer_answer
from asti.offers.models import Offer, OfferRound, RoundStatus
from asti.people.models import Guardian
from asti.units.models import Unit
from tests.citizen.browser import assert_accessible, chromium  # noqa: F401 (fixture)

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.slow]

WIDTH = 390
SHOTS = os.environ.get("ASTI_SCREENSHOTS", "")


@pytest.fixture
def media(settings: Any, tmp_path: Any) -> Any:
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


@pytest.fixture
def demo_settings(settings: Any) -> None:
    settings.ASTI_ENV = "demo"
    settings.ASTI_DEMO_LOGIN = True


def new_page(browser: Any, live_server: Any, locale: str) -> Any:
    # bypass_csp lets axe-core be injected; the pages themselves run under the project's CSP as usual.
    context = browser.new_context(
        base_url=live_server.url, locale=locale, bypass_csp=True, viewport={"width": WIDTH, "height": 844}
    )
    context.set_default_timeout(10_000)
    return context.new_page()


@pytest.fixture
def pages(chromium: Any, live_server: Any, demo_settings: None, media: Any) -> Iterator[dict[str, Any]]:  # noqa: F811
    opened = {"fi": new_page(chromium, live_server, "fi-FI"), "sv": new_page(chromium, live_server, "sv-SE")}
    yield opened
    for page in opened.values():
        page.context.close()


def login(page: Any, who: str) -> None:
    page.goto("/login/staff/?next=/staff/")
    page.locator(f"button[name=staff][value={who}]").click()
    page.wait_for_url("**/staff/")


def check(page: Any, name: str) -> None:
    """axe finds nothing, nothing scrolls sideways at 390 px, and (on request) a screenshot."""
    assert_accessible(page)
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= WIDTH, f"{page.url}: {width} px wide"
    if SHOTS:
        Path(SHOTS).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(SHOTS) / f"{name}.png"), full_page=True)


def run_jobs(page: Any, name: str) -> None:
    """On a job page: it shows its progress and refreshes itself; the scheduler runs it; it shows the result."""
    page.wait_for_url("**/staff/jobs/*/")
    assert page.locator("progress").count() == 1
    assert page.locator("[data-auto-refresh]").count() == 1
    check(page, f"{name}-waiting")
    assert tick_jobs("browser-test") >= 1
    page.reload()
    assert page.locator(".staff-job-status").inner_text() == "valmis"
    assert page.locator("[data-auto-refresh]").count() == 0
    check(page, f"{name}-done")


def test_a_round_from_creation_to_approved_decisions_on_a_phone(pages: dict[str, Any], city: None) -> None:
    page = pages["fi"]
    login(page, "decider")  # the decision-maker's account exists once they have logged in
    check(page, "fi-decider-home")
    decider = User.objects.get(username="demo.decider")

    login(page, "planner")
    page.goto("/staff/rounds/")
    check(page, "fi-rounds")
    page.fill("#id_year", "2027")
    page.get_by_role("button", name="Luo kierros").click()
    page.wait_for_url("**/staff/rounds/*/")
    offer_round = OfferRound.objects.get(year=2027)
    check(page, "fi-round-draft")

    page.get_by_role("button", name="Sijoittele paikat").click()
    run_jobs(page, "fi-job-allocate")
    page.get_by_role("link", name="Takaisin kierrokseen").click()
    check(page, "fi-round-allocated")

    # An override and a capacity what-if run in the background too; their pages name the children who move.
    page.goto(f"/staff/rounds/{offer_round.pk}/children/C2/")
    page.select_option("#id_unit", "PK-KALLIO")
    page.fill("#id_justification", "Perhe muuttaa maaliskuussa")
    page.get_by_role("button", name="Muuta ehdotusta").click()
    page.wait_for_url("**/staff/jobs/*/")
    assert "Muutos on jonossa" in page.locator(".staff-message").inner_text()
    run_jobs(page, "fi-job-override")
    assert "Ketkä muut siirtyivät" in page.locator("main").inner_text()
    assert page.locator("#job-moves tbody tr").count() >= 1
    page.goto(f"/staff/rounds/{offer_round.pk}/what-if/")
    check(page, "fi-what-if")
    page.fill("#id_capacity_PK-KALLIO", "1")  # only the child fixed there above keeps a place
    page.get_by_role("button", name="Näytä, mikä muuttuisi").click()
    run_jobs(page, "fi-job-what-if")
    assert page.locator("#what-if-capacities tbody tr").count() == 1
    assert page.locator("#job-moves tbody tr").count() >= 1
    what_if_job, override_job = Job.objects.get(kind="offers.what_if"), Job.objects.get(kind="offers.override")
    page.goto(f"/staff/rounds/{offer_round.pk}/")

    page.get_by_role("link", name="Lähetä kierros…").click()
    page.locator("#id_confirm").check()
    page.get_by_role("button", name="Lähetä kierros nyt").click()
    run_jobs(page, "fi-job-send")
    offer_round.refresh_from_db()
    assert offer_round.status == RoundStatus.SENT

    g1 = Guardian.objects.get(guardian_id="G1")
    offer_answer(offer_id=Offer.objects.get(child__child_id="C1").pk, accept=True, guardian=g1, channel="link",
                 actor="g1")  # fmt: skip
    declined = Offer.objects.select_related("unit").get(child__child_id="C3")
    decliner = declined.child.guardians.order_by("guardian_id").first()
    assert decliner is not None
    offer_answer(offer_id=declined.pk, accept=False, guardian=decliner, channel="link", actor="g")
    wished = Unit.objects.municipal_pre_primary().filter(language=declined.unit.language).exclude(pk=declined.unit_id)
    unit = wished.first()
    assert unit is not None
    application = application_create(guardian=decliner, offer=declined, unit_ids=[unit.pk], supplementary_ecec=False,
                                     actor="g")  # fmt: skip
    page.goto(f"/staff/rounds/{offer_round.pk}/")
    check(page, "fi-round-sent")

    page.get_by_role("button", name="Aja toinen kierros").click()
    run_jobs(page, "fi-job-second-round")
    page.get_by_role("link", name="Tarkista toinen kierros").click()
    check(page, "fi-second-round")
    assert "Hakutoive 1" in page.locator("#second-round").inner_text()
    page.get_by_role("button", name="Vahvista ja ehdota paikat").click()
    assert "1 paikka ehdotettiin perheelle." in page.locator(".staff-message").inner_text()
    check(page, "fi-second-round-confirmed")
    application.refresh_from_db()
    assert application.status == ApplicationStatus.PLACE_PROPOSED

    page.goto(f"/staff/rounds/{offer_round.pk}/")
    page.get_by_role("link", name="Valmistele päätökset…").click()
    check(page, "fi-prepare")
    page.fill("#id_decided_on", "2027-03-01")
    page.select_option("#id_decision_maker", str(decider.pk))
    page.fill("#id_decision_maker_title", "varhaiskasvatusjohtaja")
    page.get_by_role("button", name="Valmistele päätökset").click()
    run_jobs(page, "fi-job-render")
    batch = DecisionBatch.objects.get()
    assert batch.decision_maker == "Maija Päättäjä, varhaiskasvatusjohtaja" and batch.figures["decisions"] == 2
    page.get_by_role("link", name="Takaisin päätöserään").click()
    check(page, "fi-batch-planner")
    assert "Odottaa päättäjän hyväksyntää" in page.locator("main").inner_text()

    login(page, "decider")
    page.get_by_role("link", name=batch.title).click()
    check(page, "fi-batch-decider")
    release = (clock.now() + dt.timedelta(days=1)).astimezone(clock.HELSINKI).replace(second=0, microsecond=0)
    page.fill("#id_release_at", release.strftime("%Y-%m-%dT%H:%M"))
    page.get_by_role("button", name="Hyväksy päätökset").click()
    page.wait_for_url(f"**/staff/decisions/{batch.pk}/")
    assert "Päätökset hyväksyttiin" in page.locator(".staff-message").inner_text()
    check(page, "fi-batch-approved")
    batch.refresh_from_db()
    assert batch.status == BatchStatus.APPROVED and batch.release_at == release

    # The same pages in Swedish, for the planner.
    sv = pages["sv"]
    last_job = Job.objects.order_by("-pk").first()
    assert last_job is not None
    login(sv, "planner")
    for url, name in [
        ("/staff/rounds/", "sv-rounds"),
        (f"/staff/rounds/{offer_round.pk}/", "sv-round-sent"),
        (f"/staff/rounds/{offer_round.pk}/second-round/", "sv-second-round"),
        (f"/staff/rounds/{offer_round.pk}/decisions/", "sv-prepare"),
        ("/staff/decisions/", "sv-batches"),
        (f"/staff/decisions/{batch.pk}/", "sv-batch"),
        (f"/staff/jobs/{last_job.pk}/", "sv-job"),
        (f"/staff/rounds/{offer_round.pk}/what-if/", "sv-what-if"),
        (f"/staff/jobs/{what_if_job.pk}/", "sv-job-what-if"),
        (f"/staff/jobs/{override_job.pk}/", "sv-job-override"),
    ]:
        response = sv.goto(url)
        assert response is not None and response.status == 200, url
        assert sv.locator("html").get_attribute("lang") == "sv"
        check(sv, name)
