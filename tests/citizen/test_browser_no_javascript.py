"""The family's key journeys in a browser with JavaScript turned off (what the accessibility statement promises):
answering an offer, sending an application and reading a decision work with plain links and forms. (Declining and
applying for another place without JavaScript is in test_browser.py.)"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest

from asti.applications.models import Application, ApplicationStatus
from asti.core import clock
from asti.decisions.services import (
    decision_batch_approve,
    decision_batch_prepare,
    decision_batch_render,
    decision_batches_release_due,
)
from asti.offers.answers import offer_answer
from asti.offers.models import OfferRound, OfferStatus
from tests.citizen.application_family import NOW, Family
from tests.citizen.conftest import guardian, offer_of
from tests.key_pages import Sessions

pytestmark = pytest.mark.django_db(transaction=True)


def no_javascript(chromium: Any, base: str, guardian_id: str, language: str = "fi") -> tuple[Any, Any]:
    context = Sessions(base).context(chromium, guardian_id, language, 390, java_script_enabled=False)
    return context, context.new_page()


def test_answering_an_offer_without_javascript(chromium: Any, live_server: Any, sent_round: OfferRound) -> None:
    offer = offer_of("C1")
    context, page = no_javascript(chromium, live_server.url, "G1")
    page.goto(f"{live_server.url}/")
    page.get_by_role("link", name="Esiopetus 2027").click()
    page.locator("h1", has_text="Esiopetuspaikka: Aino").wait_for()
    page.get_by_role("link", name="Ota paikka vastaan").click()
    page.get_by_role("button", name="Kyllä, otan paikan vastaan").click()
    page.wait_for_url(f"{live_server.url}/offers/{offer.pk}/accepted/")
    assert page.locator("h1").inner_text().startswith("Paikka")
    context.close()
    offer.refresh_from_db()
    assert offer.status == OfferStatus.ACCEPTED and offer.answer_channel == "link"


@pytest.fixture
def family(settings: Any, tmp_path: Any) -> Iterator[Family]:
    settings.MEDIA_ROOT = str(tmp_path / "media")
    with clock.frozen_at(NOW):
        yield Family()


def test_sending_an_application_without_javascript(chromium: Any, live_server: Any, family: Family) -> None:
    context, page = no_javascript(chromium, live_server.url, "G1")
    page.goto(f"{live_server.url}/")
    page.get_by_role("link", name="Hae varhaiskasvatukseen: Aino").click()
    page.locator("h1", has_text="Varhaiskasvatushakemus").wait_for()
    page.get_by_label("Aloituspäivä").fill("2027-06-01")
    page.get_by_label("Kokopäiväinen: yli 5 tuntia päivässä").check()
    page.get_by_label("Päivittäinen aika alkaen").fill("08:00")
    page.get_by_label("Päivittäinen aika päättyen").fill("16:00")
    page.get_by_label("Hae nimellä, alueella, kadulla tai postinumerolla").fill("Kallio")
    page.get_by_role("button", name="Hae", exact=True).click()  # the whole form goes to the server and comes back
    page.get_by_role("button", name=re.compile(r"^Lisää toiveeksi\s*:\s*Päiväkoti Kallio$")).click()
    page.locator(".citizen-wishes", has_text="Päiväkoti Kallio").wait_for()
    assert page.get_by_label("Päivittäinen aika alkaen").input_value() == "08:00"  # nothing typed was lost
    page.get_by_role("button", name="Lähetä hakemus").click()
    page.locator("h1", has_text="Hakemus lähetetty").wait_for()
    application = Application.objects.get()
    assert application.status == ApplicationStatus.SENT and application.reference
    page.get_by_text(application.reference).first.wait_for()  # on the receipt and in its printable summary
    context.close()
    assert [w.unit_id for w in application.wishes.all()] == [family.kallio.pk]


def test_reading_a_decision_without_javascript(chromium: Any, live_server: Any, sent_round: OfferRound) -> None:
    offer_answer(offer_id=offer_of("C1").pk, accept=True, guardian=guardian("G1"), channel="link", actor="g")
    batch = decision_batch_prepare(
        title="Esiopetus 2027", decided_on=clock.today_helsinki(), decision_maker="Maija Päättäjä, johtaja",
        decision_maker_username="maija", prepared_by="pia", offer_round=sent_round,
    ).batch  # fmt: skip
    decision_batch_render(batch_id=batch.pk)
    decision_batch_approve(batch_id=batch.pk, approver="maija", release_at=clock.now())
    decision_batches_release_due(actor="clock")
    context, page = no_javascript(chromium, live_server.url, "G1")
    page.goto(f"{live_server.url}/")
    page.get_by_role("link", name="Esiopetus: Aino").click()
    page.get_by_role("heading", name="Päätös esiopetuspaikasta").wait_for()
    page.get_by_text("Oikaisuvaatimuksen viimeinen päivä").wait_for()
    with page.expect_download() as download:
        page.get_by_role("link", name="Lataa päätös (PDF)").click()
    assert download.value.suggested_filename.endswith(".pdf")
    context.close()
