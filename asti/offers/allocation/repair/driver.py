"""One component's repair: the certificate at the root, else the local repair and a bounded
search, with the answer's proof or its stated gap.
"""

from __future__ import annotations

from dataclasses import dataclass

from asti.offers.allocation.flow import Component, FlowSolution, Weights, split_entities, stage_a_weights

from . import certificate
from .bounds import tier_bounds
from .branching import branch_and_bound
from .clock import ProofClock
from .keys import BIG, I64, gap_to_bound, lex_bound, solution_key
from .local import local_repair, place_more, polish
from .nodes import tier_culprit
from .penalties import penalties

NODE_WORK = 8_000_000  # flow-solve budget = NODE_WORK / arcs, within [8, 400]
BNB_MAX_ARCS = 600_000  # larger components keep the local repair
STAGE_A_MIN_SOLVES = 8  # node solves at least, on the tiers 1-3 search (components beyond int64)


@dataclass
class RepairResult:
    choice: I64  # local arc per entity, -1 = unplaced
    exact: bool
    mip_solves: int
    extra_flow_solves: int
    note: str | None = None


def repair(comp: Component, w: Weights, sol: FlowSolution, proof: ProofClock | None = None) -> RepairResult:
    """An integer solution from the component's lexicographically optimal flow `sol`."""
    split = split_entities(comp, sol)
    mips = 0
    n_arcs = max(1, int(comp.arc_ent.size))
    if w.unit_cost is not None:
        # the lexicographic optimum is also optimal for the combined cost (strict tier weights)
        sol = sol.with_costs(comp, w.unit_cost)
        if tier_culprit(comp, w, sol, comp, split) < 0:
            choice, mips, _ = certificate.certify(comp, w, penalties(comp, sol, split), sol.max_flow)
            if choice is not None:
                return RepairResult(choice, True, mips, 0)
    local = local_repair(comp, w, sol)
    mips += int(split.size)
    if w.unit_cost is None:
        return repair_tiers(comp, w, sol, local, mips, proof)
    if n_arcs > BNB_MAX_ARCS:
        root_bound = lex_bound(comp, w, sol)
        if solution_key(comp, w, local) <= root_bound:  # it meets the relaxation's bound: optimal
            return RepairResult(local, True, mips, 0)
        gap = gap_to_bound(solution_key(comp, w, local), root_bound)
        local_note = (
            f"{split.size} sibling groups settled locally in a component of {n_arcs} arcs: not proven optimal ({gap})"
        )
        return RepairResult(local, False, mips, 0, local_note)
    budget = max(8, min(400, NODE_WORK // n_arcs))
    best, exhausted, used, solves, lower = branch_and_bound(comp, w, sol, local, budget, proof=proof)
    note = None
    if not exhausted:
        gap = gap_to_bound(solution_key(comp, w, best), lower)
        note = f"group branch-and-bound stopped after {solves} flow solves: optimality not proven ({gap})"
    return RepairResult(best, exhausted, mips + used, solves, note)


def repair_tiers(
    comp: Component, w: Weights, sol: FlowSolution, local: I64, mips: int, proof: ProofClock | None = None
) -> RepairResult:
    """Split groups of a component whose combined cost does not fit int64: objectives 1-3 are
    proven by the branch-and-bound on the stage-A cost alone (`stage_a_weights`, no distance);
    the distance tier is bounded by the root relaxation when the answer meets its tiers 1-3.

    The search keeps the local answer unless a node yields one better in objectives 1-3; that
    one's groups are then fixed and the singles re-solved lexicographically (`polish`), which
    can only improve it. Objectives 1-3 are optimal when the search is exhausted (every
    integer solution not ruled out is no better in them). An integer solution with the
    relaxation's tiers 1-3 is a flow on the relaxation's optimal face, so its distance is at
    least the relaxation's (rounded up): that is the distance bound, else there is none.
    """
    n_arcs = max(1, int(comp.arc_ent.size))
    root = lex_bound(comp, w, sol)
    if solution_key(comp, w, local) <= root:  # it meets the relaxation's bound: optimal
        return RepairResult(local, True, mips, 0)
    wa = stage_a_weights(comp, w)
    split = split_entities(comp, sol)
    local = place_more(comp, local)
    if wa is None:  # pragma: no cover - the stage-A cost fits for any real city
        gap = gap_to_bound(solution_key(comp, w, local), root)
        note = f"{split.size} sibling groups settled locally ({n_arcs} arcs): not proven optimal ({gap})"
        return RepairResult(local, False, mips, 0, note)
    sol_a = sol.with_costs(comp, wa.combined())
    budget = max(STAGE_A_MIN_SOLVES, min(400, NODE_WORK // n_arcs))
    best, proven, used, solves, lower = branch_and_bound(comp, wa, sol_a, local, budget, certify=False, proof=proof)
    if best is not local:
        best = polish(comp, w, wa, best)
    key = solution_key(comp, w, best)
    if proven:
        lower = (key[0], key[1], key[2], root[3] if key[:3] == root[:3] else -BIG)
    else:
        lower = (lower[0], lower[1], lower[2], root[3] if key[:3] == root[:3] else -BIG)
        if lower[1] < key[1] and key[0] == -sol.max_flow:  # kept not proven: try the unit-knapsack bounds
            bounds = tier_bounds(comp, w, sol, -key[1])
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
