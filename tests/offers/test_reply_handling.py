"""SMS replies to a sent round, through messaging's inbound_receive: what is never an answer, what re-confirms, and
what keeps the recorded answer and goes to the follow-up list with words saying who answered what and when."""

from __future__ import annotations

import datetime as dt

import pytest

from asti.core import clock
from asti.core.clock import HELSINKI
from asti.messaging.inbound import inbound_receive
from asti.messaging.models import FollowUp, InboundMessage, Message
from asti.messaging.sms import GSM7, sms_encoding
from asti.messaging.templates import render_template
from asti.offers.answers import answer_moment
from asti.offers.models import Offer, OfferRound, OfferStatus
from asti.people.models import Guardian

pytestmark = pytest.mark.django_db(transaction=True)

MARIA = "+358401234567"  # G1, guardian of C1 Aino with G2
JUHA = "+358501234568"  # G2
KARIN = "+358503334444"  # G6, Swedish, guardian of C6 Alva
PEKKA = "+358447654321"  # G4, twins C3 Leo (code 1) and C4 Lilja (code 2)


@pytest.fixture
def answer_time(sent_round: OfferRound) -> dt.datetime:
    """A moment before the deadline, 08:05 UTC, which is 10.05 in Helsinki (winter time)."""
    deadline = Offer.objects.filter(round=sent_round).earliest("deadline").deadline
    day = (deadline - dt.timedelta(days=2)).date()
    moment = dt.datetime(day.year, day.month, day.day, 8, 5, tzinfo=dt.UTC)
    assert moment.astimezone(HELSINKI).utcoffset() == dt.timedelta(hours=2)
    return moment


_ids = iter(range(1, 10_000))


def reply(phone: str, text: str) -> InboundMessage:
    return inbound_receive(gateway="simulated", gateway_id=f"h{next(_ids)}", sender=phone, text=text).inbound


def answer_to(inbound: InboundMessage) -> str:
    inbound.refresh_from_db()
    assert inbound.answer is not None
    return inbound.answer.body


def offer_of(child_id: str) -> Offer:
    return Offer.objects.select_related("answered_by").get(child__child_id=child_id)


def follow_up_of(inbound: InboundMessage) -> FollowUp | None:
    return FollowUp.objects.filter(inbound=inbound).first()


@pytest.mark.parametrize(
    ("phone", "text", "reason", "words"),
    [
        (MARIA, "Kyllä ei", "contradiction", "sekä kyllä että ei"),
        (MARIA, "ei kyllä", "contradiction", "sekä kyllä että ei"),
        (MARIA, "kyllä?", "question", "kysymys"),
        (MARIA, "En tiedä", "uncertain", "epäselväksi"),
        (KARIN, "JA nej", "contradiction", "både ja och nej"),
        (KARIN, "Ja, kanske", "uncertain", "oklart"),
    ],
)
def test_a_contradictory_reply_goes_to_staff_and_changes_nothing(
    sent_round: OfferRound, phone: str, text: str, reason: str, words: str
) -> None:
    inbound = reply(phone, text)
    body = answer_to(inbound)
    assert words in body and ("Asiakaspalvelu lukee" in body or "Kundtjänsten läser" in body)
    assert inbound.handling_result == reason
    follow_up = follow_up_of(inbound)
    assert follow_up is not None and follow_up.reason == "unclear_reply"
    assert not Offer.objects.filter(round=sent_round).exclude(status=OfferStatus.OPEN).exists()
    assert not Message.objects.filter(template_key="offers.other_guardian").exists()


def test_a_second_yes_reconfirms_with_who_and_when(sent_round: OfferRound, answer_time: dt.datetime) -> None:
    with clock.frozen_at(answer_time):
        first = reply(MARIA, "Kyllä")
    assert "vastaanotettu" in answer_to(first)
    with clock.frozen_at(answer_time + dt.timedelta(hours=3)):
        again = reply(MARIA, "kylllä kiitos")
    body = answer_to(again)
    assert again.handling_result == "same_again"
    assert "Vastaus on jo kirjattu" in body and "Lapsi: Aino" in body
    assert "otettiin vastaan" in body and "vastasi: Maria" in body
    date = answer_time.astimezone(HELSINKI).date()
    assert f"{date.day}.{date.month}.{date.year} klo 10.05" in body
    assert "avointa" not in body and follow_up_of(again) is None
    # the other guardian saying the same is told the same, and nobody needs to act
    agreeing = reply(JUHA, "joo")
    assert agreeing.handling_result == "same_again" and "vastasi: Maria" in answer_to(agreeing)
    assert follow_up_of(agreeing) is None
    assert offer_of("C1").status == OfferStatus.ACCEPTED


@pytest.mark.parametrize(
    ("first", "then", "kept"), [("Kyllä", "EI", OfferStatus.ACCEPTED), ("ei", "joo", OfferStatus.DECLINED)]
)
def test_a_change_of_mind_keeps_the_answer_and_reaches_the_follow_up_list(
    sent_round: OfferRound, answer_time: dt.datetime, first: str, then: str, kept: str
) -> None:
    with clock.frozen_at(answer_time):
        reply(MARIA, first)
    answered_at = offer_of("C1").answered_at
    changed = reply(MARIA, then)
    body = answer_to(changed)
    offer = offer_of("C1")
    assert (offer.status, offer.answered_at, offer.answered_by.guardian_id) == (kept, answered_at, "G1")  # type: ignore[union-attr]
    assert changed.handling_result == "answer_changed"
    follow_up = follow_up_of(changed)
    assert follow_up is not None and follow_up.reason == "answer_changed"
    assert (follow_up.subject_type, follow_up.subject_id) == ("offer", str(offer.pk))
    assert follow_up.guardian == Guardian.objects.get(guardian_id="G1")
    assert "eikä sitä muutettu" in body and "vastasi: Maria" in body and "klo 10.05" in body
    assert ("otettiin vastaan" in body) == (kept == OfferStatus.ACCEPTED)
    assert ("kieltäydyttiin" in body) == (kept == OfferStatus.DECLINED)
    assert "Kolmas linja" not in body and "Virtanen" not in body  # no address, no surname


def test_swedish_no_then_yes_is_answered_in_swedish(sent_round: OfferRound, answer_time: dt.datetime) -> None:
    with clock.frozen_at(answer_time):
        reply(KARIN, "Nej tack")
    changed = reply(KARIN, "ja")
    body = answer_to(changed)
    assert offer_of("C6").status == OfferStatus.DECLINED
    assert "ändrades inte" in body and "Barn: Alva" in body and "avböjdes" in body
    assert "svarade: Karin" in body and "kl. 10.05" in body
    assert follow_up_of(changed) is not None


def test_the_other_guardian_answering_otherwise_reaches_follow_up_and_is_told_who_answered_first(
    sent_round: OfferRound, answer_time: dt.datetime
) -> None:
    with clock.frozen_at(answer_time):
        reply(MARIA, "Kyllä kiitos")
    with clock.frozen_at(answer_time + dt.timedelta(days=1)):
        disagreeing = reply(JUHA, "Ei")
    body = answer_to(disagreeing)
    assert disagreeing.handling_result == "guardians_disagree"
    offer = offer_of("C1")
    assert offer.status == OfferStatus.ACCEPTED and offer.answered_by.guardian_id == "G1"  # type: ignore[union-attr]
    follow_up = follow_up_of(disagreeing)
    assert follow_up is not None and follow_up.guardian == Guardian.objects.get(guardian_id="G2")
    assert follow_up.reason == "guardians_disagree"
    assert (follow_up.subject_type, follow_up.subject_id) == ("offer", str(offer.pk))
    date = answer_time.astimezone(HELSINKI).date()
    assert "vastasi: Maria" in body and f"{date.day}.{date.month}.{date.year} klo 10.05" in body
    assert "jo kirjattu" in body and "Juha" not in body
    # Juha was told once, when Maria answered; the disagreement tells nobody else
    assert Message.objects.filter(template_key="offers.other_guardian").count() == 1


def test_a_twins_answer_again_needs_its_code_and_reconfirms_that_child(
    sent_round: OfferRound, answer_time: dt.datetime
) -> None:
    with clock.frozen_at(answer_time):
        reply(PEKKA, "kyllä 1")
        reply(PEKKA, "ei 2")
    statuses = (offer_of("C3").status, offer_of("C4").status)
    assert statuses == (OfferStatus.ACCEPTED, OfferStatus.DECLINED)
    again = reply(PEKKA, "EI 1")
    assert again.handling_result == "answer_changed" and "Lapsi: Leo" in answer_to(again)
    same = reply(PEKKA, "ei 2")
    assert same.handling_result == "same_again" and "Lapsi: Lilja" in answer_to(same)
    unclear = reply(PEKKA, "kyllä")  # which child? nothing is guessed
    assert unclear.handling_result == "no_open_offer"
    assert (offer_of("C3").status, offer_of("C4").status) == statuses


def test_an_answer_with_a_later_question_is_recorded_and_a_person_answers_the_question(
    sent_round: OfferRound,
) -> None:
    inbound = reply(MARIA, "Kyllä kiitos. Milloin päätös tulee?")
    assert inbound.handling_result == "accepted" and offer_of("C1").status == OfferStatus.ACCEPTED
    assert "Asiakaspalvelu vastaa kysymykseesi" in answer_to(inbound)
    assert follow_up_of(inbound) is not None
    # the confirmation sent some other way (no question) does not carry the line
    plain = reply(JUHA, "Kyllä")
    assert "kysymykseesi" not in answer_to(plain)


def test_greetings_and_slips_through_the_whole_path(sent_round: OfferRound) -> None:
    for text in ("Hei", "moi", "jo", "ne"):
        inbound = reply(MARIA, text)
        assert inbound.handling_result == "not_understood", text
    assert offer_of("C1").status == OfferStatus.OPEN
    reply(MARIA, "eii")
    assert offer_of("C1").status == OfferStatus.DECLINED


LONG = {
    "child_first_name": "Aleksandra-Josefiina",
    "unit_name": "Päiväkoti Pikku-Huopalahden Satakieli",
    "answered_by": "Kristiina-Marjatta",
    "answered_at": "",
    "asks": True,
}


@pytest.mark.parametrize("language", ["fi", "sv", "en"])
@pytest.mark.parametrize("key", ["offers.answer_recorded", "offers.answer_kept", "offers.unclear"])
@pytest.mark.parametrize("accepted", [True, False])
def test_the_new_answers_are_gsm7_and_at_most_two_sms(key: str, language: str, accepted: bool) -> None:
    moment = answer_moment(dt.datetime(2027, 1, 28, 21, 59, tzinfo=dt.UTC), language)
    context = {**LONG, "answered_at": moment, "accepted": accepted, "by_staff": False, "reason": "contradiction"}
    for reason in ("contradiction", "question", "uncertain"):
        body = render_template(key, language, {**context, "reason": reason}).body
        encoding = sms_encoding(body)
        assert encoding.encoding == GSM7 and encoding.parts <= 2, (key, language, body)
        assert "{" not in body and "  " not in body


def test_answer_moments_are_in_helsinki_time() -> None:
    summer = dt.datetime(2027, 6, 1, 21, 30, tzinfo=dt.UTC)
    assert answer_moment(summer, "fi") == "2.6.2027 klo 00.30"
    assert answer_moment(summer, "sv") == "2.6.2027 kl. 00.30"
    assert answer_moment(summer, "en") == "2027-06-02 at 00:30"
