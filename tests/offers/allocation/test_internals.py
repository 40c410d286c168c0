"""Pieces of the engine on their own: groups, geometry, tier weights, potentials, MIP."""

from __future__ import annotations

import numpy as np
import pytest

from asti.offers.allocation import ChildIn
from asti.offers.allocation.flow import (
    Component,
    choose_weights,
    potentials,
    solve_flow,
    split_entities,
)
from asti.offers.allocation.geo import haversine_m
from asti.offers.allocation.groups import build_groups
from asti.offers.allocation.mip import AssignmentMip, solve_lexicographic

from . import metres


def kid(cid: str, guardians: tuple[str, ...], addr: str, lang: str = "fi") -> ChildIn:
    return ChildIn(cid, lang, 60.17, 24.94, "A", None, guardians, addr)


def test_groups_need_a_shared_guardian_and_address() -> None:
    children = [
        kid("a", ("g1",), "x"),
        kid("b", ("g1", "g2"), "x"),
        kid("c", ("g2",), "x"),  # joins through b (same address, guardian g2)
        kid("d", ("g1",), "y"),  # same guardian, other address
        kid("e", ("g9",), "x"),  # same address, no shared guardian
        kid("f", ("g1",), ""),  # unknown address never groups
        kid("h", ("g1",), "x", lang="sv"),  # other education language: own group
    ]
    assert build_groups(children) == [[0, 1, 2], [3], [4], [5], [6]]


def test_haversine_matches_the_oracle() -> None:
    pts = [(60.1841, 24.9506, 60.1899, 24.9525), (60.0, 25.0, 61.0, 26.0), (60.2, 24.9, 60.2, 24.9)]
    got = haversine_m([p[0] for p in pts], [p[1] for p in pts], [p[2] for p in pts], [p[3] for p in pts])
    assert got.tolist() == [metres(*p) for p in pts]


def _component(n: int, dist: int) -> Component:
    """n single children, n units of capacity 1, every child to every unit."""
    ent = np.repeat(np.arange(n), n)
    unit = np.tile(np.arange(n), n)
    return Component(
        size=np.ones(n, dtype=np.int64),
        cap=np.ones(n, dtype=np.int64),
        arc_ent=ent,
        arc_unit=unit,
        kept=(ent == unit).astype(np.int64),
        in_area=np.ones(n * n, dtype=np.int64),
        dist=np.full(n * n, dist, dtype=np.int64) + unit,
    )


def test_weights_are_lexicographic_and_fit() -> None:
    comp = _component(5, 1000)
    w = choose_weights(comp)
    assert w.unit_cost is not None
    assert w.w3 > int(np.max(w.dq)) * comp.n_ent  # any distance change < one in-area child
    assert w.w2 > w.w3 * comp.n_ent  # any in-area change < one kept child


def test_combined_cost_is_dropped_when_it_does_not_fit() -> None:
    comp = _component(40, 10**15)  # absurd distances: no int64 room for the tier weights
    w = choose_weights(comp)
    assert w.unit_cost is None


def test_potentials_certify_the_flow() -> None:
    comp = _component(6, 500)
    w = choose_weights(comp)
    sol = solve_flow(comp, w.unit_cost)
    pi = potentials(sol, 2 + comp.n_ent + comp.n_unit)
    rc = sol.costs + pi[sol.tails] - pi[sol.heads]
    assert (rc[sol.flows < sol.caps] >= 0).all()
    assert (rc[sol.flows > 0] <= 0).all()
    assert split_entities(comp, sol).size == 0


def test_potentials_refuse_a_flow_that_is_not_optimal() -> None:
    """Priced the other way round the flow is not optimal: a negative cycle, or the round cap, says so."""
    comp = _component(6, 500)
    w = choose_weights(comp)
    assert w.unit_cost is not None
    sol = solve_flow(comp, w.unit_cost)
    reversed_prices = sol.with_costs(comp, -w.unit_cost)
    for rounds in (None, 3):
        with pytest.raises(RuntimeError, match="flow not optimal"):
            potentials(reversed_prices, 2 + comp.n_ent + comp.n_unit, max_rounds=rounds)


def test_relaxation_splits_a_group_where_integers_cannot() -> None:
    """Twins and two units with one free place each: the flow splits them."""
    comp = Component(
        size=np.array([2], dtype=np.int64),
        cap=np.array([1, 1], dtype=np.int64),
        arc_ent=np.array([0, 0], dtype=np.int64),
        arc_unit=np.array([0, 1], dtype=np.int64),
        kept=np.zeros(2, dtype=np.int64),
        in_area=np.zeros(2, dtype=np.int64),
        dist=np.array([100, 200], dtype=np.int64),
    )
    w = choose_weights(comp)
    sol = solve_flow(comp, w.unit_cost)
    assert sol.max_flow == 2
    assert split_entities(comp, sol).tolist() == [0]


def test_lexicographic_mip() -> None:
    # two entities, two units of capacity 1; first objective prefers entity 0 in unit 0
    mip = AssignmentMip(
        n_ent=2,
        n_unit=2,
        opt_ent=np.array([0, 0, 1, 1]),
        opt_unit=np.array([0, 1, 0, 1]),
        opt_size=np.ones(4, dtype=np.int64),
        must_place=np.zeros(2, dtype=bool),
        unit_lo=np.zeros(2, dtype=np.int64),
        unit_hi=np.ones(2, dtype=np.int64),
        total=None,
    )
    first = np.array([1, 0, 0, 0])
    dist = np.array([5, 1, 1, 9])
    got = solve_lexicographic(mip, [(np.ones(4, dtype=np.int64), True), (first, True), (dist, False)])
    assert got is not None and got.tolist() == [0, 3]
    infeasible = AssignmentMip(**{**mip.__dict__, "total": 3})
    assert solve_lexicographic(infeasible, [(dist, False)]) is None


def test_gap_to_bound_names_the_first_differing_tier() -> None:
    from asti.offers.allocation.repair.keys import BIG, gap_to_bound

    assert gap_to_bound((-10, -5, -7, 900), (-10, -6, -BIG, -BIG)) == "at most 1 more kept children possible"
    assert gap_to_bound((-10, -5, -7, 900), (-10, -5, -7, 850)) == (
        "optimal in placed, kept and own-area children; total distance at most 50 m above the optimum"
    )
    assert gap_to_bound((-10, -5, -7, 900), (-10, -5, -7, 900)) == "equal to the relaxation bound"
    assert "does not bound distance" in gap_to_bound((-10, -5, -7, 900), (-10, -5, -7, -BIG))
