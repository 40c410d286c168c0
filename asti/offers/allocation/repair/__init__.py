"""Exact repair when the flow relaxation splits a group over units.

The flow with group nodes (supply = group size) is a relaxation of the real problem, where a
group takes one unit or none. When no group is split it is optimal. Otherwise a small
branch-and-bound runs, each node being the flow with some groups pinned (a unit or
unplaced):

1. Node certificate. Potentials pi of the node's optimal flow give reduced costs rc >= 0 on
   every residual arc, and for ANY integer solution x that places the same number F of
   children

       cost(x) - cost(f*) = sum over arcs of rc(a) * (x(a) - f*(a))      (every term >= 0)

   so each entity option (a unit, or unplaced) has a penalty P >= 0 and each unit a penalty
   per place it gains or loses. A solution with total penalty <= tau uses only options with
   P <= tau and keeps the load of every unit whose |rc| > tau. Restricted to those, the
   problem is small. When everyone is placed it falls apart into independent pieces, each
   a min-cost flow whose groups a small branch-and-bound makes whole (`pieces`);
   otherwise a MIP (HiGHS, objectives one after another) solves it. If its optimum has
   penalty <= tau it is the node's optimum (anything outside the restriction costs more
   than tau); otherwise tau becomes that penalty and the next round proves it. With an
   incumbent, tau stops below its penalty: a node whose restriction has nothing cheaper
   cannot beat it and is closed.
2. When that would need a large tau (a group that must lose a child's current unit or own
   area: everything with a smaller loss would enter the restriction), the node is branched
   on one fractional arc a of a split group g (kept fractions first): "g takes a" (g pinned)
   or "g does not take a" (a closed). Node bounds: the node's flow is optimal for the
   combined cost C; integer solutions are ordered by C exactly as by their keys, so
   ceil(C / L) decoded into (kept, in-area, metres) bounds every integer solution under the
   node (`keys.node_bound`). Best-first, pruned by the incumbent.
3. Node flows are re-optimised from the parent's (else the root's) optimal flow and
   potentials (`warm`):
   the pinned groups' flow is removed, over-full units are clipped, and the few members of
   imbalance are routed by successive shortest paths (Dijkstra on nonnegative reduced
   costs). The result is checked in exact integers (balanced, within capacities, every
   residual reduced cost >= 0), so it is the node's min-cost flow; a fresh OR-Tools solve
   is used only when the node cannot place everyone (or a path leaves float64's exact range).

A deterministic node budget (by component size) bounds the work; if it runs out, the best
solution found is used and the result is flagged as not proven optimal, with the gap to the
smallest bound of the open nodes (every integer solution not yet ruled out lies under one).
Components over BNB_MAX_ARCS arcs get the local repair alone, with the gap to the root
relaxation's lexicographic bound. Components whose combined tiered cost does not fit int64
run the search on the stage-A cost alone (objectives 1-3, no distance; `driver.repair_tiers`): it
proves objectives 1-3 or states their gap (tightened, where it stops, by unit-knapsack
bounds on kept and then own-area children: `bounds`), and the distance tier is bounded
by the root relaxation only when the answer meets the relaxation's objectives 1-3.

Modules, one idea each: `keys` (scoring a solution, bounds, the stated gap), `penalties` and
`certificate` (1, with `pieces` for the restricted problem when everyone is placed), `nodes`
and `branching` (2), `warm` (3), `local` (solutions near the flow and their improvement),
`bounds` (the unit-knapsack bounds), `clock` (the proof's wall-clock budget) and `driver`
(one component's repair from start to end).
"""

from .clock import ProofClock
from .driver import RepairResult, repair

__all__ = ["ProofClock", "RepairResult", "repair"]
