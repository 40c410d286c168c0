"""Pricing: the units outside a child's candidates that could still improve kept and own-area counts.

The candidates (nearest units, own-area units, widening) are a subset of every unit of the
language. Stage A of the flow (`flow.solve_lexicographic`: kept, then own-area children) is
optimal over the candidate graph; its node potentials pi prove it (every residual reduced
cost rc = cost + pi(tail) - pi(head) >= 0). A missing arc entity -> unit would carry
nothing, so the flow stays optimal over the graph with that arc when its reduced cost
`-(in-area members) * L / size + pi(entity) - pi(unit)` is >= 0 (a missing arc keeps no
child: a child's open current unit is always a candidate). When no missing arc of the
component is negative, objectives 2 and 3 of the relaxation are optimal over every unit of
the component, not just the candidates. Otherwise the negative arcs are added and the
language solved again (column generation); the engine reports it when rounds run out.

The most negative missing arc of an entity is among the units of largest potential, either
among all of the component's units or among its own area's (the only cost term of a missing
arc is the in-area credit), so checking the top `per_entity` of each list is exact for the
question "is any arc negative".
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from .arrays import in_sorted, unique_keys
from .candidates import Arcs, Geometry, arc_figures

I64 = npt.NDArray[np.int64]

PER_ENTITY = 8  # best missing units per entity and list (all units, own area) looked at per round


@dataclass(frozen=True)
class Prices:
    """A component's stage-A potentials by global entity and unit id."""

    ents: I64
    units: I64
    pi_ent: I64
    pi_unit: I64
    lcm: int


def negative_arcs(geo: Geometry, arcs: Arcs, prices: list[Prices], n_units: int) -> tuple[I64, I64]:
    """(entity, unit) pairs not among `arcs` whose stage-A reduced cost is negative."""
    out_e: list[I64] = [np.zeros(0, dtype=np.int64)]
    out_u: list[I64] = [np.zeros(0, dtype=np.int64)]
    known = arcs.ent * n_units + arcs.unit
    for p in prices:
        if p.units.size == 0 or p.ents.size == 0:
            continue
        m = min(PER_ENTITY, int(p.units.size))
        best_all = np.argsort(-p.pi_unit, kind="stable")[:m]
        # own area: units grouped by area, each group by potential (largest first)
        u_area = geo.u_area[p.units]
        by_area = np.lexsort((-p.pi_unit, u_area))
        sorted_area = u_area[by_area]
        e_area = geo.c_area[geo.ent_idx[geo.ent_ptr[p.ents]]]
        lo = np.searchsorted(sorted_area, e_area, side="left")
        hi = np.minimum(np.searchsorted(sorted_area, e_area, side="right"), lo + m)
        cnt = np.where(e_area >= 0, hi - lo, 0)
        rep = np.repeat(np.arange(p.ents.size, dtype=np.int64), cnt)
        offs = np.arange(int(cnt.sum()), dtype=np.int64) - np.repeat(np.cumsum(cnt) - cnt, cnt)
        pe = np.concatenate([np.repeat(np.arange(p.ents.size, dtype=np.int64), m), rep])
        pu = np.concatenate([np.tile(best_all, p.ents.size), by_area[lo[rep] + offs]])
        key = unique_keys(p.ents[pe] * n_units + p.units[pu])
        fresh = key[~in_sorted(key, known)]
        if fresh.size == 0:
            continue
        g_e, g_u = fresh // n_units, fresh % n_units
        fig = arc_figures(geo, g_e, g_u)
        le = np.searchsorted(p.ents, g_e)
        lu = np.searchsorted(p.units, g_u)
        scale = np.int64(p.lcm) // geo.ent_size[g_e]
        rc = -fig.in_area * scale + p.pi_ent[le] - p.pi_unit[lu]
        neg = (rc < 0) | (fig.kept > 0)
        out_e.append(g_e[neg])
        out_u.append(g_u[neg])
    return np.concatenate(out_e), np.concatenate(out_u)
