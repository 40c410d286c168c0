"""Writes for the places the city keeps for each service: a unit's early childhood education capacities and
shift care, and a school's first grade, weighted-curriculum classes and afternoon activities.

Each change is one transaction that locks the row, keeps only real changes, validates the model and writes an
audit event with the values before and after (the same habit as a unit's public details in asti.offers).
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction

from asti.audit.services import audit_log
from asti.units.models import School, Unit, WeightedCurriculum

UNIT_CAPACITY_FIELDS = frozenset({"ecec", "ecec_capacity_under3", "ecec_capacity_over3", "shift_care"})
SCHOOL_FIELDS = frozenset({"first_grade_capacity", "weighted_curricula", "afternoon_activities", "afternoon_capacity"})


class PlacesError(Exception):
    pass


def _apply(row: Unit | School, changes: dict[str, Any]) -> tuple[list[str], dict[str, Any]]:
    changed = [name for name, value in changes.items() if getattr(row, name) != value]
    before = {name: getattr(row, name) for name in changed}
    for name in changed:
        setattr(row, name, changes[name])
    try:
        row.full_clean(validate_unique=False, validate_constraints=False)
    except ValidationError as error:
        raise PlacesError(str(error)) from error
    return changed, before


def _update_locked(
    model: type[Unit] | type[School],
    *,
    key: dict[str, str],
    changes: dict[str, Any],
    operation: str,
    target_type: str,
    actor: str,
) -> list[str]:
    """Locks the row, applies and validates the changes, saves what changed and audits before and after."""
    with transaction.atomic():
        row = model.objects.select_for_update().filter(**key).first()
        if row is None:
            raise PlacesError(f"no {target_type} {next(iter(key.values()))}")
        changed, before = _apply(row, changes)
        if not changed:
            return []
        row.save(update_fields=[*changed, "updated_at"])
        audit_log(
            actor=actor, operation=operation, target_type=target_type, target_id=next(iter(key.values())),
            details={"before": before, "after": {name: changes[name] for name in changed}},
        )  # fmt: skip
    return changed


def unit_capacities_update(*, unit_id: str, changes: dict[str, Any], actor: str) -> list[str]:
    """A unit's early childhood education places (under 3, 3 and over), whether it takes ECEC applications and
    gives shift care; returns the names of the fields changed. Audited as UNIT_UPDATE."""
    unknown = set(changes) - UNIT_CAPACITY_FIELDS
    if unknown:
        raise PlacesError(f"not a capacity field: {sorted(unknown)}")
    return _update_locked(
        Unit, key={"unit_id": unit_id}, changes=changes, operation="UNIT_UPDATE", target_type="unit", actor=actor
    )


def school_update(*, school_id: str, changes: dict[str, Any], actor: str) -> list[str]:
    """A school's first-grade places, weighted-curriculum classes and afternoon activities with their places;
    returns the names of the fields changed. Audited as SCHOOL_UPDATE."""
    unknown = set(changes) - SCHOOL_FIELDS
    if unknown:
        raise PlacesError(f"not a school field: {sorted(unknown)}")
    if "weighted_curricula" in changes:
        curricula = list(changes["weighted_curricula"])
        if any(c not in WeightedCurriculum.values for c in curricula):
            raise PlacesError("unknown weighted curriculum")
        changes = {**changes, "weighted_curricula": sorted(set(curricula))}
    return _update_locked(
        School, key={"school_id": school_id}, changes=changes, operation="SCHOOL_UPDATE", target_type="school",
        actor=actor,
    )  # fmt: skip
