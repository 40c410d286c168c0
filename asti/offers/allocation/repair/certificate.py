"""A node's exact optimum from restricted problems of growing penalty (the node certificate).

A solution with total penalty <= tau uses only options with penalty <= tau and keeps the
load of every unit whose |rc| > tau. Restricted to those the problem is small: piece by piece
with flows when everyone is placed (`pieces`), else a lexicographic MIP (HiGHS). If its
optimum has penalty <= tau it is the node's optimum; otherwise tau becomes that penalty and
the next round proves it.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import numpy.typing as npt

from asti.offers.allocation.flow import Component, Weights
from asti.offers.allocation.mip import AssignmentMip, solve_lexicographic

from .keys import BIG, I64, solution_cost
from .penalties import Penalties
from .pieces import restricted_pieces

MAX_RESTRICTED_VARS = 20_000
MAX_ROUNDS = 30


def certify(
    node: Component,
    w: Weights,
    pen: Penalties,
    f_total: int,
    cutoff: int | None = None,
    stop: Callable[[], bool] | None = None,
) -> tuple[I64 | None, int, bool]:
    """(the node's exact optimum or None, restricted solves, ruled out).

    The optimum comes from restricted problems of growing tau; None when tau would grow too
    large. `cutoff` is the incumbent's penalty at this node: solutions with that penalty or
    more are no better. Tau then stops at cutoff - 1, and "ruled out" is True when no
    solution of the node has a penalty below it (the node cannot beat the incumbent).
    """
    tau = max(int(pen.best[pen.split].sum()), w.lcm)  # no solution has a smaller penalty
    tau_limit = w.w3 * w.lcm  # past this, options that lose a child's own area would enter
    real = pen.p_arc[pen.p_arc < BIG]
    levels = np.unique(np.concatenate([real, pen.p_unplaced]))
    p_max = int(levels[-1])
    top = BIG if cutoff is None else cutoff - 1  # every solution worth finding has penalty <= top
    if top < 0:
        return None, 0, True
    tau = min(tau, top)
    used = 0
    for _ in range(MAX_ROUNDS):
        if tau >= tau_limit:
            return None, used, False
        allowed_arc = pen.p_arc <= tau
        allowed_unp = pen.p_unplaced <= tau
        if stop is not None and stop():
            return None, used, False
        outcome = restricted(node, w, pen, allowed_arc, allowed_unp, tau, f_total, top + 1, stop)
        if isinstance(outcome, str) and outcome != "cutoff":
            return None, used, False
        used += 1
        if outcome is None or isinstance(outcome, str):  # infeasible, or nothing below the cutoff
            if tau >= top:
                return None, used, True
            if isinstance(outcome, str):
                tau = top
                continue
            if tau >= p_max:
                return None, used, False  # no way to place f_total children: branch
            nxt = int(levels[np.searchsorted(levels, tau, side="right")])
            tau = min(max(tau * 4, nxt), top)
            continue
        penalty = solution_cost(node, w, outcome) - pen.cost_star
        if penalty <= tau:
            return outcome, used, False
        if tau >= top:
            return None, used, True  # the restricted optimum is past the cutoff
        tau = min(penalty, top)
    return None, used, False


def restricted(
    comp: Component,
    w: Weights,
    pen: Penalties,
    allowed_arc: npt.NDArray[np.bool_],
    allowed_unp: npt.NDArray[np.bool_],
    tau: int,
    f_total: int,
    limit: int = BIG,
    stop: Callable[[], bool] | None = None,
) -> I64 | str | None:
    """Solve the restricted problem: a choice, None (infeasible), 'cutoff' (every solution
    has a penalty of at least `limit`; checked only when everyone is placed) or 'too_big'
    (too many variables, or the MIP solver failed: the caller branches instead)."""
    if f_total == int(comp.size.sum()):
        return restricted_pieces(comp, pen, allowed_arc, tau, limit, stop)
    n_opts = np.bincount(comp.arc_ent[allowed_arc], minlength=comp.n_ent) + allowed_unp
    if (n_opts == 0).any():
        return None
    fixed = n_opts == 1
    free = ~fixed
    # entities with a single option: that option, taken as given
    fixed_arcs = np.flatnonzero(allowed_arc & fixed[comp.arc_ent])
    fixed_load = np.bincount(
        comp.arc_unit[fixed_arcs], weights=comp.size[comp.arc_ent[fixed_arcs]], minlength=comp.n_unit
    ).astype(np.int64)
    fixed_placed = int(fixed_load.sum())
    locked = np.abs(pen.rc_t) > tau
    hi = np.where(locked, pen.load, comp.cap) - fixed_load
    lo = np.where(locked, pen.load - fixed_load, 0)
    if (hi < 0).any() or (lo < 0).any():
        return None
    var_arcs = np.flatnonzero(allowed_arc & free[comp.arc_ent])
    if var_arcs.size > MAX_RESTRICTED_VARS:
        return "too_big"
    free_ents = np.flatnonzero(free)
    local = np.full(comp.n_ent, -1, dtype=np.int64)
    local[free_ents] = np.arange(free_ents.size, dtype=np.int64)
    mip = AssignmentMip(
        n_ent=int(free_ents.size),
        n_unit=comp.n_unit,
        opt_ent=local[comp.arc_ent[var_arcs]],
        opt_unit=comp.arc_unit[var_arcs],
        opt_size=comp.size[comp.arc_ent[var_arcs]],
        must_place=~allowed_unp[free_ents],
        unit_lo=lo,
        unit_hi=hi,
        total=f_total - fixed_placed,
    )
    try:
        sub = solve_lexicographic(
            mip, [(comp.kept[var_arcs], True), (comp.in_area[var_arcs], True), (w.dq[var_arcs], False)]
        )
    except RuntimeError:  # HiGHS gave up on this restriction: no certificate here (branch instead)
        return "too_big"
    if sub is None:
        return None
    choice = np.full(comp.n_ent, -1, dtype=np.int64)
    choice[comp.arc_ent[fixed_arcs]] = fixed_arcs
    picked = sub >= 0
    choice[free_ents[picked]] = var_arcs[sub[picked]]
    return choice
