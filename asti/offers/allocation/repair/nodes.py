"""Branch-and-bound nodes: the component with some groups pinned to an arc (or unplaced) and
some arcs closed, and the choice of what to branch on.
"""

from __future__ import annotations

import numpy as np

from asti.offers.allocation.flow import Component, FlowSolution, Weights

from .keys import I64

Node = tuple[dict[int, int], frozenset[int]]  # pinned group -> arc, closed arcs


def apply_pins(
    comp: Component, w: Weights, pins: dict[int, int], closed: frozenset[int] = frozenset()
) -> tuple[Component, int, int]:
    """The component without the pinned entities (size 0), with their places taken and the
    `closed` arcs shut."""
    if not pins and not closed:
        return comp, 0, 0
    size = comp.size.copy()
    cap = comp.cap.copy()
    cost = placed = 0
    for e, a in pins.items():
        size[e] = 0
        if a >= 0:
            cap[comp.arc_unit[a]] -= comp.size[e]
            cost += int(w.combined()[a]) * int(comp.size[e])
            placed += int(comp.size[e])
    arc_open = None
    if closed:
        arc_open = np.ones(comp.arc_ent.size, dtype=bool)
        arc_open[np.fromiter(closed, dtype=np.int64)] = False
    node = Component(size, cap, comp.arc_ent, comp.arc_unit, comp.kept, comp.in_area, comp.dist, arc_open)
    return node, cost, placed


def tier_culprit(comp: Component, w: Weights, sol: FlowSolution, node: Component, split: I64) -> int:
    """A split group holding a fraction of a kept or in-area child (-1 if none): the
    restricted MIP cannot close such a gap cheaply, branching on it can."""
    scale = w.lcm // comp.size[comp.arc_ent]
    af = sol.arc_flow(node) * scale
    frac_kept = np.zeros(comp.n_ent, dtype=np.int64)
    frac_area = np.zeros(comp.n_ent, dtype=np.int64)
    np.add.at(frac_kept, comp.arc_ent, af * comp.kept)
    np.add.at(frac_area, comp.arc_ent, af * comp.in_area)
    for frac in (frac_kept[split] % w.lcm, frac_area[split] % w.lcm):
        hit = np.flatnonzero(frac != 0)
        if hit.size:
            return int(split[hit[0]])
    return -1


def branch_arc(node: Component, sol: FlowSolution, g: int) -> int:
    """The arc of split group g to branch on: a fractional one, kept first, then in-area,
    then the one with most flow (lowest index on ties)."""
    arcs = np.flatnonzero(node.arc_ent == g)
    af = sol.arc_flow(node)[arcs]
    frac = (af > 0) & (af < node.size[g])
    rank = np.lexsort((arcs, -af, -node.in_area[arcs], -node.kept[arcs], ~frac))
    return int(arcs[rank[0]])
