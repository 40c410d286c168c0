"""The public entry points: allocate() and what_if()."""

from __future__ import annotations

import time
from collections.abc import Mapping, Sequence
from dataclasses import replace

import numpy as np
import numpy.typing as npt
from scipy.spatial import cKDTree

from .candidates import arc_figures, candidate_pairs, merge_arcs
from .explain import build_proposals, objective_of
from .model import AllocationResult, ChildIn, UnitIn
from .prepare import AllocationInputError, Prepared, prepare
from .pricing import negative_arcs
from .repair import ProofClock
from .solve import Relaxed, SolveStats, max_flow_assignment, relax_arcs, solve_arcs
from .widen import MAX_QUALITY_ARCS, widen

I64 = npt.NDArray[np.int64]

DEFAULT_K = 6  # nearest open units of the language per child
DEFAULT_AREA_K = 8  # nearest open units of the child's own area
MAX_WIDEN_ROUNDS = 4  # objective 1: rounds of a plain max flow (cheap)
# objectives 2-4: rounds that solve the language again. Later rounds add a few hundred arcs each for a few
# kept children (37 000 in one dense city: 25 345 kept after one round, 25 367 after four) at ~1.7 s per solve.
MAX_QUALITY_ROUNDS = 1


def allocate(
    units: Sequence[UnitIn],
    children: Sequence[ChildIn],
    *,
    overrides: Mapping[str, str] | None = None,
    k: int = DEFAULT_K,
    area_k: int = DEFAULT_AREA_K,
    pricing_rounds: int = 0,
    proof_seconds: float | None = None,
) -> AllocationResult:
    """Propose a unit for every child (contract section 3), exactly and deterministically.

    `overrides` maps child id -> unit id fixed by a planner; such a child (with its sibling
    group) takes that unit first and the rest is optimised around it. Raises
    AllocationInputError for duplicate ids, negative capacities or impossible overrides.

    The answer depends on the input alone: the searches that choose it are bounded by work
    counts. `proof_seconds` lets the group repair go on, for at most that long in all, to
    prove the answer or tighten the gap it states (None: no proof past the work budget).
    `pricing_rounds`: rounds that also add units beyond the candidates whose reduced cost
    says they could keep more children or serve more in their own area (module `pricing`).
    """
    proof: ProofClock | None = None
    t_start = time.perf_counter()
    prep = prepare(units, children, overrides)
    timings = {"prepare": time.perf_counter() - t_start, "candidates": 0.0, "widen": 0.0}
    geo = prep.geo
    n_ent, n_units = len(prep.groups), len(prep.units)
    assigned = np.full(n_ent, -1, dtype=np.int64)
    residual = prep.cap.copy()
    for ent, unit in prep.pinned.items():
        assigned[ent] = unit
        residual[unit] -= int(geo.ent_size[ent])
    unit_lang = np.array([u.language for u in prep.units], dtype=object)
    ent_lang = np.array(prep.ent_lang, dtype=object)
    not_pinned = assigned < 0
    stats = SolveStats()
    widen_rounds = 0
    for lang in sorted(set(prep.ent_lang)):
        ents = np.flatnonzero((ent_lang == lang) & not_pinned).astype(np.int64)
        open_units = np.flatnonzero(prep.eligible & (unit_lang == lang) & (residual > 0)).astype(np.int64)
        if ents.size == 0 or open_units.size == 0:
            continue
        t0 = time.perf_counter()
        tree = cKDTree(geo.u_xyz[open_units])
        pe, pu = candidate_pairs(geo, ents, open_units, k=k, area_k=area_k, tree=tree)
        arcs = arc_figures(geo, pe, pu)
        timings["candidates"] += time.perf_counter() - t0
        # objective 1 first, with a plain max flow: cheap rounds of widening before the costly solve
        t1 = time.perf_counter()
        for _ in range(MAX_WIDEN_ROUNDS):
            chosen = max_flow_assignment(arcs, geo.ent_size, residual, n_ent)
            add_e, add_u, _ = widen(geo, ents, open_units, residual, chosen, arcs, quality=False)
            if add_e.size == 0:
                break
            arcs = merge_arcs(geo, arcs, add_e, add_u, n_units)
            widen_rounds += 1
        timings["widen"] += time.perf_counter() - t1
        big = len(arcs) > MAX_QUALITY_ARCS
        relaxed: Relaxed | None = None
        quality_rounds = max(MAX_QUALITY_ROUNDS, pricing_rounds)
        for rnd in range(quality_rounds + 1):
            if relaxed is not None:
                stats.add(relaxed.stats, answer=False)  # replaced by this round's answer
            # the relaxation decides where to widen; only the last graph's split groups are repaired
            relaxed = relax_arcs(arcs, geo.ent_size, residual, n_ent, n_units, prices=rnd < pricing_rounds)
            chosen = relaxed.chosen
            if rnd == quality_rounds:
                break
            t1 = time.perf_counter()
            # split groups get the units with room for them whole once: chasing each round's few new
            # splits costs a full solve per round (the repair settles them over the final graph)
            split = relaxed.split if rnd == 0 else None
            add_e, add_u, skipped = widen(geo, ents, open_units, residual, chosen, arcs, split=split)
            if not big and rnd < pricing_rounds:  # units beyond the candidates that could keep or serve more
                neg_e, neg_u = negative_arcs(geo, arcs, relaxed.prices, n_units)
                add_e, add_u = np.concatenate([add_e, neg_e]), np.concatenate([add_u, neg_u])
            timings["widen"] += time.perf_counter() - t1
            if skipped:
                stats.exact = False
                stats.notes.append(f"{lang}: too many arcs to widen for a sibling group; it may stay unplaced")
            if add_e.size == 0:
                break
            if big:  # another solve would take minutes: report instead
                stats.exact = False
                stats.notes.append(
                    f"{lang}: {add_e.size} candidate arcs that could still help were not tried "
                    f"(graph of {len(arcs)} arcs; see ADR 0002)"
                )
                break
            arcs = merge_arcs(geo, arcs, add_e, add_u, n_units)
            widen_rounds += 1
        assert relaxed is not None
        if proof is None and proof_seconds is not None:
            proof = ProofClock(proof_seconds)  # one clock for every component's proof
        chosen, last = relaxed.repaired(proof)
        # a group the repair left out while a unit could take it: objective 1's rules once more
        t1 = time.perf_counter()
        add_e, add_u, _ = widen(geo, ents, open_units, residual, chosen, arcs, quality=False)
        timings["widen"] += time.perf_counter() - t1
        if add_e.size:
            stats.add(last, answer=False)
            arcs = merge_arcs(geo, arcs, add_e, add_u, n_units)
            widen_rounds += 1
            chosen, last = solve_arcs(arcs, geo.ent_size, residual, n_ent, n_units, proof)
        stats.add(last)
        assigned[ents] = chosen[ents]

    t2 = time.perf_counter()
    child_unit = assigned[geo.ent_of_child] if len(prep.children) else np.zeros(0, dtype=np.int64)
    _check(prep, child_unit)
    proposals = build_proposals(prep, child_unit)
    timings["explain"] = time.perf_counter() - t2
    timings["build"] = stats.build_s
    timings["solve"] = stats.solve_s
    timings["potentials"] = stats.potentials_s
    timings["repair"] = stats.repair_s
    timings["total"] = time.perf_counter() - t_start
    return AllocationResult(
        proposals=proposals,
        objective=objective_of(proposals, prep),
        timings=timings,
        stats={
            "children": len(prep.children),
            "units": n_units,
            "groups": sum(1 for g in prep.groups if len(g) > 1),
            "components": stats.components,
            "arcs": stats.arcs,
            "split_groups": stats.split_groups,
            "mip_rounds": stats.mip_rounds,
            "widen_rounds": widen_rounds,
            "flow_stages": stats.flow_stages,
            "flow_solves_in_repair": stats.extra_flow_solves,
            "unproven_groups": stats.unproven_groups,
        },
        exact=stats.exact,
        notes=stats.notes,
    )


def what_if(
    units: Sequence[UnitIn],
    children: Sequence[ChildIn],
    base: AllocationResult | Mapping[str, str | None],
    capacity_changes: Mapping[str, int],
    overrides: Mapping[str, str] | None = None,
    *,
    k: int = DEFAULT_K,
    area_k: int = DEFAULT_AREA_K,
) -> list[tuple[str, str | None, str | None]]:
    """Children whose proposal changes if the units had the given capacities.

    `base` is the round as it stands: an allocation result, or the stored proposals as
    child id -> unit id (so the base round is not solved again). `capacity_changes` maps
    unit id -> the NEW capacity (absolute, >= 0). Nothing is modified; returns (child_id,
    old unit id, new unit id) sorted by child id.
    """
    known = {u.id for u in units}
    unknown = sorted(set(capacity_changes) - known)
    if unknown:
        raise AllocationInputError(f"capacity change for unknown unit(s): {', '.join(unknown)}")
    changed = [replace(u, capacity=int(capacity_changes[u.id])) if u.id in capacity_changes else u for u in units]
    new = allocate(changed, children, overrides=overrides, k=k, area_k=area_k)
    old_by_child = {p.child_id: p.unit_id for p in base.proposals} if isinstance(base, AllocationResult) else base
    return [
        (p.child_id, old_by_child.get(p.child_id), p.unit_id)
        for p in new.proposals
        if old_by_child.get(p.child_id) != p.unit_id
    ]


def _check(prep: Prepared, child_unit: I64) -> None:
    """Hard rules, checked on the result (a violation is a bug, never a data problem)."""
    placed = np.flatnonzero(child_unit >= 0)
    if placed.size == 0:
        return
    units = child_unit[placed]
    load = np.bincount(units, minlength=len(prep.units))
    unit_lang = np.array([u.language for u in prep.units], dtype=object)
    child_lang = np.array([prep.children[i].language for i in placed.tolist()], dtype=object)
    if (load > prep.cap).any() or not prep.eligible[units].all() or (unit_lang[units] != child_lang).any():
        raise AssertionError("allocation broke a hard rule")  # pragma: no cover - defensive
