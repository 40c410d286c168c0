"""Manual overrides, what-if re-solves and input validation."""

from __future__ import annotations

import random

import pytest

from asti.offers.allocation import AllocationInputError, ChildIn, UnitIn, allocate, what_if

from . import cp_sat, random_instance
from .test_example_extract import CHILDREN, UNITS


def test_override_is_kept_and_the_rest_reoptimised() -> None:
    base = allocate(UNITS, CHILDREN)
    assert base.by_child()["C1"].unit_id == "PK-KALLIO"
    moved = allocate(UNITS, CHILDREN, overrides={"C1": "PK-SORNAINEN"})
    p = moved.by_child()
    assert p["C1"].unit_id == "PK-SORNAINEN"
    assert p["C1"].detail == "manual_override"
    assert p["C1"].reason.value == "IN_AREA"  # reason still computed normally
    assert p["C2"].unit_id == "PK-SORNAINEN"  # still its nearest unit with room
    assert p["C2"].detail != "manual_override"
    assert moved.objective[1] == base.objective[1] - 1  # C1 no longer keeps its unit


def test_override_moves_the_whole_group() -> None:
    result = allocate(UNITS, CHILDREN, overrides={"C3": "PK-SORNAINEN"})
    p = result.by_child()
    assert p["C3"].unit_id == p["C4"].unit_id == "PK-SORNAINEN"
    assert p["C4"].detail == "manual_override"
    assert p["C3"].reason.value == "IN_AREA"
    assert p["C1"].unit_id == "PK-KALLIO"


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"NOPE": "PK-KALLIO"}, "unknown child"),
        ({"C1": "NOPE"}, "unknown unit"),
        ({"C1": "PRIV-OMENA"}, "not a municipal pre-primary unit"),
        ({"C6": "PK-TOOLO"}, "not a municipal pre-primary unit"),  # language
        ({"C1": "PK-TOOLO", "C2": "PK-TOOLO", "C5": "PK-TOOLO"}, "exceed capacity"),
    ],
)
def test_impossible_overrides_are_refused(overrides: dict[str, str], message: str) -> None:
    with pytest.raises(AllocationInputError, match=message):
        allocate(UNITS, CHILDREN, overrides=overrides)


def test_overrides_on_random_instances_keep_the_rest_optimal() -> None:
    """With the pinned children fixed in the oracle too, the objectives agree."""
    for seed in range(40):
        rng = random.Random(seed)
        units, children = random_instance(rng, n_children=15, n_units=5, capacity_share=1.0, twin_share=0.0)
        base = allocate(units, children)
        placed = [p for p in base.proposals if p.unit_id]
        if not placed:
            continue
        pick = rng.choice(placed)
        others = [u for u in units if u.id != pick.unit_id and u.language == pick_language(children, pick.child_id)]
        target = next((u for u in others if u.municipal and u.pre_primary and u.capacity > 0), None)
        if target is None:
            continue
        result = allocate(units, children, overrides={pick.child_id: target.id})
        assert result.by_child()[pick.child_id].unit_id == target.id
        # oracle: the same problem without that child and with one place less in the target
        rest = [c for c in children if c.id != pick.child_id]
        shrunk = [
            UnitIn(
                u.id, u.language, u.capacity - (u.id == target.id), u.lat, u.lon, u.area_id, u.municipal, u.pre_primary
            )
            for u in units
        ]
        expected = cp_sat(shrunk, rest)
        mine = result.by_child()[pick.child_id]
        got = result.objective
        assert (
            got[0] - 1,
            got[1] - int(mine.kept_current and mine.in_area),
            got[2] - int(mine.in_area),
            got[3] - mine.distance_m,
        ) == expected, f"seed {seed}"


def pick_language(children: list[ChildIn], child_id: str) -> str:
    return next(c.language for c in children if c.id == child_id)


def test_what_if_reports_only_changes_and_is_pure() -> None:
    base = allocate(UNITS, CHILDREN)
    snapshot = list(base.proposals)
    changes = what_if(UNITS, CHILDREN, base, {"PK-SORNAINEN": 1})
    assert changes == [("C2", "PK-SORNAINEN", "PK-TOOLO")]  # Kallio is full: out of area
    assert base.proposals == snapshot
    assert UNITS[0].capacity == 3
    assert what_if(UNITS, CHILDREN, base, {}) == []


def test_what_if_closing_a_unit() -> None:
    base = allocate(UNITS, CHILDREN)
    changes = dict((c, (old, new)) for c, old, new in what_if(UNITS, CHILDREN, base, {"PK-TOOLO": 0}))
    assert changes["C9"][0] == "PK-TOOLO"
    assert changes["C9"][1] in {"PK-KALLIO", "PK-SORNAINEN"}


def test_what_if_with_overrides_and_unknown_unit() -> None:
    base = allocate(UNITS, CHILDREN, overrides={"C1": "PK-SORNAINEN"})
    assert what_if(UNITS, CHILDREN, base, {"PK-TOOLO": 2}, overrides={"C1": "PK-SORNAINEN"}) == []
    with pytest.raises(AllocationInputError):
        what_if(UNITS, CHILDREN, base, {"NOPE": 1})


def test_input_validation() -> None:
    with pytest.raises(AllocationInputError, match="duplicate child"):
        allocate(UNITS, [*CHILDREN, CHILDREN[0]])
    with pytest.raises(AllocationInputError, match="duplicate unit"):
        allocate([*UNITS, UNITS[0]], CHILDREN)
    bad = UnitIn("X", "fi", -1, 60.0, 25.0, None, municipal=True, pre_primary=True)
    with pytest.raises(AllocationInputError, match="negative capacity"):
        allocate([bad], CHILDREN)


def test_edge_cases() -> None:
    assert allocate([], []).proposals == []
    lonely = allocate([], CHILDREN[:1])
    assert lonely.proposals[0].detail == "no_unit_in_language"
    full = allocate([UnitIn("U", "fi", 1, 60.18, 24.95, "FI-1", True, True)], CHILDREN[:2])
    details = sorted(p.detail for p in full.proposals)
    assert "no_capacity_in_language" in details
