"""One connected component as a min-cost flow (OR-Tools SimpleMinCostFlow).

Network: S -> entity (capacity = members) -> unit (capacity = members) -> T (capacity =
places). `solve_max_flow_with_min_cost` places as many children as possible (objective 1)
and, among those flows, minimises one integer cost that encodes objectives 2-4
lexicographically:

    cost(entity -> unit) = -(W2 * kept + W3 * in_area) + distance / q

    W3 = 1 + sum over entities of their largest candidate distance / q
         (> any difference in total distance between two solutions)
    W2 = W3 * (1 + children who have an in-area candidate)
         (> any difference in W3 * in_area + distance)

A group's arc carries its members' sums; the per-flow-unit cost is that sum times L / size,
L = lcm of the group sizes, so a whole group costs exactly L times its sum: all costs are
scaled by L, which changes nothing in the order. OR-Tools rejects costs with
max|cost| * (nodes + 1) >= 2^63 (cost scaling); we keep it below 2^62, doubling the
distance quantum q (1 m by default) until it fits, and report q. Should OR-Tools still answer
BAD_COST_RANGE (it also bounds sums on large graphs), the caller doubles q again.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
from ortools.graph.python import min_cost_flow

I64 = npt.NDArray[np.int64]

COST_LIMIT = 2**62


class CostRangeError(ArithmeticError):
    """OR-Tools refused the cost range (its own check is stricter than ours on big graphs)."""


@dataclass(frozen=True)
class Component:
    size: I64  # [E] members per entity
    cap: I64  # [U] places per unit
    arc_ent: I64  # [A] local entity, ascending
    arc_unit: I64  # [A] local unit
    kept: I64
    in_area: I64
    dist: I64  # metres, members' sum

    @property
    def n_ent(self) -> int:
        return int(self.size.size)

    @property
    def n_unit(self) -> int:
        return int(self.cap.size)


@dataclass(frozen=True)
class Weights:
    quantum: int
    lcm: int
    w2: int
    w3: int
    dq: I64  # distance in quanta per arc (members' sum)
    unit_cost: I64  # cost per unit of flow on entity -> unit arcs


@dataclass
class FlowSolution:
    """Full network and its optimal flow; node 0 = S, 1 = T, 2.. entities, then units."""

    tails: I64
    heads: I64
    caps: I64
    costs: I64
    flows: I64
    max_flow: int
    solve_s: float

    def ent_flow(self, comp: Component) -> I64:
        return self.flows[: comp.n_ent]

    def arc_flow(self, comp: Component) -> I64:
        return self.flows[comp.n_ent : comp.n_ent + int(comp.arc_ent.size)]

    def unit_load(self, comp: Component) -> I64:
        return self.flows[comp.n_ent + int(comp.arc_ent.size) :]


def choose_weights(comp: Component, quantum: int = 1) -> Weights:
    """Lexicographic tier weights; the smallest power-of-two quantum >= `quantum` that fits int64."""
    lcm = 1
    for s in np.unique(comp.size).tolist():
        lcm = math.lcm(lcm, int(s))
    starts = _ent_starts(comp)
    n_nodes = comp.n_ent + comp.n_unit + 2
    n_in = int(np.maximum.reduceat(comp.in_area, starts).sum()) if comp.arc_ent.size else 0
    q = max(1, quantum)
    while True:
        dq = (comp.dist + q // 2) // q
        max_dq = int(np.maximum.reduceat(dq, starts).sum()) if dq.size else 0
        w3 = 1 + max_dq
        w2 = w3 * (1 + n_in)
        top = (w2 * int(comp.kept.max(initial=0)) + w3 * int(comp.in_area.max(initial=0))) * lcm
        top = max(top, int(dq.max(initial=0)) * lcm)
        if top * (n_nodes + 1) < COST_LIMIT:
            break
        q *= 2
    total = -(np.int64(w2) * comp.kept + np.int64(w3) * comp.in_area) + dq
    unit_cost = total * (np.int64(lcm) // comp.size[comp.arc_ent])
    return Weights(q, lcm, w2, w3, dq, unit_cost)


def _ent_starts(comp: Component) -> I64:
    counts = np.bincount(comp.arc_ent, minlength=comp.n_ent)
    return np.asarray(np.cumsum(counts) - counts, dtype=np.int64)


def solve_flow(comp: Component, unit_cost: I64) -> FlowSolution:
    """Max flow with min cost on the component's network."""
    e_nodes = 2 + np.arange(comp.n_ent, dtype=np.int64)
    u_nodes = 2 + comp.n_ent + np.arange(comp.n_unit, dtype=np.int64)
    tails = np.concatenate([np.zeros(comp.n_ent, dtype=np.int64), e_nodes[comp.arc_ent], u_nodes])
    heads = np.concatenate([e_nodes, u_nodes[comp.arc_unit], np.ones(comp.n_unit, dtype=np.int64)])
    caps = np.concatenate([comp.size, comp.size[comp.arc_ent], comp.cap])
    costs = np.concatenate([np.zeros(comp.n_ent, dtype=np.int64), unit_cost, np.zeros(comp.n_unit, dtype=np.int64)])
    smcf = min_cost_flow.SimpleMinCostFlow()
    smcf.add_arcs_with_capacity_and_unit_cost(tails, heads, caps, costs)
    total = int(comp.size.sum())
    smcf.set_node_supply(0, total)
    smcf.set_node_supply(1, -total)
    t0 = time.perf_counter()
    status = smcf.solve_max_flow_with_min_cost()
    solve_s = time.perf_counter() - t0
    if status == min_cost_flow.SimpleMinCostFlow.BAD_COST_RANGE:
        raise CostRangeError("costs too large for OR-Tools' cost scaling")
    if status != min_cost_flow.SimpleMinCostFlow.OPTIMAL:
        raise RuntimeError(f"min-cost flow failed: {status!r}")
    flows = np.asarray(smcf.flows(np.arange(tails.size, dtype=np.int64)), dtype=np.int64)
    return FlowSolution(tails, heads, caps, costs, flows, int(smcf.maximum_flow()), solve_s)


def split_entities(comp: Component, sol: FlowSolution) -> I64:
    """Entities whose flow is not 'all members on one arc' or 'none': the relaxation split them."""
    fs = sol.ent_flow(comp)
    af = sol.arc_flow(comp)
    bad_arc = (af != 0) & (af != comp.size[comp.arc_ent])
    bad = (fs != 0) & (fs != comp.size)
    bad[comp.arc_ent[bad_arc]] = True
    return np.flatnonzero(bad).astype(np.int64)


def choice_from_flow(comp: Component, sol: FlowSolution) -> I64:
    """Chosen local arc per entity (-1 = unplaced); only valid when nothing is split."""
    choice = np.full(comp.n_ent, -1, dtype=np.int64)
    af = sol.arc_flow(comp)
    full = np.flatnonzero(af == comp.size[comp.arc_ent])
    choice[comp.arc_ent[full]] = full
    return choice


def potentials(sol: FlowSolution, n_nodes: int) -> I64:
    """Node potentials proving optimality: shortest distances in the residual network.

    All nodes start at 0 (a virtual root with 0-cost arcs to every node); Bellman-Ford with
    a frontier then relaxes residual arcs. At an optimal flow the residual network has no
    negative cycle, so this ends, and every residual arc gets a reduced cost >= 0.
    """
    fwd = sol.flows < sol.caps
    bwd = sol.flows > 0
    tail = np.concatenate([sol.tails[fwd], sol.heads[bwd]])
    head = np.concatenate([sol.heads[fwd], sol.tails[bwd]])
    weight = np.concatenate([sol.costs[fwd], -sol.costs[bwd]])
    order = np.argsort(tail, kind="stable")
    tail, head, weight = tail[order], head[order], weight[order]
    indptr = np.zeros(n_nodes + 1, dtype=np.int64)
    np.cumsum(np.bincount(tail, minlength=n_nodes), out=indptr[1:])
    dist = np.zeros(n_nodes, dtype=np.int64)
    frontier = np.arange(n_nodes, dtype=np.int64)
    for _ in range(n_nodes + 1):
        starts = indptr[frontier]
        counts = indptr[frontier + 1] - starts
        n = int(counts.sum())
        if n == 0:
            break
        idx = np.repeat(starts - (np.cumsum(counts) - counts), counts) + np.arange(n, dtype=np.int64)
        cand = dist[tail[idx]] + weight[idx]
        h = head[idx]
        better = cand < dist[h]
        if not better.any():
            break
        h = h[better]
        np.minimum.at(dist, h, cand[better])
        frontier = np.unique(h)
    else:  # pragma: no cover - only on a non-optimal flow
        raise RuntimeError("negative cycle in the residual network: flow not optimal")
    reduced = weight + dist[tail] - dist[head]
    if (reduced < 0).any():  # pragma: no cover - defensive
        raise RuntimeError("potentials do not certify the flow")
    return dist
