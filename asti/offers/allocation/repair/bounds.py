"""Unit-knapsack bounds on kept and own-area children, where the relaxation keeps "half a child"."""

from __future__ import annotations

import numpy as np

from asti.offers.allocation.flow import Component, FlowSolution, Weights, potentials

from .keys import I64

BOUND_ROUNDS = 300  # Bellman-Ford rounds for a bound's potentials (22-32 needed at 500 000)
IN_AREA_LAMBDAS = (10, 100)  # kept weights tried for the own-area bound, smallest first


def tier_bounds(comp: Component, w: Weights, sol: FlowSolution, kept_now: int) -> tuple[int, int | None] | None:
    """Upper bounds (kept, own-area given that kept) on every integer solution placing
    `sol.max_flow`; the own-area one only when the kept bound equals `kept_now` (the answer's
    kept count). None when there is no bound to add (no unit below the flow, or no usable
    potentials).

    The relaxation keeps "half a child" where a unit has one place left and a twin group
    with one member at home there. For a set U of such units (those where the integer
    maximum is below the flow's), every integer x satisfies

        lam * kept(x) + a * in_area(x) <= G + lam * sum over u in U of knap(u)

    where knap(u) is the most kept children unit u can hold on its own (a 0-1 knapsack over
    the entities at home there, sizes as weights) and G is the most that
    lam * kept outside U + a * in_area reaches over flows placing as many. With a = 0,
    lam = 1 that bounds kept; with a = 1 and kept(x) = K it bounds in-area by
    G - lam * (K - sum knap). G itself is bounded by weak duality (`relaxed_max`)."""
    lcm = w.lcm
    af = sol.arc_flow(comp)
    frac = (af > 0) & (af < comp.size[comp.arc_ent]) & (comp.kept > 0)
    units = []
    knap_sum = 0
    kept_arcs = np.flatnonzero(comp.kept > 0)
    kept_arcs = kept_arcs[np.argsort(comp.arc_unit[kept_arcs], kind="stable")]
    kept_ptr = np.searchsorted(comp.arc_unit[kept_arcs], np.arange(comp.n_unit + 1))
    for u in np.unique(comp.arc_unit[frac]).tolist():
        arcs = kept_arcs[kept_ptr[u] : kept_ptr[u + 1]]
        best = knapsack(comp.size[comp.arc_ent[arcs]], comp.kept[arcs], int(comp.cap[u]))
        if best * lcm < int((af[arcs] * w.scale[arcs] * comp.kept[arcs]).sum()):
            units.append(u)
            knap_sum += best
    if not units:
        return None
    u_star = np.array(units, dtype=np.int64)
    g = relaxed_max(comp, w, sol, u_star, 1, 0)
    if g is None:
        return None
    kept_max = g + knap_sum
    if kept_max != kept_now:
        return kept_max, None
    for lam in IN_AREA_LAMBDAS:
        g = relaxed_max(comp, w, sol, u_star, lam, 1)
        if g is not None:
            return kept_max, g - lam * (kept_now - knap_sum)
    return kept_max, None


def relaxed_max(
    comp: Component, w: Weights, sol: FlowSolution, u_star: I64, lam: int, a: int, hops: int = 2, sweeps: int = 5
) -> int | None:
    """An upper bound (rounded down, in children) on lam * kept outside `u_star` + a * in-area
    over flows placing `sol.max_flow`; None when `sol` is not optimal for that cost with kept
    credit everywhere (no potentials within BOUND_ROUNDS).

    Weak duality: for any node potentials p, min cost >= sum cap * min(0, reduced cost) -
    sum p * supply. The potentials proving `sol` optimal for the cost with kept credit
    everywhere are improved by exact coordinate ascent on the nodes within `hops` arcs of
    `u_star`: each node's term is concave and piecewise linear in its own potential."""
    lcm = w.lcm
    n_ent = comp.n_ent
    n_nodes = 2 + n_ent + comp.n_unit
    kept_cost = -(np.int64(lam) * comp.kept * w.scale)  # per member: a whole child counts lcm
    sol_c = sol.with_costs(comp, kept_cost - np.int64(a) * comp.in_area * w.scale)
    try:
        pi = potentials(sol_c, n_nodes, max_rounds=BOUND_ROUNDS)
    except RuntimeError:  # it trades a fraction of a kept child for in-area children: not optimal here
        return None
    costs = sol_c.costs.copy()
    into = np.flatnonzero(np.isin(comp.arc_unit, u_star))
    costs[n_ent + into] -= kept_cost[into]  # no kept credit in U
    tails, heads, caps = sol_c.tails, sol_c.heads, sol_c.caps
    out_order = np.argsort(tails, kind="stable")
    out_ptr = np.searchsorted(tails[out_order], np.arange(n_nodes + 1))
    in_order = np.argsort(heads, kind="stable")
    in_ptr = np.searchsorted(heads[in_order], np.arange(n_nodes + 1))
    hood = set((2 + n_ent + u_star).tolist())
    for _ in range(hops):
        grown = set(hood)
        for v in hood:
            grown.update(tails[in_order[in_ptr[v] : in_ptr[v + 1]]].tolist())
            grown.update(heads[out_order[out_ptr[v] : out_ptr[v + 1]]].tolist())
        hood = {v for v in grown if v >= 2}  # S and T keep their potentials
    p = pi.copy()
    for _ in range(sweeps):
        moved = False
        for v in sorted(hood):
            a_in = in_order[in_ptr[v] : in_ptr[v + 1]]
            a_out = out_order[out_ptr[v] : out_ptr[v + 1]]
            k_in, m_out = costs[a_in] + p[tails[a_in]], p[heads[a_out]] - costs[a_out]
            t = best_potential(k_in, caps[a_in], m_out, caps[a_out], int(p[v]))
            if t != p[v]:
                moved = True
                p[v] = t
        if not moved:
            break
    rc = costs + p[tails] - p[heads]
    low = int((caps * np.minimum(0, rc)).sum()) - (int(p[0]) - int(p[1])) * sol.max_flow
    return (-low) // lcm


def best_potential(k_in: I64, c_in: I64, m_out: I64, c_out: I64, current: int) -> int:
    """argmax over t of sum c_in * min(0, k_in - t) + sum c_out * min(0, t - m_out): a concave
    piecewise-linear function, whose maximum is at a breakpoint where the slope changes sign.
    The slope right of t is -(capacity of in-arcs with k_in <= t) + (capacity of out-arcs with
    m_out > t); the smallest breakpoint where it is <= 0 maximises."""
    points = np.unique(np.concatenate([k_in, m_out]))
    if points.size == 0:
        return current
    o_in = np.argsort(k_in, kind="stable")
    cum_in = np.concatenate([[0], np.cumsum(c_in[o_in])])
    o_out = np.argsort(m_out, kind="stable")
    cum_out = np.concatenate([[0], np.cumsum(c_out[o_out])])
    below_in = cum_in[np.searchsorted(k_in[o_in], points, side="right")]
    above_out = cum_out[-1] - cum_out[np.searchsorted(m_out[o_out], points, side="right")]
    slope = above_out - below_in
    return int(points[int(np.argmax(slope <= 0))])


def knapsack(weight: I64, value: I64, cap: int) -> int:
    """The most value of items of the given weights within `cap` (0-1, exact)."""
    best = np.zeros(cap + 1, dtype=np.int64)
    for wt, val in zip(weight.tolist(), value.tolist(), strict=True):
        if wt <= cap:
            best[wt:] = np.maximum(best[wt:], best[: cap + 1 - wt] + val)
    return int(best[cap])
