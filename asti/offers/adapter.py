"""The thin layer between the database and the pure allocation engine (asti.offers.allocation)."""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass

from django.db import connections, router

from asti.core.bulk import insert_rows
from asti.offers.allocation import AllocationResult, ChildIn, UnitIn
from asti.offers.models import Offer, OfferRound, Proposal
from asti.offers.selectors import eligible_children
from asti.people.models import Custody
from asti.people.rules import resolve_education_language
from asti.units.models import Unit

_SPACES = re.compile(r"\s+")


@dataclass
class RoundInput:
    units: list[UnitIn]
    children: list[ChildIn]
    child_pks: dict[str, int]
    unit_pks: dict[str, int]
    overrides: dict[str, str]


def address_key(street_address: str, postal_code: str, lat: float, lon: float) -> str:
    """A normalised home address; a child without a street address is keyed by the home location."""
    street = _SPACES.sub(" ", street_address.strip().casefold())
    if not street:
        return f"@{lat:.5f},{lon:.5f}"
    return f"{street}|{postal_code.strip()}"


def load_round_input(offer_round: OfferRound) -> RoundInput:
    unit_rows = Unit.objects.filter(active=True).values_list(
        "pk", "unit_id", "language", "pre_primary_capacity", "lat", "lon", "admission_area__area_id",
        "provider", "pre_primary",
    )  # fmt: skip
    units: list[UnitIn] = []
    unit_pks: dict[str, int] = {}
    for pk, unit_id, language, capacity, lat, lon, area_id, provider, pre_primary in unit_rows:
        unit_pks[unit_id] = pk
        units.append(
            UnitIn(
                id=unit_id, language=language, capacity=capacity, lat=lat, lon=lon, area_id=area_id,
                municipal=provider == "municipal", pre_primary=pre_primary,
            )
        )  # fmt: skip

    eligible = eligible_children(offer_round=offer_round)
    guardians: dict[str, list[str]] = defaultdict(list)
    for child_id, guardian_id in Custody.objects.filter(active=True, child__in=eligible).values_list(
        "child__child_id", "guardian__guardian_id"
    ):
        guardians[child_id].append(guardian_id)
    rows = eligible.values_list(
        "pk", "child_id", "lat", "lon", "admission_area__area_id", "current_unit__unit_id",
        "current_unit__language", "education_language", "language", "street_address", "postal_code",
    )  # fmt: skip
    children: list[ChildIn] = []
    child_pks: dict[str, int] = {}
    for pk, child_id, lat, lon, area_id, unit_id, unit_lang, override, language, street, postal in rows:
        child_pks[child_id] = pk
        children.append(
            ChildIn(
                id=child_id,
                language=resolve_education_language(
                    override=override, current_unit_language=unit_lang, registered=language
                ),
                lat=lat,
                lon=lon,
                area_id=area_id,
                current_unit_id=unit_id,
                guardian_ids=tuple(sorted(guardians.get(child_id, ()))),
                address_key=address_key(street, postal, lat, lon),
            )
        )
    overrides = dict(
        Proposal.objects.filter(round=offer_round, override_unit__isnull=False, child__in=eligible).values_list(
            "child__child_id", "override_unit__unit_id"
        )
    )
    return RoundInput(units=units, children=children, child_pks=child_pks, unit_pks=unit_pks, overrides=overrides)


def _delete_proposals(offer_round: OfferRound) -> None:
    """One DELETE, without the ORM collecting every proposal first (minutes at 500,000). Offers keep their
    proposals (PROTECT, and the database's foreign key): a round with offers is never re-allocated."""
    if Offer.objects.filter(round=offer_round).exists():
        raise ValueError(f"round {offer_round.pk} has offers: its proposals are kept")
    connection = connections[router.db_for_write(Proposal)]
    table = connection.ops.quote_name(Proposal._meta.db_table)  # the model's own table name, quoted
    with connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {table} WHERE round_id = %s", [offer_round.pk])  # noqa: S608


def store_proposals(offer_round: OfferRound, data: RoundInput, result: AllocationResult) -> None:
    """Replaces the round's proposals, keeping the planners' overrides (who, why, when)."""
    kept = {
        p.child_id: p
        for p in Proposal.objects.filter(round=offer_round, override_unit__isnull=False).only(
            "child_id", "override_unit_id", "override_reason", "override_by", "override_at"
        )
    }
    _delete_proposals(offer_round)
    language = {c.id: c.language for c in data.children}
    columns = [
        "round_id", "child_id", "unit_id", "education_language", "reason", "detail", "distance_m", "kept_current",
        "in_area", "nearest_in_area_unit_id", "nearest_in_area_distance_m", "group_key", "override_unit_id",
        "override_reason", "override_by", "override_at",
    ]  # fmt: skip
    rows = []
    for p in result.proposals:
        child_pk = data.child_pks[p.child_id]
        override = kept.get(child_pk)
        rows.append(
            (
                offer_round.pk,
                child_pk,
                data.unit_pks[p.unit_id] if p.unit_id else None,
                language[p.child_id],
                p.reason.value,
                p.detail,
                p.distance_m,
                p.kept_current,
                p.in_area,
                data.unit_pks.get(p.nearest_in_area_unit_id or ""),
                p.nearest_in_area_distance_m,
                p.group_id or "",
                override.override_unit_id if override else None,
                override.override_reason if override else "",
                override.override_by if override else "",
                override.override_at if override else None,
            )
        )
    insert_rows(Proposal, columns, rows)
