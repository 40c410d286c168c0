"""The guardian's decision pages: nothing before the release instant, then the text in the decision's language
with its service and rectification dates and the PDF (audited); the choice of electronic delivery; and what a
declining family can do instead (no municipal place needed, undo until the deadline)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from asti.audit.models import AuditEvent
from asti.core import clock
from asti.decisions.models import Decision, DeliveryConsent
from asti.decisions.services import (
    decision_batch_approve,
    decision_batch_prepare,
    decision_batch_render,
    decision_batches_release_due,
)
from asti.offers.answers import offer_answer
from asti.offers.models import OfferRound, OfferStatus
from tests.citizen.conftest import client_for, guardian, offer_of, sent_round  # noqa: F401 (fixture)

pytestmark = pytest.mark.django_db(transaction=True)
RELEASE = dt.datetime(2027, 3, 2, 8, 0, tzinfo=dt.UTC)


@pytest.fixture
def media(settings: Any, tmp_path: Any) -> Any:
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


def test_a_decision_is_seen_only_after_its_release(sent_round: OfferRound, media: Any) -> None:  # noqa: F811
    offer_answer(offer_id=offer_of("C1").pk, accept=True, guardian=guardian("G1"), channel="link", actor="g")
    batch = decision_batch_prepare(
        title="Esiopetus", decided_on=dt.date(2027, 3, 1), decision_maker="Maija Päättäjä, johtaja",
        decision_maker_username="maija", prepared_by="pia", offer_round=sent_round,
    ).batch  # fmt: skip
    decision_batch_render(batch_id=batch.pk)
    decision = Decision.objects.get(batch=batch, child__child_id="C1")
    with clock.frozen_at(dt.datetime(2027, 3, 1, 10, tzinfo=dt.UTC)):
        decision_batch_approve(batch_id=batch.pk, approver="maija", release_at=RELEASE)
        client = client_for("G2", language="fi")
        assert "Päätökset" not in client.get("/").content.decode()
        assert client.get(f"/decisions/{decision.pk}/").status_code == 404
        assert client.get(f"/decisions/{decision.pk}/pdf/").status_code == 404
    with clock.frozen_at(RELEASE + dt.timedelta(minutes=1)):
        decision_batches_release_due(actor="clock")
        client = client_for("G2", language="fi")
        front = client.get("/").content.decode()
        assert "Päätökset" in front and f"/decisions/{decision.pk}/" in front
        page = client.get(f"/decisions/{decision.pk}/").content.decode()
        assert "Päätös esiopetuspaikasta" in page and decision.number in page and "Oikaisuvaatimusohje" in page
        assert "9. maaliskuuta 2027" in page and "23. maaliskuuta 2027" in page  # by post: served 9.3., last day 23.3.
        pdf = client.get(f"/decisions/{decision.pk}/pdf/")
        assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"
        assert b"".join(pdf.streaming_content).startswith(b"%PDF")  # type: ignore[attr-defined]
        assert client_for("G3", language="fi").get(f"/decisions/{decision.pk}/").status_code == 404  # not theirs
        english = client_for("G1", language="en").get(f"/decisions/{decision.pk}/").content.decode()
        assert "Translation for information only" in english
    assert AuditEvent.objects.filter(operation="DECISION_DOWNLOAD", target_id="C1").exists()


def test_the_choice_of_electronic_delivery(sent_round: OfferRound) -> None:  # noqa: F811
    client = client_for("G1", language="sv")
    assert "Jag vill få besluten i e-tjänsten" in client.get("/").content.decode()
    client.post("/decisions/delivery/", {"electronic": "yes"})
    assert DeliveryConsent.objects.get(guardian=guardian("G1")).active
    assert "Jag vill få besluten per post" in client.get("/").content.decode()
    client.post("/decisions/delivery/", {"electronic": "no"})
    assert not DeliveryConsent.objects.get(guardian=guardian("G1")).active


def test_after_declining_no_place_needed_or_undo(sent_round: OfferRound) -> None:  # noqa: F811
    offer = offer_of("C1")
    client = client_for("G1", language="fi")
    client.post(f"/offers/{offer.pk}/decline/")
    offer.refresh_from_db()
    assert offer.status == OfferStatus.DECLINED
    page = client.get(f"/offers/{offer.pk}/").content.decode()
    assert "Emme tarvitse kunnallista paikkaa" in page and "Peru kieltäytyminen" in page
    client.post(f"/offers/{offer.pk}/not-needed/")
    offer.refresh_from_db()
    assert offer.decline_reason == "other_arrangement"
    assert "Esiopetus on velvoittavaa" in client.get(f"/offers/{offer.pk}/").content.decode()
    assert client_for("G3").post(f"/offers/{offer.pk}/undo-decline/").status_code == 404  # another family
    client.post(f"/offers/{offer.pk}/undo-decline/")
    offer.refresh_from_db()
    assert offer.status == OfferStatus.OPEN and offer.decline_reason == ""
    with clock.frozen_at(offer.deadline + dt.timedelta(minutes=5)):
        offer_answer(offer_id=offer.pk, accept=False, guardian=guardian("G1"), channel="phone", actor="pia")
        response = client.post(f"/offers/{offer.pk}/undo-decline/", follow=True)
        assert "ei voi enää perua" in response.content.decode()
    offer.refresh_from_db()
    assert offer.status == OfferStatus.DECLINED
