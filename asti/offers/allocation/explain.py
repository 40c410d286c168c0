"""Proposals with reasons, detail codes and the figures behind them."""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from .geo import haversine_m
from .model import Proposal, Reason
from .prepare import Prepared

I64 = npt.NDArray[np.int64]
BoolArray = npt.NDArray[np.bool_]

# detail codes, by reason (manual_override replaces any of them for an overridden child)
DETAIL_CODES: dict[str, str] = {
    "manual_override": "a planner fixed this unit",
    "current_unit_in_area": "keeps the current unit, which lies in the child's admission area",
    "current_unit_outside_area": "keeps the current unit, outside the child's admission area",
    "kept_with_sibling": "goes with the group to a sibling's current unit",
    "current_unit_full": "the current unit in the own area had no room left",
    "nearest_in_area_with_room": "nearest unit of the own area that had room",
    "in_area_rebalanced": "a nearer own-area unit had room, but this fits the whole round better",
    "no_unit_in_area": "no unit of the child's language serves its admission area",
    "area_full_nearest_outside": "the own area's units were full; a unit outside the area",
    "out_of_area_rebalanced": "an own-area unit had room, but not for the whole group",
    "no_unit_in_language": "no municipal pre-primary unit with places in the child's language",
    "no_capacity_in_language": "all places in the child's language are taken",
    "group_does_not_fit": "no unit had room for the whole sibling group",
}


def build_proposals(prep: Prepared, child_unit: I64) -> list[Proposal]:
    """One proposal per child (canonical order = child id order)."""
    geo = prep.geo
    n_units = len(prep.units)
    placed = child_unit >= 0
    u = np.where(placed, child_unit, 0)
    cur = geo.c_cur
    if n_units:
        dist = np.where(placed, haversine_m(geo.c_lat, geo.c_lon, geo.u_lat[u], geo.u_lon[u]), 0)
        in_area = placed & (geo.c_area >= 0) & (geo.u_area[u] == geo.c_area)
        cur0 = np.maximum(cur, 0)
        unit_lang = np.array([x.language for x in prep.units], dtype=object)
        child_lang = np.array([c.language for c in prep.children], dtype=object)
        keepable = (cur >= 0) & prep.eligible[cur0] & (geo.c_area >= 0) & (geo.u_area[cur0] == geo.c_area)
        keepable &= unit_lang[cur0] == child_lang
    else:
        dist = np.zeros(len(prep.children), dtype=np.int64)
        in_area = keepable = np.zeros(len(prep.children), dtype=bool)
    kept = placed & (cur == child_unit)
    load = np.bincount(child_unit[placed], minlength=n_units).astype(np.int64)
    room = prep.cap - load
    ent_size = geo.ent_size[geo.ent_of_child]
    mine = np.where(in_area, dist, np.iinfo(np.int64).max)
    near_unit, near_dist, nearer_room = _own_area_figures(prep, room, mine, ent_size)
    lang_room = _language_room(prep, room)
    lang_has_unit = {prep.units[i].language for i in np.flatnonzero(prep.eligible).tolist()}

    out: list[Proposal] = []
    for i, child in enumerate(prep.children):
        ent = int(geo.ent_of_child[i])
        members = prep.groups[ent]
        group_id = prep.children[members[0]].id if len(members) > 1 else None
        nu, nd = int(near_unit[i]), int(near_dist[i])
        unit_i = int(child_unit[i])
        show_near = nu >= 0 and nu != unit_i
        if unit_i < 0:
            reason = Reason.UNPLACED
            if child.language not in lang_has_unit:
                detail = "no_unit_in_language"
            elif ent_size[i] > 1 and lang_room.get(child.language, 0) >= ent_size[i]:
                detail = "group_does_not_fit"
            else:
                detail = "no_capacity_in_language"
        elif kept[i]:
            reason = Reason.CURRENT_UNIT
            detail = "current_unit_in_area" if in_area[i] else "current_unit_outside_area"
        elif len(members) > 1 and any(int(cur[m]) == unit_i for m in members if m != i):
            reason, detail = Reason.SIBLING, "kept_with_sibling"
        elif in_area[i]:
            reason = Reason.IN_AREA
            if keepable[i]:
                detail = "current_unit_full"
            elif nearer_room[i]:
                detail = "in_area_rebalanced"
            else:
                detail = "nearest_in_area_with_room"
        else:
            reason = Reason.OUT_OF_AREA
            if nu < 0:
                detail = "no_unit_in_area"
            elif keepable[i]:
                detail = "current_unit_full"
            elif nearer_room[i]:
                detail = "out_of_area_rebalanced"
            else:
                detail = "area_full_nearest_outside"
        if i in prep.override_children or (ent in prep.pinned):
            detail = "manual_override"
        out.append(
            Proposal(
                child_id=child.id,
                unit_id=prep.units[unit_i].id if unit_i >= 0 else None,
                reason=reason,
                distance_m=int(dist[i]),
                detail=detail,
                kept_current=bool(kept[i]),
                in_area=bool(in_area[i]),
                nearest_in_area_unit_id=prep.units[nu].id if show_near else None,
                nearest_in_area_distance_m=nd if show_near else None,
                group_id=group_id,
            )
        )
    return out


def objective_of(proposals: list[Proposal], prep: Prepared) -> tuple[int, int, int, int]:
    placed = sum(1 for p in proposals if p.unit_id is not None)
    kept = sum(1 for p in proposals if p.kept_current and p.in_area)
    in_area = sum(1 for p in proposals if p.in_area)
    return placed, kept, in_area, sum(p.distance_m for p in proposals)


def _language_room(prep: Prepared, room: I64) -> dict[str, int]:
    out: dict[str, int] = {}
    for i in np.flatnonzero(prep.eligible).tolist():
        lang = prep.units[i].language
        out[lang] = out.get(lang, 0) + max(int(room[i]), 0)
    return out


def _own_area_figures(prep: Prepared, room: I64, mine: I64, need: I64) -> tuple[I64, I64, BoolArray]:
    """Per child: nearest eligible own-area unit of its language (-1 if none) and its distance,
    and whether an own-area unit nearer than `mine` had room for `need` children."""
    geo = prep.geo
    n = len(prep.children)
    near = np.full(n, -1, dtype=np.int64)
    dist = np.zeros(n, dtype=np.int64)
    nearer_room = np.zeros(n, dtype=bool)
    by_key: dict[tuple[str, int], list[int]] = {}
    for ui in np.flatnonzero(prep.eligible).tolist():
        if geo.u_area[ui] >= 0:
            by_key.setdefault((prep.units[ui].language, int(geo.u_area[ui])), []).append(ui)
    kids: dict[tuple[str, int], list[int]] = {}
    for i, child in enumerate(prep.children):
        if geo.c_area[i] >= 0:
            kids.setdefault((child.language, int(geo.c_area[i])), []).append(i)
    for key, members in kids.items():
        units = by_key.get(key)
        if not units:
            continue
        c = np.asarray(members, dtype=np.int64)
        uu = np.asarray(units, dtype=np.int64)
        for start in range(0, c.size, 4096):
            cc = c[start : start + 4096]
            d = haversine_m(
                geo.c_lat[cc][:, None], geo.c_lon[cc][:, None], geo.u_lat[uu][None, :], geo.u_lon[uu][None, :]
            )
            best = np.argmin(d, axis=1)  # first minimum = smallest unit id among equals
            near[cc] = uu[best]
            dist[cc] = d[np.arange(cc.size), best]
            fits = room[uu][None, :] >= need[cc][:, None]
            nearer_room[cc] = (fits & (d < mine[cc][:, None])).any(axis=1)
    return near, dist, nearer_room
