"""A released decision in a real browser at a phone's width: the front page lists it, its page shows the text in
Finnish with its dates, the PDF downloads; in Swedish the choice of electronic delivery and, after declining,
what the family can do instead. Every page checked with axe-core and for horizontal scrolling."""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path
from typing import Any

import pytest

from asti.core import clock
from asti.decisions.services import (
    decision_batch_approve,
    decision_batch_prepare,
    decision_batch_render,
    decision_batches_release_due,
)
from asti.offers.answers import offer_answer
from asti.offers.models import OfferRound
from tests.citizen.browser import assert_accessible
from tests.citizen.conftest import guardian, offer_of
from tests.citizen.test_browser_applications import PHONE

pytestmark = pytest.mark.django_db(transaction=True)


def check(page: Any) -> None:
    if os.environ.get("ASTI_SCREENSHOTS"):  # to look at the pages: ASTI_SCREENSHOTS=DIR
        name = page.url.rstrip("/").rsplit("/", 2)[-2:]
        page.screenshot(
            path=str(Path(os.environ["ASTI_SCREENSHOTS"]) / f"decisions-{'-'.join(name)}.png"), full_page=True
        )
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"], f"{page.url}: {width} px wide"
    assert_accessible(page)


def log_in(chromium: Any, base: str, name: str, locale: str) -> tuple[Any, Any]:
    context = chromium.new_context(locale=locale, viewport=PHONE, bypass_csp=True, accept_downloads=True)
    context.set_default_timeout(8000)
    page = context.new_page()
    page.goto(f"{base}/login/test/")
    page.get_by_role("button", name=name, exact=True).click()
    page.wait_for_url(f"{base}/")
    return context, page


def test_a_released_decision_and_the_choices_after_declining(
    chromium: Any,
    live_server: Any,
    demo: Any,
    sent_round: OfferRound,
) -> None:
    offer_answer(offer_id=offer_of("C1").pk, accept=True, guardian=guardian("G1"), channel="link", actor="g")
    batch = decision_batch_prepare(
        title="Esiopetus 2027", decided_on=clock.today_helsinki(), decision_maker="Maija Päättäjä, johtaja",
        decision_maker_username="maija", prepared_by="pia", offer_round=sent_round,
    ).batch  # fmt: skip
    decision_batch_render(batch_id=batch.pk)
    decision_batch_approve(batch_id=batch.pk, approver="maija", release_at=clock.now())
    decision_batches_release_due(actor="clock")

    context, page = log_in(chromium, live_server.url, "Maria Virtanen", "fi-FI")
    page.get_by_role("heading", name="Päätökset", exact=True).wait_for()
    check(page)
    page.get_by_role("link", name="Esiopetus: Aino").click()
    page.get_by_role("heading", name="Päätös esiopetuspaikasta").wait_for()
    page.get_by_text("Oikaisuvaatimuksen viimeinen päivä").wait_for()
    check(page)
    with page.expect_download() as download:
        page.get_by_role("link", name="Lataa päätös (PDF)").click()
    assert download.value.suggested_filename.endswith(".pdf")
    context.close()

    context, page = log_in(chromium, live_server.url, "Karin Lindqvist", "sv-SE")
    page.get_by_role("button", name="Jag vill få besluten i e-tjänsten").click()
    page.get_by_role("button", name="Jag vill få besluten per post").wait_for()
    check(page)
    c6 = offer_of("C6")
    page.goto(f"{live_server.url}/offers/{c6.pk}/decline/")
    page.get_by_role("button", name="Ja, jag tackar nej till platsen").click()
    page.goto(f"{live_server.url}/offers/{c6.pk}/")
    page.get_by_role("heading", name="Du tackade nej till platsen").wait_for()
    check(page)
    page.get_by_role("button", name="Ta tillbaka nej-svaret").click()
    page.get_by_text("Ditt nej-svar har tagits tillbaka.").wait_for()
    check(page)
    context.close()
    assert offer_of("C6").status == "open" and offer_of("C6").deadline > clock.now() - dt.timedelta(days=1)
