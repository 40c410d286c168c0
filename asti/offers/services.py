"""Writes for offer rounds: create, allocate, override. Each is atomic and audited after commit."""

from __future__ import annotations

import csv
import os
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import transaction

from asti.audit.services import audit_log, audit_log_many
from asti.core import city, clock
from asti.offers.adapter import load_round_input, store_proposals
from asti.offers.allocation import AllocationResult, allocate, what_if
from asti.offers.models import OfferRound, Proposal, RoundStatus
from asti.units.models import Unit


class RoundError(Exception):
    """A round action that the round's state or the data does not allow."""


@dataclass
class AllocationRun:
    result: AllocationResult
    timings: dict[str, float]


def round_create(*, year: int, actor: str) -> OfferRound:
    if not 2000 <= year <= 2100:
        raise RoundError(f"year {year} is out of range")
    with transaction.atomic():
        profile = city.active()  # the city's calendar defaults; a planner may change them before sending
        offer_round = OfferRound.objects.create(
            year=year,
            created_by=actor,
            answer_days=profile.answer_days,
            reminder_days_before=profile.reminder_days_before,
        )
        audit_log(actor=actor, operation="ROUND_CREATE", target_type="round", target_id=str(offer_round.pk))
    return offer_round


def _editable_round(round_id: int, *, lock: bool = True) -> OfferRound:
    """The round, when its proposals may still change (locked for the change unless `lock` is off: a check)."""
    rounds = OfferRound.objects.select_for_update() if lock else OfferRound.objects.all()
    try:
        offer_round = rounds.get(pk=round_id)
    except OfferRound.DoesNotExist:
        raise RoundError(f"no round with id {round_id}") from None
    if offer_round.status not in (RoundStatus.DRAFT, RoundStatus.ALLOCATED):
        raise RoundError(f"round {round_id} has been sent; its proposals can no longer change")
    return offer_round


def round_allocate(*, round_id: int, actor: str, proof_seconds: float | None = None) -> AllocationRun:
    """Computes the proposals for every eligible child (contract section 3) and stores them.

    `proof_seconds` (default: the ASTI_ALLOCATION_PROOF_SECONDS setting) bounds the time spent proving the
    answer optimal; the answer itself does not depend on it.
    """
    if proof_seconds is None:
        proof_seconds = settings.ASTI_ALLOCATION_PROOF_SECONDS
    if proof_seconds < 0:
        raise RoundError("the proof's time budget cannot be negative")
    t0 = time.perf_counter()
    with transaction.atomic():
        offer_round = _editable_round(round_id)
        data = load_round_input(offer_round)
        t1 = time.perf_counter()
        result = allocate(data.units, data.children, overrides=data.overrides, proof_seconds=proof_seconds)
        t2 = time.perf_counter()
        store_proposals(offer_round, data, result)
        timings = {
            "load": t1 - t0,
            **{f"solver_{k}": v for k, v in result.timings.items()},
            "allocate": t2 - t1,
        }
        timings["store"] = time.perf_counter() - t2
        offer_round.status = RoundStatus.ALLOCATED
        offer_round.allocated_at = clock.now()
        offer_round.allocation_figures = {
            "objective": dict(zip(("placed", "kept_current", "in_area", "distance_m"), result.objective, strict=True)),
            "eligible": len(result.proposals),
            "proven_optimal": result.exact,
            "notes": list(result.notes),
            "timings": {k: round(v, 4) for k, v in timings.items()},
        }
        offer_round.save(update_fields=["status", "allocated_at", "allocation_figures", "updated_at"])
        audit_log(
            actor=actor,
            operation="ROUND_ALLOCATE",
            target_type="round",
            target_id=str(round_id),
            details=offer_round.allocation_figures["objective"],
        )
    return AllocationRun(result=result, timings=timings)


def proposals_export(*, round_id: int, path: Path, actor: str) -> int:
    """Writes the contract's proposals CSV (child_id, unit_id, reason, distance_m); returns the row count.

    The contract wants `distance_m` as an integer in every row, protected homes too (section 5), so the file is the
    city's system-to-system export and nothing less: written only by the command (`offer_round allocate --export`,
    run by an operator of the server, who may see every home), never offered on a staff page, readable by its owner
    alone (0600), and audited for every child in it (ADR 0011)."""
    rows = (
        Proposal.objects.filter(round_id=round_id)
        .order_by("child__child_id")
        .values_list("child__child_id", "unit__unit_id", "reason", "distance_m")
    )
    children: list[str] = []
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    os.fchmod(descriptor, 0o600)  # an existing file keeps its mode through O_CREAT: made owner-only here
    with os.fdopen(descriptor, "w", newline="", encoding="utf-8") as f:
        writer = csv.writer(f)
        writer.writerow(["child_id", "unit_id", "reason", "distance_m"])
        for child_id, unit_id, reason, distance in rows.iterator(chunk_size=5000):
            writer.writerow([child_id, unit_id or "", reason, distance])
            children.append(child_id)
    audit_log_many(
        actor=actor, operation="EXPORT", target_type="child", target_ids=children,
        details={"round": round_id, "export": "proposals.csv"},
    )  # fmt: skip
    return len(children)


Move = tuple[str, str | None, str | None]  # child id, unit id before, unit id after (None: no place)


def _override_target(
    offer_round: OfferRound, child_id: str, unit_id: str, justification: str, *, lock: bool = False
) -> tuple[Proposal, Unit]:
    """The child's proposal and the unit a planner may fix for it in this round, or a RoundError that says why
    not (the proposal locked for the change when `lock` is on)."""
    if not justification.strip():
        raise RoundError("an override needs a justification")
    proposals = Proposal.objects.select_for_update() if lock else Proposal.objects.all()
    proposal = proposals.filter(round=offer_round, child__child_id=child_id).first()
    if proposal is None:
        raise RoundError(f"child {child_id} has no proposal in round {offer_round.pk}")
    unit = Unit.objects.filter(unit_id=unit_id, active=True).first()
    if unit is None:
        raise RoundError(f"no active unit {unit_id}")
    if not Unit.objects.municipal_pre_primary().filter(pk=unit.pk).exists() or (
        unit.language != proposal.education_language
    ):
        raise RoundError(f"unit {unit_id} is not a municipal {proposal.education_language} pre-primary unit")
    return proposal, unit


def proposal_override_check(*, round_id: int, child_id: str, unit_id: str, justification: str) -> None:
    """What `proposal_override` would refuse at once (before it is queued), as a RoundError."""
    _override_target(_editable_round(round_id, lock=False), child_id, unit_id, justification)


def proposal_override(*, round_id: int, child_id: str, unit_id: str, justification: str, actor: str) -> list[Move]:
    """Fixes one child's unit by a planner's decision, then re-allocates the others around it, all or nothing.

    Returns the other children whose proposed unit changed with it, so the planner sees who else moved.
    """
    with transaction.atomic():
        offer_round = _editable_round(round_id)
        proposal, unit = _override_target(offer_round, child_id, unit_id, justification, lock=True)
        before = _stored_units(offer_round)
        proposal.override_unit = unit
        proposal.override_reason = justification.strip()
        proposal.override_by = actor
        proposal.override_at = clock.now()
        proposal.save(update_fields=["override_unit", "override_reason", "override_by", "override_at"])
        audit_log(
            actor=actor,
            operation="PROPOSAL_OVERRIDE",
            target_type="child",
            target_id=child_id,
            details={"round": round_id, "unit": unit_id, "justification": justification.strip()},
        )
        round_allocate(round_id=round_id, actor=actor)
        after = _stored_units(offer_round)
    return sorted(
        (child, before.get(child), unit_after)
        for child, unit_after in after.items()
        if child != child_id and before.get(child) != unit_after
    )


def _stored_units(offer_round: OfferRound) -> dict[str, str | None]:
    return dict(Proposal.objects.filter(round=offer_round).values_list("child__child_id", "unit__unit_id"))


def round_what_if(*, round_id: int, capacity_changes: dict[str, int]) -> list[Move]:
    """Which children would move if these units' capacities changed; the saved round is untouched."""
    offer_round = OfferRound.objects.get(pk=round_id)
    data = load_round_input(offer_round)
    stored = _stored_units(offer_round)
    # the round as the planner sees it; solved afresh only before its first allocation
    base = stored or allocate(data.units, data.children, overrides=data.overrides)
    return what_if(data.units, data.children, base, capacity_changes, overrides=data.overrides)


UNIT_PUBLIC_FIELDS = (
    "name_fi", "name_sv", "street_address", "postal_code", "email", "phone", "language", "pre_primary_hours",
    "opening_hours",
)  # fmt: skip


def unit_details_update(*, unit_id: str, changes: dict[str, Any], actor: str) -> list[str]:
    """A unit's public details as its director or a planner keeps them; returns the names of changed fields.

    Lives with the offers because of its one rule: the pre-primary capacity and the language are fixed while a
    sent round's offers are out (they decide the proposals). Audited after commit.
    """
    from asti.offers.selectors import unit_capacity_locked

    allowed = {*UNIT_PUBLIC_FIELDS, "pre_primary_capacity"}
    unknown = set(changes) - allowed
    if unknown:
        raise RoundError(f"not a public unit detail: {sorted(unknown)}")
    with transaction.atomic():
        unit = Unit.objects.select_for_update().filter(unit_id=unit_id).first()
        if unit is None:
            raise RoundError(f"no unit {unit_id}")
        changed = [name for name, value in changes.items() if getattr(unit, name) != value]
        if {"pre_primary_capacity", "language"} & set(changed) and unit_capacity_locked(unit=unit):
            raise RoundError("the capacity and language are locked while a sent round is running")
        if not changed:
            return []
        before = {name: getattr(unit, name) for name in changed}
        for name in changed:
            setattr(unit, name, changes[name])
        unit.full_clean(validate_unique=False, validate_constraints=False)
        unit.save(update_fields=[*changed, "updated_at"])
        audit_log(
            actor=actor,
            operation="UNIT_UPDATE",
            target_type="unit",
            target_id=unit_id,
            details={"before": before, "after": {name: changes[name] for name in changed}},
        )
    return changed
