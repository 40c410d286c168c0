"""Sending a round: offers to guardians, reminders before the deadline, the no-answer policy at the deadline."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field

from django.db import transaction

from asti.audit.services import audit_log
from asti.core import clock
from asti.core.clock import HELSINKI
from asti.messaging.models import FollowUpReason, Lane
from asti.messaging.services import OutgoingMessage, follow_up_add, message_enqueue_bulk
from asti.offers.family import family_codes
from asti.offers.models import Offer, OfferRound, OfferStatus, Proposal, RoundStatus
from asti.offers.notify import messages_for
from asti.people.models import Custody, Guardian


class SendError(Exception):
    pass


@dataclass
class SendSummary:
    offers: int = 0
    messages_by_channel: dict[str, int] = field(default_factory=dict)
    unreachable_families: int = 0
    unplaced: int = 0


def answer_deadline(sent: dt.datetime, days: int) -> dt.datetime:
    """The end of the answer period: 23:59 Helsinki time on the last day."""
    last_day = sent.astimezone(HELSINKI).date() + dt.timedelta(days=days)
    return dt.datetime.combine(last_day, dt.time(23, 59), tzinfo=HELSINKI).astimezone(dt.UTC)


def active_guardians(child_ids: list[int]) -> dict[int, list[Guardian]]:
    by_child: dict[int, list[Guardian]] = defaultdict(list)
    custodies = Custody.objects.filter(child_id__in=child_ids, active=True, guardian__active=True).select_related(
        "guardian"
    )
    for custody in custodies.order_by("guardian__guardian_id"):
        by_child[custody.child_id].append(custody.guardian)
    return by_child


def round_send(*, round_id: int, actor: str) -> SendSummary:
    """Creates an offer for every placed proposal and queues its messages, all in one transaction."""
    summary = SendSummary()
    with transaction.atomic():
        offer_round = OfferRound.objects.select_for_update().filter(pk=round_id).first()
        if offer_round is None:
            raise SendError(f"no round with id {round_id}")
        if offer_round.status != RoundStatus.ALLOCATED:
            raise SendError(f"round {round_id} is {offer_round.status}; only an allocated round can be sent")
        now = clock.now()
        deadline = answer_deadline(now, offer_round.answer_days)
        proposals = list(Proposal.objects.filter(round=offer_round).select_related("child", "unit", "override_unit"))
        summary.unplaced = sum(1 for p in proposals if p.unit_id is None)
        placed = [p for p in proposals if p.unit_id is not None]
        guardians = active_guardians([p.child_id for p in placed])
        codes = family_codes(
            ((p.child.child_id, g.guardian_id) for p in placed for g in guardians.get(p.child_id, ())),
            (p.child.child_id for p in placed),
        )
        offers = Offer.objects.bulk_create(
            [
                Offer(
                    round=offer_round,
                    proposal=p,
                    child=p.child,
                    unit=p.unit,
                    code=codes[p.child.child_id],
                    sent_at=now,
                    deadline=deadline,
                )
                for p in placed
            ],
            batch_size=2000,
        )
        open_per_guardian: dict[int, int] = defaultdict(int)
        for offer in offers:
            for g in guardians.get(offer.child_id, ()):
                open_per_guardian[g.pk] += 1
        outgoing: list[OutgoingMessage] = []
        for offer in offers:
            offer.round = offer_round
            family = guardians.get(offer.child_id, [])
            needs_code = {g.pk: offer.code for g in family if open_per_guardian[g.pk] > 1}
            messages = messages_for(offer, family, template_key="offers.offer", lane=Lane.BULK, codes=needs_code)
            if not messages:
                summary.unreachable_families += 1
                follow_up_add(
                    reason=FollowUpReason.UNREACHABLE,
                    subject_type="offer",
                    subject_id=str(offer.pk),
                    detail=f"child {offer.child.child_id}: no guardian with a phone or email",
                )
            outgoing.extend(messages)
        for message in outgoing:
            summary.messages_by_channel[message.channel] = summary.messages_by_channel.get(message.channel, 0) + 1
        message_enqueue_bulk(messages=outgoing)
        summary.offers = len(offers)
        offer_round.status = RoundStatus.SENT
        offer_round.sent_at = now
        offer_round.save(update_fields=["status", "sent_at", "updated_at"])
        audit_log(
            actor=actor,
            operation="ROUND_SEND",
            target_type="round",
            target_id=str(round_id),
            details={"offers": summary.offers, "messages": summary.messages_by_channel},
        )
    return summary


def round_remind(*, round_id: int, actor: str) -> int:
    """Reminds the guardians of open offers whose deadline is near; each offer is reminded once."""
    with transaction.atomic():
        offer_round = OfferRound.objects.select_for_update().get(pk=round_id)
        now = clock.now()
        due = list(
            Offer.objects.select_for_update()
            .filter(
                round=offer_round,
                status=OfferStatus.OPEN,
                reminded_at__isnull=True,
                deadline__gt=now,
                deadline__lte=now + dt.timedelta(days=offer_round.reminder_days_before),
            )
            .select_related("child", "unit", "round")
        )
        guardians = active_guardians([o.child_id for o in due])
        outgoing: list[OutgoingMessage] = []
        for offer in due:
            family = guardians.get(offer.child_id, [])
            outgoing += messages_for(
                offer, family, template_key="offers.reminder", lane=Lane.BULK, codes={g.pk: offer.code for g in family}
            )
        message_enqueue_bulk(messages=outgoing)
        Offer.objects.filter(pk__in=[o.pk for o in due]).update(reminded_at=now)
        if due:
            audit_log(
                actor=actor,
                operation="ROUND_REMIND",
                target_type="round",
                target_id=str(round_id),
                details={"offers": len(due)},
            )
    return len(due)


def round_close_deadline(*, round_id: int, actor: str) -> int:
    """Applies the round's no-answer policy to the offers whose deadline has passed."""
    with transaction.atomic():
        offer_round = OfferRound.objects.select_for_update().get(pk=round_id)
        now = clock.now()
        overdue = list(
            Offer.objects.select_for_update()
            .filter(round=offer_round, status=OfferStatus.OPEN, deadline__lt=now)
            .select_related("child", "unit", "round")
        )
        if not overdue:
            return 0
        auto = offer_round.confirms_without_answer
        status = OfferStatus.AUTO_ACCEPTED if auto else OfferStatus.NO_ANSWER
        Offer.objects.filter(pk__in=[o.pk for o in overdue]).update(
            status=status, answered_at=now, answer_channel="deadline", updated_at=now
        )
        if auto:
            guardians = active_guardians([o.child_id for o in overdue])
            outgoing: list[OutgoingMessage] = []
            for offer in overdue:
                outgoing += messages_for(
                    offer, guardians.get(offer.child_id, []), template_key="offers.auto_accepted", lane=Lane.BULK
                )
            message_enqueue_bulk(messages=outgoing)
        else:
            for offer in overdue:
                follow_up_add(
                    reason=FollowUpReason.NO_ANSWER,
                    subject_type="offer",
                    subject_id=str(offer.pk),
                    detail=f"child {offer.child.child_id}: no answer by the deadline",
                )
        audit_log(
            actor=actor,
            operation="ROUND_DEADLINE",
            target_type="round",
            target_id=str(round_id),
            details={"offers": len(overdue), "policy": offer_round.no_answer_policy},
        )
    return len(overdue)


def round_close(*, round_id: int, actor: str) -> bool:
    """Closes a sent round once no offer waits for an answer (each answered, or past its deadline and settled by
    the no-answer policy). The capacity lock belongs to the sent round, so it lifts now. False when offers are
    still open. Offers left to staff can still be answered by staff afterwards."""
    with transaction.atomic():
        offer_round = OfferRound.objects.select_for_update().get(pk=round_id)
        if offer_round.status != RoundStatus.SENT:
            return offer_round.status == RoundStatus.CLOSED
        if Offer.objects.filter(round=offer_round, status=OfferStatus.OPEN).exists():
            return False
        offer_round.status = RoundStatus.CLOSED
        offer_round.closed_at = clock.now()
        offer_round.save(update_fields=["status", "closed_at", "updated_at"])
        audit_log(actor=actor, operation="ROUND_CLOSE", target_type="round", target_id=str(round_id), details={})
        return True


def rounds_tick(*, actor: str, round_id: int | None = None) -> dict[int, tuple[int, int]]:
    """The round clock: reminders before the deadline, the no-answer policy after it, and closing a round when
    no offer is open any more, for one round or every sent round; {round id: (reminded, settled at the
    deadline)}. Run by the scheduler every minute."""
    sent = OfferRound.objects.filter(status=RoundStatus.SENT)
    rounds = [round_id] if round_id else list(sent.values_list("pk", flat=True))
    out: dict[int, tuple[int, int]] = {}
    for rid in rounds:
        out[rid] = (round_remind(round_id=rid, actor=actor), round_close_deadline(round_id=rid, actor=actor))
        round_close(round_id=rid, actor=actor)
    return out
