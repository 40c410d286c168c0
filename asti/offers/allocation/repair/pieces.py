"""The restricted problem when everyone is placed, solved piece by piece with flows."""

from __future__ import annotations

import heapq
from collections.abc import Callable

import numpy as np
import numpy.typing as npt
from ortools.graph.python import min_cost_flow
from scipy.sparse import csr_matrix
from scipy.sparse.csgraph import connected_components

from asti.offers.allocation.flow import Component

from .keys import BIG, I64
from .penalties import Penalties

PIECE_WORK = 6_000_000  # arcs x flow solves per restricted problem solved piece by piece


def restricted_pieces(
    comp: Component,
    pen: Penalties,
    allowed_arc: npt.NDArray[np.bool_],
    tau: int,
    limit: int = BIG,
    stop: Callable[[], bool] | None = None,
) -> I64 | str | None:
    """The restricted problem when everyone is placed, solved piece by piece with flows.

    Every entity takes one allowed option. An entity with one allowed option (never a split
    group) keeps it: it is the node flow's own arc. The others fall apart into pieces
    (connected over their allowed arcs). Pieces share no entity and no unit, and when every
    entity is placed no constraint links them either, so the lexicographic optimum is each
    piece's optimum put together. A piece without a split group keeps the node flow's
    choice: it is integral there and has penalty 0, the least possible. A piece with one is
    the node's min-cost flow on the piece alone (reduced costs; a locked unit keeps its
    load) with its groups made whole by a small branch-and-bound (`piece_optimum`): on the
    penalty, whose order is the keys' order, so one solve per node covers all tiers.
    """
    active = comp.size > 0
    allowed = allowed_arc & active[comp.arc_ent]
    n_opts = np.bincount(comp.arc_ent[allowed], minlength=comp.n_ent)
    if (n_opts[active] == 0).any():
        return None
    is_split = np.zeros(comp.n_ent, dtype=bool)
    is_split[pen.split] = True
    free = ((n_opts > 1) | is_split) & active
    fixed_arcs = np.flatnonzero(allowed & ~free[comp.arc_ent])
    fixed_load = np.bincount(
        comp.arc_unit[fixed_arcs], weights=comp.size[comp.arc_ent[fixed_arcs]], minlength=comp.n_unit
    ).astype(np.int64)
    locked = np.abs(pen.rc_t) > tau
    var = np.flatnonzero(allowed & free[comp.arc_ent])
    in_piece = np.bincount(comp.arc_unit[var], minlength=comp.n_unit) > 0
    if (fixed_load > comp.cap).any() or (locked & ~in_piece & (fixed_load != pen.load)).any():
        return None
    if (locked & (fixed_load > pen.load)).any():
        return None
    choice = np.full(comp.n_ent, -1, dtype=np.int64)
    choice[comp.arc_ent[fixed_arcs]] = fixed_arcs
    free_ents = np.flatnonzero(free)
    choice[free_ents] = pen.flow_choice[free_ents]
    n_ent = comp.n_ent
    graph = csr_matrix(
        (np.ones(var.size, dtype=np.int8), (comp.arc_ent[var], n_ent + comp.arc_unit[var])),
        shape=(n_ent + comp.n_unit, n_ent + comp.n_unit),
    )
    _, label = connected_components(graph, directed=False)
    piece_of_var = label[comp.arc_ent[var]]
    work = spent = 0
    for piece in np.unique(label[pen.split]).tolist():
        arcs = var[piece_of_var == piece]
        out = piece_optimum(comp, pen, arcs, locked, fixed_load, PIECE_WORK - work, limit - spent, stop)
        if out is None or isinstance(out, str):
            return out
        picked, penalty, used = out
        work += used
        spent += penalty
        choice[comp.arc_ent[picked]] = picked
    return choice


def piece_optimum(
    comp: Component,
    pen: Penalties,
    arcs: I64,
    locked: npt.NDArray[np.bool_],
    fixed_load: I64,
    budget: int,
    limit: int = BIG,
    stop: Callable[[], bool] | None = None,
) -> tuple[I64, int, int] | str | None:
    """(the arc each entity of one piece takes, its penalty, work spent) at least penalty;
    None when the piece has no solution, 'too_big' past `budget` (arcs x flow solves),
    'cutoff' when its penalty is `limit` or more.

    The piece's min-cost flow: each entity sends its members over its allowed arcs (cost
    per member: the arc's reduced cost, less the entity's cheapest, a constant since every
    member is placed); a locked unit absorbs exactly its load, an unlocked one at most its
    room at its reduced cost. Groups are made whole by best-first 0-1 branching: "g takes
    arc a" (g's other arcs closed) or "g does not take a", on the first fractional group and
    its arc with most flow. The flow cost bounds every whole solution under a node."""
    ents, ent_loc = np.unique(comp.arc_ent[arcs], return_inverse=True)
    units, unit_loc = np.unique(comp.arc_unit[arcs], return_inverse=True)
    n_e, n_u, n_a = int(ents.size), int(units.size), int(arcs.size)
    size = comp.size[ents]
    sink = n_e + n_u
    open_units = np.flatnonzero(~locked[units])
    shut_units = np.flatnonzero(locked[units])
    demand = pen.load[units] - fixed_load[units]
    room = comp.cap[units] - fixed_load[units]
    rc = pen.rc_a[arcs]
    cheapest = np.full(n_e, BIG, dtype=np.int64)
    np.minimum.at(cheapest, ent_loc, rc)
    tails = np.concatenate([ent_loc, n_e + open_units]).astype(np.int64)
    heads = np.concatenate([n_e + unit_loc, np.full(open_units.size, sink)]).astype(np.int64)
    costs = np.concatenate([rc - cheapest[ent_loc], pen.rc_t[units[open_units]]]).astype(np.int64)
    base_caps = np.concatenate([size[ent_loc], room[open_units]]).astype(np.int64)
    supply = np.zeros(sink + 1, dtype=np.int64)
    supply[:n_e] = size
    supply[n_e + shut_units] = -demand[shut_units]
    supply[sink] = -(int(size.sum()) - int(demand[shut_units].sum()))
    nodes = np.arange(sink + 1, dtype=np.int64)
    work = 0

    def solve(open_arc: npt.NDArray[np.bool_]) -> tuple[int, I64] | None:
        smcf = min_cost_flow.SimpleMinCostFlow()
        caps = base_caps.copy()
        caps[:n_a][~open_arc] = 0
        smcf.add_arcs_with_capacity_and_unit_cost(tails, heads, caps, costs)
        smcf.set_nodes_supplies(nodes, supply)
        if smcf.solve() != min_cost_flow.SimpleMinCostFlow.OPTIMAL:
            return None
        return int(smcf.optimal_cost()), np.asarray(smcf.flows(np.arange(n_a, dtype=np.int64)), dtype=np.int64)

    root_open = np.ones(n_a, dtype=bool)
    root = solve(root_open)
    work += n_a
    if root is None:
        return None
    heap: list[tuple[int, int, npt.NDArray[np.bool_], I64]] = [(root[0], 0, root_open, root[1])]
    counter = 0
    best: tuple[int, I64] | None = None
    while heap:
        bound, _, open_arc, flows = heapq.heappop(heap)
        if best is not None and bound >= best[0]:
            break
        if bound - root[0] >= limit:  # the piece's own relaxation is at penalty 0 (the node flow)
            return "cutoff"
        whole = (flows == 0) | (flows == size[ent_loc])
        frac = np.flatnonzero(~whole)
        if frac.size == 0:
            best = (bound, flows)
            continue
        g = int(ent_loc[frac[0]])
        g_arcs = np.flatnonzero(ent_loc == g)
        a = int(g_arcs[np.argmax(flows[g_arcs])])
        take = open_arc.copy()
        take[g_arcs] = False
        take[a] = True
        avoid = open_arc.copy()
        avoid[a] = False
        for child in (take, avoid):
            if work + n_a > budget or (stop is not None and stop()):
                return "too_big"
            out = solve(child)
            work += n_a
            if out is None or (best is not None and out[0] >= best[0]):
                continue
            counter += 1
            heapq.heappush(heap, (out[0], counter, child, out[1]))
    if best is None:
        return None
    on = np.flatnonzero(best[1] > 0)
    return arcs[on], best[0] - root[0], work
