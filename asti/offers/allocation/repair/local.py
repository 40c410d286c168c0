"""Integer solutions near the flow, and their improvement (not proofs of optimality)."""

from __future__ import annotations

import numpy as np
from scipy.sparse import csr_matrix
from scipy.sparse.csgraph import breadth_first_order

from asti.offers.allocation.flow import Component, FlowSolution, Weights, choice_from_flow, split_entities
from asti.offers.allocation.flow import solve_lexicographic as solve_flow_lexicographic
from asti.offers.allocation.mip import AssignmentMip, solve_lexicographic

from .keys import I64, solution_key, solution_tiers
from .nodes import apply_pins


def local_repair(comp: Component, w: Weights, sol: FlowSolution) -> I64:
    """An integer solution near the flow: each split group, one at a time, is settled by a
    small lexicographic MIP over the units it touches and the entities placed there (all
    their options open, every other entity kept where it is). Not a proof of optimality."""
    choice = choice_from_flow(comp, sol)
    split = split_entities(comp, sol)
    choice[split] = -1
    af = sol.arc_flow(comp)
    starts = np.searchsorted(comp.arc_ent, np.arange(comp.n_ent + 1))
    unit_of = np.where(choice >= 0, comp.arc_unit[np.maximum(choice, 0)], -1)
    load = np.bincount(unit_of[unit_of >= 0], weights=comp.size[unit_of >= 0], minlength=comp.n_unit)
    load = load.astype(np.int64)
    for g in split.tolist():
        arcs_g = np.arange(starts[g], starts[g + 1])
        touched = np.unique(comp.arc_unit[arcs_g[(af[arcs_g] > 0) | (comp.kept[arcs_g] > 0)]])
        ents = np.union1d([g], np.flatnonzero(np.isin(unit_of, touched)))
        counts = starts[ents + 1] - starts[ents]
        opt = np.repeat(starts[ents] - (np.cumsum(counts) - counts), counts) + np.arange(int(counts.sum()))
        local_ent = np.repeat(np.arange(ents.size), counts)
        units, opt_unit = np.unique(comp.arc_unit[opt], return_inverse=True)
        own = np.bincount(
            unit_of[ents][unit_of[ents] >= 0], weights=comp.size[ents][unit_of[ents] >= 0], minlength=comp.n_unit
        ).astype(np.int64)
        room = comp.cap[units] - load[units] + own[units]
        mip = AssignmentMip(
            n_ent=int(ents.size),
            n_unit=int(units.size),
            opt_ent=local_ent,
            opt_unit=opt_unit.astype(np.int64),
            opt_size=comp.size[comp.arc_ent[opt]],
            must_place=np.zeros(ents.size, dtype=bool),
            unit_lo=np.zeros(units.size, dtype=np.int64),
            unit_hi=room,
            total=None,
        )
        objectives = [
            (comp.size[comp.arc_ent[opt]], True),
            (comp.kept[opt], True),
            (comp.in_area[opt], True),
            (w.dq[opt], False),
        ]
        sub = solve_lexicographic(mip, objectives)
        if sub is None:  # pragma: no cover - leaving everyone where they were is feasible
            continue
        load -= own
        new = np.where(sub >= 0, opt[np.maximum(sub, 0)], -1)
        choice[ents] = new
        unit_of[ents] = np.where(new >= 0, comp.arc_unit[np.maximum(new, 0)], -1)
        placed = unit_of[ents] >= 0
        np.add.at(load, unit_of[ents][placed], comp.size[ents][placed])
    return choice


def place_more(comp: Component, choice: I64, max_moves: int = 64) -> I64:
    """`choice` improved along augmenting paths of singles (breadth-first, at most `max_moves`):
    a start single takes an arc that is better for it (any arc when unplaced; else more kept,
    or as many kept and more in-area), each single it displaces takes an arc at least as good
    in (kept, in-area), and the last unit has room. Unplaced singles first: each path then
    places one more child and loses no kept or in-area child; later paths keep everyone placed
    and gain a kept or in-area child. Each path is checked (feasible, a better key)."""
    choice = choice.copy()
    arc_size = comp.size[comp.arc_ent]
    n_ent, n_unit = comp.n_ent, comp.n_unit
    for _ in range(max_moves):
        placed = choice >= 0
        load = np.bincount(comp.arc_unit[choice[placed]], weights=comp.size[placed], minlength=n_unit)
        room = np.flatnonzero(load < comp.cap)
        if room.size == 0:
            break
        cur = choice[comp.arc_ent]
        cur_kept = np.where(cur >= 0, comp.kept[np.maximum(cur, 0)], -1)
        cur_in = np.where(cur >= 0, comp.in_area[np.maximum(cur, 0)], -1)
        single = arc_size == 1
        ok = single & (np.arange(comp.arc_ent.size) != cur)
        ok &= (comp.kept > cur_kept) | ((comp.kept == cur_kept) & (comp.in_area >= cur_in))
        unplaced_arc = cur < 0
        better = ok & ((comp.kept > cur_kept) | (comp.in_area > cur_in))
        movable = np.flatnonzero(placed & (comp.size == 1))
        root = n_ent + n_unit  # a virtual root; start copies follow it: copy of entity e = root + 1 + e
        found = None
        for start_arcs in (np.flatnonzero(single & unplaced_arc), np.flatnonzero(better & ~unplaced_arc)):
            if start_arcs.size == 0:
                continue
            s_ent = np.unique(comp.arc_ent[start_arcs])
            rows = np.concatenate(
                [
                    comp.arc_ent[ok],
                    n_ent + comp.arc_unit[choice[movable]],
                    np.full(s_ent.size, root),
                    root + 1 + comp.arc_ent[start_arcs],
                ]
            )
            cols = np.concatenate(
                [n_ent + comp.arc_unit[ok], movable, root + 1 + s_ent, n_ent + comp.arc_unit[start_arcs]]
            )
            size = root + 1 + n_ent
            graph = csr_matrix((np.ones(rows.size, dtype=np.int8), (rows, cols)), shape=(size, size))
            _, pred = breadth_first_order(graph, root, directed=True, return_predecessors=True)
            reached = room[pred[n_ent + room] >= 0]
            if reached.size:
                found = pred, int(reached[0])
                break
        if found is None:
            break
        pred, last = found
        new = choice.copy()
        v = n_ent + last
        while True:  # v is a unit, pred[v] the entity (or start copy) that moves into it
            e = int(pred[v])
            ent = e - root - 1 if e > root else e
            arcs = np.flatnonzero(comp.arc_ent == ent)
            new[ent] = int(arcs[comp.arc_unit[arcs] == v - n_ent][0])
            if e > root:
                break
            v = int(pred[e])  # the unit e left
        placed = new >= 0
        load = np.bincount(comp.arc_unit[new[placed]], weights=comp.size[placed], minlength=n_unit)
        if (load > comp.cap).any() or solution_tiers(comp, new) >= solution_tiers(comp, choice):
            break  # pragma: no cover - a path through a start's own entity: stop here
        choice = new
    return choice


def polish(comp: Component, w: Weights, wa: Weights, choice: I64) -> I64:
    """`choice` with its groups (entities of 2+ members) fixed and the singles re-solved
    lexicographically: placed, kept, in-area, then distance (no worse in any tier order)."""
    pins = {int(e): int(choice[e]) for e in np.flatnonzero(comp.size > 1)}
    node, _, _ = apply_pins(comp, wa, pins)
    if (node.cap < 0).any():  # pragma: no cover - choice is feasible
        return choice
    sol = solve_flow_lexicographic(node, w)
    if split_entities(node, sol).size:  # pragma: no cover - only singles are free
        return choice
    out = choice_from_flow(node, sol)
    for e, a in pins.items():
        out[e] = a
    return out if solution_key(comp, w, out) <= solution_key(comp, w, choice) else choice
