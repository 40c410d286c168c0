"""Child-proposing deferred acceptance for the second round: families who declined, and families who applied,
list up to three units in order; each unit ranks its applicants by the city's published priorities and keeps
the best up to its remaining places. The result is stable (no child and unit both prefer each other to what
they got) and no family gains by misstating its order (strategy-proof for the children).

Pure functions, no Django. Priorities, best first: a sibling already in the unit, the unit in the child's own
admission area, the shorter distance from home, and finally the child id (a fixed, published tie-break).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from .geo import distance_m


@dataclass(frozen=True, slots=True)
class Applicant:
    id: str
    lat: float
    lon: float
    area_id: str | None
    wishes: tuple[str, ...]  # unit ids, first wish first
    sibling_units: frozenset[str] = frozenset()  # units where a sibling already is


@dataclass(frozen=True, slots=True)
class Seat:
    id: str
    lat: float
    lon: float
    area_id: str | None
    places: int  # remaining after the first round


@dataclass(frozen=True, slots=True)
class Priority:
    sibling: bool
    own_area: bool
    distance_m: int

    def key(self, child_id: str) -> tuple[int, int, int, str]:
        return (0 if self.sibling else 1, 0 if self.own_area else 1, self.distance_m, child_id)


@dataclass(frozen=True, slots=True)
class WishOutcome:
    unit_id: str
    priority: Priority
    admitted: bool
    # the last admitted child's priority at that unit when this child was not admitted (why not), else None
    cutoff: Priority | None


@dataclass
class DeferredResult:
    matched: dict[str, tuple[str, int]]  # child id -> (unit id, wish position 1..3)
    unmatched: list[str]
    wishes: dict[str, list[WishOutcome]]  # per child, its wishes and why each was or was not met
    remaining: dict[str, int]  # places left per unit


def priority_of(child: Applicant, seat: Seat) -> Priority:
    return Priority(
        sibling=seat.id in child.sibling_units,
        own_area=child.area_id is not None and child.area_id == seat.area_id,
        distance_m=distance_m(child.lat, child.lon, seat.lat, seat.lon),
    )


def deferred_acceptance(children: Sequence[Applicant], seats: Mapping[str, Seat]) -> DeferredResult:
    """Every child proposes to its wishes in order; a unit holds the best applicants up to its places."""
    by_id = {c.id: c for c in children}
    if len(by_id) != len(children):
        raise ValueError("duplicate child ids")
    wishes = {c.id: [w for w in dict.fromkeys(c.wishes) if w in seats] for c in children}
    priorities = {(c.id, u): priority_of(c, seats[u]) for c in children for u in wishes[c.id]}
    held: dict[str, list[str]] = {u: [] for u in seats}
    next_wish = {c.id: 0 for c in children}
    free = sorted(by_id)
    while free:
        child_id = free.pop()
        position = next_wish[child_id]
        if position >= len(wishes[child_id]):
            continue  # out of wishes: left to the exact allocation
        next_wish[child_id] = position + 1
        unit_id = wishes[child_id][position]
        held[unit_id].append(child_id)
        places = seats[unit_id].places
        if len(held[unit_id]) > places:
            held[unit_id].sort(key=lambda c, u=unit_id: priorities[(c, u)].key(c))  # type: ignore[misc]
            rejected = held[unit_id][places:]
            held[unit_id] = held[unit_id][:places]
            free.extend(rejected)
    matched: dict[str, tuple[str, int]] = {}
    for unit_id, holders in held.items():
        for child_id in holders:
            matched[child_id] = (unit_id, wishes[child_id].index(unit_id) + 1)
    outcomes: dict[str, list[WishOutcome]] = {}
    for child in children:
        got = matched.get(child.id)
        rows = []
        for unit_id in wishes[child.id]:
            admitted = got is not None and got[0] == unit_id
            holders = held[unit_id]
            worst = (
                max(holders, key=lambda c, u=unit_id: priorities[(c, u)].key(c))  # type: ignore[misc]
                if holders
                else None
            )
            cutoff = None if admitted or worst is None else priorities[(worst, unit_id)]
            rows.append(WishOutcome(unit_id, priorities[(child.id, unit_id)], admitted, cutoff))
            if admitted:
                break
        outcomes[child.id] = rows
    unmatched = sorted(c.id for c in children if c.id not in matched)
    remaining = {u: seats[u].places - len(held[u]) for u in seats}
    return DeferredResult(matched=matched, unmatched=unmatched, wishes=outcomes, remaining=remaining)


def is_stable(children: Sequence[Applicant], seats: Mapping[str, Seat], result: DeferredResult) -> bool:
    """No child prefers a unit that either has a free place or holds a child of lower priority (for tests)."""
    held: dict[str, list[str]] = {u: [] for u in seats}
    for child_id, (unit_id, _pos) in result.matched.items():
        held[unit_id].append(child_id)
    by_id = {c.id: c for c in children}
    for child in children:
        got = result.matched.get(child.id)
        listed = [w for w in dict.fromkeys(child.wishes) if w in seats]
        better = listed[: got[1] - 1] if got else listed
        for unit_id in better:
            seat = seats[unit_id]
            if len(held[unit_id]) < seat.places:
                return False
            mine = priority_of(child, seat).key(child.id)
            if any(priority_of(by_id[o], seat).key(o) > mine for o in held[unit_id]):
                return False
    return True
