"""Best-first branch-and-bound over split groups."""

from __future__ import annotations

import heapq

import numpy as np

from asti.offers.allocation.flow import Component, FlowSolution, Weights, choice_from_flow, split_entities

from . import certificate
from .clock import ProofClock
from .keys import I64, Key, lex_bound, node_bound, solution_cost, solution_key
from .nodes import Node, apply_pins, branch_arc, tier_culprit
from .penalties import penalties
from .warm import WarmStart, node_flow


def branch_and_bound(
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

    warm: WarmStart | None = None
    if sol.max_flow == int(comp.size.sum()):
        try:
            warm = WarmStart(comp, sol)
        except RuntimeError:  # pragma: no cover - root flow not optimal for the combined cost
            warm = None  # nodes are then solved afresh
    root: Node = ({}, frozenset())
    # entries carry the node's flow (and potentials when warm-started): no second solve on pop
    heap: list[tuple[Key, int, int, Node, tuple[FlowSolution, I64 | None]]] = [
        (lex_bound(comp, w, sol), 0, 0, root, (sol, None))
    ]
    best_key: Key = solution_key(comp, w, incumbent)  # the best solution known (prunes the search)
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
        node, pin_cost, pin_placed = apply_pins(comp, w, pins, closed)
        split = split_entities(node, node_sol)
        choice: I64 | None = None
        if split.size == 0:
            choice = choice_from_flow(node, node_sol)
        g = tier_culprit(comp, w, node_sol, node, split) if split.size else -1
        if choice is None and split.size and g < 0 and (pins or closed) and certify:
            pen = penalties(node, node_sol, split, node_pi)
            cutoff = None  # the incumbent's penalty at this node, when it places as many
            if -best_key[0] == pin_placed + node_sol.max_flow:
                cutoff = solution_cost(comp, w, best_choice) - pin_cost - pen.cost_star
            choice, used, ruled_out = certificate.certify(node, w, pen, node_sol.max_flow, cutoff, stop)
            mips += used
            if ruled_out:
                continue
            g = int(split[np.argmax(pen.best[split])])
        elif choice is None and split.size and g < 0:
            g = int(split[0])
        if choice is not None:
            for e, a in pins.items():
                choice[e] = a
            key = solution_key(comp, w, choice)
            if key < best_key:
                best_key, best_choice = key, choice
                if answering():
                    answer, answer_key = choice, key
            continue
        arc = branch_arc(node, node_sol, g)
        for child_node in (({**pins, g: arc}, closed), (pins, closed | {arc})):
            if out_of_work():
                exhausted = False
                break
            child, _, _ = apply_pins(comp, w, *child_node)
            if (child.cap < 0).any():
                continue  # the group does not fit there: no integer solution in this child
            child_sol, child_pi = node_flow(child, w, warm, None if node_pi is None else (node_sol.flows, node_pi))
            solves += 1
            child_bound = node_bound(comp, w, child, child_sol, child_node[0])
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
