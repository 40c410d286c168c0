"""The proof's time budget never changes the answer; widening for groups; pricing beyond the candidates."""

from __future__ import annotations

import random

import numpy as np
import pytest

from asti.offers.allocation import ChildIn, UnitIn, allocate
from asti.offers.allocation.candidates import arc_figures, candidate_pairs, merge_arcs
from asti.offers.allocation.engine import allocate as engine_allocate
from asti.offers.allocation.prepare import prepare
from asti.offers.allocation.widen import widen

from . import random_instance


def _answer(units: list[UnitIn], children: list[ChildIn], **kw: object) -> list[tuple[str, str | None]]:
    return [(p.child_id, p.unit_id) for p in allocate(units, children, **kw).proposals]  # type: ignore[arg-type]


@pytest.mark.parametrize("seed", range(40))
def test_the_answer_does_not_depend_on_the_proof_clock(seed: int) -> None:
    rng = random.Random(seed)
    units, children = random_instance(rng, n_children=40, n_units=9, twin_share=0.5, capacity_share=1.0)
    without = allocate(units, children, k=2, area_k=2)
    for seconds in (0.0, 30.0):
        timed = allocate(units, children, k=2, area_k=2, proof_seconds=seconds)
        assert [(p.child_id, p.unit_id) for p in timed.proposals] == [
            (p.child_id, p.unit_id) for p in without.proposals
        ]
        assert timed.objective == without.objective
        # more time can only prove more: never a result that is proven without time but not with it
        assert timed.exact or not without.exact or seconds == 0.0


def _one_language_city(n_units: int, room: int, twins_at: tuple[float, float]) -> tuple[list[UnitIn], list[ChildIn]]:
    """A row of full one-place units and, far away, one unit with room; a pair of twins near the row."""
    units = [UnitIn(f"U{i:02d}", "fi", 1, 60.20, 24.90 + i * 0.002, "A", True, True) for i in range(n_units)]
    units.append(UnitIn("FAR", "fi", room, 60.40, 25.40, "B", True, True))
    children = [
        ChildIn(f"S{i:02d}", "fi", 60.2001, 24.90 + i * 0.002, "A", f"U{i:02d}", (f"G{i}",), f"home {i}")
        for i in range(n_units)
    ]
    children += [ChildIn(f"T{j}", "fi", *twins_at, "A", None, ("GT",), "twins' home") for j in range(2)]
    return units, children


def test_widening_for_an_unplaced_group_tries_units_with_room_first() -> None:
    units, children = _one_language_city(12, 2, (60.2, 24.91))
    prep = prepare(units, children, None)
    geo = prep.geo
    ents = np.arange(len(prep.groups), dtype=np.int64)
    open_units = np.arange(len(prep.units), dtype=np.int64)
    pe, pu = candidate_pairs(geo, ents, open_units, k=1, area_k=1)
    arcs = arc_figures(geo, pe, pu)
    twins = int(np.flatnonzero(geo.ent_size == 2)[0])
    far = next(i for i, u in enumerate(prep.units) if u.id == "FAR")
    chosen = np.full(len(prep.groups), -1, dtype=np.int64)
    for e, u in zip(arcs.ent.tolist(), arcs.unit.tolist(), strict=True):
        if e != twins and prep.units[u].id.startswith("U"):
            chosen[e] = u
    # rule (a): the twins get the unit with room for both, and nothing else is added yet
    add_e, add_u, _ = widen(geo, ents, open_units, prep.cap, chosen, arcs, quality=False)
    assert set(zip(add_e.tolist(), add_u.tolist(), strict=True)) == {(twins, far)}
    # once (a) has given its arcs and the twins are still out, rule (d): everyone may make room
    merged = merge_arcs(geo, arcs, add_e, add_u, len(prep.units))
    add_e, add_u, _ = widen(geo, ents, open_units, prep.cap, chosen, merged, quality=False)
    singles = set(range(len(prep.groups))) - {twins}
    assert set(zip(add_e.tolist(), add_u.tolist(), strict=True)) == {(e, far) for e in singles}


def test_pricing_reaches_the_full_graph_on_one_component() -> None:
    """With one candidate per child, pricing rounds bring kept and own-area children to what the
    complete graph (every unit a candidate) gives, on instances where the candidates form one
    component per language."""
    checked = 0
    for seed in range(200):
        rng = random.Random(seed)
        units, children = random_instance(
            rng, n_children=30, n_units=8, languages=("fi",), twin_share=0.0, capacity_share=1.0
        )
        priced = engine_allocate(units, children, k=1, area_k=1, pricing_rounds=20)
        if priced.stats["components"] != 1 or not priced.exact:
            continue
        full = engine_allocate(units, children, k=len(units), area_k=len(units))
        assert priced.objective[:3] == full.objective[:3], seed
        checked += 1
    assert checked >= 20


def test_pricing_finds_what_the_candidates_miss() -> None:
    """Somewhere among random instances one candidate per child costs kept or own-area children, and
    pricing gets them back (the test above would pass with pricing switched off otherwise)."""
    gained = 0
    for seed in range(200):
        rng = random.Random(seed)
        units, children = random_instance(
            rng, n_children=30, n_units=8, languages=("fi",), twin_share=0.0, capacity_share=1.0
        )
        plain = engine_allocate(units, children, k=1, area_k=1)
        priced = engine_allocate(units, children, k=1, area_k=1, pricing_rounds=20)
        assert priced.objective[0] == plain.objective[0]
        if priced.objective[1:3] > plain.objective[1:3]:
            gained += 1
    assert gained >= 5
