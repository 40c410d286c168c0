"""Decisions for a whole round at once: prepared, approved by the named decision-maker, released at one instant
(nobody sees theirs earlier), dated by delivery, prompts without personal data, a print file for post; the PDF
is tagged, in the family's language, and says what the law asks."""

from __future__ import annotations

import datetime as dt
import io
from typing import Any

import pytest
from pypdf import PdfReader

from asti.applications.models import ApplicationStatus
from asti.applications.services import (
    application_create,
    application_propose_place,
    application_start_processing,
)
from asti.core import clock
from asti.decisions.models import BatchStatus, Decision, Delivery
from asti.decisions.selectors import decisions_visible_for
from asti.decisions.services import (
    DecisionError,
    decision_batch_approve,
    decision_batch_prepare,
    decision_batch_print,
    decision_batch_release,
    decision_batch_render,
    decision_batches_release_due,
    delivery_consent_set,
)
from asti.messaging.models import Message
from asti.offers.answers import offer_answer
from asti.offers.models import OfferRound
from asti.offers.sending import round_close_deadline
from asti.units.models import Unit
from tests.citizen.conftest import guardian, offer_of, sent_round  # noqa: F401 (fixture)

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def media(settings: Any, tmp_path: Any) -> Any:
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


def pdf_text(decision: Decision) -> tuple[str, Any]:
    decision.pdf.open("rb")
    reader = PdfReader(io.BytesIO(decision.pdf.read()))
    decision.pdf.close()
    return "\n".join(page.extract_text() for page in reader.pages), reader


def test_a_round_decided_and_released_at_one_instant(sent_round: OfferRound, media: Any) -> None:  # noqa: F811
    g1 = guardian("G1")
    offer_answer(offer_id=offer_of("C1").pk, accept=True, guardian=g1, channel="link", actor="g")
    declined = offer_of("C3")
    decliner = declined.child.guardians.order_by("guardian_id").first()
    assert decliner is not None
    offer_answer(offer_id=declined.pk, accept=False, guardian=decliner, channel="link", actor="g")
    unit = Unit.objects.municipal_pre_primary().filter(language=declined.unit.language).exclude(
        pk=declined.unit_id).first()  # fmt: skip
    assert unit is not None
    application = application_create(guardian=decliner, offer=declined, unit_ids=[unit.pk], supplementary_ecec=True,
                                     actor="g")  # fmt: skip
    application.daily_start, application.daily_end = dt.time(7, 30), dt.time(16, 0)
    application.save()
    application_start_processing(application=application, actor="pia")
    application_propose_place(application=application, actor="pia", unit=unit)
    delivery_consent_set(guardian=g1, consent=True, actor="g")
    with clock.frozen_at(max(o.deadline for o in sent_round.offers.all()) + dt.timedelta(hours=1)):
        round_close_deadline(round_id=sent_round.pk, actor="clock")  # the rest are confirmed automatically
    decided_on = dt.date(2027, 3, 1)
    prepared = decision_batch_prepare(
        title="Esiopetus 2027", decided_on=decided_on, decision_maker="Maija Päättäjä, varhaiskasvatusjohtaja",
        decision_maker_username="maija", prepared_by="pia", offer_round=sent_round, applications=[application],
    )  # fmt: skip
    batch = prepared.batch
    accepted = sent_round.offers.filter(status__in=["accepted", "auto_accepted"]).count()
    assert prepared.decisions == accepted + 2  # the application gives pre-primary and supplementary ECEC
    with pytest.raises(DecisionError):
        decision_batch_prepare(title="again", decided_on=decided_on, decision_maker="M", decision_maker_username="m",
                               prepared_by="pia", offer_round=sent_round)  # fmt: skip
    # nobody sees a decision before the release, whatever its state
    assert not decisions_visible_for(guardian=g1).exists()
    with pytest.raises(DecisionError):
        decision_batch_approve(batch_id=batch.pk, approver="pia", release_at=clock.now())
    release_at = dt.datetime(2027, 3, 2, 8, 0, tzinfo=dt.UTC)
    with pytest.raises(DecisionError):  # the documents are not made yet
        decision_batch_approve(batch_id=batch.pk, approver="maija", release_at=release_at)
    steps: list[tuple[int, int]] = []
    assert decision_batch_render(batch_id=batch.pk, progress=lambda d, t, _m: steps.append((d, t))) == accepted + 2
    assert steps[-1] == (accepted + 2, accepted + 2)
    assert decision_batch_render(batch_id=batch.pk) == 0  # nothing rendered twice
    with clock.frozen_at(dt.datetime(2027, 3, 1, 12, 0, tzinfo=dt.UTC)):
        decision_batch_approve(batch_id=batch.pk, approver="maija", release_at=release_at)
        assert decision_batches_release_due(actor="clock") == []
        with pytest.raises(DecisionError):
            decision_batch_release(batch_id=batch.pk, actor="clock")
        assert not decisions_visible_for(guardian=g1).exists()
    with clock.frozen_at(release_at + dt.timedelta(seconds=5)):
        assert decision_batches_release_due(actor="clock") == [batch.pk]
        assert decision_batches_release_due(actor="clock") == []  # released once
        mine = list(decisions_visible_for(guardian=g1))
    batch.refresh_from_db()
    assert batch.status == BatchStatus.RELEASED and batch.released_at == release_at
    with clock.frozen_at(release_at - dt.timedelta(seconds=1)):
        assert not decisions_visible_for(guardian=g1).exists()  # not even a second early
    c1 = next(d for d in mine if d.child.child_id == "C1")
    # G1 consented, the other guardian did not: served by post (the later date), and G1 gets a prompt
    assert c1.delivery == Delivery.POST and c1.sent_on == dt.date(2027, 3, 2)
    assert c1.served_on == dt.date(2027, 3, 9) and c1.rectification_deadline == dt.date(2027, 3, 23)
    prompts = Message.objects.filter(subject_type="decision")
    assert prompts.filter(guardian_id=g1.pk).count() == 1
    prompt = prompts.get(guardian_id=g1.pk)
    assert prompt.next_attempt_at >= release_at
    assert c1.child.first_name not in prompt.body and c1.unit_name not in prompt.body
    assert batch.figures["printed"] >= 1 and not batch.print_file
    printed = decision_batch_print(batch_id=batch.pk)
    batch.refresh_from_db()
    assert printed == batch.figures["printed"] and batch.print_file
    batch.print_file.open("rb")
    pages = PdfReader(io.BytesIO(batch.print_file.read())).pages
    batch.print_file.close()
    assert len(pages) > printed  # a cover page and the decision for each postal recipient
    postal = [(d, r) for d in Decision.objects.filter(batch=batch) for r in d.recipients if r["delivery"] == "post"]
    texts = [p.extract_text().strip() for p in pages]
    covers = [t for t in texts if len(t.splitlines()) <= 6 and t.splitlines()[-1].startswith(("Päätös ", "Beslut "))]
    assert len(covers) == len(postal) and any(len(d.recipients) == 2 for d, _r in postal if d.delivery == "post")
    assert {r["name"] for _d, r in postal} == {c.splitlines()[0] for c in covers}
    application.refresh_from_db()
    assert application.status == ApplicationStatus.DECIDED
    assert application.events.order_by("-at", "-id").first().kind == "decided"  # type: ignore[union-attr]


def test_the_pdf_is_tagged_in_the_familys_language_with_what_the_law_asks(
    sent_round: OfferRound,  # noqa: F811
    media: Any,
) -> None:
    offer_answer(offer_id=offer_of("C1").pk, accept=True, guardian=guardian("G1"), channel="link", actor="g")
    prepared = decision_batch_prepare(
        title="Esiopetus 2027", decided_on=dt.date(2027, 3, 1), decision_maker="Maija Päättäjä, johtaja",
        decision_maker_username="maija", prepared_by="pia", offer_round=sent_round,
    )  # fmt: skip
    decision_batch_render(batch_id=prepared.batch.pk)
    decision = Decision.objects.get(batch=prepared.batch, child__child_id="C1")
    text, reader = pdf_text(decision)
    root = reader.trailer["/Root"]
    assert root["/Lang"] == decision.language and "/StructTreeRoot" in root and root["/MarkInfo"]["/Marked"]
    assert reader.metadata.title.startswith("Päätös esiopetuspaikasta")
    child = decision.child
    for needed in [
        "Päätös esiopetuspaikasta", decision.number, "Päätöspäivä 1.3.2027", child.full_name,
        f"{child.birth_date.day}.{child.birth_date.month}.{child.birth_date.year}", decision.unit_name,
        "Maija Päättäjä", "Toimivalta", "Perustelut", "26 a §", "Lupa- ja valvontavirasto", "14 päivän",
        "Oikaisuvaatimusohje", "09 310 80488",
    ]:  # fmt: skip
        assert needed in text, needed
    assert child.hetu not in text and child.street_address not in text
    for g in child.guardians.all():
        assert g.full_name in text
    # Swedish for a Swedish-speaking family
    sv = Decision.objects.filter(batch=prepared.batch, language="sv").first()
    if sv is not None:
        text, _reader = pdf_text(sv)
        assert "Beslut om plats i förskoleundervisning" in text and "Tillstånds- och tillsynsverket" in text
