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


def unit_capacities_update(*, unit_id: str, changes: dict[str, Any], actor: str) -> list[str]:
    """A unit's early childhood education places (under 3, 3 and over), whether it takes ECEC applications and
    gives shift care; returns the names of the fields changed. Audited as UNIT_UPDATE."""
    unknown = set(changes) - UNIT_CAPACITY_FIELDS
    if unknown:
        raise PlacesError(f"not a capacity field: {sorted(unknown)}")
    with transaction.atomic():
        unit = Unit.objects.select_for_update().filter(unit_id=unit_id).first()
        if unit is None:
            raise PlacesError(f"no unit {unit_id}")
        changed, before = _apply(unit, changes)
        if not changed:
            return []
        unit.save(update_fields=[*changed, "updated_at"])
        audit_log(
            actor=actor, operation="UNIT_UPDATE", target_type="unit", target_id=unit_id,
            details={"before": before, "after": {name: changes[name] for name in changed}},
        )  # fmt: skip
    return changed


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
    with transaction.atomic():
        school = School.objects.select_for_update().filter(school_id=school_id).first()
        if school is None:
            raise PlacesError(f"no school {school_id}")
        changed, before = _apply(school, changes)
        if not changed:
            return []
        school.save(update_fields=[*changed, "updated_at"])
        audit_log(
            actor=actor, operation="SCHOOL_UPDATE", target_type="school", target_id=school_id,
            details={"before": before, "after": {name: changes[name] for name in changed}},
        )  # fmt: skip
    return changed
