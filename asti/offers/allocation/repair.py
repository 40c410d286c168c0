"""Exact repair when the flow relaxation splits a group over units.

The flow with group nodes (supply = group size) is a relaxation of the real problem, where a
group takes one unit or none. When no group is split it is optimal. Otherwise a small
branch-and-bound runs, each node being the flow with some groups pinned (a unit or
unplaced):

1. Node certificate. Potentials pi of the node's optimal flow give reduced costs rc >= 0 on
   every residual arc, and for ANY integer solution x that places the same number F of
   children

       cost(x) - cost(f*) = sum over arcs of rc(a) * (x(a) - f*(a))      (every term >= 0)

   so each entity option (a unit, or unplaced) has a penalty P >= 0 and each unit a penalty
   per place it gains or loses. A solution with total penalty <= tau uses only options with
   P <= tau and keeps the load of every unit whose |rc| > tau. Restricted to those, the
   problem is small. When everyone is placed it falls apart into independent pieces, each
   a min-cost flow whose groups a small branch-and-bound makes whole (`_restricted_pieces`);
   otherwise a MIP (HiGHS, objectives one after another) solves it. If its optimum has
   penalty <= tau it is the node's optimum (anything outside the restriction costs more
   than tau); otherwise tau becomes that penalty and the next round proves it. With an
   incumbent, tau stops below its penalty: a node whose restriction has nothing cheaper
   cannot beat it and is closed.
2. When that would need a large tau (a group that must lose a child's current unit or own
   area: everything with a smaller loss would enter the restriction), the node is branched
   on one fractional arc a of a split group g (kept fractions first): "g takes a" (g pinned)
   or "g does not take a" (a closed). Node bounds: the node's flow is optimal for the
   combined cost C; integer solutions are ordered by C exactly as by their keys, so
   ceil(C / L) decoded into (kept, in-area, metres) bounds every integer solution under the
   node (`_bound`). Best-first, pruned by the incumbent.
3. Node flows are re-optimised from the parent's (else the root's) optimal flow and
   potentials (`_WarmStart`):
   the pinned groups' flow is removed, over-full units are clipped, and the few members of
   imbalance are routed by successive shortest paths (Dijkstra on nonnegative reduced
   costs). The result is checked in exact integers (balanced, within capacities, every
   residual reduced cost >= 0), so it is the node's min-cost flow; a fresh OR-Tools solve
   is used only when the node cannot place everyone (or a path leaves float64's exact range).

A deterministic node budget (by component size) bounds the work; if it runs out, the best
solution found is used and the result is flagged as not proven optimal, with the gap to the
smallest bound of the open nodes (every integer solution not yet ruled out lies under one).
Components over BNB_MAX_ARCS arcs get the local repair alone, with the gap to the root
relaxation's lexicographic bound. Components whose combined tiered cost does not fit int64
run the search on the stage-A cost alone (objectives 1-3, no distance; `_repair_tiers`): it
proves objectives 1-3 or states their gap (tightened, where it stops, by unit-knapsack
bounds on kept and then own-area children: `_tier_bounds`), and the distance tier is bounded
by the root relaxation only when the answer meets the relaxation's objectives 1-3.
"""

from __future__ import annotations

import heapq
import time
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
from ortools.graph.python import min_cost_flow
from scipy.sparse import csr_matrix
from scipy.sparse.csgraph import breadth_first_order, connected_components, dijkstra

from .flow import (
    Component,
    FlowSolution,
    Weights,
    choice_from_flow,
    potentials,
    solve_flow,
    split_entities,
    stage_a_weights,
)
from .flow import solve_lexicographic as solve_flow_lexicographic
from .mip import AssignmentMip, solve_lexicographic

I64 = npt.NDArray[np.int64]
BIG = np.iinfo(np.int64).max
FLOAT_LIMIT = float(2**52)  # path lengths below this are exact in float64
SHORT_LIMIT = float(2**20)  # first Dijkstra radius (most augmenting paths are short)

MAX_RESTRICTED_VARS = 20_000
MAX_ROUNDS = 30
PIECE_WORK = 6_000_000  # arcs x flow solves per restricted problem solved piece by piece
NODE_WORK = 8_000_000  # flow-solve budget = NODE_WORK / arcs, within [8, 400]
BNB_MAX_ARCS = 600_000  # larger components keep the local repair
STAGE_A_MIN_SOLVES = 8  # node solves at least, on the tiers 1-3 search (components beyond int64)

Key = tuple[int, int, int, int]  # (-placed, -kept, -in_area, distance): smaller is better
_Node = tuple[dict[int, int], frozenset[int]]  # pinned group -> arc, closed arcs


class ProofClock:
    """The wall-clock budget of the proof (`allocate(proof_seconds=...)`).

    The answer never depends on it: the search that may change the answer is bounded by
    work counts (node solves, piece work). Past that, the same search may go on to prove
    the answer or tighten its gap until the clock runs out; a better solution it meets
    then only lowers the bound, it does not replace the answer.
    """

    def __init__(self, seconds: float) -> None:
        self.deadline = time.monotonic() + seconds

    def expired(self) -> bool:
        return time.monotonic() >= self.deadline


@dataclass
class RepairResult:
    choice: I64  # local arc per entity, -1 = unplaced
    exact: bool
    mip_solves: int
    extra_flow_solves: int
    note: str | None = None


@dataclass(frozen=True)
class _Penalties:
    p_arc: I64  # option penalty per arc (BIG where not an option)
    p_unplaced: I64
    rc_t: I64  # reduced cost of unit -> T
    load: I64
    cost_star: int
    split: I64
    best: I64  # cheapest option penalty per entity
    rc_a: I64  # reduced cost per member of each entity -> unit arc
    flow_choice: I64  # the node flow's arc per entity that is whole on one arc, else -1


def repair(comp: Component, w: Weights, sol: FlowSolution, proof: ProofClock | None = None) -> RepairResult:
    """An integer solution from the component's lexicographically optimal flow `sol`."""
    split = split_entities(comp, sol)
    mips = 0
    n_arcs = max(1, int(comp.arc_ent.size))
    if w.unit_cost is not None:
        # the lexicographic optimum is also optimal for the combined cost (strict tier weights)
        sol = sol.with_costs(comp, w.unit_cost)
        if _tier_culprit(comp, w, sol, comp, split) < 0:
            choice, mips, _ = _certify(comp, w, _penalties(comp, sol, split), sol.max_flow)
            if choice is not None:
                return RepairResult(choice, True, mips, 0)
    local = local_repair(comp, w, sol)
    mips += int(split.size)
    if w.unit_cost is None:
        return _repair_tiers(comp, w, sol, local, mips, proof)
    if n_arcs > BNB_MAX_ARCS:
        root_bound = _lex_bound(comp, w, sol)
        if _key(comp, w, local) <= root_bound:  # it meets the relaxation's bound: optimal
            return RepairResult(local, True, mips, 0)
        gap = gap_to_bound(_key(comp, w, local), root_bound)
        local_note = (
            f"{split.size} sibling groups settled locally in a component of {n_arcs} arcs: not proven optimal ({gap})"
        )
        return RepairResult(local, False, mips, 0, local_note)
    budget = max(8, min(400, NODE_WORK // n_arcs))
    best, exhausted, used, solves, lower = _branch_and_bound(comp, w, sol, local, budget, proof=proof)
    note = None
    if not exhausted:
        gap = gap_to_bound(_key(comp, w, best), lower)
        note = f"group branch-and-bound stopped after {solves} flow solves: optimality not proven ({gap})"
    return RepairResult(best, exhausted, mips + used, solves, note)


def _repair_tiers(
    comp: Component, w: Weights, sol: FlowSolution, local: I64, mips: int, proof: ProofClock | None = None
) -> RepairResult:
    """Split groups of a component whose combined cost does not fit int64: objectives 1-3 are
    proven by the branch-and-bound on the stage-A cost alone (`stage_a_weights`, no distance);
    the distance tier is bounded by the root relaxation when the answer meets its tiers 1-3.

    The search keeps the local answer unless a node yields one better in objectives 1-3; that
    one's groups are then fixed and the singles re-solved lexicographically (`_polish`), which
    can only improve it. Objectives 1-3 are optimal when the search is exhausted (every
    integer solution not ruled out is no better in them). An integer solution with the
    relaxation's tiers 1-3 is a flow on the relaxation's optimal face, so its distance is at
    least the relaxation's (rounded up): that is the distance bound, else there is none.
    """
    n_arcs = max(1, int(comp.arc_ent.size))
    root = _lex_bound(comp, w, sol)
    if _key(comp, w, local) <= root:  # it meets the relaxation's bound: optimal
        return RepairResult(local, True, mips, 0)
    wa = stage_a_weights(comp, w)
    split = split_entities(comp, sol)
    local = _place_more(comp, local)
    if wa is None:  # pragma: no cover - the stage-A cost fits for any real city
        gap = gap_to_bound(_key(comp, w, local), root)
        note = f"{split.size} sibling groups settled locally ({n_arcs} arcs): not proven optimal ({gap})"
        return RepairResult(local, False, mips, 0, note)
    sol_a = sol.with_costs(comp, wa.combined())
    budget = max(STAGE_A_MIN_SOLVES, min(400, NODE_WORK // n_arcs))
    best, proven, used, solves, lower = _branch_and_bound(comp, wa, sol_a, local, budget, certify=False, proof=proof)
    if best is not local:
        best = _polish(comp, w, wa, best)
    key = _key(comp, w, best)
    if proven:
        lower = (key[0], key[1], key[2], root[3] if key[:3] == root[:3] else -BIG)
    else:
        lower = (lower[0], lower[1], lower[2], root[3] if key[:3] == root[:3] else -BIG)
        if lower[1] < key[1] and key[0] == -sol.max_flow:  # kept not proven: try the unit-knapsack bounds
            bounds = _tier_bounds(comp, w, sol, -key[1])
            if bounds is not None and -bounds[0] > lower[1]:
                in_max = bounds[1]
                lower = (lower[0], -bounds[0], -BIG if in_max is None else -in_max, -BIG)
    if key <= lower:
        return RepairResult(best, True, mips + used, solves)
    gap = gap_to_bound(key, lower)
    how = "proven by" if proven else "not proven optimal after"
    note = (
        f"{split.size} sibling groups in a component of {n_arcs} arcs (combined cost beyond int64), "
        f"{how} a kept/own-area branch-and-bound of {solves} flow solves: {gap}"
    )
    return RepairResult(best, False, mips + used, solves, note)


BOUND_ROUNDS = 300  # Bellman-Ford rounds for a bound's potentials (22-32 needed at 500 000)
IN_AREA_LAMBDAS = (10, 100)  # kept weights tried for the own-area bound, smallest first


def _tier_bounds(comp: Component, w: Weights, sol: FlowSolution, kept_now: int) -> tuple[int, int | None] | None:
    """Upper bounds (kept, own-area given that kept) on every integer solution placing
    `sol.max_flow`; the own-area one only when the kept bound equals `kept_now` (the answer's
    kept count). None when there is no bound to add (no unit below the flow, or no usable
    potentials).

    The relaxation keeps "half a child" where a unit has one place left and a twin group
    with one member at home there. For a set U of such units (those where the integer
    maximum is below the flow's), every integer x satisfies

        lam * kept(x) + a * in_area(x) <= G + lam * sum over u in U of knap(u)

    where knap(u) is the most kept children unit u can hold on its own (a 0-1 knapsack over
    the entities at home there, sizes as weights) and G is the most that
    lam * kept outside U + a * in_area reaches over flows placing as many. With a = 0,
    lam = 1 that bounds kept; with a = 1 and kept(x) = K it bounds in-area by
    G - lam * (K - sum knap). G itself is bounded by weak duality (`_relaxed_max`)."""
    lcm = w.lcm
    af = sol.arc_flow(comp)
    frac = (af > 0) & (af < comp.size[comp.arc_ent]) & (comp.kept > 0)
    units = []
    knap_sum = 0
    kept_arcs = np.flatnonzero(comp.kept > 0)
    kept_arcs = kept_arcs[np.argsort(comp.arc_unit[kept_arcs], kind="stable")]
    kept_ptr = np.searchsorted(comp.arc_unit[kept_arcs], np.arange(comp.n_unit + 1))
    for u in np.unique(comp.arc_unit[frac]).tolist():
        arcs = kept_arcs[kept_ptr[u] : kept_ptr[u + 1]]
        best = _knapsack(comp.size[comp.arc_ent[arcs]], comp.kept[arcs], int(comp.cap[u]))
        if best * lcm < int((af[arcs] * w.scale[arcs] * comp.kept[arcs]).sum()):
            units.append(u)
            knap_sum += best
    if not units:
        return None
    u_star = np.array(units, dtype=np.int64)
    g = _relaxed_max(comp, w, sol, u_star, 1, 0)
    if g is None:
        return None
    kept_max = g + knap_sum
    if kept_max != kept_now:
        return kept_max, None
    for lam in IN_AREA_LAMBDAS:
        g = _relaxed_max(comp, w, sol, u_star, lam, 1)
        if g is not None:
            return kept_max, g - lam * (kept_now - knap_sum)
    return kept_max, None


def _relaxed_max(
    comp: Component, w: Weights, sol: FlowSolution, u_star: I64, lam: int, a: int, hops: int = 2, sweeps: int = 5
) -> int | None:
    """An upper bound (rounded down, in children) on lam * kept outside `u_star` + a * in-area
    over flows placing `sol.max_flow`; None when `sol` is not optimal for that cost with kept
    credit everywhere (no potentials within BOUND_ROUNDS).

    Weak duality: for any node potentials p, min cost >= sum cap * min(0, reduced cost) -
    sum p * supply. The potentials proving `sol` optimal for the cost with kept credit
    everywhere are improved by exact coordinate ascent on the nodes within `hops` arcs of
    `u_star`: each node's term is concave and piecewise linear in its own potential."""
    lcm = w.lcm
    n_ent = comp.n_ent
    n_nodes = 2 + n_ent + comp.n_unit
    kept_cost = -(np.int64(lam) * comp.kept * w.scale)  # per member: a whole child counts lcm
    sol_c = sol.with_costs(comp, kept_cost - np.int64(a) * comp.in_area * w.scale)
    try:
        pi = potentials(sol_c, n_nodes, max_rounds=BOUND_ROUNDS)
    except RuntimeError:  # it trades a fraction of a kept child for in-area children: not optimal here
        return None
    costs = sol_c.costs.copy()
    into = np.flatnonzero(np.isin(comp.arc_unit, u_star))
    costs[n_ent + into] -= kept_cost[into]  # no kept credit in U
    tails, heads, caps = sol_c.tails, sol_c.heads, sol_c.caps
    out_order = np.argsort(tails, kind="stable")
    out_ptr = np.searchsorted(tails[out_order], np.arange(n_nodes + 1))
    in_order = np.argsort(heads, kind="stable")
    in_ptr = np.searchsorted(heads[in_order], np.arange(n_nodes + 1))
    hood = set((2 + n_ent + u_star).tolist())
    for _ in range(hops):
        grown = set(hood)
        for v in hood:
            grown.update(tails[in_order[in_ptr[v] : in_ptr[v + 1]]].tolist())
            grown.update(heads[out_order[out_ptr[v] : out_ptr[v + 1]]].tolist())
        hood = {v for v in grown if v >= 2}  # S and T keep their potentials
    p = pi.copy()
    for _ in range(sweeps):
        moved = False
        for v in sorted(hood):
            a_in = in_order[in_ptr[v] : in_ptr[v + 1]]
            a_out = out_order[out_ptr[v] : out_ptr[v + 1]]
            k_in, m_out = costs[a_in] + p[tails[a_in]], p[heads[a_out]] - costs[a_out]
            t = _best_potential(k_in, caps[a_in], m_out, caps[a_out], int(p[v]))
            if t != p[v]:
                moved = True
                p[v] = t
        if not moved:
            break
    rc = costs + p[tails] - p[heads]
    low = int((caps * np.minimum(0, rc)).sum()) - (int(p[0]) - int(p[1])) * sol.max_flow
    return (-low) // lcm


def _best_potential(k_in: I64, c_in: I64, m_out: I64, c_out: I64, current: int) -> int:
    """argmax over t of sum c_in * min(0, k_in - t) + sum c_out * min(0, t - m_out): a concave
    piecewise-linear function, whose maximum is at a breakpoint where the slope changes sign.
    The slope right of t is -(capacity of in-arcs with k_in <= t) + (capacity of out-arcs with
    m_out > t); the smallest breakpoint where it is <= 0 maximises."""
    points = np.unique(np.concatenate([k_in, m_out]))
    if points.size == 0:
        return current
    o_in = np.argsort(k_in, kind="stable")
    cum_in = np.concatenate([[0], np.cumsum(c_in[o_in])])
    o_out = np.argsort(m_out, kind="stable")
    cum_out = np.concatenate([[0], np.cumsum(c_out[o_out])])
    below_in = cum_in[np.searchsorted(k_in[o_in], points, side="right")]
    above_out = cum_out[-1] - cum_out[np.searchsorted(m_out[o_out], points, side="right")]
    slope = above_out - below_in
    return int(points[int(np.argmax(slope <= 0))])


def _knapsack(weight: I64, value: I64, cap: int) -> int:
    """The most value of items of the given weights within `cap` (0-1, exact)."""
    best = np.zeros(cap + 1, dtype=np.int64)
    for wt, val in zip(weight.tolist(), value.tolist(), strict=True):
        if wt <= cap:
            best[wt:] = np.maximum(best[wt:], best[: cap + 1 - wt] + val)
    return int(best[cap])


def _place_more(comp: Component, choice: I64, max_moves: int = 64) -> I64:
    """`choice` improved along augmenting paths of singles (breadth-first, at most `max_moves`):
    a start single takes an arc that is better for it (any arc when unplaced; else more kept,
    or as many kept and more in-area), each single it displaces takes an arc at least as good
    in (kept, in-area), and the last unit has room. Unplaced singles first: each path then
    places one more child and loses no kept or in-area child; later paths keep everyone placed
    and gain a kept or in-area child. Each path is checked (feasible, a better key)."""
    choice = choice.copy()
    arc_size = comp.size[comp.arc_ent]
    n_ent, n_unit = comp.n_ent, comp.n_unit
    for _ in range(max_moves):
        placed = choice >= 0
        load = np.bincount(comp.arc_unit[choice[placed]], weights=comp.size[placed], minlength=n_unit)
        room = np.flatnonzero(load < comp.cap)
        if room.size == 0:
            break
        cur = choice[comp.arc_ent]
        cur_kept = np.where(cur >= 0, comp.kept[np.maximum(cur, 0)], -1)
        cur_in = np.where(cur >= 0, comp.in_area[np.maximum(cur, 0)], -1)
        single = arc_size == 1
        ok = single & (np.arange(comp.arc_ent.size) != cur)
        ok &= (comp.kept > cur_kept) | ((comp.kept == cur_kept) & (comp.in_area >= cur_in))
        unplaced_arc = cur < 0
        better = ok & ((comp.kept > cur_kept) | (comp.in_area > cur_in))
        movable = np.flatnonzero(placed & (comp.size == 1))
        root = n_ent + n_unit  # a virtual root; start copies follow it: copy of entity e = root + 1 + e
        found = None
        for start_arcs in (np.flatnonzero(single & unplaced_arc), np.flatnonzero(better & ~unplaced_arc)):
            if start_arcs.size == 0:
                continue
            s_ent = np.unique(comp.arc_ent[start_arcs])
            rows = np.concatenate(
                [
                    comp.arc_ent[ok],
                    n_ent + comp.arc_unit[choice[movable]],
                    np.full(s_ent.size, root),
                    root + 1 + comp.arc_ent[start_arcs],
                ]
            )
            cols = np.concatenate(
                [n_ent + comp.arc_unit[ok], movable, root + 1 + s_ent, n_ent + comp.arc_unit[start_arcs]]
            )
            size = root + 1 + n_ent
            graph = csr_matrix((np.ones(rows.size, dtype=np.int8), (rows, cols)), shape=(size, size))
            _, pred = breadth_first_order(graph, root, directed=True, return_predecessors=True)
            reached = room[pred[n_ent + room] >= 0]
            if reached.size:
                found = pred, int(reached[0])
                break
        if found is None:
            break
        pred, last = found
        new = choice.copy()
        v = n_ent + last
        while True:  # v is a unit, pred[v] the entity (or start copy) that moves into it
            e = int(pred[v])
            ent = e - root - 1 if e > root else e
            arcs = np.flatnonzero(comp.arc_ent == ent)
            new[ent] = int(arcs[comp.arc_unit[arcs] == v - n_ent][0])
            if e > root:
                break
            v = int(pred[e])  # the unit e left
        placed = new >= 0
        load = np.bincount(comp.arc_unit[new[placed]], weights=comp.size[placed], minlength=n_unit)
        if (load > comp.cap).any() or _tiers(comp, new) >= _tiers(comp, choice):
            break  # pragma: no cover - a path through a start's own entity: stop here
        choice = new
    return choice


def _tiers(comp: Component, choice: I64) -> tuple[int, int, int]:
    """(-placed, -kept, -in_area) of an integer solution: smaller is better."""
    arcs = choice[choice >= 0]
    return (-int(comp.size[comp.arc_ent[arcs]].sum()), -int(comp.kept[arcs].sum()), -int(comp.in_area[arcs].sum()))


def _polish(comp: Component, w: Weights, wa: Weights, choice: I64) -> I64:
    """`choice` with its groups (entities of 2+ members) fixed and the singles re-solved
    lexicographically: placed, kept, in-area, then distance (no worse in any tier order)."""
    pins = {int(e): int(choice[e]) for e in np.flatnonzero(comp.size > 1)}
    node, _, _ = _apply_pins(comp, wa, pins)
    if (node.cap < 0).any():  # pragma: no cover - choice is feasible
        return choice
    sol = solve_flow_lexicographic(node, w)
    if split_entities(node, sol).size:  # pragma: no cover - only singles are free
        return choice
    out = choice_from_flow(node, sol)
    for e, a in pins.items():
        out[e] = a
    return out if _key(comp, w, out) <= _key(comp, w, choice) else choice


def gap_to_bound(key: Key, bound: Key) -> str:
    """How far an integer solution's key can be from the optimum, by the relaxation's bound."""
    names = ("placed children", "kept children", "children in own area")
    for i in range(4):
        if bound[i] == -BIG and i == 3:
            return "optimal in placed, kept and own-area children; the relaxation does not bound distance"
        if bound[i] == -BIG:
            return (
                f"optimal in {', '.join(names[:i])}; the relaxation does not bound {names[i] if i < 3 else 'distance'}"
            )
        if key[i] != bound[i]:
            if i == 3:
                return (
                    f"optimal in placed, kept and own-area children; "
                    f"total distance at most {key[3] - bound[3]} m above the optimum"
                )
            return f"at most {key[i] - bound[i]} more {names[i]} possible"
    return "equal to the relaxation bound"


def _branch_and_bound(
    comp: Component,
    w: Weights,
    sol: FlowSolution,
    incumbent: I64,
    max_solves: int,
    *,
    certify: bool = True,
    proof: ProofClock | None = None,
) -> tuple[I64, bool, int, int, Key]:
    """Best-first 0-1 branch-and-bound over split groups; (best, proven, MIP rounds, flow
    solves, lower bound on every integer solution's key).

    A node is the relaxation with some groups pinned to an arc and some arcs closed. It
    branches on one arc a of a split group g: "g takes a" (pinned) or "g does not take a"
    (a closed); every integer solution of the node lies in exactly one child.

    The answer is the best solution found within `max_solves` node solves (deterministic).
    With a `proof` clock the search then goes on, to prove that answer or tighten its gap,
    until the clock runs out: what it finds after the budget only prunes and bounds.
    """
    counter = solves = mips = 0

    def answering() -> bool:
        return solves < max_solves

    def out_of_work() -> bool:
        return not answering() and (proof is None or proof.expired())

    warm: _WarmStart | None = None
    if sol.max_flow == int(comp.size.sum()):
        try:
            warm = _WarmStart(comp, sol)
        except RuntimeError:  # pragma: no cover - root flow not optimal for the combined cost
            warm = None  # nodes are then solved afresh
    root: _Node = ({}, frozenset())
    # entries carry the node's flow (and potentials when warm-started): no second solve on pop
    heap: list[tuple[Key, int, int, _Node, tuple[FlowSolution, I64 | None]]] = [
        (_lex_bound(comp, w, sol), 0, 0, root, (sol, None))
    ]
    best_key: Key = _key(comp, w, incumbent)  # the best solution known (prunes the search)
    best_choice = incumbent
    answer, answer_key = incumbent, best_key  # the best found within the work budget
    exhausted = True
    lower = best_key
    while heap:
        bound, depth, _, (pins, closed), (node_sol, node_pi) = heapq.heappop(heap)
        if bound >= best_key:
            break
        if out_of_work():
            exhausted = False
            break
        stop = None if answering() else proof.expired if proof is not None else None
        node, pin_cost, pin_placed = _apply_pins(comp, w, pins, closed)
        split = split_entities(node, node_sol)
        choice: I64 | None = None
        if split.size == 0:
            choice = choice_from_flow(node, node_sol)
        g = _tier_culprit(comp, w, node_sol, node, split) if split.size else -1
        if choice is None and split.size and g < 0 and (pins or closed) and certify:
            pen = _penalties(node, node_sol, split, node_pi)
            cutoff = None  # the incumbent's penalty at this node, when it places as many
            if -best_key[0] == pin_placed + node_sol.max_flow:
                cutoff = _cost(comp, w, best_choice) - pin_cost - pen.cost_star
            choice, used, ruled_out = _certify(node, w, pen, node_sol.max_flow, cutoff, stop)
            mips += used
            if ruled_out:
                continue
            g = int(split[np.argmax(pen.best[split])])
        elif choice is None and split.size and g < 0:
            g = int(split[0])
        if choice is not None:
            for e, a in pins.items():
                choice[e] = a
            key = _key(comp, w, choice)
            if key < best_key:
                best_key, best_choice = key, choice
                if answering():
                    answer, answer_key = choice, key
            continue
        arc = _branch_arc(node, node_sol, g)
        for child_node in (({**pins, g: arc}, closed), (pins, closed | {arc})):
            if out_of_work():
                exhausted = False
                break
            child, _, _ = _apply_pins(comp, w, *child_node)
            if (child.cap < 0).any():
                continue  # the group does not fit there: no integer solution in this child
            child_sol, child_pi = _node_flow(child, w, warm, None if node_pi is None else (node_sol.flows, node_pi))
            solves += 1
            child_bound = _bound(comp, w, child, child_sol, child_node[0])
            if child_bound >= best_key:
                continue
            counter += 1
            heapq.heappush(heap, (child_bound, depth - 1, counter, child_node, (child_sol, child_pi)))
        if not exhausted:
            break
    if not exhausted:  # every integer solution not yet ruled out lies under an open node
        lower = min([bound] + [entry[0] for entry in heap])
    lower = min(lower, best_key)  # a solution found past the work budget only bounds the answer
    return answer, lower >= answer_key, mips, solves, lower


def _branch_arc(node: Component, sol: FlowSolution, g: int) -> int:
    """The arc of split group g to branch on: a fractional one, kept first, then in-area,
    then the one with most flow (lowest index on ties)."""
    arcs = np.flatnonzero(node.arc_ent == g)
    af = sol.arc_flow(node)[arcs]
    frac = (af > 0) & (af < node.size[g])
    rank = np.lexsort((arcs, -af, -node.in_area[arcs], -node.kept[arcs], ~frac))
    return int(arcs[rank[0]])


def _node_flow(
    node: Component, w: Weights, warm: _WarmStart | None, base: tuple[I64, I64] | None = None
) -> tuple[FlowSolution, I64 | None]:
    """The node's relaxation: warm-started from its parent's (else the root's) optimal flow
    and potentials when possible, else a fresh solve."""
    if warm is not None:
        out = warm.solve(node, base)
        if out is not None:
            return out
    return solve_flow(node, w.combined()), None


def _key(comp: Component, w: Weights, choice: I64) -> Key:
    """(-placed, -kept, -in_area, distance quanta) of an integer solution: smaller is better."""
    arcs = choice[choice >= 0]
    return (
        -int(comp.size[comp.arc_ent[arcs]].sum()),
        -int(comp.kept[arcs].sum()),
        -int(comp.in_area[arcs].sum()),
        int(w.dq[arcs].sum()),
    )


def _lex_bound(comp: Component, w: Weights, sol: FlowSolution) -> Key:
    """Lower bound on every integer solution's key from the root's lexicographically optimal
    flow: it maximises placed, then kept, then in-area, then minimises metres, possibly with
    fractions of groups. Integer solutions have integer tiers, so each tier rounds towards
    them; a tier below a fractional one is unbounded."""
    lcm = w.lcm
    af = sol.arc_flow(comp) * (lcm // comp.size[comp.arc_ent])
    kept, in_area, dist = (int((af * comp.kept).sum()), int((af * comp.in_area).sum()), int((af * w.dq).sum()))
    low = -BIG
    if kept % lcm:
        return (-sol.max_flow, -(kept // lcm), low, low)
    if in_area % lcm:
        return (-sol.max_flow, -(kept // lcm), -(in_area // lcm), low)
    return (-sol.max_flow, -(kept // lcm), -(in_area // lcm), -(-dist // lcm))


def _bound(comp: Component, w: Weights, node: Component, sol: FlowSolution, pins: dict[int, int]) -> Key:
    """Lexicographic lower bound on the keys of the integer solutions under a node.

    The node's flow is optimal for the combined cost C = -(W2 * kept + W3 * in_area) + metres
    (flow-scaled: a whole group counts L times), possibly with fractions of groups. An integer
    solution x placing as many children has C(x) = L * c(x), c(x) = -W2 kept - W3 in_area +
    metres, and c orders integer solutions exactly as their keys do (0 <= metres < W3, 0 <=
    in_area <= n_in, W2 = W3 (1 + n_in)). So c(x) >= ceil(C(flow) / L), and that integer,
    decoded into (kept, in_area, metres), bounds key(x). Exact Python integers throughout.
    """
    lcm = w.lcm
    scale = lcm // comp.size[comp.arc_ent]
    af = sol.arc_flow(node) * scale
    placed = sol.max_flow
    tiers = [int((af * comp.kept).sum()), int((af * comp.in_area).sum()), int((af * w.dq).sum())]
    for e, a in pins.items():
        if a >= 0:
            placed += int(comp.size[e])
            tiers[0] += int(comp.kept[a]) * lcm
            tiers[1] += int(comp.in_area[a]) * lcm
            tiers[2] += int(w.dq[a]) * lcm
    kept, in_area, dist = tiers
    n_in = w.w2 // w.w3 - 1
    total = -w.w2 * kept - w.w3 * in_area + dist
    c = -(-total // lcm)
    top, rem = divmod(c + w.w3 * n_in, w.w2)
    return (-placed, top, -(n_in - rem // w.w3), rem % w.w3)


def _tier_culprit(comp: Component, w: Weights, sol: FlowSolution, node: Component, split: I64) -> int:
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


def _cost(comp: Component, w: Weights, choice: I64) -> int:
    arcs = choice[choice >= 0]
    return int((w.combined()[arcs] * comp.size[comp.arc_ent[arcs]]).sum())


def _flow_cost(sol: FlowSolution) -> int:
    return int((sol.costs * sol.flows).sum())


def _apply_pins(
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


def _options(node: Component, g: int) -> list[int]:
    """Arcs of entity g that fit the node's capacities, then -1 (unplaced)."""
    arcs = np.flatnonzero(node.arc_ent == g)
    if node.arc_open is not None:
        arcs = arcs[node.arc_open[arcs]]
    return [int(a) for a in arcs.tolist() if node.cap[node.arc_unit[a]] >= node.size[g]] + [-1]


def _penalties(node: Component, sol: FlowSolution, split: I64, pi: I64 | None = None) -> _Penalties:
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
    return _Penalties(p_arc, p_unplaced, rc_t, load, _flow_cost(sol), split, best, rc_a, choice_from_flow(node, sol))


def _certify(
    node: Component,
    w: Weights,
    pen: _Penalties,
    f_total: int,
    cutoff: int | None = None,
    stop: Callable[[], bool] | None = None,
) -> tuple[I64 | None, int, bool]:
    """(the node's exact optimum or None, restricted solves, ruled out).

    The optimum comes from restricted problems of growing tau; None when tau would grow too
    large. `cutoff` is the incumbent's penalty at this node: solutions with that penalty or
    more are no better. Tau then stops at cutoff - 1, and "ruled out" is True when no
    solution of the node has a penalty below it (the node cannot beat the incumbent).
    """
    tau = max(int(pen.best[pen.split].sum()), w.lcm)  # no solution has a smaller penalty
    tau_limit = w.w3 * w.lcm  # past this, options that lose a child's own area would enter
    real = pen.p_arc[pen.p_arc < BIG]
    levels = np.unique(np.concatenate([real, pen.p_unplaced]))
    p_max = int(levels[-1])
    top = BIG if cutoff is None else cutoff - 1  # every solution worth finding has penalty <= top
    if top < 0:
        return None, 0, True
    tau = min(tau, top)
    used = 0
    for _ in range(MAX_ROUNDS):
        if tau >= tau_limit:
            return None, used, False
        allowed_arc = pen.p_arc <= tau
        allowed_unp = pen.p_unplaced <= tau
        if stop is not None and stop():
            return None, used, False
        outcome = _restricted(node, w, pen, allowed_arc, allowed_unp, tau, f_total, top + 1, stop)
        if isinstance(outcome, str) and outcome != "cutoff":
            return None, used, False
        used += 1
        if outcome is None or isinstance(outcome, str):  # infeasible, or nothing below the cutoff
            if tau >= top:
                return None, used, True
            if isinstance(outcome, str):
                tau = top
                continue
            if tau >= p_max:
                return None, used, False  # no way to place f_total children: branch
            nxt = int(levels[np.searchsorted(levels, tau, side="right")])
            tau = min(max(tau * 4, nxt), top)
            continue
        penalty = _cost(node, w, outcome) - pen.cost_star
        if penalty <= tau:
            return outcome, used, False
        if tau >= top:
            return None, used, True  # the restricted optimum is past the cutoff
        tau = min(penalty, top)
    return None, used, False


def _restricted(
    comp: Component,
    w: Weights,
    pen: _Penalties,
    allowed_arc: npt.NDArray[np.bool_],
    allowed_unp: npt.NDArray[np.bool_],
    tau: int,
    f_total: int,
    limit: int = BIG,
    stop: Callable[[], bool] | None = None,
) -> I64 | str | None:
    """Solve the restricted problem: a choice, None (infeasible), 'cutoff' (every solution
    has a penalty of at least `limit`; checked only when everyone is placed) or 'too_big'
    (too many variables, or the MIP solver failed: the caller branches instead)."""
    if f_total == int(comp.size.sum()):
        return _restricted_pieces(comp, pen, allowed_arc, tau, limit, stop)
    n_opts = np.bincount(comp.arc_ent[allowed_arc], minlength=comp.n_ent) + allowed_unp
    if (n_opts == 0).any():
        return None
    fixed = n_opts == 1
    free = ~fixed
    # entities with a single option: that option, taken as given
    fixed_arcs = np.flatnonzero(allowed_arc & fixed[comp.arc_ent])
    fixed_load = np.bincount(
        comp.arc_unit[fixed_arcs], weights=comp.size[comp.arc_ent[fixed_arcs]], minlength=comp.n_unit
    ).astype(np.int64)
    fixed_placed = int(fixed_load.sum())
    locked = np.abs(pen.rc_t) > tau
    hi = np.where(locked, pen.load, comp.cap) - fixed_load
    lo = np.where(locked, pen.load - fixed_load, 0)
    if (hi < 0).any() or (lo < 0).any():
        return None
    var_arcs = np.flatnonzero(allowed_arc & free[comp.arc_ent])
    if var_arcs.size > MAX_RESTRICTED_VARS:
        return "too_big"
    free_ents = np.flatnonzero(free)
    local = np.full(comp.n_ent, -1, dtype=np.int64)
    local[free_ents] = np.arange(free_ents.size, dtype=np.int64)
    mip = AssignmentMip(
        n_ent=int(free_ents.size),
        n_unit=comp.n_unit,
        opt_ent=local[comp.arc_ent[var_arcs]],
        opt_unit=comp.arc_unit[var_arcs],
        opt_size=comp.size[comp.arc_ent[var_arcs]],
        must_place=~allowed_unp[free_ents],
        unit_lo=lo,
        unit_hi=hi,
        total=f_total - fixed_placed,
    )
    try:
        sub = solve_lexicographic(
            mip, [(comp.kept[var_arcs], True), (comp.in_area[var_arcs], True), (w.dq[var_arcs], False)]
        )
    except RuntimeError:  # HiGHS gave up on this restriction: no certificate here (branch instead)
        return "too_big"
    if sub is None:
        return None
    choice = np.full(comp.n_ent, -1, dtype=np.int64)
    choice[comp.arc_ent[fixed_arcs]] = fixed_arcs
    picked = sub >= 0
    choice[free_ents[picked]] = var_arcs[sub[picked]]
    return choice


def _restricted_pieces(
    comp: Component,
    pen: _Penalties,
    allowed_arc: npt.NDArray[np.bool_],
    tau: int,
    limit: int = BIG,
    stop: Callable[[], bool] | None = None,
) -> I64 | str | None:
    """The restricted problem when everyone is placed, solved piece by piece with flows.

    Every entity takes one allowed option. An entity with one allowed option (never a split
    group) keeps it: it is the node flow's own arc. The others fall apart into pieces
    (connected over their allowed arcs). Pieces share no entity and no unit, and when every
    entity is placed no constraint links them either, so the lexicographic optimum is each
    piece's optimum put together. A piece without a split group keeps the node flow's
    choice: it is integral there and has penalty 0, the least possible. A piece with one is
    the node's min-cost flow on the piece alone (reduced costs; a locked unit keeps its
    load) with its groups made whole by a small branch-and-bound (`_piece_optimum`): on the
    penalty, whose order is the keys' order, so one solve per node covers all tiers.
    """
    active = comp.size > 0
    allowed = allowed_arc & active[comp.arc_ent]
    n_opts = np.bincount(comp.arc_ent[allowed], minlength=comp.n_ent)
    if (n_opts[active] == 0).any():
        return None
    is_split = np.zeros(comp.n_ent, dtype=bool)
    is_split[pen.split] = True
    free = ((n_opts > 1) | is_split) & active
    fixed_arcs = np.flatnonzero(allowed & ~free[comp.arc_ent])
    fixed_load = np.bincount(
        comp.arc_unit[fixed_arcs], weights=comp.size[comp.arc_ent[fixed_arcs]], minlength=comp.n_unit
    ).astype(np.int64)
    locked = np.abs(pen.rc_t) > tau
    var = np.flatnonzero(allowed & free[comp.arc_ent])
    in_piece = np.bincount(comp.arc_unit[var], minlength=comp.n_unit) > 0
    if (fixed_load > comp.cap).any() or (locked & ~in_piece & (fixed_load != pen.load)).any():
        return None
    if (locked & (fixed_load > pen.load)).any():
        return None
    choice = np.full(comp.n_ent, -1, dtype=np.int64)
    choice[comp.arc_ent[fixed_arcs]] = fixed_arcs
    free_ents = np.flatnonzero(free)
    choice[free_ents] = pen.flow_choice[free_ents]
    n_ent = comp.n_ent
    graph = csr_matrix(
        (np.ones(var.size, dtype=np.int8), (comp.arc_ent[var], n_ent + comp.arc_unit[var])),
        shape=(n_ent + comp.n_unit, n_ent + comp.n_unit),
    )
    _, label = connected_components(graph, directed=False)
    piece_of_var = label[comp.arc_ent[var]]
    work = spent = 0
    for piece in np.unique(label[pen.split]).tolist():
        arcs = var[piece_of_var == piece]
        out = _piece_optimum(comp, pen, arcs, locked, fixed_load, PIECE_WORK - work, limit - spent, stop)
        if out is None or isinstance(out, str):
            return out
        picked, penalty, used = out
        work += used
        spent += penalty
        choice[comp.arc_ent[picked]] = picked
    return choice


def _piece_optimum(
    comp: Component,
    pen: _Penalties,
    arcs: I64,
    locked: npt.NDArray[np.bool_],
    fixed_load: I64,
    budget: int,
    limit: int = BIG,
    stop: Callable[[], bool] | None = None,
) -> tuple[I64, int, int] | str | None:
    """(the arc each entity of one piece takes, its penalty, work spent) at least penalty;
    None when the piece has no solution, 'too_big' past `budget` (arcs x flow solves),
    'cutoff' when its penalty is `limit` or more.

    The piece's min-cost flow: each entity sends its members over its allowed arcs (cost
    per member: the arc's reduced cost, less the entity's cheapest, a constant since every
    member is placed); a locked unit absorbs exactly its load, an unlocked one at most its
    room at its reduced cost. Groups are made whole by best-first 0-1 branching: "g takes
    arc a" (g's other arcs closed) or "g does not take a", on the first fractional group and
    its arc with most flow. The flow cost bounds every whole solution under a node."""
    ents, ent_loc = np.unique(comp.arc_ent[arcs], return_inverse=True)
    units, unit_loc = np.unique(comp.arc_unit[arcs], return_inverse=True)
    n_e, n_u, n_a = int(ents.size), int(units.size), int(arcs.size)
    size = comp.size[ents]
    sink = n_e + n_u
    open_units = np.flatnonzero(~locked[units])
    shut_units = np.flatnonzero(locked[units])
    demand = pen.load[units] - fixed_load[units]
    room = comp.cap[units] - fixed_load[units]
    rc = pen.rc_a[arcs]
    cheapest = np.full(n_e, BIG, dtype=np.int64)
    np.minimum.at(cheapest, ent_loc, rc)
    tails = np.concatenate([ent_loc, n_e + open_units]).astype(np.int64)
    heads = np.concatenate([n_e + unit_loc, np.full(open_units.size, sink)]).astype(np.int64)
    costs = np.concatenate([rc - cheapest[ent_loc], pen.rc_t[units[open_units]]]).astype(np.int64)
    base_caps = np.concatenate([size[ent_loc], room[open_units]]).astype(np.int64)
    supply = np.zeros(sink + 1, dtype=np.int64)
    supply[:n_e] = size
    supply[n_e + shut_units] = -demand[shut_units]
    supply[sink] = -(int(size.sum()) - int(demand[shut_units].sum()))
    nodes = np.arange(sink + 1, dtype=np.int64)
    work = 0

    def solve(open_arc: npt.NDArray[np.bool_]) -> tuple[int, I64] | None:
        smcf = min_cost_flow.SimpleMinCostFlow()
        caps = base_caps.copy()
        caps[:n_a][~open_arc] = 0
        smcf.add_arcs_with_capacity_and_unit_cost(tails, heads, caps, costs)
        smcf.set_nodes_supplies(nodes, supply)
        if smcf.solve() != min_cost_flow.SimpleMinCostFlow.OPTIMAL:
            return None
        return int(smcf.optimal_cost()), np.asarray(smcf.flows(np.arange(n_a, dtype=np.int64)), dtype=np.int64)

    root_open = np.ones(n_a, dtype=bool)
    root = solve(root_open)
    work += n_a
    if root is None:
        return None
    heap: list[tuple[int, int, npt.NDArray[np.bool_], I64]] = [(root[0], 0, root_open, root[1])]
    counter = 0
    best: tuple[int, I64] | None = None
    while heap:
        bound, _, open_arc, flows = heapq.heappop(heap)
        if best is not None and bound >= best[0]:
            break
        if bound - root[0] >= limit:  # the piece's own relaxation is at penalty 0 (the node flow)
            return "cutoff"
        whole = (flows == 0) | (flows == size[ent_loc])
        frac = np.flatnonzero(~whole)
        if frac.size == 0:
            best = (bound, flows)
            continue
        g = int(ent_loc[frac[0]])
        g_arcs = np.flatnonzero(ent_loc == g)
        a = int(g_arcs[np.argmax(flows[g_arcs])])
        take = open_arc.copy()
        take[g_arcs] = False
        take[a] = True
        avoid = open_arc.copy()
        avoid[a] = False
        for child in (take, avoid):
            if work + n_a > budget or (stop is not None and stop()):
                return "too_big"
            out = solve(child)
            work += n_a
            if out is None or (best is not None and out[0] >= best[0]):
                continue
            counter += 1
            heapq.heappush(heap, (out[0], counter, child, out[1]))
    if best is None:
        return None
    on = np.flatnonzero(best[1] > 0)
    return arcs[on], best[0] - root[0], work


class _WarmStart:
    """Re-optimises branch-and-bound nodes from the root's optimal flow and potentials.

    Applicable when the root flow places every member (S -> entity arcs saturated): a node
    (some entities pinned: size 0, their unit's places taken) is then the min-cost flow
    with fixed supplies (each entity sends its members, T absorbs them all). The root flow
    with the pinned entities' flow removed and over-full units clipped keeps every residual
    reduced cost >= 0 under the root potentials; the imbalances it leaves (a few members per
    pinned group) are removed by successive shortest paths (Dijkstra on reduced costs,
    potentials updated by min(d, D)). The result is checked in exact integers: balanced,
    within capacities, every residual reduced cost >= 0, so it is a min-cost flow of the
    node that places everyone, i.e. the node's relaxation (max flow, then min cost). None
    when the node cannot place everyone (or a distance leaves the exact float range): the
    caller then solves the node from scratch.
    """

    def __init__(self, comp: Component, sol: FlowSolution) -> None:
        self.comp = comp
        self.sol = sol
        n_ent = comp.n_ent
        self.n_nodes = 2 + n_ent + comp.n_unit
        self.pi = potentials(sol, self.n_nodes)
        arcs = np.arange(n_ent, sol.tails.size, dtype=np.int64)  # S -> entity arcs are fixed
        rows = np.concatenate([sol.tails[arcs], sol.heads[arcs]])
        cols = np.concatenate([sol.heads[arcs], sol.tails[arcs]])
        order = np.lexsort((cols, rows))
        self.edge_arc = np.concatenate([arcs, arcs])[order]
        self.edge_fwd = np.concatenate([np.ones(arcs.size, bool), np.zeros(arcs.size, bool)])[order]
        self.edge_sign = np.where(self.edge_fwd, 1, -1).astype(np.int64)
        self.edge_cost = sol.costs[self.edge_arc] * self.edge_sign
        self.edge_from = rows[order]
        self.edge_to = cols[order]
        self.indices = cols[order].astype(np.int32)
        self.indptr = np.zeros(self.n_nodes + 1, dtype=np.int32)
        np.cumsum(np.bincount(rows, minlength=self.n_nodes), out=self.indptr[1:])

    def residual_graph(self, caps: I64, flows: I64, pi: I64) -> tuple[csr_matrix, I64]:
        """The residual network weighted by reduced costs (float; non-residual edges above
        FLOAT_LIMIT), and each edge's residual capacity."""
        arc = self.edge_arc
        resid = np.where(self.edge_fwd, caps[arc] - flows[arc], flows[arc])
        rc = self.edge_cost + pi[self.edge_from] - pi[self.edge_to]
        weight = np.where(resid > 0, rc, 0).astype(float)
        weight[resid <= 0] = FLOAT_LIMIT * 2
        return csr_matrix((weight, self.indices, self.indptr), shape=(self.n_nodes, self.n_nodes)), resid

    def solve(self, node: Component, base: tuple[I64, I64] | None = None) -> tuple[FlowSolution, I64] | None:
        """The node's optimal flow and potentials, from `base` (flows and potentials of an
        ancestor node's optimal flow; the root's by default). None: solve it afresh."""
        comp, sol = self.comp, self.sol
        n_ent = comp.n_ent
        if sol.max_flow != int(comp.size.sum()):
            return None
        t0 = time.perf_counter()
        base_flows, base_pi = base if base is not None else (sol.flows, self.pi)
        caps = np.concatenate([node.size, node.arc_cap(), node.cap])
        flows = np.minimum(base_flows, caps)
        flows[:n_ent] = node.size
        total = int(node.size.sum())
        inner = flows[n_ent:].astype(float)  # member counts: exact in float64
        imb = np.rint(
            np.bincount(sol.heads[n_ent:], weights=inner, minlength=self.n_nodes)
            - np.bincount(sol.tails[n_ent:], weights=inner, minlength=self.n_nodes)
        ).astype(np.int64)
        imb[2 : 2 + n_ent] += node.size
        imb[1] -= total
        pi = base_pi.copy()
        arc = self.edge_arc
        while (imb > 0).any():
            graph, resid = self.residual_graph(caps, flows, pi)
            sources = np.flatnonzero(imb > 0)
            for limit in (SHORT_LIMIT, FLOAT_LIMIT):
                dist, pred, _ = dijkstra(graph, indices=sources, min_only=True, limit=limit, return_predecessors=True)
                sinks = np.flatnonzero((imb < 0) & np.isfinite(dist))
                if sinks.size:
                    break
            else:
                return None
            t = int(sinks[np.argmin(dist[sinks])])
            d_t = dist[t]
            path = []
            v = t
            while pred[v] >= 0:
                u = int(pred[v])
                lo, hi = self.indptr[u], self.indptr[u + 1]
                path.append(lo + int(np.searchsorted(self.indices[lo:hi], v)))
                v = u
            p = np.array(path, dtype=np.int64)
            delta = int(min(imb[v], -imb[t], int(resid[p].min()) if p.size else BIG))
            flows[arc[p]] += delta * self.edge_sign[p]  # a shortest path uses each arc once
            imb[v] -= delta
            imb[t] += delta
            pi += np.rint(np.minimum(np.where(np.isfinite(dist), dist, d_t), d_t)).astype(np.int64)
        # S -> entity arcs are all saturated: S at or below every supplying entity's potential
        supplying = 2 + np.flatnonzero(node.size > 0)
        pi[0] = int(pi[supplying].min()) if supplying.size else 0
        costs = sol.costs
        rc_all = costs + pi[sol.tails] - pi[sol.heads]
        ok = ((flows >= caps) | (rc_all >= 0)) & ((flows <= 0) | (rc_all <= 0)) & (flows >= 0) & (flows <= caps)
        if (imb != 0).any() or not ok.all():  # pragma: no cover - defensive
            return None
        out = FlowSolution(sol.tails, sol.heads, caps, costs, flows, total, time.perf_counter() - t0)
        return out, pi


def local_repair(comp: Component, w: Weights, sol: FlowSolution) -> I64:
    """An integer solution near the flow: each split group, one at a time, is settled by a
    small lexicographic MIP over the units it touches and the entities placed there (all
    their options open, every other entity kept where it is). Not a proof of optimality."""
    choice = choice_from_flow(comp, sol)
    split = split_entities(comp, sol)
    choice[split] = -1
    af = sol.arc_flow(comp)
    starts = np.searchsorted(comp.arc_ent, np.arange(comp.n_ent + 1))
    unit_of = np.where(choice >= 0, comp.arc_unit[np.maximum(choice, 0)], -1)
    load = np.bincount(unit_of[unit_of >= 0], weights=comp.size[unit_of >= 0], minlength=comp.n_unit)
    load = load.astype(np.int64)
    for g in split.tolist():
        arcs_g = np.arange(starts[g], starts[g + 1])
        touched = np.unique(comp.arc_unit[arcs_g[(af[arcs_g] > 0) | (comp.kept[arcs_g] > 0)]])
        ents = np.union1d([g], np.flatnonzero(np.isin(unit_of, touched)))
        counts = starts[ents + 1] - starts[ents]
        opt = np.repeat(starts[ents] - (np.cumsum(counts) - counts), counts) + np.arange(int(counts.sum()))
        local_ent = np.repeat(np.arange(ents.size), counts)
        units, opt_unit = np.unique(comp.arc_unit[opt], return_inverse=True)
        own = np.bincount(
            unit_of[ents][unit_of[ents] >= 0], weights=comp.size[ents][unit_of[ents] >= 0], minlength=comp.n_unit
        ).astype(np.int64)
        room = comp.cap[units] - load[units] + own[units]
        mip = AssignmentMip(
            n_ent=int(ents.size),
            n_unit=int(units.size),
            opt_ent=local_ent,
            opt_unit=opt_unit.astype(np.int64),
            opt_size=comp.size[comp.arc_ent[opt]],
            must_place=np.zeros(ents.size, dtype=bool),
            unit_lo=np.zeros(units.size, dtype=np.int64),
            unit_hi=room,
            total=None,
        )
        objectives = [
            (comp.size[comp.arc_ent[opt]], True),
            (comp.kept[opt], True),
            (comp.in_area[opt], True),
            (w.dq[opt], False),
        ]
        sub = solve_lexicographic(mip, objectives)
        if sub is None:  # pragma: no cover - leaving everyone where they were is feasible
            continue
        load -= own
        new = np.where(sub >= 0, opt[np.maximum(sub, 0)], -1)
        choice[ents] = new
        unit_of[ents] = np.where(new >= 0, comp.arc_unit[np.maximum(new, 0)], -1)
        placed = unit_of[ents] >= 0
        np.add.at(load, unit_of[ents][placed], comp.size[ents][placed])
    return choice
