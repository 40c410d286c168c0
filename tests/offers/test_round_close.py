"""The round closes itself when no offer is open any more, and the capacity lock lifts; a reply after the
deadline is never turned into an answer (it goes to staff and says so); staff can still answer an offer that
was left to them at the deadline."""

from __future__ import annotations

import datetime as dt

import pytest

from asti.core import clock
from asti.messaging.inbound import inbound_receive
from asti.messaging.models import FollowUp
from asti.offers import sending
from asti.offers.answers import AnswerResult, offer_answer
from asti.offers.models import NoAnswerPolicy, Offer, OfferRound, OfferStatus, RoundStatus
from asti.offers.selectors import unit_capacity_locked
from asti.people.models import Guardian
from tests.offers.test_sending import last_answer

pytestmark = pytest.mark.django_db(transaction=True)


def after_deadline(offer_round: OfferRound) -> dt.datetime:
    return max(o.deadline for o in offer_round.offers.all()) + dt.timedelta(hours=1)


def test_the_round_closes_when_no_offer_is_open_and_the_lock_lifts(sent_round: OfferRound) -> None:
    unit = Offer.objects.filter(round=sent_round).first().unit  # type: ignore[union-attr]
    assert unit_capacity_locked(unit=unit)
    assert sending.rounds_tick(actor="clock") and OfferRound.objects.get(pk=sent_round.pk).status == RoundStatus.SENT
    assert not sending.round_close(round_id=sent_round.pk, actor="pia")  # offers are still open
    with clock.frozen_at(after_deadline(sent_round)):
        sending.rounds_tick(actor="clock")
    closed = OfferRound.objects.get(pk=sent_round.pk)
    assert closed.status == RoundStatus.CLOSED and closed.closed_at is not None
    assert not Offer.objects.filter(round=sent_round, status=OfferStatus.OPEN).exists()
    assert not unit_capacity_locked(unit=unit)


def test_a_late_reply_goes_to_staff_and_changes_nothing(sent_round: OfferRound) -> None:
    g1 = Guardian.objects.get(guardian_id="G1")
    offer = Offer.objects.get(child__child_id="C1")
    with clock.frozen_at(after_deadline(sent_round)):
        sending.rounds_tick(actor="clock")
        inbound = inbound_receive(gateway="simulated", gateway_id="late-1", sender=g1.phone, text="EI").inbound
    offer.refresh_from_db()
    assert offer.status == OfferStatus.AUTO_ACCEPTED  # the late "no" did not turn the place into a decline
    assert inbound.handling_result == "late"
    body = last_answer(inbound)
    assert "vastausajan" in body and "Asiakaspalvelu" in body
    assert FollowUp.objects.filter(subject_type="offer", subject_id=str(offer.pk), reason="late_reply").exists()


def test_staff_answer_an_offer_left_to_them(sent_round: OfferRound) -> None:
    OfferRound.objects.filter(pk=sent_round.pk).update(no_answer_policy=NoAnswerPolicy.STAFF)
    offer = Offer.objects.get(child__child_id="C1")
    g1 = Guardian.objects.get(guardian_id="G1")
    with clock.frozen_at(after_deadline(sent_round)):
        sending.rounds_tick(actor="clock")
        offer.refresh_from_db()
        assert offer.status == OfferStatus.NO_ANSWER
        late = offer_answer(offer_id=offer.pk, accept=True, guardian=g1, channel="link", actor="g")
        assert late.result is AnswerResult.ALREADY_DECIDED
        by_phone = offer_answer(offer_id=offer.pk, accept=True, guardian=g1, channel="phone", actor="pia")
    assert by_phone.result is AnswerResult.APPLIED
    offer.refresh_from_db()
    assert offer.status == OfferStatus.ACCEPTED and offer.recorded_by == "pia"
