"""Solve one language's candidate graph: split it into connected components, solve each."""

from __future__ import annotations

import time
from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt
from ortools.graph.python import max_flow
from scipy.sparse import coo_matrix
from scipy.sparse.csgraph import connected_components

from .candidates import Arcs
from .flow import (
    Component,
    FlowSolution,
    Weights,
    choice_from_flow,
    choose_weights,
    solve_lexicographic,
    split_entities,
)
from .pricing import Prices
from .repair import ProofClock, repair

I64 = npt.NDArray[np.int64]


@dataclass
class SolveStats:
    components: int = 0
    arcs: int = 0
    split_groups: int = 0
    mip_rounds: int = 0
    extra_flow_solves: int = 0
    flow_stages: int = 0
    unproven_groups: int = 0
    build_s: float = 0.0
    solve_s: float = 0.0
    potentials_s: float = 0.0
    repair_s: float = 0.0
    exact: bool = True
    notes: list[str] = field(default_factory=list)

    def add(self, other: SolveStats, *, answer: bool = True) -> None:
        """Adds another solve's work; with answer=False (a solve whose answer was replaced by a later one, e.g.
        before widening the candidates) only its work, not what it said about its answer."""
        self.mip_rounds += other.mip_rounds
        self.extra_flow_solves += other.extra_flow_solves
        self.flow_stages = max(self.flow_stages, other.flow_stages)
        self.build_s += other.build_s
        self.solve_s += other.solve_s
        self.potentials_s += other.potentials_s
        self.repair_s += other.repair_s
        if not answer:
            return
        self.components += other.components
        self.arcs += other.arcs
        self.split_groups += other.split_groups
        self.unproven_groups += other.unproven_groups
        self.exact = self.exact and other.exact
        self.notes.extend(other.notes)


@dataclass
class Relaxed:
    """A language's candidate graph solved as the flow relaxation, its groups not yet repaired.

    `chosen` is the relaxation's unit per entity (-1 = unplaced; a split group counts under the
    unit holding most of it): enough to decide where to widen the candidates. `repaired()` runs
    the exact group repair, which only the last round's graph needs.
    """

    chosen: I64
    stats: SolveStats
    split: I64  # global ids of the entities the relaxation split
    parts: list[tuple[Component, Weights, FlowSolution, I64, I64]]  # component, weights, flow, ents, units
    prices: list[Prices] = field(default_factory=list)  # stage-A potentials per component, for pricing

    def repaired(self, proof: ProofClock | None = None) -> tuple[I64, SolveStats]:
        chosen = self.chosen.copy()
        stats = self.stats
        for comp, w, sol, ents, units in self.parts:
            choice = repair_component(comp, w, sol, stats, proof)
            members = ents
            chosen[members] = -1
            placed = choice >= 0
            chosen[members[placed]] = units[comp.arc_unit[choice[placed]]]
        self.parts = []
        return chosen, stats


def solve_arcs(
    arcs: Arcs, ent_size: I64, unit_cap: I64, n_ent: int, n_unit: int, proof: ProofClock | None = None
) -> tuple[I64, SolveStats]:
    """Chosen global unit per entity (-1 = unplaced) for arcs over global entity/unit ids.

    `ent_size` / `unit_cap` are indexed by global ids; entities without arcs stay unplaced.
    """
    return relax_arcs(arcs, ent_size, unit_cap, n_ent, n_unit).repaired(proof)


def relax_arcs(arcs: Arcs, ent_size: I64, unit_cap: I64, n_ent: int, n_unit: int, *, prices: bool = False) -> Relaxed:
    """The flow relaxation of every connected component of the graph; groups split by it are
    repaired later (`Relaxed.repaired`). With `prices`, each component's stage-A potentials are
    kept for pricing (`Relaxed.prices`)."""
    stats = SolveStats(arcs=len(arcs))
    assigned = np.full(n_ent, -1, dtype=np.int64)
    out = Relaxed(assigned, stats, np.zeros(0, dtype=np.int64), [])
    if len(arcs) == 0:
        return out
    t0 = time.perf_counter()
    ents, ent_local = np.unique(arcs.ent, return_inverse=True)
    units, unit_local = np.unique(arcs.unit, return_inverse=True)
    n_e, n_u = int(ents.size), int(units.size)
    graph = coo_matrix((np.ones(len(arcs), dtype=np.int8), (ent_local, n_e + unit_local)), shape=(n_e + n_u, n_e + n_u))
    n_comp, label = connected_components(graph, directed=False)
    # order components by their smallest entity so that the work order is canonical
    arc_comp = label[ent_local]
    order = np.argsort(arc_comp, kind="stable")  # arcs stay sorted by (entity, unit) inside
    bounds = np.searchsorted(arc_comp[order], np.arange(n_comp + 1))
    stats.components = int(n_comp)
    stats.build_s += time.perf_counter() - t0
    for c in range(n_comp):
        sel = order[bounds[c] : bounds[c + 1]]
        if sel.size == 0:
            continue
        t1 = time.perf_counter()
        c_ents, c_ent_local = np.unique(ent_local[sel], return_inverse=True)
        c_units, c_unit_local = np.unique(unit_local[sel], return_inverse=True)
        comp = Component(
            size=ent_size[ents[c_ents]],
            cap=unit_cap[units[c_units]],
            arc_ent=c_ent_local.astype(np.int64),
            arc_unit=c_unit_local.astype(np.int64),
            kept=arcs.kept[sel],
            in_area=arcs.in_area[sel],
            dist=arcs.dist[sel],
        )
        stats.build_s += time.perf_counter() - t1
        w, sol = relax_component(comp, stats, prices=prices)
        if sol.stage_a_pi is not None:
            pi = sol.stage_a_pi
            out.prices.append(
                Prices(ents[c_ents], units[c_units], pi[2 : 2 + comp.n_ent], pi[2 + comp.n_ent :][: comp.n_unit], w.lcm)
            )
        choice = most_flow(comp, sol)
        placed = choice >= 0
        assigned[ents[c_ents[placed]]] = units[c_units[comp.arc_unit[choice[placed]]]]
        split = split_entities(comp, sol)
        if split.size:
            out.parts.append((comp, w, sol, ents[c_ents], units[c_units]))
            out.split = np.concatenate([out.split, ents[c_ents[split]]])
    return out


def solve_component(comp: Component) -> tuple[I64, SolveStats]:
    """Chosen local arc per entity (-1 = unplaced) for one connected component."""
    stats = SolveStats()
    w, sol = relax_component(comp, stats)
    return repair_component(comp, w, sol, stats), stats


def relax_component(comp: Component, stats: SolveStats, *, prices: bool = False) -> tuple[Weights, FlowSolution]:
    """The component's lexicographically optimal flow (the relaxation); with `prices`, stage A is
    solved as one cost so that its potentials can price units beyond the candidates."""
    t0 = time.perf_counter()
    w = choose_weights(comp)
    stats.build_s += time.perf_counter() - t0
    sol = solve_lexicographic(comp, w, split_stage_a=not prices)
    stats.flow_stages = max(stats.flow_stages, sol.stages)
    stats.solve_s += sol.solve_s
    stats.potentials_s += sol.potentials_s
    return w, sol


def repair_component(
    comp: Component, w: Weights, sol: FlowSolution, stats: SolveStats, proof: ProofClock | None = None
) -> I64:
    """Local arc per entity (-1 = unplaced): the flow's, its split groups repaired exactly."""
    split = split_entities(comp, sol)
    if split.size == 0:
        return choice_from_flow(comp, sol)
    t1 = time.perf_counter()
    stats.split_groups += int(split.size)
    result = repair(comp, w, sol, proof)
    stats.mip_rounds += result.mip_solves
    stats.extra_flow_solves += result.extra_flow_solves
    stats.exact = stats.exact and result.exact
    if not result.exact:
        stats.unproven_groups += int(split.size)
    if result.note:
        stats.notes.append(result.note)
    stats.repair_s += time.perf_counter() - t1
    return result.choice


def most_flow(comp: Component, sol: FlowSolution) -> I64:
    """Local arc per entity holding most of its flow (lowest arc on ties), -1 without flow."""
    af = sol.arc_flow(comp)
    used = np.flatnonzero(af > 0)
    choice = np.full(comp.n_ent, -1, dtype=np.int64)
    order = used[np.lexsort((used, -af[used], comp.arc_ent[used]))]
    _, first = np.unique(comp.arc_ent[order], return_index=True)
    choice[comp.arc_ent[order[first]]] = order[first]
    return choice


def max_flow_assignment(arcs: Arcs, ent_size: I64, unit_cap: I64, n_ent: int) -> I64:
    """Objective 1 alone (a plain max flow, seconds even at 500 000 children): per entity the
    unit holding most of its flow, -1 when it got none. Used to widen candidates for unplaced
    children before the costly min-cost solve (a split group is the repair's business)."""
    assigned = np.full(n_ent, -1, dtype=np.int64)
    if len(arcs) == 0:
        return assigned
    ents, ent_local = np.unique(arcs.ent, return_inverse=True)
    units, unit_local = np.unique(arcs.unit, return_inverse=True)
    n_e, n_u = int(ents.size), int(units.size)
    source, sink = n_e + n_u, n_e + n_u + 1
    tails = np.concatenate([np.full(n_e, source), ent_local, n_e + np.arange(n_u)]).astype(np.int64)
    heads = np.concatenate([np.arange(n_e), n_e + unit_local, np.full(n_u, sink)]).astype(np.int64)
    caps = np.concatenate([ent_size[ents], ent_size[arcs.ent], unit_cap[units]]).astype(np.int64)
    smf = max_flow.SimpleMaxFlow()
    smf.add_arcs_with_capacity(tails, heads, caps)
    if smf.solve(source, sink) != max_flow.SimpleMaxFlow.OPTIMAL:  # pragma: no cover
        raise RuntimeError("max flow failed")
    flows = np.asarray(smf.flows(np.arange(n_e, n_e + len(arcs), dtype=np.int64)), dtype=np.int64)
    used = np.flatnonzero(flows > 0)
    order = used[np.lexsort((-flows[used], arcs.ent[used]))]  # by entity, largest flow first
    _, first = np.unique(arcs.ent[order], return_index=True)
    assigned[arcs.ent[order[first]]] = arcs.unit[order[first]]
    return assigned
