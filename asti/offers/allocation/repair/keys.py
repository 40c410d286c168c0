"""How an integer solution is scored, and how far it can be from a bound.

A solution is a local arc per entity (-1: unplaced). Its key (-placed, -kept, -in_area,
distance quanta) orders solutions lexicographically, smaller being better; the bounds here
are lower bounds on every integer solution's key (of a component, or under a node).
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from asti.offers.allocation.flow import Component, FlowSolution, Weights

I64 = npt.NDArray[np.int64]
BIG = np.iinfo(np.int64).max
Key = tuple[int, int, int, int]  # (-placed, -kept, -in_area, distance): smaller is better


def solution_key(comp: Component, w: Weights, choice: I64) -> Key:
    """(-placed, -kept, -in_area, distance quanta) of an integer solution: smaller is better."""
    arcs = choice[choice >= 0]
    return (
        -int(comp.size[comp.arc_ent[arcs]].sum()),
        -int(comp.kept[arcs].sum()),
        -int(comp.in_area[arcs].sum()),
        int(w.dq[arcs].sum()),
    )


def solution_tiers(comp: Component, choice: I64) -> tuple[int, int, int]:
    """(-placed, -kept, -in_area) of an integer solution: smaller is better."""
    arcs = choice[choice >= 0]
    return (-int(comp.size[comp.arc_ent[arcs]].sum()), -int(comp.kept[arcs].sum()), -int(comp.in_area[arcs].sum()))


def solution_cost(comp: Component, w: Weights, choice: I64) -> int:
    arcs = choice[choice >= 0]
    return int((w.combined()[arcs] * comp.size[comp.arc_ent[arcs]]).sum())


def flow_cost(sol: FlowSolution) -> int:
    return int((sol.costs * sol.flows).sum())


def lex_bound(comp: Component, w: Weights, sol: FlowSolution) -> Key:
    """Lower bound on every integer solution's key from the root's lexicographically optimal
    flow: it maximises placed, then kept, then in-area, then minimises metres, possibly with
    fractions of groups. Integer solutions have integer tiers, so each tier rounds towards
    them; a tier below a fractional one is unbounded."""
    lcm = w.lcm
    af = sol.arc_flow(comp) * (lcm // comp.size[comp.arc_ent])
    kept, in_area, dist = (int((af * comp.kept).sum()), int((af * comp.in_area).sum()), int((af * w.dq).sum()))
    low = -BIG
    if kept % lcm:
        return (-sol.max_flow, -(kept // lcm), low, low)
    if in_area % lcm:
        return (-sol.max_flow, -(kept // lcm), -(in_area // lcm), low)
    return (-sol.max_flow, -(kept // lcm), -(in_area // lcm), -(-dist // lcm))


def node_bound(comp: Component, w: Weights, node: Component, sol: FlowSolution, pins: dict[int, int]) -> Key:
    """Lexicographic lower bound on the keys of the integer solutions under a node.

    The node's flow is optimal for the combined cost C = -(W2 * kept + W3 * in_area) + metres
    (flow-scaled: a whole group counts L times), possibly with fractions of groups. An integer
    solution x placing as many children has C(x) = L * c(x), c(x) = -W2 kept - W3 in_area +
    metres, and c orders integer solutions exactly as their keys do (0 <= metres < W3, 0 <=
    in_area <= n_in, W2 = W3 (1 + n_in)). So c(x) >= ceil(C(flow) / L), and that integer,
    decoded into (kept, in_area, metres), bounds key(x). Exact Python integers throughout.
    """
    lcm = w.lcm
    scale = lcm // comp.size[comp.arc_ent]
    af = sol.arc_flow(node) * scale
    placed = sol.max_flow
    tiers = [int((af * comp.kept).sum()), int((af * comp.in_area).sum()), int((af * w.dq).sum())]
    for e, a in pins.items():
        if a >= 0:
            placed += int(comp.size[e])
            tiers[0] += int(comp.kept[a]) * lcm
            tiers[1] += int(comp.in_area[a]) * lcm
            tiers[2] += int(w.dq[a]) * lcm
    kept, in_area, dist = tiers
    n_in = w.w2 // w.w3 - 1
    total = -w.w2 * kept - w.w3 * in_area + dist
    c = -(-total // lcm)
    top, rem = divmod(c + w.w3 * n_in, w.w2)
    return (-placed, top, -(n_in - rem // w.w3), rem % w.w3)


def gap_to_bound(key: Key, bound: Key) -> str:
    """How far an integer solution's key can be from the optimum, by the relaxation's bound."""
    names = ("placed children", "kept children", "children in own area")
    for i in range(4):
        if bound[i] == -BIG and i == 3:
            return "optimal in placed, kept and own-area children; the relaxation does not bound distance"
        if bound[i] == -BIG:
            return (
                f"optimal in {', '.join(names[:i])}; the relaxation does not bound {names[i] if i < 3 else 'distance'}"
            )
        if key[i] != bound[i]:
            if i == 3:
                return (
                    f"optimal in placed, kept and own-area children; "
                    f"total distance at most {key[3] - bound[3]} m above the optimum"
                )
            return f"at most {key[i] - bound[i]} more {names[i]} possible"
    return "equal to the relaxation bound"
