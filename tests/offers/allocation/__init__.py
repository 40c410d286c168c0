"""Shared helpers of the allocation tests: random instances and independent exact oracles.

The oracles know nothing of the engine: they rebuild the groups, the eligibility rules and
the distances from the contract's words and solve by enumeration or by CP-SAT.
"""

from __future__ import annotations

import itertools
import math
import random
from collections.abc import Sequence

from asti.offers.allocation import ChildIn, UnitIn

Objective = tuple[int, int, int, int]


def metres(lat1: float, lon1: float, lat2: float, lon2: float) -> int:
    r = 6_371_008.8
    p1, p2 = math.radians(lat1), math.radians(lat2)
    a = math.sin((p2 - p1) / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(math.radians(lon2 - lon1) / 2) ** 2
    return round(2 * r * math.asin(math.sqrt(min(1.0, a))))


def random_instance(
    rng: random.Random,
    *,
    n_children: int,
    n_units: int,
    n_areas: int = 3,
    languages: Sequence[str] = ("fi", "sv"),
    twin_share: float = 0.2,
    capacity_share: float = 1.0,
    max_capacity: int = 4,
) -> tuple[list[UnitIn], list[ChildIn]]:
    """A small city: units and children scattered over a few km, some twins and siblings."""
    areas = [f"A{i}" for i in range(n_areas)]
    units: list[UnitIn] = []
    for i in range(n_units):
        units.append(
            UnitIn(
                id=f"U{i:02d}",
                language=rng.choice(languages),
                capacity=rng.randint(0, max_capacity),
                lat=60.15 + rng.random() * 0.05,
                lon=24.90 + rng.random() * 0.1,
                area_id=rng.choice([*areas, None]) if rng.random() < 0.9 else None,
                municipal=rng.random() < 0.85,
                pre_primary=rng.random() < 0.9,
            )
        )
    total_cap = sum(u.capacity for u in units)
    if capacity_share and total_cap:
        scale = capacity_share * n_children / total_cap
        units = [
            UnitIn(
                u.id, u.language, max(0, round(u.capacity * scale)), u.lat, u.lon, u.area_id, u.municipal, u.pre_primary
            )
            for u in units
        ]
    children: list[ChildIn] = []
    i = 0
    while len(children) < n_children:
        lat, lon = 60.15 + rng.random() * 0.05, 24.90 + rng.random() * 0.1
        lang = rng.choice(languages)
        area = rng.choice([*areas, None]) if rng.random() < 0.95 else None
        guardian = f"G{i}"
        address = f"street {i}"
        size = 1
        if rng.random() < twin_share:
            size = rng.choice([2, 2, 2, 3])
        for _ in range(min(size, n_children - len(children))):
            cur = rng.choice(units).id if units and rng.random() < 0.8 else None
            # now and then a twin has another education language (the group then splits)
            child_lang = lang if rng.random() < 0.95 else rng.choice(languages)
            children.append(
                ChildIn(
                    id=f"C{len(children):03d}",
                    language=child_lang,
                    lat=lat,
                    lon=lon,
                    area_id=area,
                    current_unit_id=cur,
                    guardian_ids=(guardian,) if rng.random() < 0.9 else (guardian, f"G{i}b"),
                    address_key=address,
                )
            )
        i += 1
    return units, children


def oracle_groups(children: Sequence[ChildIn]) -> list[list[ChildIn]]:
    """Same guardian AND same non-empty address (transitively), split by language."""
    ids = [c.id for c in children]
    link: dict[str, set[str]] = {i: {i} for i in ids}
    for a, b in itertools.combinations(children, 2):
        if a.address_key and a.address_key == b.address_key and set(a.guardian_ids) & set(b.guardian_ids):
            merged = link[a.id] | link[b.id]
            for x in merged:
                link[x] = merged
    seen: set[frozenset[str]] = set()
    by_id = {c.id: c for c in children}
    out: list[list[ChildIn]] = []
    for c in children:
        comp = frozenset(link[c.id])
        if comp in seen:
            continue
        seen.add(comp)
        for lang in sorted({by_id[x].language for x in comp}):
            out.append(sorted((by_id[x] for x in comp if by_id[x].language == lang), key=lambda ch: ch.id))
    return out


def eligible(unit: UnitIn, child: ChildIn) -> bool:
    return unit.municipal and unit.pre_primary and unit.capacity > 0 and unit.language == child.language


def gain(child: ChildIn, unit: UnitIn) -> tuple[int, int, int]:
    """(kept in own area, in own area, metres) for one child in one unit."""
    in_area = child.area_id is not None and unit.area_id == child.area_id
    kept = in_area and child.current_unit_id == unit.id
    return int(kept), int(in_area), metres(child.lat, child.lon, unit.lat, unit.lon)


def brute_force(units: Sequence[UnitIn], children: Sequence[ChildIn]) -> Objective:
    groups = oracle_groups(children)
    options = [[None, *[u for u in units if eligible(u, g[0])]] for g in groups]
    best: tuple[int, int, int, int] | None = None
    for combo in itertools.product(*options):
        load: dict[str, int] = {}
        placed = kept = in_area = dist = 0
        ok = True
        for g, unit in zip(groups, combo, strict=True):
            if unit is None:
                continue
            load[unit.id] = load.get(unit.id, 0) + len(g)
            if load[unit.id] > unit.capacity:
                ok = False
                break
            for child in g:
                k, a, d = gain(child, unit)
                placed += 1
                kept += k
                in_area += a
                dist += d
        if ok:
            key = (placed, kept, in_area, -dist)
            if best is None or key > best:
                best = key
    assert best is not None
    return best[0], best[1], best[2], -best[3]


def cp_sat(units: Sequence[UnitIn], children: Sequence[ChildIn]) -> Objective:
    """The lexicographic problem with CP-SAT: each objective optimised, then fixed."""
    from ortools.sat.python import cp_model

    groups = oracle_groups(children)
    model = cp_model.CpModel()
    x: dict[tuple[int, str], cp_model.IntVar] = {}
    for gi, g in enumerate(groups):
        for u in units:
            if eligible(u, g[0]):
                x[gi, u.id] = model.new_bool_var(f"x{gi}_{u.id}")
        model.add(sum(v for (gj, _), v in x.items() if gj == gi) <= 1)
    for u in units:
        model.add(sum(len(groups[gi]) * v for (gi, uid), v in x.items() if uid == u.id) <= u.capacity)
    by_id = {u.id: u for u in units}
    terms: list[list[tuple[int, cp_model.IntVar]]] = [[], [], [], []]
    for (gi, uid), v in x.items():
        figures = [gain(c, by_id[uid]) for c in groups[gi]]
        terms[0].append((len(groups[gi]), v))
        terms[1].append((sum(f[0] for f in figures), v))
        terms[2].append((sum(f[1] for f in figures), v))
        terms[3].append((sum(f[2] for f in figures), v))
    values: list[int] = []
    for tier, coef_vars in enumerate(terms):
        expr = sum(c * v for c, v in coef_vars)
        if tier < 3:
            model.maximize(expr)
        else:
            model.minimize(expr)
        solver = cp_model.CpSolver()
        solver.parameters.num_workers = 1
        solver.parameters.max_time_in_seconds = 60
        status = solver.solve(model)
        assert status == cp_model.OPTIMAL
        value = round(solver.objective_value)
        values.append(value)
        model.add(expr == value)
    return values[0], values[1], values[2], values[3]
