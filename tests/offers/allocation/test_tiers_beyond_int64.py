"""Components whose combined cost does not fit int64: tiers 1-3 proven on the stage-A cost alone."""

from __future__ import annotations

import itertools
import random
import re
from dataclasses import replace
from typing import Any

import numpy as np
import pytest

import asti.offers.allocation.flow as flow
from asti.offers.allocation import AllocationResult, allocate
from asti.offers.allocation.flow import Component
from asti.offers.allocation.repair import driver
from asti.offers.allocation.repair.bounds import best_potential, tier_bounds
from asti.offers.allocation.repair.keys import lex_bound, solution_key
from asti.offers.allocation.repair.local import place_more

from . import brute_force, random_instance
from .test_sequential import random_component

TIERS_PROVEN = "optimal in placed, kept and own-area children"
KEPT_PROVEN = "optimal in placed children, kept children;"


def _withhold_combined(monkeypatch: pytest.MonkeyPatch) -> None:
    def no_combined(comp: Component) -> flow.Weights:
        return replace(flow.choose_weights(comp), unit_cost=None)

    monkeypatch.setattr("asti.offers.allocation.solve.choose_weights", no_combined)


def _check_claims(result: AllocationResult, best: tuple[int, int, int, int], where: str) -> bool:
    """The answer against the optimum and what its notes claim; True when tiers 1-3 are claimed."""
    placed, kept, in_area, dist = result.objective
    assert (placed, kept, in_area, -dist) <= (best[0], best[1], best[2], -best[3]), where
    if result.exact:
        assert result.objective == best, where
        return True
    notes = [n for n in result.notes if "beyond int64" in n]
    assert notes, where
    if all(TIERS_PROVEN in n for n in notes):
        assert (placed, kept, in_area) == best[:3], where
        gaps = [re.search(r"at most (\d+) m above", n) for n in notes]
        if all(gaps):
            assert dist - best[3] <= sum(int(g.group(1)) for g in gaps if g), where
        return True
    for n in notes:  # "at most N more <tier> possible": the earlier tiers are optimal
        m = re.search(r"at most (\d+) more (placed|kept|children in own)", n)
        kept_proven = KEPT_PROVEN in n
        assert m or TIERS_PROVEN in n or kept_proven, where
        if kept_proven and len(notes) == 1:
            assert (placed, kept) == best[:2], where
        if m and len(notes) == 1:
            tier = ("placed", "kept", "children in own").index(m.group(2))
            got, opt = (placed, kept, in_area), best[:3]
            assert got[:tier] == opt[:tier] and opt[tier] - got[tier] <= int(m.group(1)), where
    return False


@pytest.mark.parametrize("block", range(3))
def test_tiers_proven_without_the_combined_cost(block: int, monkeypatch: pytest.MonkeyPatch) -> None:
    """Split twins with the combined cost withheld: every claim of the answer holds against enumeration."""
    _withhold_combined(monkeypatch)
    split = proven = 0
    for seed in range(11_000 + block * 100, 11_000 + (block + 1) * 100):
        rng = random.Random(seed)
        units, children = random_instance(
            rng,
            n_children=rng.randint(3, 8),
            n_units=rng.randint(1, 4),
            capacity_share=rng.choice([0.5, 0.8, 1.0]),
            twin_share=0.6,
        )
        result = allocate(units, children)
        if result.stats["split_groups"] == 0:
            continue
        split += 1
        proven += _check_claims(result, brute_force(units, children), f"seed {seed}")
    assert split > 5 and proven == split  # small searches always finish


def test_stopped_search_states_valid_claims(monkeypatch: pytest.MonkeyPatch) -> None:
    """A budget of one node solve: the claims still hold (bounds, not guesses)."""
    _withhold_combined(monkeypatch)
    monkeypatch.setattr(driver, "STAGE_A_MIN_SOLVES", 1)
    monkeypatch.setattr(driver, "NODE_WORK", 0)
    split = stopped = 0
    for seed in range(12_000, 12_300):
        rng = random.Random(seed)
        units, children = random_instance(
            rng,
            n_children=rng.randint(3, 8),
            n_units=rng.randint(1, 4),
            capacity_share=rng.choice([0.5, 0.8, 1.0]),
            twin_share=0.6,
        )
        result = allocate(units, children)
        if result.stats["split_groups"] == 0:
            continue
        split += 1
        stopped += any("not proven optimal after" in n for n in result.notes)
        _check_claims(result, brute_force(units, children), f"seed {seed}")
    assert split > 20 and stopped > 0


def test_place_more_places_singles_without_losing_a_tier() -> None:
    """Augmenting paths: capacity kept, more placed, kept and in-area counts never lower."""
    improved = 0
    for seed in range(300):
        rng = random.Random(13_000 + seed)
        comp = random_component(rng)
        w = flow.choose_weights(comp)
        # a feasible choice: entities in random order take a random arc with room, some skipped
        choice = np.full(comp.n_ent, -1, dtype=np.int64)
        room = comp.cap.copy()
        for e in rng.sample(range(comp.n_ent), comp.n_ent):
            arcs = [int(a) for a in np.flatnonzero(comp.arc_ent == e) if room[comp.arc_unit[a]] >= comp.size[e]]
            if arcs and rng.random() < 0.7:
                a = rng.choice(arcs)
                choice[e] = a
                room[comp.arc_unit[a]] -= comp.size[e]
        before = solution_key(comp, w, choice)
        after_choice = place_more(comp, choice)
        after = solution_key(comp, w, after_choice)
        placed = after_choice >= 0
        load = np.bincount(comp.arc_unit[after_choice[placed]], weights=comp.size[placed], minlength=comp.n_unit)
        assert (load <= comp.cap).all(), f"seed {seed}"
        assert (after_choice[comp.size > 1] == choice[comp.size > 1]).all(), f"seed {seed}"
        assert after[1] <= before[1] and after[2] <= before[2] and after[0] <= before[0], f"seed {seed}"
        improved += after[0] < before[0]
    assert improved > 20


def _enumerate_tiers(comp: Component, placed: int) -> tuple[int, int] | None:
    """(most kept, then most in-area) of an integer solution placing `placed` children (None: none does)."""
    options = [[-1, *(int(a) for a in np.flatnonzero(comp.arc_ent == e))] for e in range(comp.n_ent)]
    best = None
    for combo in itertools.product(*options):
        choice = np.array(combo, dtype=np.int64)
        used = choice[choice >= 0]
        load = np.bincount(comp.arc_unit[used], weights=comp.size[comp.arc_ent[used]], minlength=comp.n_unit)
        if (load > comp.cap).any() or int(comp.size[comp.arc_ent[used]].sum()) != placed:
            continue
        tiers = (int(comp.kept[used].sum()), int(comp.in_area[used].sum()))
        best = tiers if best is None else max(best, tiers)
    return best


def test_unit_knapsack_bounds_are_valid_and_tighter_than_the_relaxation() -> None:
    """The unit-knapsack bounds never fall below the enumerated best kept count, nor the best
    own-area count among solutions with that many kept; they often cut the relaxation's
    half-kept twins down to the true optimum."""
    bounded = tighter = equal = in_bounded = 0
    for seed in range(14_000, 20_000):
        rng = random.Random(seed)
        comp = random_component(rng)
        options = np.bincount(comp.arc_ent, minlength=comp.n_ent) + 1
        if int(np.prod(options.astype(float))) > 4000:
            continue
        w = flow.choose_weights(comp)
        sol = flow.solve_lexicographic(comp, w)
        best = _enumerate_tiers(comp, sol.max_flow)
        if best is None:
            continue
        bounds = tier_bounds(comp, w, sol, best[0])
        if bounds is None:
            continue
        bounded += 1
        assert best[0] <= bounds[0], f"seed {seed}"
        relaxation = -lex_bound(comp, w, sol)[1]
        tighter += bounds[0] < relaxation
        equal += bounds[0] == best[0]
        if bounds[1] is not None:
            in_bounded += 1
            assert best[1] <= bounds[1], f"seed {seed}"
    assert bounded > 30 and tighter > 10 and equal > 20 and in_bounded > 10, (bounded, tighter, equal, in_bounded)


def test_best_potential_maximises_its_concave_term() -> None:
    rng = np.random.default_rng(5)
    for _ in range(300):
        k_in, m_out = rng.integers(-50, 50, rng.integers(0, 6)), rng.integers(-50, 50, rng.integers(0, 6))
        c_in, c_out = rng.integers(1, 5, k_in.size), rng.integers(1, 5, m_out.size)

        def f(t: int, k_in: Any = k_in, c_in: Any = c_in, m_out: Any = m_out, c_out: Any = c_out) -> int:
            return int((c_in * np.minimum(0, k_in - t)).sum() + (c_out * np.minimum(0, t - m_out)).sum())

        t = best_potential(k_in, c_in, m_out, c_out, 7)
        assert f(t) == max(f(x) for x in range(-60, 61)), (k_in, m_out)
