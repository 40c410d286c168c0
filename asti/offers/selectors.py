"""Reads for offer rounds: who is eligible, and the round's figures."""

from __future__ import annotations

import datetime as dt
import statistics
from typing import Any

from django.conf import settings
from django.db.models import Count, Q, QuerySet

from asti.messaging.models import InboundMessage
from asti.offers.models import Feedback, Offer, OfferRound, OfferStatus, Proposal
from asti.people.models import Child
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
    for unit in Unit.objects.filter(active=True, provider=Provider.MUNICIPAL, pre_primary=True).select_related(
        "admission_area"
    ):
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
        durations += [(sent - received).total_seconds() for received, sent in rows]
    return round(statistics.median(durations), 3) if durations else None
