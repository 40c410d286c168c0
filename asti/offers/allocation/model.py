"""Plain input and output types of the allocation engine (no Django, no ORM)."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum


@dataclass(frozen=True, slots=True)
class UnitIn:
    """A unit as the allocation sees it."""

    id: str
    language: str  # 'fi' | 'sv'
    capacity: int  # pre-primary places, >= 0
    lat: float
    lon: float
    area_id: str | None  # admission area the unit serves
    municipal: bool
    pre_primary: bool


@dataclass(frozen=True, slots=True)
class ChildIn:
    """A child of the round, with the education language already resolved (contract 3.1)."""

    id: str
    language: str  # education language 'fi' | 'sv'
    lat: float
    lon: float
    area_id: str | None  # the child's own admission area
    current_unit_id: str | None
    guardian_ids: tuple[str, ...]
    address_key: str  # normalised home address; '' = unknown (never groups children)


class Reason(StrEnum):
    CURRENT_UNIT = "CURRENT_UNIT"
    SIBLING = "SIBLING"
    IN_AREA = "IN_AREA"
    OUT_OF_AREA = "OUT_OF_AREA"
    UNPLACED = "UNPLACED"


@dataclass(frozen=True, slots=True)
class Proposal:
    child_id: str
    unit_id: str | None
    reason: Reason
    distance_m: int  # great-circle metres home -> unit, 0 when unplaced
    detail: str  # machine-readable code, see asti.offers.allocation.explain.DETAIL_CODES
    kept_current: bool
    in_area: bool
    nearest_in_area_unit_id: str | None
    nearest_in_area_distance_m: int | None
    group_id: str | None  # smallest child id of the child's group, None when alone


@dataclass
class AllocationResult:
    proposals: list[Proposal]  # one per input child, sorted by child_id
    objective: tuple[int, int, int, int]  # (placed, kept_current_in_area, in_area, total_distance_m)
    timings: dict[str, float]  # seconds: 'candidates', 'build', 'solve', 'repair', 'explain', 'total'
    # Counters (components, arcs, split groups, MIP solves, widening rounds, distance quantum, ...).
    stats: dict[str, int] = field(default_factory=dict)
    # False only when a fallback could not prove optimality (see docs/adr/0002); `notes` says where.
    exact: bool = True
    notes: list[str] = field(default_factory=list)

    def by_child(self) -> dict[str, Proposal]:
        return {p.child_id: p for p in self.proposals}
