"""Property tests: the hard rules of contract 3.2, placement, reasons and determinism."""

from __future__ import annotations

import random
from collections import Counter

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from asti.offers.allocation import AllocationResult, ChildIn, Reason, UnitIn, allocate

from . import eligible, metres, oracle_groups, random_instance

instances = st.builds(
    lambda seed, n, m, share, twins, k: (
        *random_instance(random.Random(seed), n_children=n, n_units=m, capacity_share=share, twin_share=twins),
        k,
    ),
    seed=st.integers(0, 10**9),
    n=st.integers(0, 45),
    m=st.integers(0, 12),
    share=st.sampled_from([0.3, 0.7, 1.0, 1.3, 0.0]),
    twins=st.sampled_from([0.0, 0.2, 0.5]),
    k=st.sampled_from([1, 2, 6]),
)

SETTINGS = settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def _check_rules(units: list[UnitIn], children: list[ChildIn], result: AllocationResult) -> None:
    by_unit = {u.id: u for u in units}
    by_child = {c.id: c for c in children}
    assert [p.child_id for p in result.proposals] == sorted(by_child)
    load = Counter(p.unit_id for p in result.proposals if p.unit_id)
    for unit_id, n in load.items():
        assert n <= by_unit[unit_id].capacity
    for p in result.proposals:
        c = by_child[p.child_id]
        if p.unit_id is None:
            assert p.reason is Reason.UNPLACED and p.distance_m == 0
            continue
        u = by_unit[p.unit_id]
        assert eligible(u, c), "municipal, pre-primary, the child's language"
        assert p.distance_m == metres(c.lat, c.lon, u.lat, u.lon)
        assert p.kept_current == (c.current_unit_id == u.id)
        assert p.in_area == (c.area_id is not None and u.area_id == c.area_id)
        if p.kept_current:
            assert p.reason is Reason.CURRENT_UNIT
        elif p.reason is not Reason.SIBLING:
            assert p.reason is (Reason.IN_AREA if p.in_area else Reason.OUT_OF_AREA)
    proposals = result.by_child()
    for group in oracle_groups(children):
        assert len({proposals[c.id].unit_id for c in group}) == 1, "siblings share a unit"
        expected_gid = group[0].id if len(group) > 1 else None
        assert all(proposals[c.id].group_id == expected_gid for c in group)
    # nobody (no group) is left out while a unit of its language has room for it
    room = {u.id: u.capacity - load.get(u.id, 0) for u in units}
    for group in oracle_groups(children):
        if proposals[group[0].id].unit_id is None:
            assert not any(eligible(u, group[0]) and room[u.id] >= len(group) for u in units)


@SETTINGS
@given(instances)
def test_hard_rules_hold(instance: tuple[list[UnitIn], list[ChildIn], int]) -> None:
    units, children, k = instance
    result = allocate(units, children, k=k, area_k=k)
    _check_rules(units, children, result)
    placed, kept, in_area, dist = result.objective
    assert placed == sum(1 for p in result.proposals if p.unit_id)
    assert dist == sum(p.distance_m for p in result.proposals)
    assert kept <= in_area <= placed


@SETTINGS
@given(instances, st.randoms(use_true_random=False))
def test_deterministic_under_permutation(instance: tuple[list[UnitIn], list[ChildIn], int], rnd: random.Random) -> None:
    units, children, k = instance
    first = allocate(units, children, k=k, area_k=k)
    units2, children2 = list(units), list(children)
    rnd.shuffle(units2)
    rnd.shuffle(children2)
    second = allocate(units2, children2, k=k, area_k=k)
    assert first.proposals == second.proposals
    assert first.objective == second.objective
