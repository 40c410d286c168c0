"""Reads for offer rounds: who is eligible, and the round's figures."""

from __future__ import annotations

import datetime as dt
import statistics
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db.models import Count, Q, QuerySet

from asti.messaging.models import InboundMessage
from asti.offers.models import Feedback, Offer, OfferRound, OfferStatus, Proposal, RoundStatus
from asti.people.models import Child, Guardian
from asti.units.models import Provider, Unit


def eligible_children(*, offer_round: OfferRound) -> QuerySet[Child]:
    """Contract 3.1: the cohort, living in the municipality, placed in a municipal unit, not round-the-clock."""
    year = offer_round.cohort_birth_year
    return Child.objects.filter(
        active=True,
        birth_date__gte=dt.date(year, 1, 1),
        birth_date__lte=dt.date(year, 12, 31),
        municipality_code__in=settings.ASTI_MUNICIPALITY_CODES,
        current_unit__provider=Provider.MUNICIPAL,
        current_unit__active=True,
        round_the_clock=False,
    )


def round_unit_summary(*, offer_round: OfferRound) -> list[dict[str, Any]]:
    """Capacity against proposals for every pre-primary unit in the round's scope."""
    counts = {
        row["unit__unit_id"]: row["n"]
        for row in Proposal.objects.filter(round=offer_round, unit__isnull=False)
        .values("unit__unit_id")
        .annotate(n=Count("id"))
        .order_by()
    }
    rows = []
    for unit in Unit.objects.municipal_pre_primary().select_related("admission_area"):
        rows.append(
            {
                "unit_id": unit.unit_id,
                "name": unit.name_fi,
                "area_id": unit.admission_area.area_id if unit.admission_area else "",
                "language": unit.language,
                "capacity": unit.pre_primary_capacity,
                "proposed": counts.get(unit.unit_id, 0),
            }
        )
    return rows


def round_area_summary(*, offer_round: OfferRound) -> list[dict[str, Any]]:
    """Per admission area: children, placed in own area, placed elsewhere, unplaced."""
    return list(
        Proposal.objects.filter(round=offer_round)
        .values("child__admission_area__area_id")
        .annotate(
            n_children=Count("id"),
            n_in_area=Count("id", filter=Q(in_area=True)),
            n_out_of_area=Count("id", filter=Q(unit__isnull=False, in_area=False)),
            n_unplaced=Count("id", filter=Q(unit__isnull=True)),
        )
        .order_by("child__admission_area__area_id")
    )


def children_losing_current_unit(*, offer_round: OfferRound) -> QuerySet[Proposal]:
    return (
        Proposal.objects.filter(round=offer_round, kept_current=False)
        .select_related("child", "child__current_unit", "unit", "nearest_in_area_unit")
        .order_by("child__child_id")
    )


@dataclass(frozen=True)
class MoveRow:
    child_id: str
    name: str
    before: str  # the unit's name; "" = no place
    after: str


def move_rows(*, moves: Sequence[Sequence[str | None]], children: QuerySet[Child]) -> list[MoveRow]:
    """A what-if's or an override's moves (child id, unit id before, unit id after) with the child's and the
    units' names, for the children in `children` (those the viewer may see), in the order given."""
    ids = [str(move[0]) for move in moves]
    names = {
        child_id: f"{first} {last}"
        for child_id, first, last in children.filter(child_id__in=ids).values_list(
            "child_id", "first_name", "last_name"
        )
    }
    unit_ids = {str(u) for move in moves for u in move[1:] if u}
    units = dict(Unit.objects.filter(unit_id__in=unit_ids).values_list("unit_id", "name_fi"))
    return [
        MoveRow(
            child_id=str(child),
            name=names[str(child)],
            before=units.get(str(before), str(before)) if before else "",
            after=units.get(str(after), str(after)) if after else "",
        )
        for child, before, after in moves
        if str(child) in names
    ]


def round_stats(*, offer_round: OfferRound) -> dict[str, Any]:
    """The round's figures with the contract's keys (section 4).

    responded = answered by a guardian (SMS, e-service, or by phone/paper through staff); acceptance_rate is the
    share of those answers that accept; no_response = offers still open or closed by the deadline policy.
    """
    offers = Offer.objects.filter(round=offer_round)
    by_status = dict(offers.values("status").annotate(n=Count("id")).order_by().values_list("status", "n"))
    offered = sum(by_status.values())
    accepted = by_status.get(OfferStatus.ACCEPTED, 0)
    declined = by_status.get(OfferStatus.DECLINED, 0)
    responded = accepted + declined
    scores = list(Feedback.objects.filter(offer__round=offer_round).values_list("score", flat=True))
    satisfied = sum(1 for s in scores if s >= Feedback.Score.SATISFIED)
    eligible = Proposal.objects.filter(round=offer_round).count()
    return {
        "round_id": offer_round.pk,
        "year": offer_round.year,
        "status": offer_round.status,
        "eligible": eligible,
        "placed": Proposal.objects.filter(round=offer_round, unit__isnull=False).count(),
        "offered": offered,
        "responded": responded,
        "accepted": accepted,
        "declined": declined,
        "auto_accepted": by_status.get(OfferStatus.AUTO_ACCEPTED, 0),
        "no_response": offered - responded,
        "response_rate": _rate(responded, offered),
        "acceptance_rate": _rate(accepted, responded),
        "feedback_answers": len(scores),
        "satisfaction_rate": _rate(satisfied, len(scores)),
        "median_confirmation_seconds": median_confirmation_seconds(offer_round=offer_round),
    }


def _rate(part: int, whole: int) -> float:
    return round(part / whole, 4) if whole else 0.0


def median_confirmation_seconds(*, offer_round: OfferRound) -> float | None:
    """From an SMS answer's arrival to its confirmation being handed to the gateway, the median in seconds."""
    offer_ids = [
        str(pk) for pk in Offer.objects.filter(round=offer_round, answer_channel="sms").values_list("pk", flat=True)
    ]
    durations: list[float] = []
    for i in range(0, len(offer_ids), 900):
        rows = InboundMessage.objects.filter(
            handling_result__in=("accepted", "declined"),
            answer__subject_type="offer",
            answer__subject_id__in=offer_ids[i : i + 900],
            answer__sent_at__isnull=False,
        ).values_list("received_at", "answer__sent_at")
        durations += [(sent - received).total_seconds() for received, sent in rows if sent is not None]
    return round(statistics.median(durations), 3) if durations else None


# ---- For the staff pages: the send confirmation and the live dashboard -------------------------------------------


def round_send_preview(*, offer_round: OfferRound) -> dict[str, Any]:
    """What round_send would do now, without doing it: offers, messages per channel, families nobody reaches.

    Mirrors asti.offers.notify.messages_for: one message per guardian, SMS where there is a number, else email.
    """
    from asti.offers.sending import active_guardians  # sending imports this module's neighbours, not this one

    placed = list(Proposal.objects.filter(round=offer_round, unit__isnull=False).values_list("child_id", flat=True))
    unplaced = Proposal.objects.filter(round=offer_round, unit__isnull=True).count()
    guardians = active_guardians(placed)
    by_channel: dict[str, int] = {}
    unreachable = 0
    for child_pk in placed:
        reached = 0
        for guardian in guardians.get(child_pk, ()):
            channel = "sms" if guardian.phone else "email" if guardian.email else ""
            if channel:
                by_channel[channel] = by_channel.get(channel, 0) + 1
                reached += 1
        if not reached:
            unreachable += 1
    return {
        "offers": len(placed),
        "messages_by_channel": dict(sorted(by_channel.items())),
        "messages": sum(by_channel.values()),
        "unreachable_families": unreachable,
        "unplaced": unplaced,
    }


def _offer_messages(offer_round: OfferRound) -> QuerySet[Any]:
    from django.db.models import CharField
    from django.db.models.functions import Cast

    from asti.messaging.models import Message
    from asti.offers.notify import OFFER_TEMPLATE_KEYS

    offer_ids = Offer.objects.filter(round=offer_round).annotate(pk_text=Cast("pk", CharField())).values("pk_text")
    return Message.objects.filter(subject_type="offer", template_key__in=OFFER_TEMPLATE_KEYS, subject_id__in=offer_ids)


def round_dashboard_figures(*, offer_round: OfferRound) -> dict[str, Any]:
    """The dashboard's figures: eligible, offered, delivered, failed, answered, accepted, declined, no answer,
    satisfaction. Delivered and failed count the offer messages (an SMS that fell back to email counts once, as
    its email); rates are shares of the offers (replied), of the answers (accepted) and of the feedback."""
    from asti.messaging.models import FAILED_STATUSES, Status

    stats = round_stats(offer_round=offer_round)
    messages = _offer_messages(offer_round)
    status_counts = dict(messages.values_list("status").annotate(n=Count("id")).values_list("status", "n"))
    replaced = messages.filter(fallback_message__isnull=False).count()
    failed = sum(status_counts.get(s, 0) for s in FAILED_STATUSES) - replaced
    return {
        "eligible": stats["eligible"],
        "offered": stats["offered"],
        "messages": sum(status_counts.values()) - replaced,
        "delivered": status_counts.get(Status.DELIVERED, 0),
        "failed": max(failed, 0),
        "answered": stats["responded"],
        "accepted": stats["accepted"],
        "declined": stats["declined"],
        "no_answer": stats["no_response"],
        "auto_accepted": stats["auto_accepted"],
        "feedback_answers": stats["feedback_answers"],
        "response_rate": stats["response_rate"],
        "acceptance_rate": stats["acceptance_rate"],
        "satisfaction_rate": stats["satisfaction_rate"],
    }


def round_answers_over_time(*, offer_round: OfferRound) -> list[dict[str, Any]]:
    """Guardians' answers per day (Helsinki time) since sending, with running totals."""
    from asti.core.clock import HELSINKI
    from asti.offers.models import AnswerChannel

    rows = (
        Offer.objects.filter(round=offer_round, answered_at__isnull=False)
        .exclude(answer_channel=AnswerChannel.DEADLINE)
        .values_list("answered_at", "status")
    )
    per_day: dict[dt.date, dict[str, int]] = {}
    for answered_at, status in rows:
        if answered_at is None:
            continue
        day = answered_at.astimezone(HELSINKI).date()
        bucket = per_day.setdefault(day, {"answered": 0, "accepted": 0})
        bucket["answered"] += 1
        bucket["accepted"] += status == OfferStatus.ACCEPTED
    series: list[dict[str, Any]] = []
    answered = accepted = 0
    for day in sorted(per_day):
        answered += per_day[day]["answered"]
        accepted += per_day[day]["accepted"]
        series.append({"day": day, **per_day[day], "answered_total": answered, "accepted_total": accepted})
    return series


def round_answers_per_area(*, offer_round: OfferRound) -> list[dict[str, Any]]:
    """Per the child's admission area: offered, answered, accepted, declined, still open."""
    return list(
        Offer.objects.filter(round=offer_round)
        .values("child__admission_area__area_id")
        .annotate(
            offered=Count("id"),
            accepted=Count("id", filter=Q(status=OfferStatus.ACCEPTED)),
            declined=Count("id", filter=Q(status=OfferStatus.DECLINED)),
            open=Count("id", filter=Q(status=OfferStatus.OPEN)),
        )
        .order_by("child__admission_area__area_id")
    )


def unit_capacity_locked(*, unit: Unit) -> bool:
    """A unit's pre-primary capacity is fixed while a sent round's offers are out; closing the round lifts it."""
    return OfferRound.objects.filter(status=RoundStatus.SENT).exists()


# ---- what a guardian may see (the citizen pages) ----------------------------------------------------------------


def children_visible_for(*, guardian: Guardian) -> QuerySet[Child]:
    """Only the children in this guardian's active custody; an inactive guardian sees none."""
    if not guardian.active:
        return Child.objects.none()
    return Child.objects.filter(active=True, custodies__guardian=guardian, custodies__active=True).distinct()


def offers_visible_for(*, guardian: Guardian) -> QuerySet[Offer]:
    """Offers for the children in this guardian's active custody, newest round first."""
    return (
        Offer.objects.filter(child__in=children_visible_for(guardian=guardian))
        .select_related("child", "unit", "round", "proposal", "proposal__nearest_in_area_unit")
        .order_by("-round__year", "child__first_name", "pk")
    )


def _offer_in_custody(guardian: Guardian, offer_id: int) -> QuerySet[Offer]:
    """The rule of offers_visible_for for one offer, with the custody joined (a child and a guardian have one
    custody, so this is one row at most) rather than a subquery."""
    return Offer.objects.filter(
        pk=offer_id, child__active=True, child__custodies__guardian=guardian, child__custodies__active=True
    )


def offer_visible_for(*, guardian: Guardian, offer_id: int) -> Offer | None:
    """The offer when its child is in this guardian's active custody, else None (the page says 404).

    One small query with what the pages of a single offer show (no ordering, no subquery).
    """
    if not guardian.active:
        return None
    offers = _offer_in_custody(guardian, offer_id).select_related("child", "unit", "round", "proposal")
    found = list(offers.order_by()[:1])
    return found[0] if found else None


def offer_is_visible_for(*, guardian: Guardian, offer_id: int) -> bool:
    """Whether offer_visible_for would find the offer, without reading it (before a service that reads it)."""
    return guardian.active and _offer_in_custody(guardian, offer_id).exists()
