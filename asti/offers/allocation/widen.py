"""Widen the candidate sets where the limited candidates may have cost a child something.

After a language is solved over its candidate graph, units that still have room are offered
as new arcs to every entity that could use them directly:

(a) an unplaced entity gets its nearest units with room for its whole group (up to 64);
(b) an entity not placed in its own area gets the units of its own area that have room;
(c) an entity kept in its current unit outside its area gets the nearer units with room;
(d) an unplaced group that (a) has already given all its arcs gets every unit big enough for
    it, and every entity of the language gets the units with room, so that others can move (or
    stay out) to make room in one place. Waiting for (a) matters: (d) adds entities x units
    with room arcs (millions in a dense city short of places), while a group that (a) can
    place needs none of them.

The caller solves again while this adds arcs (a few rounds at most). (a) and (d) ensure that
no child stays unplaced because of the candidate limit while a unit of its language has
room for it (or could have after moving others). (b) and (c) only run while the language has
at most MAX_QUALITY_ARCS arcs.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt
from scipy.spatial import cKDTree

from .arrays import in_sorted, unique_keys
from .candidates import Arcs, Geometry, member_children
from .geo import chord_for_metres, haversine_m

I64 = npt.NDArray[np.int64]

NEAREST_WITH_ROOM = 64
MAX_FRAGMENT_ARCS = 5_000_000
# (b) and (c) improve objectives 3-4 only; past this many arcs a second solve of the language
# costs more than it is worth (minutes at 500 000 children), so only (a) and (d) run.
MAX_QUALITY_ARCS = 1_500_000


def widen(
    geo: Geometry,
    ents: I64,
    open_units: I64,
    residual: I64,
    chosen: I64,
    arcs: Arcs,
    *,
    quality: bool = True,
    split: I64 | None = None,
) -> tuple[I64, I64, bool]:
    """New (entity, unit) pairs to add, and whether a fragmentation widening was skipped.

    `quality=False` runs only (a) and (d), the rules for objective 1. `split`: groups that
    the relaxation split over units (counted where most of them are); they get (a)'s arcs as
    if unplaced, so that the group repair has the units with room for them whole.
    """
    n_units = int(geo.u_area.size)
    size = geo.ent_size
    placed_ents = ents[chosen[ents] >= 0]
    load = np.bincount(chosen[placed_ents], weights=size[placed_ents], minlength=n_units).astype(np.int64)
    room = residual - load
    with_room = open_units[room[open_units] > 0]
    empty = np.zeros(0, dtype=np.int64)
    if with_room.size == 0:
        return empty, empty, False
    in_area_now = _in_area_now(arcs, ents, chosen, n_units)
    parts_e: list[I64] = [empty]
    parts_u: list[I64] = [empty]
    frag_e: list[I64] = [empty]  # (d) arcs: not filtered by room
    frag_u: list[I64] = [empty]
    skipped = False

    unplaced = ents[chosen[ents] < 0]
    loose = np.union1d(unplaced, np.zeros(0, dtype=np.int64) if split is None else split)
    known = arcs.ent * n_units + arcs.unit  # ascending: arcs are sorted by (ent, unit)
    for s in np.unique(size[loose]).tolist():
        fit = with_room[room[with_room] >= s]
        group = loose[size[loose] == s]
        if fit.size:  # (a)
            kk = min(NEAREST_WITH_ROOM, int(fit.size))
            _, nn = cKDTree(geo.u_xyz[fit]).query(geo.c_xyz[geo.ent_idx[geo.ent_ptr[group]]], k=kk)
            a_e = np.repeat(group, kk)
            a_u = fit[np.asarray(nn, dtype=np.int64).reshape(group.size, kk).ravel()]
            parts_e.append(a_e)
            parts_u.append(a_u)
            # (d) only for groups that (a) has already widened to the full: a fresh (a) arc is tried first
            fresh_a = ~in_sorted(a_e * n_units + a_u, known)
            group = np.setdiff1d(group, a_e[fresh_a])
        group = np.intersect1d(group, unplaced)
        if s > 1 and group.size:  # (d) a group may fit in a unit once others move out or stay out
            big = open_units[residual[open_units] >= s]
            if ents.size * with_room.size + group.size * big.size > MAX_FRAGMENT_ARCS:
                skipped = True
                continue
            frag_e += [np.repeat(ents, with_room.size), np.repeat(group, big.size)]
            frag_u += [np.tile(with_room, ents.size), np.tile(big, group.size)]

    # (b) not in own area: units of the members' areas with room
    quality = quality and len(arcs) <= MAX_QUALITY_ARCS
    outside = ents[in_area_now == 0] if quality else empty
    if outside.size:
        owner, child = member_children(geo, outside)
        area_r = geo.u_area[with_room]
        order = np.argsort(area_r, kind="stable")
        sorted_area = area_r[order]
        c_area = geo.c_area[child]
        lo = np.searchsorted(sorted_area, c_area, side="left")
        hi = np.searchsorted(sorted_area, c_area, side="right")
        cnt = np.where(c_area >= 0, hi - lo, 0)
        total = int(cnt.sum())
        if total:
            rep = np.repeat(np.arange(child.size), cnt)
            offs = np.arange(total) - np.repeat(np.cumsum(cnt) - cnt, cnt)
            parts_e.append(outside[owner[rep]])
            parts_u.append(with_room[order[lo[rep] + offs]])

    # (c) kept in a current unit outside the area: nearer units with room
    first = geo.ent_idx[geo.ent_ptr[ents]]
    at_current = (chosen[ents] >= 0) & (chosen[ents] == geo.c_cur[first]) & (in_area_now == 0) & quality
    far = ents[at_current]
    if far.size:
        ch = geo.ent_idx[geo.ent_ptr[far]]
        u = chosen[far]
        d = haversine_m(geo.c_lat[ch], geo.c_lon[ch], geo.u_lat[u], geo.u_lon[u])
        tree = cKDTree(geo.u_xyz[with_room])
        hits = tree.query_ball_point(geo.c_xyz[ch], r=chord_for_metres(d))
        for e, h in zip(far.tolist(), hits, strict=True):
            if h:
                parts_e.append(np.full(len(h), e, dtype=np.int64))
                parts_u.append(with_room[np.asarray(sorted(h), dtype=np.int64)])

    e_new = np.concatenate(parts_e)
    u_new = np.concatenate(parts_u)
    ok = room[u_new] >= size[e_new]
    e_new = np.concatenate([e_new[ok], *frag_e])
    u_new = np.concatenate([u_new[ok], *frag_u])
    if e_new.size == 0:
        return empty, empty, skipped
    key = unique_keys(e_new * n_units + u_new)
    fresh = key[~in_sorted(key, known)]
    return fresh // n_units, fresh % n_units, skipped


def _in_area_now(arcs: Arcs, ents: I64, chosen: I64, n_units: int) -> I64:
    """Members in their own area at the chosen unit, per entity of `ents` (0 when unplaced)."""
    out = np.zeros(ents.size, dtype=np.int64)
    placed = chosen[ents] >= 0
    if not placed.any():
        return out
    keys = arcs.ent * n_units + arcs.unit  # ascending: arcs are sorted by (ent, unit)
    want = ents[placed] * n_units + chosen[ents[placed]]
    pos = np.searchsorted(keys, want)
    out[placed] = arcs.in_area[pos]
    return out
