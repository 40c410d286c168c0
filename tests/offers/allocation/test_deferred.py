"""Second-round deferred acceptance against enumeration: the result is stable, respects places, and is the
child-optimal stable matching (every child does at least as well as in any other stable matching)."""

from __future__ import annotations

import itertools
import random

from asti.offers.allocation.deferred import Applicant, DeferredResult, Seat, deferred_acceptance, is_stable


def instance(rng: random.Random) -> tuple[list[Applicant], dict[str, Seat]]:
    seats = {
        f"U{u}": Seat(
            f"U{u}", 60.1 + rng.random() / 10, 24.9 + rng.random() / 10, rng.choice(["A", "B"]), rng.randint(0, 2)
        )
        for u in range(rng.randint(1, 3))
    }
    children = []
    for c in range(rng.randint(1, 5)):
        wishes = tuple(rng.sample(sorted(seats), rng.randint(1, len(seats))))
        siblings = frozenset(u for u in seats if rng.random() < 0.2)
        children.append(
            Applicant(
                f"C{c}",
                60.1 + rng.random() / 10,
                24.9 + rng.random() / 10,
                rng.choice(["A", "B", None]),
                wishes,
                siblings,
            )
        )
    return children, seats


def all_stable(children: list[Applicant], seats: dict[str, Seat]) -> list[dict[str, int]]:
    """Every stable matching, as child id -> wish position (0 = unmatched, counted as worst)."""
    choices = [[None, *c.wishes] for c in children]
    out = []
    for pick in itertools.product(*choices):
        count: dict[str, int] = {}
        for unit in pick:
            if unit is not None:
                count[unit] = count.get(unit, 0) + 1
        if any(n > seats[u].places for u, n in count.items()):
            continue
        matched = {c.id: (u, c.wishes.index(u) + 1) for c, u in zip(children, pick, strict=True) if u is not None}
        result = DeferredResult(matched=matched, unmatched=[], wishes={}, remaining={})
        if is_stable(children, seats, result):
            out.append({c.id: matched[c.id][1] if c.id in matched else 99 for c in children})
    return out


def test_deferred_acceptance_is_the_child_optimal_stable_matching() -> None:
    rng = random.Random(20270301)
    for _ in range(400):
        children, seats = instance(rng)
        result = deferred_acceptance(children, seats)
        assert is_stable(children, seats, result)
        for unit_id, left in result.remaining.items():
            assert left >= 0 and left == seats[unit_id].places - sum(1 for u, _p in result.matched.values()
                                                                      if u == unit_id)  # fmt: skip
        ours = {c.id: result.matched[c.id][1] if c.id in result.matched else 99 for c in children}
        stable = all_stable(children, seats)
        assert ours in stable
        for other in stable:
            assert all(ours[c] <= other[c] for c in ours), (children, seats, ours, other)
        assert sorted(result.unmatched) == sorted(c.id for c in children if c.id not in result.matched)


def test_priorities_and_why_a_wish_was_not_met() -> None:
    unit = Seat("U1", 60.17, 24.94, "A", 1)
    near = Applicant("C1", 60.171, 24.941, "B", ("U1",))
    in_area = Applicant("C2", 60.20, 24.99, "A", ("U1",))
    sibling = Applicant("C3", 60.25, 25.05, "B", ("U1",), frozenset({"U1"}))
    result = deferred_acceptance([near, in_area, sibling], {"U1": unit})
    assert result.matched == {"C3": ("U1", 1)}  # a sibling first, then own area, then distance
    why = result.wishes["C2"][0]
    assert not why.admitted and why.cutoff is not None and why.cutoff.sibling
    two = deferred_acceptance([near, in_area], {"U1": unit})
    assert two.matched == {"C2": ("U1", 1)} and two.unmatched == ["C1"]
