"""Guardians' answers to offers, by SMS reply, through the e-service or recorded by staff.

The first valid answer decides; the other guardians are told. A late, repeated or contradicting answer is
stored by the caller (the raw reply is), answered helpfully and changes nothing.
"""

from __future__ import annotations

import datetime as dt
import enum
from dataclasses import dataclass

from django.db import transaction

from asti.audit.services import audit_log
from asti.core import clock
from asti.core.clock import HELSINKI
from asti.messaging.inbound import STAFF_ANSWER_TEMPLATE, Answer, InboundReply, ReplyOutcome
from asti.messaging.models import Channel, FollowUpReason, Lane
from asti.messaging.replies import Unclear, Verdict, parse_reply
from asti.messaging.services import message_enqueue_bulk
from asti.offers.models import AnswerChannel, Feedback, Offer, OfferStatus
from asti.offers.notify import messages_for, offer_context
from asti.offers.sending import active_guardians
from asti.people.models import Guardian


class AnswerResult(enum.StrEnum):
    APPLIED = "applied"
    SAME_AGAIN = "same_again"  # the offer already has this answer
    ALREADY_DECIDED = "already_decided"  # it has another answer, or the deadline policy decided it
    LATE = "late"  # the deadline has passed
    NOT_GUARDIAN = "not_guardian"


@dataclass(frozen=True)
class AnswerOutcome:
    result: AnswerResult
    offer: Offer


def offer_answer(
    *,
    offer_id: int,
    accept: bool,
    guardian: Guardian | None,
    channel: str,
    actor: str,
    confirm_to_answerer: bool = True,
) -> AnswerOutcome:
    """Records an answer if the offer is still open; confirms it and tells the other guardians."""
    with transaction.atomic():
        offer = Offer.objects.select_for_update().select_related("child", "unit", "round").get(pk=offer_id)
        family = active_guardians([offer.child_id]).get(offer.child_id, [])
        if guardian is not None and guardian.pk not in {g.pk for g in family}:
            return AnswerOutcome(AnswerResult.NOT_GUARDIAN, offer)
        wanted = OfferStatus.ACCEPTED if accept else OfferStatus.DECLINED
        staff_channel = channel in (AnswerChannel.PHONE, AnswerChannel.PAPER)
        # an offer left without an answer at the deadline (the staff policy) can still be answered through staff
        answerable = offer.status == OfferStatus.OPEN or (staff_channel and offer.status == OfferStatus.NO_ANSWER)
        if not answerable:
            same = offer.status == wanted
            return AnswerOutcome(AnswerResult.SAME_AGAIN if same else AnswerResult.ALREADY_DECIDED, offer)
        now = clock.now()
        if now > offer.deadline and not staff_channel:
            return AnswerOutcome(AnswerResult.LATE, offer)
        offer.status = wanted
        offer.answered_at = now
        offer.answered_by = guardian
        offer.answer_channel = channel
        offer.recorded_by = actor if staff_channel else ""
        offer.save(
            update_fields=["status", "answered_at", "answered_by", "answer_channel", "recorded_by", "updated_at"]
        )
        audit_log(
            actor=actor,
            operation="OFFER_ANSWER",
            target_type="child",
            target_id=offer.child.child_id,
            details={"offer": offer.pk, "answer": wanted, "channel": channel},
        )
        key = "offers.accepted" if accept else "offers.declined"
        confirm = [g for g in family if confirm_to_answerer and (guardian is None or g.pk == guardian.pk)]
        others = [g for g in family if guardian is not None and g.pk != guardian.pk]
        outgoing = messages_for(offer, confirm, template_key=key, lane=Lane.FAST)
        outgoing += messages_for(
            offer, others, template_key="offers.other_guardian", lane=Lane.FAST, extra={"accepted": accept}
        )
        message_enqueue_bulk(messages=outgoing)
        return AnswerOutcome(AnswerResult.APPLIED, offer)


def offer_can_be_answered(offer: Offer, *, at: dt.datetime) -> bool:
    """The one rule for a guardian's own answer (link or SMS): the offer is open and its deadline has not passed.
    Staff may still record an answer after it (offer_answer with a phone or paper channel)."""
    return offer.status == OfferStatus.OPEN and at <= offer.deadline


LATE_WINDOW = dt.timedelta(days=60)


def late_offers(offers: list[Offer]) -> list[Offer]:
    """Offers whose deadline passed not long ago without the guardians' answer (open, confirmed by the no-answer
    policy, or left to staff): a reply now is late."""
    now = clock.now()
    return [
        o
        for o in offers
        if o.deadline < now <= o.deadline + LATE_WINDOW
        and (o.status in (OfferStatus.AUTO_ACCEPTED, OfferStatus.NO_ANSWER) or o.status == OfferStatus.OPEN)
    ]


def feedback_give(*, offer: Offer, guardian: Guardian, score: int, comment: str = "") -> Feedback:
    """The satisfaction question after answering; a second answer replaces the first."""
    if score not in Feedback.Score.values:
        raise ValueError(f"score must be one of {Feedback.Score.values}")
    with transaction.atomic():
        feedback, _ = Feedback.objects.update_or_create(
            offer=offer,
            guardian=guardian,
            defaults={"score": score, "comment": comment.strip()[:2000], "given_at": clock.now()},
        )
    return feedback


# what an email reply may answer: an offer's email, or our answer to an earlier reply ("inbound"); "" = SMS
EMAIL_REPLY_SUBJECTS = ("", "offer", "inbound")


def handle_reply(reply: InboundReply) -> ReplyOutcome:
    """The reply handler registered with messaging: reads KYLLÄ/EI (JA/NEJ, YES/NO) for the sender's offers.

    An SMS reply is about any of the sender's offers; an email reply (its sender proved by messaging) about the
    offer of the email it answers, or, answering one of our answers, about any of them.

    A reply that is not a plain answer (a contradiction, a question, a hedge) changes nothing and goes to a person.
    A reply to an offer answered already re-confirms the same answer, or, when it says otherwise (a change of mind
    or the other guardian disagreeing), keeps the recorded answer and goes to a person; the words sent back say
    who answered what and when.
    """
    guardians = list(Guardian.objects.filter(pk__in=reply.guardian_ids, active=True).order_by("guardian_id"))
    if not guardians:
        return ReplyOutcome(result="unknown_number", answer=Answer("offers.unknown_number", "fi"), needs_staff=True)
    language = guardians[0].language
    guardian_pks = [g.pk for g in guardians]
    if reply.subject_type not in EMAIL_REPLY_SUBJECTS:
        # an email reply to a decision, an application's message...: a person reads it
        return ReplyOutcome(
            result="not_about_offer",
            answer=Answer(STAFF_ANSWER_TEMPLATE, language),
            needs_staff=True,
            guardian_id=guardian_pks[0],
            subject_type=reply.subject_type,
            subject_id=reply.subject_id,
        )
    offers = list(
        Offer.objects.filter(child__custodies__guardian_id__in=guardian_pks, child__custodies__active=True)
        .select_related("child", "unit", "round", "answered_by")
        .distinct()
        .order_by("-round__year", "code", "pk")
    )
    if reply.subject_type == "offer":
        # an email reply names the offer it answers: no child's code is needed, and no other offer is touched
        offers = [o for o in offers if str(o.pk) == reply.subject_id]
    now = clock.now()
    open_offers = [o for o in offers if offer_can_be_answered(o, at=now)]
    answered_offers = _answered_offers(offers)
    parsed = parse_reply(reply.text, codes={o.code for o in open_offers or answered_offers})
    listed = ", ".join(f"{o.code} {o.child.first_name}" for o in open_offers)
    guardian_id = guardians[0].pk if len(guardians) == 1 else None
    if parsed.verdict is Verdict.UNKNOWN:
        if parsed.unclear is not None and parsed.unclear is not Unclear.NOT_UNDERSTOOD:
            # yes and no, a question or a hedge: never an answer; a person reads it
            about = open_offers if len(open_offers) == 1 else answered_offers if not open_offers else []
            return ReplyOutcome(
                result=parsed.unclear.value,
                answer=Answer("offers.unclear", language, {"reason": parsed.unclear.value}),
                needs_staff=True,
                follow_up_reason=FollowUpReason.UNCLEAR_REPLY,
                guardian_id=guardian_id,
                subject_type="offer" if len(about) == 1 else "",
                subject_id=str(about[0].pk) if len(about) == 1 else "",
            )
        answer = Answer("offers.not_understood", language, {"codes": listed if len(open_offers) > 1 else ""})
        return ReplyOutcome(result="not_understood", answer=answer, needs_staff=True, guardian_id=guardian_id)
    accept = parsed.verdict is Verdict.ACCEPT
    if not open_offers:
        late = late_offers(offers)
        if late:
            # an answer after the deadline is never turned into anything: a person reads it and gets in touch
            offer = late[0]
            return ReplyOutcome(
                result="late",
                guardian_id=guardian_id,
                needs_staff=True,
                follow_up_reason=FollowUpReason.LATE_REPLY,
                subject_type="offer",
                subject_id=str(offer.pk),
                answer=Answer("offers.late", language, {"deadline": offer_context(offer, guardians[0])["deadline"]}),
            )
        chosen = _pick(answered_offers, parsed.code)
        if chosen is not None:
            again = _answered_again(chosen, guardians, accept=accept, asks=parsed.asks)
            if again is not None:
                return again
        answered = any(o.status != OfferStatus.OPEN for o in offers)
        return ReplyOutcome(
            result="no_open_offer",
            guardian_id=guardian_id,
            answer=Answer("offers.no_open_offer", language, {"answered": answered}),
        )
    chosen_open = [o for o in open_offers if o.code == parsed.code] if len(open_offers) > 1 else open_offers
    if len(chosen_open) != 1:
        example = open_offers[0].code
        return ReplyOutcome(
            result="which_child",
            guardian_id=guardian_id,
            answer=Answer("offers.which_child", language, {"codes": listed, "example": example}),
        )
    offer = chosen_open[0]
    family_pks = {g.pk for g in active_guardians([offer.child_id]).get(offer.child_id, [])}
    answerer = next(g for g in guardians if g.pk in family_pks)
    outcome = offer_answer(
        offer_id=offer.pk,
        accept=accept,
        guardian=answerer,
        channel=AnswerChannel.EMAIL if reply.channel == Channel.EMAIL else AnswerChannel.SMS,
        actor=f"guardian:{answerer.guardian_id}",
        confirm_to_answerer=False,
    )
    if outcome.result is not AnswerResult.APPLIED:
        # decided meanwhile (the other guardian's link or reply a moment earlier)
        decided = Offer.objects.select_related("child", "unit", "round", "answered_by").get(pk=offer.pk)
        again = _answered_again(decided, [answerer], accept=accept, asks=parsed.asks)
        if again is not None:
            return again
        return ReplyOutcome(
            result="no_open_offer",
            guardian_id=answerer.pk,
            subject_type="offer",
            subject_id=str(offer.pk),
            answer=Answer("offers.no_open_offer", answerer.language, {"answered": True}),
        )
    key = "offers.accepted" if accept else "offers.declined"
    return ReplyOutcome(
        result="accepted" if accept else "declined",
        answer=Answer(key, answerer.language, {**offer_context(offer, answerer), "asks": parsed.asks}),
        needs_staff=parsed.asks,  # the reply asks something besides: a person answers it
        subject_type="offer",
        subject_id=str(offer.pk),
        guardian_id=answerer.pk,
    )


ANSWERED = (OfferStatus.ACCEPTED, OfferStatus.DECLINED)


def _answered_offers(offers: list[Offer]) -> list[Offer]:
    """The offers of the latest round the family has that were answered by a guardian or recorded by staff."""
    answered = [o for o in offers if o.status in ANSWERED and o.answered_at is not None]
    if not answered:
        return []
    latest = max(o.round.year for o in answered)
    return [o for o in answered if o.round.year == latest]


def _pick(offers: list[Offer], code: str | None) -> Offer | None:
    if len(offers) == 1:
        return offers[0]
    return next((o for o in offers if code is not None and o.code == code), None)


def _answered_again(offer: Offer, guardians: list[Guardian], *, accept: bool, asks: bool) -> ReplyOutcome | None:
    """A reply to an offer that has its answer: re-confirm the same answer, or keep it and hand a different one to
    a person. None when the sender is not the child's guardian or the offer has no recorded answer."""
    if offer.status not in ANSWERED or offer.answered_at is None:
        return None
    family_pks = {g.pk for g in active_guardians([offer.child_id]).get(offer.child_id, [])}
    sender = next((g for g in guardians if g.pk in family_pks), None)
    if sender is None:
        return None
    recorded_accept = offer.status == OfferStatus.ACCEPTED
    by = offer.answered_by
    context = {
        "child_first_name": offer.child.first_name,
        "unit_name": offer.unit.name_in(sender.language),
        "accepted": recorded_accept,
        "answered_at": answer_moment(offer.answered_at, sender.language),
        "answered_by": by.first_name if by is not None else "",
        "by_staff": by is None,
        "asks": asks,
    }
    if recorded_accept == accept:
        result, key, needs_staff = "same_again", "offers.answer_recorded", asks
    elif by is not None and by.pk != sender.pk:
        # the other guardian answered first, and otherwise
        result, key, needs_staff = "guardians_disagree", "offers.answer_kept", True
    else:
        # the same guardian (or the family through staff) said otherwise before: a change of mind
        result, key, needs_staff = "answer_changed", "offers.answer_kept", True
    reason = {"guardians_disagree": FollowUpReason.GUARDIANS_DISAGREE, "answer_changed": FollowUpReason.ANSWER_CHANGED}
    return ReplyOutcome(
        result=result,
        answer=Answer(key, sender.language, context),
        needs_staff=needs_staff,
        follow_up_reason=reason.get(result, ""),
        subject_type="offer",
        subject_id=str(offer.pk),
        guardian_id=sender.pk,
    )


def answer_moment(moment: dt.datetime, language: str) -> str:
    """When an answer was recorded, in Helsinki time, as the language writes it."""
    local = moment.astimezone(HELSINKI)
    if language == "en":
        return f"{local:%Y-%m-%d} at {local:%H:%M}"
    clock_word = "klo" if language == "fi" else "kl."
    return f"{local.day}.{local.month}.{local.year} {clock_word} {local:%H.%M}"
