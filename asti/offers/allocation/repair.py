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
   problem is small: a MIP (HiGHS, objectives one after another) solves it. If its optimum
   has penalty <= tau it is the node's optimum (anything outside the restriction costs more
   than tau); otherwise tau becomes that penalty and the next round proves it.
2. When that would need a large tau (a group that must lose a child's current unit or own
   area: everything with a smaller loss would enter the restriction), the node branches on
   the group with the dearest cheapest option: one child node per option. Bounds: every
   split group pays at least its cheapest option's penalty, so a node costs at least its
   flow cost plus the sum of those (a child: with the branched group's chosen option
   instead). Best-first, pruned by the incumbent.

A deterministic node budget (by component size) bounds the work; if it runs out, the best
solution found is used and the result is flagged as not proven optimal. Components over
BNB_MAX_ARCS arcs, or whose combined tiered cost does not fit int64, get the local repair
alone. Either way the note states the gap to the relaxation's lexicographic bound.
"""

from __future__ import annotations

import heapq
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from .flow import Component, FlowSolution, Weights, choice_from_flow, potentials, solve_flow, split_entities
from .mip import AssignmentMip, solve_lexicographic

I64 = npt.NDArray[np.int64]
BIG = np.iinfo(np.int64).max

MAX_RESTRICTED_VARS = 20_000
MAX_ROUNDS = 30
NODE_WORK = 8_000_000  # flow-solve budget = NODE_WORK / arcs, within [8, 400]
BNB_MAX_ARCS = 150_000  # larger components keep the local repair

Key = tuple[int, int, int, int]  # (-placed, -kept, -in_area, distance): smaller is better


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


def repair(comp: Component, w: Weights, sol: FlowSolution) -> RepairResult:
    """An integer solution from the component's lexicographically optimal flow `sol`."""
    split = split_entities(comp, sol)
    mips = 0
    n_arcs = max(1, int(comp.arc_ent.size))
    if w.unit_cost is not None:
        # the lexicographic optimum is also optimal for the combined cost (strict tier weights)
        sol = sol.with_costs(comp, w.unit_cost)
        if _tier_culprit(comp, w, sol, comp, split) < 0:
            choice, mips = _certify(comp, w, _penalties(comp, sol, split), sol.max_flow)
            if choice is not None:
                return RepairResult(choice, True, mips, 0)
    local = local_repair(comp, w, sol)
    mips += int(split.size)
    if w.unit_cost is None or n_arcs > BNB_MAX_ARCS:
        gap = gap_to_bound(_key(comp, w, local), _bound(comp, w, comp, sol, {}))
        local_note = (
            f"{split.size} sibling groups settled locally in a component of {n_arcs} arcs: not proven optimal ({gap})"
        )
        return RepairResult(local, False, mips, 0, local_note)
    best, exhausted, used, solves = _branch_and_bound(comp, w, sol, local, max(8, min(400, NODE_WORK // n_arcs)))
    note = None
    if not exhausted:
        gap = gap_to_bound(_key(comp, w, best), _bound(comp, w, comp, sol, {}))
        note = f"group branch-and-bound stopped after {solves} flow solves: optimality not proven ({gap})"
    return RepairResult(best, exhausted, mips + used, solves, note)


def gap_to_bound(key: Key, bound: Key) -> str:
    """How far an integer solution's key can be from the optimum, by the relaxation's bound."""
    names = ("placed children", "kept children", "children in own area")
    for i in range(4):
        if bound[i] == -BIG:
            return (
                f"optimal in {', '.join(names[:i])}; the relaxation does not bound {names[i] if i < 3 else 'distance'}"
            )
        if key[i] != bound[i]:
            if i == 3:
                return f"total distance at most {key[3] - bound[3]} m above the optimum"
            return f"at most {key[i] - bound[i]} more {names[i]} possible"
    return "equal to the relaxation bound"


def _branch_and_bound(
    comp: Component, w: Weights, sol: FlowSolution, incumbent: I64, max_solves: int
) -> tuple[I64, bool, int, int]:
    """Best-first branch-and-bound over split groups; (best, proven, MIP rounds, flow solves)."""
    counter = solves = mips = 0
    heap: list[tuple[Key, int, int, dict[int, int]]] = [(_bound(comp, w, comp, sol, {}), 0, 0, {})]
    best_key: Key = _key(comp, w, incumbent)
    best_choice = incumbent
    exhausted = True
    while heap:
        bound, depth, _, pins = heapq.heappop(heap)
        if bound >= best_key:
            break
        if solves >= max_solves:
            exhausted = False
            break
        node, _, _ = _apply_pins(comp, w, pins)
        if pins:
            node_sol = solve_flow(node, w.combined())
            solves += 1
        else:
            node_sol = sol
        split = split_entities(node, node_sol)
        choice: I64 | None = None
        if split.size == 0:
            choice = choice_from_flow(node, node_sol)
        g = _tier_culprit(comp, w, node_sol, node, split) if split.size else -1
        if split.size and g < 0 and pins:
            pen = _penalties(node, node_sol, split)
            choice, used = _certify(node, w, pen, node_sol.max_flow)
            mips += used
            g = int(split[np.argmax(pen.best[split])])
        elif split.size and g < 0:
            g = int(split[0])
        if choice is not None:
            for e, a in pins.items():
                choice[e] = a
            key = _key(comp, w, choice)
            if key < best_key:
                best_key, best_choice = key, choice
            continue
        # strong branching: every option of g, each child bounded by its own flow
        for arc in _options(node, g):
            if solves >= max_solves:
                exhausted = False
                break
            child_pins = {**pins, g: arc}
            child, _, _ = _apply_pins(comp, w, child_pins)
            child_sol = solve_flow(child, w.combined())
            solves += 1
            child_bound = _bound(comp, w, child, child_sol, child_pins)
            if child_bound >= best_key:
                continue
            counter += 1
            heapq.heappush(heap, (child_bound, depth - 1, counter, child_pins))
    return best_choice, exhausted, mips, solves


def _key(comp: Component, w: Weights, choice: I64) -> Key:
    """(-placed, -kept, -in_area, distance quanta) of an integer solution: smaller is better."""
    arcs = choice[choice >= 0]
    return (
        -int(comp.size[comp.arc_ent[arcs]].sum()),
        -int(comp.kept[arcs].sum()),
        -int(comp.in_area[arcs].sum()),
        int(w.dq[arcs].sum()),
    )


def _bound(comp: Component, w: Weights, node: Component, sol: FlowSolution, pins: dict[int, int]) -> Key:
    """Lexicographic lower bound on the keys of the integer solutions under a node.

    The node's flow maximises placed, then kept, then in-area, then minimises distance
    (the weights are strictly lexicographic), possibly with fractions of groups. Integer
    solutions have integer tiers, so each tier rounds towards them; a tier below a
    fractional one is unbounded.
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
    low = -BIG
    if kept % lcm:
        return (-placed, -(kept // lcm), low, low)
    if in_area % lcm:
        return (-placed, -(kept // lcm), -(in_area // lcm), low)
    return (-placed, -(kept // lcm), -(in_area // lcm), -(-dist // lcm))


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


def _apply_pins(comp: Component, w: Weights, pins: dict[int, int]) -> tuple[Component, int, int]:
    """The component without the pinned entities (size 0) and with their places taken."""
    if not pins:
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
    node = Component(size, cap, comp.arc_ent, comp.arc_unit, comp.kept, comp.in_area, comp.dist)
    return node, cost, placed


def _options(node: Component, g: int) -> list[int]:
    """Arcs of entity g that fit the node's capacities, then -1 (unplaced)."""
    arcs = np.flatnonzero(node.arc_ent == g)
    return [int(a) for a in arcs.tolist() if node.cap[node.arc_unit[a]] >= node.size[g]] + [-1]


def _penalties(node: Component, sol: FlowSolution, split: I64) -> _Penalties:
    n_ent, n_arc = node.n_ent, int(node.arc_ent.size)
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
    p_arc = np.where(active[node.arc_ent], p_arc, BIG)
    if (p_unplaced < 0).any() or (p_arc < 0).any():  # pragma: no cover - defensive
        raise RuntimeError("negative option penalty: potentials inconsistent")
    best = np.full(n_ent, BIG, dtype=np.int64)
    np.minimum.at(best, node.arc_ent, p_arc)
    best = np.minimum(best, p_unplaced)
    return _Penalties(p_arc, p_unplaced, rc_t, load, _flow_cost(sol), split, best)


def _certify(node: Component, w: Weights, pen: _Penalties, f_total: int) -> tuple[I64 | None, int]:
    """The node's exact optimum via restricted MIPs, or None when tau would grow too large."""
    tau = max(int(pen.best[pen.split].sum()), w.lcm)  # no solution has a smaller penalty
    tau_limit = w.w3 * w.lcm  # past this, options that lose a child's own area would enter
    real = pen.p_arc[pen.p_arc < BIG]
    levels = np.unique(np.concatenate([real, pen.p_unplaced]))
    p_max = int(levels[-1])
    used = 0
    for _ in range(MAX_ROUNDS):
        if tau >= tau_limit:
            return None, used
        allowed_arc = pen.p_arc <= tau
        allowed_unp = pen.p_unplaced <= tau
        outcome = _restricted(node, w, pen, allowed_arc, allowed_unp, tau, f_total)
        if isinstance(outcome, str):
            return None, used
        used += 1
        if outcome is not None:
            penalty = _cost(node, w, outcome) - pen.cost_star
            if penalty <= tau:
                return outcome, used
            tau = penalty
            continue
        if tau >= p_max:
            return None, used  # no way to place f_total children: branch
        nxt = int(levels[np.searchsorted(levels, tau, side="right")])
        tau = max(tau * 4, nxt)
    return None, used


def _restricted(
    comp: Component,
    w: Weights,
    pen: _Penalties,
    allowed_arc: npt.NDArray[np.bool_],
    allowed_unp: npt.NDArray[np.bool_],
    tau: int,
    f_total: int,
) -> I64 | str | None:
    """Solve the restricted problem: a choice, None (infeasible) or 'too_big'."""
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
    sub = solve_lexicographic(
        mip, [(comp.kept[var_arcs], True), (comp.in_area[var_arcs], True), (w.dq[var_arcs], False)]
    )
    if sub is None:
        return None
    choice = np.full(comp.n_ent, -1, dtype=np.int64)
    choice[comp.arc_ent[fixed_arcs]] = fixed_arcs
    picked = sub >= 0
    choice[free_ents[picked]] = var_arcs[sub[picked]]
    return choice


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
