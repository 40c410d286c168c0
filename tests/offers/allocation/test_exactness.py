"""The engine against independent exact answers on many small random instances."""

from __future__ import annotations

import random

import pytest

from asti.offers.allocation import allocate

from . import brute_force, cp_sat, random_instance


@pytest.mark.parametrize("block", range(6))
def test_matches_brute_force(block: int) -> None:
    for seed in range(block * 150, (block + 1) * 150):
        rng = random.Random(seed)
        units, children = random_instance(
            rng,
            n_children=rng.randint(1, 7),
            n_units=rng.randint(1, 4),
            capacity_share=rng.choice([0.5, 0.8, 1.0, 1.5]),
            twin_share=0.4,
        )
        result = allocate(units, children)
        assert result.objective == brute_force(units, children), f"seed {seed}"
        assert result.exact


@pytest.mark.slow
@pytest.mark.parametrize("block", range(4))
def test_matches_cp_sat(block: int) -> None:
    """Larger instances (10-40 children, 2-10 units, tight capacity, many twins)."""
    for seed in range(1000 + block * 40, 1000 + (block + 1) * 40):
        rng = random.Random(seed)
        units, children = random_instance(
            rng,
            n_children=rng.randint(10, 40),
            n_units=rng.randint(2, 10),
            capacity_share=rng.choice([0.5, 0.8, 1.0, 1.2]),
            twin_share=0.4,
        )
        result = allocate(units, children)
        assert result.objective == cp_sat(units, children), f"seed {seed}"
        assert result.exact


def test_limited_candidates_never_cost_a_place() -> None:
    """With one candidate per child the widening still reaches the most placed children."""
    for seed in range(2000, 2060):
        rng = random.Random(seed)
        units, children = random_instance(
            rng, n_children=rng.randint(10, 30), n_units=rng.randint(3, 10), capacity_share=0.9, twin_share=0.4
        )
        narrow = allocate(units, children, k=1, area_k=1)
        assert narrow.objective[0] == cp_sat(units, children)[0], f"seed {seed}"
