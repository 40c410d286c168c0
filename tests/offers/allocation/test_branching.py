"""The group branch-and-bound: warm-started node flows, node bounds, forced branching."""

from __future__ import annotations

import itertools
import random

import numpy as np
import numpy.typing as npt
import pytest

from asti.offers.allocation import allocate
from asti.offers.allocation.flow import (
    Component,
    Weights,
    choose_weights,
    solve_flow,
    solve_lexicographic,
    split_entities,
)
from asti.offers.allocation.repair import certificate
from asti.offers.allocation.repair.branching import branch_and_bound
from asti.offers.allocation.repair.certificate import certify
from asti.offers.allocation.repair.keys import lex_bound, node_bound, solution_cost, solution_key
from asti.offers.allocation.repair.local import local_repair
from asti.offers.allocation.repair.nodes import apply_pins, tier_culprit
from asti.offers.allocation.repair.penalties import penalties
from asti.offers.allocation.repair.warm import WarmStart

from . import brute_force, random_instance
from .test_sequential import random_component

Key = tuple[int, int, int, int]


def _random_node(rng: random.Random, comp: Component) -> tuple[dict[int, int], frozenset[int]]:
    """A few groups pinned to an arc with room, a few other arcs closed."""
    pins: dict[int, int] = {}
    cap = comp.cap.copy()
    for e in rng.sample(range(comp.n_ent), rng.randint(0, min(3, comp.n_ent))):
        arcs = [int(a) for a in np.flatnonzero(comp.arc_ent == e) if cap[comp.arc_unit[a]] >= comp.size[e]]
        if arcs:
            a = rng.choice(arcs)
            pins[e] = a
            cap[comp.arc_unit[a]] -= comp.size[e]
    free = [a for a in range(comp.arc_ent.size) if int(comp.arc_ent[a]) not in pins]
    closed = frozenset(rng.sample(free, rng.randint(0, min(4, len(free)))))
    return pins, closed


def _best_key(comp: Component, w: Weights, pins: dict[int, int], closed: frozenset[int]) -> Key | None:
    """Enumeration: the smallest key of an integer solution of the node (None: none)."""
    options = []
    for e in range(comp.n_ent):
        if e in pins:
            options.append([pins[e]])
        else:
            options.append([-1, *(int(a) for a in np.flatnonzero(comp.arc_ent == e) if int(a) not in closed)])
    best: Key | None = None
    for combo in itertools.product(*options):
        choice = np.array(combo, dtype=np.int64)
        used = choice[choice >= 0]
        load = np.bincount(comp.arc_unit[used], weights=comp.size[comp.arc_ent[used]], minlength=comp.n_unit)
        if (load > comp.cap).any():
            continue
        key = solution_key(comp, w, choice)
        if best is None or key < best:
            best = key
    return best


def _small_component(rng: random.Random) -> Component:
    while True:
        comp = random_component(rng, max_dist=3000)
        options = np.bincount(comp.arc_ent, minlength=comp.n_ent) + 1
        if int(np.prod(options.astype(float))) <= 4000:
            return comp


@pytest.mark.parametrize("block", range(2))
def test_warm_start_equals_a_fresh_solve(block: int) -> None:
    warm_used = 0
    for seed in range(block * 150, (block + 1) * 150):
        rng = random.Random(seed)
        comp = random_component(rng)
        w = choose_weights(comp)
        assert w.unit_cost is not None
        sol = solve_lexicographic(comp, w).with_costs(comp, w.unit_cost)
        if sol.max_flow != int(comp.size.sum()):
            continue
        warm = WarmStart(comp, sol)
        for _ in range(4):
            pins, closed = _random_node(rng, comp)
            node, _, _ = apply_pins(comp, w, pins, closed)
            fresh = solve_flow(node, w.unit_cost)
            got = warm.solve(node)
            if got is None:  # only when the node cannot place everyone
                assert fresh.max_flow < int(node.size.sum()), f"seed {seed}"
                continue
            warm_used += 1
            flow, pi = got
            assert flow.max_flow == fresh.max_flow, f"seed {seed}"
            assert int((flow.costs * flow.flows).sum()) == int((fresh.costs * fresh.flows).sum()), f"seed {seed}"
            rc = flow.costs + pi[flow.tails] - pi[flow.heads]
            assert (rc[flow.flows < flow.caps] >= 0).all() and (rc[flow.flows > 0] <= 0).all()
            # a child of that node, warm-started from the node's own flow and potentials
            used = np.flatnonzero(flow.arc_flow(node) > 0)
            if used.size == 0:
                continue
            deeper = closed | {int(rng.choice(used.tolist()))}
            child, _, _ = apply_pins(comp, w, pins, deeper)
            fresh_child = solve_flow(child, w.unit_cost)
            got_child = warm.solve(child, (flow.flows, pi))
            if got_child is None:
                assert fresh_child.max_flow < int(child.size.sum()), f"seed {seed}"
                continue
            assert int((got_child[0].costs * got_child[0].flows).sum()) == int(
                (fresh_child.costs * fresh_child.flows).sum()
            ), f"seed {seed}"
    assert warm_used > 100


@pytest.mark.parametrize("block", range(2))
def test_node_bounds_never_exceed_the_node_optimum(block: int) -> None:
    tight = 0
    for seed in range(1000 + block * 150, 1000 + (block + 1) * 150):
        rng = random.Random(seed)
        comp = _small_component(rng)
        w = choose_weights(comp)
        assert w.unit_cost is not None
        root = solve_lexicographic(comp, w)
        best = _best_key(comp, w, {}, frozenset())
        assert best is not None and lex_bound(comp, w, root) <= best, f"seed {seed}"
        pins, closed = _random_node(rng, comp)
        node, _, _ = apply_pins(comp, w, pins, closed)
        node_best = _best_key(comp, w, pins, closed)
        bound = node_bound(comp, w, node, solve_flow(node, w.unit_cost), pins)
        if node_best is not None:
            assert bound <= node_best, f"seed {seed}"
            tight += bound == node_best
    assert tight > 100  # the bound is not vacuous


@pytest.mark.parametrize("block", range(3))
def test_forced_branching_reaches_the_optimum(block: int, monkeypatch: pytest.MonkeyPatch) -> None:
    """With the certificate switched off every split is settled by branching alone."""
    monkeypatch.setattr(certificate, "certify", lambda *args: (None, 0, False))
    branched = 0
    for seed in range(3000 + block * 100, 3000 + (block + 1) * 100):
        rng = random.Random(seed)
        units, children = random_instance(
            rng,
            n_children=rng.randint(3, 8),
            n_units=rng.randint(1, 4),
            capacity_share=rng.choice([0.5, 0.8, 1.0]),
            twin_share=0.6,
        )
        result = allocate(units, children)
        assert result.objective == brute_force(units, children), f"seed {seed}"
        assert result.exact, f"seed {seed}"
        branched += result.stats["split_groups"] > 0
    assert branched > 5


def test_stopped_branching_states_a_valid_bound() -> None:
    """A budget of one node solve: the answer is feasible and the bound below the optimum."""
    checked = 0
    for seed in range(5000, 5300):
        rng = random.Random(seed)
        comp = _small_component(rng)
        w = choose_weights(comp)
        assert w.unit_cost is not None
        sol = solve_lexicographic(comp, w).with_costs(comp, w.unit_cost)
        if split_entities(comp, sol).size == 0:
            continue
        local = local_repair(comp, w, sol)
        best, proven, _, _, lower = branch_and_bound(comp, w, sol, local, 1)
        optimum = _best_key(comp, w, {}, frozenset())
        assert optimum is not None
        assert lower <= optimum <= solution_key(comp, w, best), f"seed {seed}"
        if proven:
            assert solution_key(comp, w, best) == optimum, f"seed {seed}"
        checked += 1
    assert checked > 20


def test_certificate_equals_enumeration() -> None:
    """The reduced-cost certificate (restricted MIP) certifies only true optima."""
    certified = 0
    for seed in range(7000, 7400):
        rng = random.Random(seed)
        comp = _small_component(rng)
        w = choose_weights(comp)
        assert w.unit_cost is not None
        sol = solve_lexicographic(comp, w).with_costs(comp, w.unit_cost)
        split = split_entities(comp, sol)
        if split.size == 0 or tier_culprit(comp, w, sol, comp, split) >= 0:
            continue
        choice, _, _ = certify(comp, w, penalties(comp, sol, split), sol.max_flow)
        if choice is None:
            continue
        certified += 1
        assert solution_key(comp, w, choice) == _best_key(comp, w, {}, frozenset()), f"seed {seed}"
    assert certified > 10


def _best_choice(comp: Component, w: Weights) -> npt.NDArray[np.int64]:
    """Enumeration: an integer solution of the component with the smallest key."""
    options = [[-1, *(int(a) for a in np.flatnonzero(comp.arc_ent == e))] for e in range(comp.n_ent)]
    best: tuple[Key, npt.NDArray[np.int64]] | None = None
    for combo in itertools.product(*options):
        choice = np.array(combo, dtype=np.int64)
        used = choice[choice >= 0]
        load = np.bincount(comp.arc_unit[used], weights=comp.size[comp.arc_ent[used]], minlength=comp.n_unit)
        if (load > comp.cap).any():
            continue
        key = solution_key(comp, w, choice)
        if best is None or key < best[0]:
            best = key, choice
    assert best is not None
    return best[1]


def test_certificate_by_pieces_and_cutoff() -> None:
    """Everyone placed: the restricted problems are solved piece by piece with flows. The
    certified answer is the enumerated optimum; with the incumbent's penalty as a cutoff a
    node is ruled out only when nothing beats the incumbent, and never when something does."""
    by_pieces = ruled_out = kept_open = 0
    for seed in range(7400, 9000):
        rng = random.Random(seed)
        comp = _small_component(rng)
        w = choose_weights(comp)
        assert w.unit_cost is not None
        sol = solve_lexicographic(comp, w).with_costs(comp, w.unit_cost)
        split = split_entities(comp, sol)
        if split.size == 0 or sol.max_flow != int(comp.size.sum()):
            continue
        if tier_culprit(comp, w, sol, comp, split) >= 0:
            continue
        pen = penalties(comp, sol, split)
        optimum = _best_choice(comp, w)
        if -solution_key(comp, w, optimum)[0] != sol.max_flow:
            continue  # the groups cannot all be placed: the penalties compare solutions placing everyone
        opt_penalty = solution_cost(comp, w, optimum) - pen.cost_star
        assert opt_penalty >= 0, f"seed {seed}"
        choice, _, out = certify(comp, w, pen, sol.max_flow)
        assert not out
        if choice is not None:
            by_pieces += 1
            assert solution_key(comp, w, choice) == solution_key(comp, w, optimum), f"seed {seed}"
        # an incumbent just above, at, or below the optimum
        for cutoff in (opt_penalty + rng.randint(1, 3 * w.lcm), opt_penalty, max(0, opt_penalty - w.lcm)):
            choice, _, out = certify(comp, w, pen, sol.max_flow, cutoff)
            if out:
                ruled_out += 1
                assert opt_penalty >= cutoff, f"seed {seed}"
            elif opt_penalty < cutoff:
                kept_open += 1
            if choice is not None:
                assert solution_key(comp, w, choice) == solution_key(comp, w, optimum), f"seed {seed}"
    assert by_pieces > 20 and ruled_out > 20 and kept_open > 10, (by_pieces, ruled_out, kept_open)
