from __future__ import annotations

import datetime as dt

import pytest

from asti.core import clock
from asti.messaging.inbound import inbound_receive
from asti.messaging.models import FollowUp, InboundMessage, Message
from asti.offers import sending
from asti.offers.answers import AnswerResult, feedback_give, offer_answer
from asti.offers.links import LinkError, make_token, read_token
from asti.offers.models import NoAnswerPolicy, Offer, OfferRound, OfferStatus
from asti.offers.selectors import round_stats
from asti.people.models import Guardian

pytestmark = pytest.mark.django_db(transaction=True)


def reply(phone: str, text: str, gateway_id: str) -> InboundMessage:
    return inbound_receive(gateway="simulated", gateway_id=gateway_id, sender=phone, text=text).inbound


def last_answer(inbound: InboundMessage) -> str:
    inbound.refresh_from_db()
    assert inbound.answer is not None
    return inbound.answer.body


def test_send_creates_offers_and_messages_for_every_guardian(sent_round: OfferRound) -> None:
    offers = {o.child.child_id: o for o in Offer.objects.filter(round=sent_round).select_related("child")}
    assert sorted(offers) == ["C1", "C2", "C3", "C4", "C5", "C6", "C9"]
    assert sent_round.status == "sent"
    by_guardian = {m.guardian.guardian_id: m for m in Message.objects.select_related("guardian")}  # type: ignore[union-attr]
    # G1 and G2 both get C1's offer; G3 has only email; G4 gets two SMS (twins) with their codes.
    assert Message.objects.filter(guardian__guardian_id="G1", channel="sms").count() == 1
    assert Message.objects.filter(guardian__guardian_id="G2", channel="sms").count() == 1
    assert by_guardian["G3"].channel == "email" and by_guardian["G3"].recipient == "sanna@example.com"
    twins = list(Message.objects.filter(guardian__guardian_id="G4").order_by("subject_id"))
    assert len(twins) == 2 and "KYLLÄ 1" in twins[0].body and "KYLLÄ 2" in twins[1].body
    g1 = Message.objects.get(guardian__guardian_id="G1")
    assert "Aino" in g1.body and "Päiväkoti Kallio" in g1.body and "/o/" in g1.body
    g6 = Message.objects.get(guardian__guardian_id="G6")
    assert g6.language == "sv" and "Daghemmet Tölö" in g6.body and "JA" in g6.body
    # Non-disclosure: no message carries a child's or guardian's home address.
    assert not Message.objects.filter(body__contains="Salvor").exists()


def test_a_round_is_sent_once(sent_round: OfferRound) -> None:
    with pytest.raises(sending.SendError, match="only an allocated round"):
        sending.round_send(round_id=sent_round.pk, actor="t")
    assert Offer.objects.filter(round=sent_round).count() == 7


def test_sms_yes_accepts_confirms_and_tells_the_other_guardian(sent_round: OfferRound) -> None:
    inbound = reply("+358401234567", "Kyllä kiitos!", "r1")
    assert "vastaanotettu" in last_answer(inbound)
    offer = Offer.objects.get(round=sent_round, child__child_id="C1")
    assert offer.status == OfferStatus.ACCEPTED and offer.answer_channel == "sms"
    assert offer.answered_by == Guardian.objects.get(guardian_id="G1")
    told = Message.objects.get(guardian__guardian_id="G2", template_key="offers.other_guardian")
    assert told.lane == "fast" and "otettiin vastaan" in told.body
    # The other guardian's later "EI" changes nothing and gets a helpful answer.
    late = reply("+358501234568", "EI", "r2")
    assert "Vastaustasi ei muutettu" in last_answer(late) or "jo kirjattu" in last_answer(late)
    offer.refresh_from_db()
    assert offer.status == OfferStatus.ACCEPTED


def test_two_open_offers_need_the_childs_code(sent_round: OfferRound) -> None:
    first = reply("+358447654321", "KYLLÄ", "t1")
    assert "1 Leo" in last_answer(first) and "2 Lilja" in last_answer(first)
    assert not Offer.objects.filter(round=sent_round, status__in=["accepted", "declined"]).exists()
    reply("+358447654321", "kylla 2", "t2")
    assert Offer.objects.get(child__child_id="C4").status == OfferStatus.ACCEPTED
    assert Offer.objects.get(child__child_id="C3").status == OfferStatus.OPEN
    reply("+358447654321", "ei", "t3")  # one open offer left: no code needed
    assert Offer.objects.get(child__child_id="C3").status == OfferStatus.DECLINED


@pytest.mark.parametrize("text", ["HEI", "", "🙂🙂", "Kyllä" * 300, "Voinko vaihtaa?"])
def test_garbled_replies_get_help_and_change_nothing(sent_round: OfferRound, text: str) -> None:
    inbound = reply("+358401234567", text, "g1")
    assert "KYLLÄ" in last_answer(inbound) or "Kyllä" * 2 in text
    if "Kyllä" * 2 not in text:
        assert Offer.objects.get(child__child_id="C1").status == OfferStatus.OPEN
        assert FollowUp.objects.filter(inbound=inbound).exists()


def test_unknown_number_and_duplicate_gateway_id(sent_round: OfferRound) -> None:
    inbound = reply("+358409998877", "KYLLÄ", "u1")
    assert "numeroa" in last_answer(inbound)
    reply("+358401234567", "EI", "d1")
    reply("+358401234567", "EI", "d1")  # the gateway retried
    assert InboundMessage.objects.filter(gateway_id="d1").count() == 1
    assert Message.objects.filter(template_key="offers.other_guardian").count() == 1


def test_link_answer_phone_answer_and_feedback_feed_the_stats(sent_round: OfferRound) -> None:
    g6 = Guardian.objects.get(guardian_id="G6")
    c6 = Offer.objects.get(child__child_id="C6")
    assert offer_answer(offer_id=c6.pk, accept=True, guardian=g6, channel="link", actor="guardian:G6").result == (
        AnswerResult.APPLIED
    )
    assert Message.objects.filter(guardian=g6, template_key="offers.accepted").exists()
    c2 = Offer.objects.get(child__child_id="C2")
    other = Guardian.objects.get(guardian_id="G5")
    assert offer_answer(offer_id=c2.pk, accept=True, guardian=other, channel="link", actor="x").result == (
        AnswerResult.NOT_GUARDIAN
    )
    outcome = offer_answer(offer_id=c2.pk, accept=False, guardian=None, channel="phone", actor="staff:pia")
    assert outcome.result is AnswerResult.APPLIED and outcome.offer.recorded_by == "staff:pia"
    feedback_give(offer=c6, guardian=g6, score=5)
    feedback_give(offer=c2, guardian=Guardian.objects.get(guardian_id="G3"), score=2)
    stats = round_stats(offer_round=sent_round)
    assert (stats["eligible"], stats["offered"], stats["responded"], stats["accepted"], stats["declined"]) == (
        7, 7, 2, 1, 1,
    )  # fmt: skip
    assert stats["no_response"] == 5 and stats["response_rate"] == round(2 / 7, 4)
    assert stats["acceptance_rate"] == 0.5 and stats["satisfaction_rate"] == 0.5


def test_reminder_then_deadline_policy(sent_round: OfferRound) -> None:
    deadline = Offer.objects.filter(round=sent_round).first().deadline  # type: ignore[union-attr]
    with clock.frozen_at(deadline - dt.timedelta(days=1)):
        assert sending.round_remind(round_id=sent_round.pk, actor="t") == 7
        assert sending.round_remind(round_id=sent_round.pk, actor="t") == 0
    assert Message.objects.filter(template_key="offers.reminder").count() >= 7
    with clock.frozen_at(deadline + dt.timedelta(minutes=1)):
        late = reply("+358401234567", "KYLLÄ", "late1")
        assert Offer.objects.get(child__child_id="C1").status == OfferStatus.OPEN
        assert "vastausajan" in last_answer(late)  # late: not recorded, staff get in touch
        assert sending.round_close_deadline(round_id=sent_round.pk, actor="t") == 7
    assert Offer.objects.filter(status=OfferStatus.AUTO_ACCEPTED).count() == 7
    assert round_stats(offer_round=sent_round)["auto_accepted"] == 7


def test_staff_policy_hands_silent_families_to_follow_up(sent_round: OfferRound) -> None:
    OfferRound.objects.filter(pk=sent_round.pk).update(no_answer_policy=NoAnswerPolicy.STAFF)
    deadline = Offer.objects.filter(round=sent_round).first().deadline  # type: ignore[union-attr]
    with clock.frozen_at(deadline + dt.timedelta(hours=1)):
        sending.round_close_deadline(round_id=sent_round.pk, actor="t")
    assert Offer.objects.filter(status=OfferStatus.NO_ANSWER).count() == 7
    assert FollowUp.objects.filter(reason="no_answer").count() == 7


def test_offer_links_are_signed_single_purpose_and_expire() -> None:
    expires = clock.now() + dt.timedelta(days=1)
    token = make_token(offer_id=12, guardian_id=34, expires_at=expires)
    assert len(token) <= 64  # short enough for an SMS
    link = read_token(token)
    assert (link.offer_id, link.guardian_id) == (12, 34)
    with pytest.raises(LinkError):
        read_token(token.replace("12.", "13.", 1))
    from django.core import signing

    with pytest.raises(LinkError):
        read_token(signing.Signer(salt="another.purpose", sep="~").sign("12.34.9999999999"))
    with clock.frozen_at(expires + dt.timedelta(seconds=1)), pytest.raises(LinkError, match="expired"):
        read_token(token)
