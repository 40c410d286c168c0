"""Reduced-cost penalties of a node's options (the certificate's prices).

Potentials pi of the node's optimal flow give reduced costs rc >= 0 on every residual arc;
for any integer solution placing as many children, its cost above the flow's is the sum of
its options' penalties (an entity's unit, or unplaced) and of its units' load changes.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from asti.offers.allocation.flow import Component, FlowSolution, choice_from_flow, potentials

from .keys import BIG, I64, flow_cost


@dataclass(frozen=True)
class Penalties:
    p_arc: I64  # option penalty per arc (BIG where not an option)
    p_unplaced: I64
    rc_t: I64  # reduced cost of unit -> T
    load: I64
    cost_star: int
    split: I64
    best: I64  # cheapest option penalty per entity
    rc_a: I64  # reduced cost per member of each entity -> unit arc
    flow_choice: I64  # the node flow's arc per entity that is whole on one arc, else -1


def penalties(node: Component, sol: FlowSolution, split: I64, pi: I64 | None = None) -> Penalties:
    n_ent, n_arc = node.n_ent, int(node.arc_ent.size)
    if pi is None:
        pi = potentials(sol, 2 + n_ent + node.n_unit)
    rc = sol.costs + pi[sol.tails] - pi[sol.heads]
    rc_s, rc_a, rc_t = rc[:n_ent], rc[n_ent : n_ent + n_arc], rc[n_ent + n_arc :]
    fs, af, load = sol.ent_flow(node), sol.arc_flow(node), sol.unit_load(node)
    size_a = node.size[node.arc_ent]
    active = node.size > 0
    base = np.zeros(n_ent, dtype=np.int64)
    np.add.at(base, node.arc_ent, -rc_a * af)
    p_unplaced = np.where(active, base - rc_s * fs, 0)
    p_arc = base[node.arc_ent] + rc_a * size_a + rc_s[node.arc_ent] * (size_a - fs[node.arc_ent])
    open_arc = active[node.arc_ent] if node.arc_open is None else active[node.arc_ent] & node.arc_open
    p_arc = np.where(open_arc, p_arc, BIG)
    if (p_unplaced < 0).any() or (p_arc < 0).any():  # pragma: no cover - defensive
        raise RuntimeError("negative option penalty: potentials inconsistent")
    best = np.full(n_ent, BIG, dtype=np.int64)
    np.minimum.at(best, node.arc_ent, p_arc)
    best = np.minimum(best, p_unplaced)
    return Penalties(p_arc, p_unplaced, rc_t, load, flow_cost(sol), split, best, rc_a, choice_from_flow(node, sol))
