"""Candidate units per entity (a group or a single child) and the figures of each arc.

A child's candidates are its `k` nearest open units of its language (KD-tree on unit-sphere
points), its current unit when open, and the (nearest `area_k`) open units of its own
admission area. A group's candidates are the union over its members, and each arc carries
the members' sums: children kept in their current in-area unit, children in their own area,
total distance. Everything is numpy; arcs come out sorted by (entity, unit).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
from scipy.spatial import cKDTree

from .arrays import in_sorted, unique_keys
from .geo import haversine_m

I64 = npt.NDArray[np.int64]
F64 = npt.NDArray[np.float64]


@dataclass(frozen=True)
class Geometry:
    """Children and units as arrays, indexed by canonical (id-sorted) position."""

    c_lat: F64
    c_lon: F64
    c_xyz: F64
    c_area: I64  # area code, -1 = none
    c_cur: I64  # current unit index, -1 = none
    u_lat: F64
    u_lon: F64
    u_xyz: F64
    u_area: I64
    ent_ptr: I64  # CSR: members of entity e are ent_idx[ent_ptr[e]:ent_ptr[e+1]]
    ent_idx: I64
    ent_size: I64
    ent_of_child: I64


@dataclass(frozen=True)
class Arcs:
    """Entity -> unit arcs, sorted by (ent, unit); figures are sums over the entity's members."""

    ent: I64
    unit: I64
    kept: I64  # members for whom this is the current unit and it lies in their own area
    in_area: I64  # members for whom the unit lies in their own area
    dist: I64  # total great-circle metres of the members

    def __len__(self) -> int:
        return int(self.ent.size)


def member_children(geo: Geometry, ents: I64) -> tuple[I64, I64]:
    """(position in `ents`, child index) for every member of the given entities."""
    sizes = geo.ent_size[ents]
    owner = np.repeat(np.arange(ents.size, dtype=np.int64), sizes)
    starts = np.cumsum(sizes) - sizes
    offset = np.arange(owner.size, dtype=np.int64) - starts[owner]
    return owner, geo.ent_idx[geo.ent_ptr[ents][owner] + offset]


def candidate_pairs(
    geo: Geometry,
    ents: I64,
    open_units: I64,
    *,
    k: int,
    area_k: int,
    tree: cKDTree | None = None,
) -> tuple[I64, I64]:
    """Unique (entity, unit) candidate pairs for the entities `ents` over `open_units`."""
    if ents.size == 0 or open_units.size == 0:
        empty = np.zeros(0, dtype=np.int64)
        return empty, empty
    owner, child = member_children(geo, ents)
    ent_of_member = ents[owner]
    parts_e: list[I64] = []
    parts_u: list[I64] = []

    kk = min(k, int(open_units.size))
    if kk > 0:
        if tree is None:
            tree = cKDTree(geo.u_xyz[open_units])
        _, nn = tree.query(geo.c_xyz[child], k=kk)
        nn = np.asarray(nn, dtype=np.int64).reshape(child.size, kk)
        parts_e.append(np.repeat(ent_of_member, kk))
        parts_u.append(open_units[nn.ravel()])

    is_open = np.zeros(geo.u_area.size, dtype=bool)
    is_open[open_units] = True
    cur = geo.c_cur[child]
    has_cur = cur >= 0
    has_cur[has_cur] = is_open[cur[has_cur]]
    parts_e.append(ent_of_member[has_cur])
    parts_u.append(cur[has_cur])

    e_area, u_area = _own_area_pairs(geo, ent_of_member, child, open_units, area_k)
    parts_e.append(e_area)
    parts_u.append(u_area)
    return unique_pairs(np.concatenate(parts_e), np.concatenate(parts_u), geo.u_area.size)


def _own_area_pairs(geo: Geometry, ent_of_member: I64, child: I64, open_units: I64, area_k: int) -> tuple[I64, I64]:
    out_e: list[I64] = [np.zeros(0, dtype=np.int64)]
    out_u: list[I64] = [np.zeros(0, dtype=np.int64)]
    c_area = geo.c_area[child]
    u_area = geo.u_area[open_units]
    order_u = np.argsort(u_area, kind="stable")
    sorted_area = u_area[order_u]
    order_c = np.argsort(c_area, kind="stable")
    sorted_c_area = c_area[order_c]
    areas = np.unique(sorted_c_area[sorted_c_area >= 0])
    for area in areas.tolist():
        lo, hi = np.searchsorted(sorted_area, [area, area + 1])
        if hi == lo:
            continue
        units = open_units[order_u[lo:hi]]
        c_lo, c_hi = np.searchsorted(sorted_c_area, [area, area + 1])
        members = order_c[c_lo:c_hi]
        if units.size <= area_k:
            out_e.append(np.repeat(ent_of_member[members], units.size))
            out_u.append(np.tile(units, members.size))
            continue
        for start in range(0, members.size, 4096):
            block = members[start : start + 4096]
            ch = child[block]
            d = haversine_m(
                geo.c_lat[ch][:, None], geo.c_lon[ch][:, None], geo.u_lat[units][None, :], geo.u_lon[units][None, :]
            )
            # ties broken by unit index (units are in id order): stable argsort on distance
            nearest = np.argsort(d, axis=1, kind="stable")[:, :area_k]
            out_e.append(np.repeat(ent_of_member[block], area_k))
            out_u.append(units[nearest.ravel()])
    return np.concatenate(out_e), np.concatenate(out_u)


def unique_pairs(ent: I64, unit: I64, n_units: int) -> tuple[I64, I64]:
    key = unique_keys(ent.astype(np.int64) * np.int64(n_units) + unit.astype(np.int64))
    return key // n_units, key % n_units


def arc_figures(geo: Geometry, ent: I64, unit: I64) -> Arcs:
    """Members' sums of kept / in-area / distance for sorted unique (entity, unit) pairs."""
    owner, child = member_children(geo, ent)
    u = unit[owner]
    c_area = geo.c_area[child]
    in_area = (c_area >= 0) & (geo.u_area[u] == c_area)
    kept = in_area & (geo.c_cur[child] == u)
    dist = haversine_m(geo.c_lat[child], geo.c_lon[child], geo.u_lat[u], geo.u_lon[u])
    if owner.size == ent.size:  # singles only: one member per arc
        return Arcs(ent, unit, kept.astype(np.int64), in_area.astype(np.int64), dist)
    starts = np.cumsum(geo.ent_size[ent]) - geo.ent_size[ent]
    return Arcs(
        ent,
        unit,
        np.add.reduceat(kept.astype(np.int64), starts),
        np.add.reduceat(in_area.astype(np.int64), starts),
        np.add.reduceat(dist, starts),
    )


def merge_arcs(geo: Geometry, old: Arcs, ent: I64, unit: I64, n_units: int) -> Arcs:
    """Arcs of `old` plus new pairs (figures computed for the new ones only)."""
    e, u = unique_pairs(np.concatenate([old.ent, ent]), np.concatenate([old.unit, unit]), n_units)
    old_key = old.ent * n_units + old.unit
    new_key = e * n_units + u
    fresh = ~in_sorted(new_key, old_key)  # old arcs are sorted by (entity, unit)
    if not fresh.any():
        return old
    add = arc_figures(geo, e[fresh], u[fresh])
    order = np.argsort(np.concatenate([old_key, new_key[fresh]]), kind="stable")
    return Arcs(
        np.concatenate([old.ent, add.ent])[order],
        np.concatenate([old.unit, add.unit])[order],
        np.concatenate([old.kept, add.kept])[order],
        np.concatenate([old.in_area, add.in_area])[order],
        np.concatenate([old.dist, add.dist])[order],
    )
