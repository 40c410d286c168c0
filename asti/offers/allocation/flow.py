"""One connected component as a min-cost flow (OR-Tools SimpleMinCostFlow), solved tier by tier.

Network: S -> entity (capacity = members) -> unit (capacity = members) -> T (capacity =
places). `solve_max_flow_with_min_cost` places as many children as possible (objective 1).
Objectives 2-4 are then solved one after another on the optimal face of the previous ones:

    stage A: cost(entity -> unit) = -(WK * kept + in_area)     WK = 1 + children with an
                                                                in-area candidate
    stage B: cost(entity -> unit) = distance in metres

WK exceeds any possible change in the in-area count, so stage A is objectives 2 and 3
lexicographically. After stage A, node potentials pi (shortest distances in the residual
network, `potentials`) give every arc a reduced cost rc = cost + pi(tail) - pi(head). A flow
of the same value is optimal for stage A if and only if it carries nothing on arcs with
rc > 0 and saturates arcs with rc < 0 (complementary slackness: for flows of value F,
cost(f) = sum rc * f + constant, and rc * f is minimal arc by arc exactly there). Those arcs
are fixed (their flow becomes node supplies) and stage B runs on the arcs with rc = 0: its
optimum is the lexicographic optimum, with every cost small (no big weights, no rounding).
If stage A's costs do not fit OR-Tools' range, it is split into a kept stage and an in-area
stage. A group's arc carries its members' sums; the per-flow-unit cost is that sum times
L / size, L = lcm of the group sizes, so a whole group costs exactly L times its sum.

`choose_weights` also builds the single combined cost of the three tiers,

    -(W2 * kept + W3 * in_area) + distance,   W3 = 1 + sum of each entity's largest
    candidate distance, W2 = W3 * (1 + children with an in-area candidate),

for the group repair (its certificate and branch-and-bound), only when it fits int64
with OR-Tools' margin (max|cost| * (nodes + 1) < 2^62); otherwise it is None.
"""

from __future__ import annotations

import math
import time
from collections.abc import Sequence
from dataclasses import dataclass, replace

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
    arc_open: npt.NDArray[np.bool_] | None = None  # [A] False = arc closed (branch-and-bound)

    def arc_cap(self) -> I64:
        """Capacity of each entity -> unit arc: the entity's members, 0 when closed."""
        caps = self.size[self.arc_ent]
        return caps if self.arc_open is None else np.where(self.arc_open, caps, 0)

    @property
    def n_ent(self) -> int:
        return int(self.size.size)

    @property
    def n_unit(self) -> int:
        return int(self.cap.size)


@dataclass(frozen=True)
class Weights:
    lcm: int
    w2: int
    w3: int
    dq: I64  # metres per arc (members' sum)
    scale: I64  # L / size per arc: a whole group's flow costs L times its sums
    unit_cost: I64 | None  # combined tiered cost per unit of flow, None when it does not fit int64

    def combined(self) -> I64:
        if self.unit_cost is None:
            raise CostRangeError("the combined tiered cost does not fit int64 for this component")
        return self.unit_cost

    def stage_a(self, comp: Component, *, kept: int, in_area: int) -> I64:
        """Stage-A cost per unit of flow: -(kept * kept count + in_area * in-area count)."""
        return -(np.int64(kept) * comp.kept + np.int64(in_area) * comp.in_area) * self.scale


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
    stages: int = 1
    potentials_s: float = 0.0
    stage_a_pi: I64 | None = None  # node potentials of stage A (kept and own-area as one cost), when so solved

    def ent_flow(self, comp: Component) -> I64:
        return self.flows[: comp.n_ent]

    def arc_flow(self, comp: Component) -> I64:
        return self.flows[comp.n_ent : comp.n_ent + int(comp.arc_ent.size)]

    def unit_load(self, comp: Component) -> I64:
        return self.flows[comp.n_ent + int(comp.arc_ent.size) :]

    def with_costs(self, comp: Component, unit_cost: I64) -> FlowSolution:
        """The same flow priced with other entity -> unit costs (S and T arcs cost 0)."""
        costs = np.zeros_like(self.costs)
        costs[comp.n_ent : comp.n_ent + int(comp.arc_ent.size)] = unit_cost
        return replace(self, costs=costs)


def choose_weights(comp: Component) -> Weights:
    """Group scale, and the combined lexicographic cost when it fits int64 (else None)."""
    lcm = 1
    for s in np.unique(comp.size).tolist():
        lcm = math.lcm(lcm, int(s))
    scale = np.int64(lcm) // comp.size[comp.arc_ent]
    starts = _ent_starts(comp)
    n_nodes = comp.n_ent + comp.n_unit + 2
    n_in = int(np.maximum.reduceat(comp.in_area, starts).sum()) if comp.arc_ent.size else 0
    max_d = int(np.maximum.reduceat(comp.dist, starts).sum()) if comp.arc_ent.size else 0
    w3 = 1 + max_d
    w2 = w3 * (1 + n_in)
    top = max(
        (w2 * int(comp.kept.max(initial=0)) + w3 * int(comp.in_area.max(initial=0))) * lcm,
        int(comp.dist.max(initial=0)) * lcm,
    )
    unit_cost: I64 | None = None
    if top * (n_nodes + 1) < COST_LIMIT:
        unit_cost = (-(np.int64(w2) * comp.kept + np.int64(w3) * comp.in_area) + comp.dist) * scale
    return Weights(lcm, w2, w3, comp.dist, scale, unit_cost)


def stage_a_weights(comp: Component, w: Weights) -> Weights | None:
    """Weights of the tiers 1-3 alone (no distance): the stage-A cost of `solve_lexicographic`,
    -(WK * kept + in_area) with WK = 1 + children with an in-area candidate, as a combined
    cost with W2 = WK, W3 = 1 and metres 0. Integer solutions placing as many children are
    ordered by it exactly as by (kept, in-area). None when it does not fit either."""
    starts = _ent_starts(comp)
    n_in = int(np.maximum.reduceat(comp.in_area, starts).sum()) if comp.arc_ent.size else 0
    cost = w.stage_a(comp, kept=1 + n_in, in_area=1)
    if not _fits(cost, comp.n_ent + comp.n_unit + 2):
        return None
    return replace(w, w2=1 + n_in, w3=1, dq=np.zeros_like(w.dq), unit_cost=cost)


def _ent_starts(comp: Component) -> I64:
    counts = np.bincount(comp.arc_ent, minlength=comp.n_ent)
    return np.asarray(np.cumsum(counts) - counts, dtype=np.int64)


def _network(comp: Component, unit_cost: I64) -> tuple[I64, I64, I64, I64]:
    e_nodes = 2 + np.arange(comp.n_ent, dtype=np.int64)
    u_nodes = 2 + comp.n_ent + np.arange(comp.n_unit, dtype=np.int64)
    tails = np.concatenate([np.zeros(comp.n_ent, dtype=np.int64), e_nodes[comp.arc_ent], u_nodes])
    heads = np.concatenate([e_nodes, u_nodes[comp.arc_unit], np.ones(comp.n_unit, dtype=np.int64)])
    caps = np.concatenate([comp.size, comp.arc_cap(), comp.cap])
    costs = np.concatenate([np.zeros(comp.n_ent, dtype=np.int64), unit_cost, np.zeros(comp.n_unit, dtype=np.int64)])
    return tails, heads, caps, costs


def _fits(costs: I64, n_nodes: int) -> bool:
    return int(np.abs(costs).max(initial=0)) * (n_nodes + 1) < COST_LIMIT


def solve_flow(comp: Component, unit_cost: I64) -> FlowSolution:
    """Max flow with min cost on the component's network (one cost, one OR-Tools solve)."""
    tails, heads, caps, costs = _network(comp, unit_cost)
    if not _fits(costs, comp.n_ent + comp.n_unit + 2):
        raise CostRangeError("costs too large for OR-Tools' cost scaling")
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


def solve_lexicographic(comp: Component, w: Weights, *, split_stage_a: bool = False) -> FlowSolution:
    """The lexicographic optimum of objectives 1-4, stage by stage on optimal faces.

    Stage A (kept, then in-area, as one small cost) is split in two when its costs do not
    fit, or when asked (`split_stage_a`): two solves with costs of a few units each take
    less time than one with costs up to WK (a fifth less on 37 000 children in one
    component), and give the same optimum; only the pricing needs stage A's potentials
    as one cost (`FlowSolution.stage_a_pi`). The distance stage alone always fits.
    """
    starts = _ent_starts(comp)
    n_in = int(np.maximum.reduceat(comp.in_area, starts).sum()) if comp.arc_ent.size else 0
    n_nodes = comp.n_ent + comp.n_unit + 2
    dist_cost = comp.dist * w.scale
    combined = w.stage_a(comp, kept=1 + n_in, in_area=1)
    if not split_stage_a and _fits(combined, n_nodes):
        try:
            return solve_stages(comp, [combined, dist_cost])
        except CostRangeError:
            pass
    return solve_stages(comp, [w.stage_a(comp, kept=1, in_area=0), w.stage_a(comp, kept=0, in_area=1), dist_cost])


def solve_stages(comp: Component, stage_costs: Sequence[I64]) -> FlowSolution:
    """Max flow, then min cost of each stage in turn over the optimal flows of the previous.

    After each stage, arcs whose reduced cost (w.r.t. potentials of its optimal flow) is
    positive are fixed at 0 and those with a negative one at capacity; both hold in every
    optimal flow of that stage, and every flow of the same value that respects them is
    optimal. The next stage moves only the arcs with reduced cost 0. Returns the full
    network priced with the last stage's costs.
    """
    first = solve_flow(comp, stage_costs[0])
    tails, heads, caps, flows = first.tails, first.heads, first.caps, first.flows
    n_nodes = comp.n_ent + comp.n_unit + 2
    total_flow = first.max_flow
    costs = first.costs
    solve_s = first.solve_s
    pot_s = 0.0
    free = np.ones(tails.size, dtype=bool)
    first_pi: I64 | None = None
    for cost in stage_costs[1:]:
        t0 = time.perf_counter()
        idx = np.flatnonzero(free)
        pi = _potentials(tails[idx], heads[idx], caps[idx], costs[idx], flows[idx], n_nodes)
        if first_pi is None:
            first_pi = pi
        rc = costs[idx] + pi[tails[idx]] - pi[heads[idx]]
        if (flows[idx][rc > 0] != 0).any() or (flows[idx][rc < 0] != caps[idx][rc < 0]).any():
            raise RuntimeError("stage flow violates complementary slackness")  # pragma: no cover
        free[idx[rc != 0]] = False
        pot_s += time.perf_counter() - t0
        costs = np.concatenate([np.zeros(comp.n_ent, dtype=np.int64), cost, np.zeros(comp.n_unit, dtype=np.int64)])
        idx = np.flatnonzero(free)
        if not _fits(costs[idx], n_nodes):
            raise CostRangeError("stage costs too large for OR-Tools' cost scaling")
        fixed = np.flatnonzero(~free & (flows > 0))
        supply = np.zeros(n_nodes, dtype=np.int64)
        supply[0], supply[1] = total_flow, -total_flow
        np.add.at(supply, tails[fixed], -flows[fixed])
        np.add.at(supply, heads[fixed], flows[fixed])
        smcf = min_cost_flow.SimpleMinCostFlow()
        smcf.add_arcs_with_capacity_and_unit_cost(tails[idx], heads[idx], caps[idx], costs[idx])
        smcf.set_nodes_supplies(np.arange(n_nodes, dtype=np.int64), supply)
        t1 = time.perf_counter()
        status = smcf.solve()
        solve_s += time.perf_counter() - t1
        if status == min_cost_flow.SimpleMinCostFlow.BAD_COST_RANGE:
            raise CostRangeError("stage costs too large for OR-Tools' cost scaling")
        if status != min_cost_flow.SimpleMinCostFlow.OPTIMAL:  # pragma: no cover - the previous flow is feasible
            raise RuntimeError(f"min-cost flow stage failed: {status!r}")
        flows = flows.copy()
        flows[idx] = np.asarray(smcf.flows(np.arange(idx.size, dtype=np.int64)), dtype=np.int64)
    stage_a_pi = first_pi if len(stage_costs) == 2 else None
    return FlowSolution(tails, heads, caps, costs, flows, total_flow, solve_s, len(stage_costs), pot_s, stage_a_pi)


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


def potentials(sol: FlowSolution, n_nodes: int, max_rounds: int | None = None) -> I64:
    """Node potentials proving the flow optimal (see `_potentials`); RuntimeError when the
    flow is not optimal, found by a negative cycle or by `max_rounds` rounds not settling."""
    return _potentials(sol.tails, sol.heads, sol.caps, sol.costs, sol.flows, n_nodes, max_rounds)


def _potentials(
    tails: I64, heads: I64, caps: I64, costs: I64, flows: I64, n_nodes: int, max_rounds: int | None = None
) -> I64:
    """Node potentials proving optimality: shortest distances in the residual network.

    All nodes start at 0 (a virtual root with 0-cost arcs to every node); Bellman-Ford with
    a frontier then relaxes residual arcs. At an optimal flow the residual network has no
    negative cycle, so this ends, and every residual arc gets a reduced cost >= 0.
    """
    fwd = flows < caps
    bwd = flows > 0
    tail = np.concatenate([tails[fwd], heads[bwd]])
    head = np.concatenate([heads[fwd], tails[bwd]])
    weight = np.concatenate([costs[fwd], -costs[bwd]])
    order = np.argsort(tail, kind="stable")
    tail, head, weight = tail[order], head[order], weight[order]
    indptr = np.zeros(n_nodes + 1, dtype=np.int64)
    np.cumsum(np.bincount(tail, minlength=n_nodes), out=indptr[1:])
    dist = np.zeros(n_nodes, dtype=np.int64)
    frontier = np.arange(n_nodes, dtype=np.int64)
    for _ in range(n_nodes + 1 if max_rounds is None else min(n_nodes + 1, max_rounds)):
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
    else:
        raise RuntimeError("negative cycle in the residual network (or too many rounds): flow not optimal")
    reduced = weight + dist[tail] - dist[head]
    if (reduced < 0).any():  # pragma: no cover - defensive
        raise RuntimeError("potentials do not certify the flow")
    return dist
