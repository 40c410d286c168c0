"""Reads for offer rounds: who is eligible, and the round's figures."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.db.models import Count, Q, QuerySet

from asti.offers.models import OfferRound, Proposal
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
    """The round's figures with the contract's keys (section 4)."""
    eligible = Proposal.objects.filter(round=offer_round).count()
    placed = Proposal.objects.filter(round=offer_round, unit__isnull=False).count()
    figures: dict[str, Any] = {
        "round_id": offer_round.pk,
        "year": offer_round.year,
        "status": offer_round.status,
        "eligible": eligible,
        "placed": placed,
        "offered": 0,
        "responded": 0,
        "accepted": 0,
        "declined": 0,
        "no_response": 0,
        "response_rate": 0.0,
        "acceptance_rate": 0.0,
        "satisfaction_rate": 0.0,
        "median_confirmation_seconds": None,
    }
    return figures
