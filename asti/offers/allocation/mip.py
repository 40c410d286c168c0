"""A small lexicographic 0-1 assignment MIP, solved with HiGHS through scipy.optimize.milp.

Used only where the flow relaxation split a group: each entity picks at most one option
(an arc to a unit), unit loads stay within bounds, optionally the total placed is fixed, and
the objectives are optimised one after the other, each optimum fixed by a constraint before
the next (exact integers: no big weights inside a floating-point solver).

Why scipy's HiGHS and not highspy: highspy and ortools both ship a `libhighs.so.1` (same
soname, different versions), and whichever is imported second fails to load in the same
process. scipy links its HiGHS statically, so it lives happily next to OR-Tools.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
from scipy.optimize import Bounds, LinearConstraint, milp
from scipy.sparse import csr_matrix, vstack

I64 = npt.NDArray[np.int64]
BoolArray = npt.NDArray[np.bool_]


@dataclass(frozen=True)
class AssignmentMip:
    n_ent: int
    n_unit: int
    opt_ent: I64  # [V] entity of each option
    opt_unit: I64  # [V] unit of each option
    opt_size: I64  # [V] members moved by the option (the entity's size)
    must_place: BoolArray  # [n_ent] entity has to take one option
    unit_lo: I64  # [n_unit] bounds on the members placed in each unit
    unit_hi: I64
    total: int | None  # members placed in all, when fixed


def solve_lexicographic(
    mip: AssignmentMip, objectives: list[tuple[I64, bool]], *, time_limit: float = 120.0
) -> I64 | None:
    """Chosen option per entity (-1 = none), or None when infeasible.

    `objectives` are (integer coefficient per option, maximise?) in priority order.
    """
    n_var = int(mip.opt_ent.size)
    if n_var == 0:
        feasible = not mip.must_place.any() and (mip.unit_lo <= 0).all() and mip.total in (None, 0)
        return np.full(mip.n_ent, -1, dtype=np.int64) if feasible else None
    cols = np.arange(n_var)
    rows = [
        csr_matrix((np.ones(n_var), (mip.opt_ent, cols)), shape=(mip.n_ent, n_var)),
        csr_matrix((mip.opt_size.astype(float), (mip.opt_unit, cols)), shape=(mip.n_unit, n_var)),
    ]
    lo = [mip.must_place.astype(float), mip.unit_lo.astype(float)]
    hi = [np.ones(mip.n_ent), mip.unit_hi.astype(float)]
    if mip.total is not None:
        rows.append(csr_matrix(mip.opt_size.astype(float)[None, :]))
        lo.append(np.array([float(mip.total)]))
        hi.append(np.array([float(mip.total)]))
    options = {"mip_rel_gap": 0.0, "time_limit": float(time_limit), "presolve": True}
    x: npt.NDArray[np.float64] | None = None
    for coef, maximise in objectives or [(np.zeros(n_var, dtype=np.int64), False)]:
        c = coef.astype(float)
        res = milp(
            -c if maximise else c,
            integrality=np.ones(n_var),
            bounds=Bounds(0.0, 1.0),
            constraints=LinearConstraint(vstack(rows, format="csr"), np.concatenate(lo), np.concatenate(hi)),
            options=options,
        )
        if res.status == 2:
            return None
        if res.status != 0 or res.x is None:
            raise RuntimeError(f"MIP not solved to optimality: {res.message}")
        x = np.rint(res.x)
        best = float(c @ x)
        rows.append(csr_matrix(c[None, :]))
        lo.append(np.array([best if maximise else -np.inf]))
        hi.append(np.array([np.inf if maximise else best]))
    assert x is not None
    chosen = np.flatnonzero(x > 0)
    out = np.full(mip.n_ent, -1, dtype=np.int64)
    out[mip.opt_ent[chosen]] = chosen
    return out
