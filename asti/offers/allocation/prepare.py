"""Validation and canonical, array-based form of the input."""

from __future__ import annotations

import itertools
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from .candidates import Geometry
from .geo import unit_sphere_xyz
from .groups import build_groups
from .model import ChildIn, UnitIn

I64 = npt.NDArray[np.int64]
BoolArray = npt.NDArray[np.bool_]


class AllocationInputError(ValueError):
    """The input breaks a precondition (duplicate ids, impossible override, ...)."""


@dataclass(frozen=True)
class Prepared:
    children: list[ChildIn]  # sorted by id
    units: list[UnitIn]  # sorted by id
    unit_index: dict[str, int]
    geo: Geometry
    groups: list[list[int]]  # entity -> member child indices (ascending)
    ent_lang: list[str]
    eligible: BoolArray  # [unit] municipal, pre-primary, capacity > 0
    cap: I64  # [unit] capacity
    pinned: dict[int, int]  # entity -> unit (manual overrides)
    override_children: frozenset[int]


def prepare(units: Sequence[UnitIn], children: Sequence[ChildIn], overrides: Mapping[str, str] | None) -> Prepared:
    units_s = sorted(units, key=lambda u: u.id)
    children_s = sorted(children, key=lambda c: c.id)
    _no_duplicates([u.id for u in units_s], "unit")
    _no_duplicates([c.id for c in children_s], "child")
    for u in units_s:
        if u.capacity < 0:
            raise AllocationInputError(f"unit {u.id}: negative capacity {u.capacity}")
    unit_index = {u.id: i for i, u in enumerate(units_s)}
    area_code: dict[str, int] = {}
    for a in sorted({u.area_id for u in units_s if u.area_id} | {c.area_id for c in children_s if c.area_id}):
        area_code[a] = len(area_code)

    def code(a: str | None) -> int:
        return area_code[a] if a else -1

    c_lat = np.array([c.lat for c in children_s], dtype=np.float64)
    c_lon = np.array([c.lon for c in children_s], dtype=np.float64)
    u_lat = np.array([u.lat for u in units_s], dtype=np.float64)
    u_lon = np.array([u.lon for u in units_s], dtype=np.float64)
    groups = build_groups(children_s)
    sizes = np.array([len(g) for g in groups], dtype=np.int64)
    ent_ptr = np.zeros(len(groups) + 1, dtype=np.int64)
    np.cumsum(sizes, out=ent_ptr[1:])
    ent_idx = np.array([i for g in groups for i in g], dtype=np.int64)
    ent_of_child = np.empty(len(children_s), dtype=np.int64)
    ent_of_child[ent_idx] = np.repeat(np.arange(len(groups), dtype=np.int64), sizes)
    geo = Geometry(
        c_lat=c_lat,
        c_lon=c_lon,
        c_xyz=unit_sphere_xyz(c_lat, c_lon).reshape(-1, 3),
        c_area=np.array([code(c.area_id) for c in children_s], dtype=np.int64),
        c_cur=np.array([unit_index.get(c.current_unit_id or "", -1) for c in children_s], dtype=np.int64),
        u_lat=u_lat,
        u_lon=u_lon,
        u_xyz=unit_sphere_xyz(u_lat, u_lon).reshape(-1, 3),
        u_area=np.array([code(u.area_id) for u in units_s], dtype=np.int64),
        ent_ptr=ent_ptr,
        ent_idx=ent_idx,
        ent_size=sizes,
        ent_of_child=ent_of_child,
    )
    eligible = np.array([u.municipal and u.pre_primary and u.capacity > 0 for u in units_s], dtype=bool)
    cap = np.array([u.capacity for u in units_s], dtype=np.int64)
    ent_lang = [children_s[g[0]].language for g in groups]
    pinned, override_children = _pin_overrides(
        children_s, units_s, unit_index, groups, ent_of_child, eligible, cap, overrides
    )
    return Prepared(children_s, units_s, unit_index, geo, groups, ent_lang, eligible, cap, pinned, override_children)


def _no_duplicates(ids: list[str], what: str) -> None:
    dup = sorted({a for a, b in itertools.pairwise(ids) if a == b})
    if dup:
        raise AllocationInputError(f"duplicate {what} ids: {', '.join(dup[:10])}")


def _pin_overrides(
    children: list[ChildIn],
    units: list[UnitIn],
    unit_index: dict[str, int],
    groups: list[list[int]],
    ent_of_child: I64,
    eligible: BoolArray,
    cap: I64,
    overrides: Mapping[str, str] | None,
) -> tuple[dict[int, int], frozenset[int]]:
    """Entity -> unit for manual overrides; a group follows its overridden member(s).

    Overriding members of one group to different units would break the sibling rule, and
    overrides beyond a unit's capacity would break the capacity rule: both are refused.
    """
    if not overrides:
        return {}, frozenset()
    child_index = {c.id: i for i, c in enumerate(children)}
    by_entity: dict[int, set[int]] = {}
    chosen_children: set[int] = set()
    for child_id, unit_id in sorted(overrides.items()):
        if child_id not in child_index:
            raise AllocationInputError(f"override for unknown child {child_id}")
        if unit_id not in unit_index:
            raise AllocationInputError(f"override of {child_id} to unknown unit {unit_id}")
        ci, ui = child_index[child_id], unit_index[unit_id]
        if not eligible[ui] or units[ui].language != children[ci].language:
            raise AllocationInputError(
                f"override of {child_id} to {unit_id}: unit is not a municipal pre-primary unit "
                f"with places in the child's language"
            )
        chosen_children.add(ci)
        by_entity.setdefault(int(ent_of_child[ci]), set()).add(ui)
    pinned: dict[int, int] = {}
    for ent, targets in by_entity.items():
        if len(targets) == 1:
            pinned[ent] = next(iter(targets))
        else:
            raise AllocationInputError(
                "overrides send members of one sibling group to different units: "
                + ", ".join(sorted(children[i].id for i in groups[ent]))
            )
    load = np.zeros(cap.size, dtype=np.int64)
    for ent, ui in pinned.items():
        load[ui] += len(groups[ent])
    over = np.flatnonzero(load > cap)
    if over.size:
        raise AllocationInputError(
            "overrides exceed capacity: "
            + ", ".join(f"{units[u].id} ({int(load[u])} > {int(cap[u])})" for u in over.tolist())
        )
    return pinned, frozenset(chosen_children)
