"""Node flows re-optimised from an ancestor's optimal flow and potentials."""

from __future__ import annotations

import time

import numpy as np
from scipy.sparse import csr_matrix
from scipy.sparse.csgraph import dijkstra

from asti.offers.allocation.flow import Component, FlowSolution, Weights, potentials, solve_flow

from .keys import BIG, I64

FLOAT_LIMIT = float(2**52)  # path lengths below this are exact in float64
SHORT_LIMIT = float(2**20)  # first Dijkstra radius (most augmenting paths are short)


class WarmStart:
    """Re-optimises branch-and-bound nodes from the root's optimal flow and potentials.

    Applicable when the root flow places every member (S -> entity arcs saturated): a node
    (some entities pinned: size 0, their unit's places taken) is then the min-cost flow
    with fixed supplies (each entity sends its members, T absorbs them all). The root flow
    with the pinned entities' flow removed and over-full units clipped keeps every residual
    reduced cost >= 0 under the root potentials; the imbalances it leaves (a few members per
    pinned group) are removed by successive shortest paths (Dijkstra on reduced costs,
    potentials updated by min(d, D)). The result is checked in exact integers: balanced,
    within capacities, every residual reduced cost >= 0, so it is a min-cost flow of the
    node that places everyone, i.e. the node's relaxation (max flow, then min cost). None
    when the node cannot place everyone (or a distance leaves the exact float range): the
    caller then solves the node from scratch.
    """

    def __init__(self, comp: Component, sol: FlowSolution) -> None:
        self.comp = comp
        self.sol = sol
        n_ent = comp.n_ent
        self.n_nodes = 2 + n_ent + comp.n_unit
        self.pi = potentials(sol, self.n_nodes)
        arcs = np.arange(n_ent, sol.tails.size, dtype=np.int64)  # S -> entity arcs are fixed
        rows = np.concatenate([sol.tails[arcs], sol.heads[arcs]])
        cols = np.concatenate([sol.heads[arcs], sol.tails[arcs]])
        order = np.lexsort((cols, rows))
        self.edge_arc = np.concatenate([arcs, arcs])[order]
        self.edge_fwd = np.concatenate([np.ones(arcs.size, bool), np.zeros(arcs.size, bool)])[order]
        self.edge_sign = np.where(self.edge_fwd, 1, -1).astype(np.int64)
        self.edge_cost = sol.costs[self.edge_arc] * self.edge_sign
        self.edge_from = rows[order]
        self.edge_to = cols[order]
        self.indices = cols[order].astype(np.int32)
        self.indptr = np.zeros(self.n_nodes + 1, dtype=np.int32)
        np.cumsum(np.bincount(rows, minlength=self.n_nodes), out=self.indptr[1:])

    def residual_graph(self, caps: I64, flows: I64, pi: I64) -> tuple[csr_matrix, I64]:
        """The residual network weighted by reduced costs (float; non-residual edges above
        FLOAT_LIMIT), and each edge's residual capacity."""
        arc = self.edge_arc
        resid = np.where(self.edge_fwd, caps[arc] - flows[arc], flows[arc])
        rc = self.edge_cost + pi[self.edge_from] - pi[self.edge_to]
        weight = np.where(resid > 0, rc, 0).astype(float)
        weight[resid <= 0] = FLOAT_LIMIT * 2
        return csr_matrix((weight, self.indices, self.indptr), shape=(self.n_nodes, self.n_nodes)), resid

    def solve(self, node: Component, base: tuple[I64, I64] | None = None) -> tuple[FlowSolution, I64] | None:
        """The node's optimal flow and potentials, from `base` (flows and potentials of an
        ancestor node's optimal flow; the root's by default). None: solve it afresh."""
        comp, sol = self.comp, self.sol
        n_ent = comp.n_ent
        if sol.max_flow != int(comp.size.sum()):
            return None
        t0 = time.perf_counter()
        base_flows, base_pi = base if base is not None else (sol.flows, self.pi)
        caps = np.concatenate([node.size, node.arc_cap(), node.cap])
        flows = np.minimum(base_flows, caps)
        flows[:n_ent] = node.size
        total = int(node.size.sum())
        inner = flows[n_ent:].astype(float)  # member counts: exact in float64
        imb = np.rint(
            np.bincount(sol.heads[n_ent:], weights=inner, minlength=self.n_nodes)
            - np.bincount(sol.tails[n_ent:], weights=inner, minlength=self.n_nodes)
        ).astype(np.int64)
        imb[2 : 2 + n_ent] += node.size
        imb[1] -= total
        pi = base_pi.copy()
        arc = self.edge_arc
        while (imb > 0).any():
            graph, resid = self.residual_graph(caps, flows, pi)
            sources = np.flatnonzero(imb > 0)
            for limit in (SHORT_LIMIT, FLOAT_LIMIT):
                dist, pred, _ = dijkstra(graph, indices=sources, min_only=True, limit=limit, return_predecessors=True)
                sinks = np.flatnonzero((imb < 0) & np.isfinite(dist))
                if sinks.size:
                    break
            else:
                return None
            t = int(sinks[np.argmin(dist[sinks])])
            d_t = dist[t]
            path = []
            v = t
            while pred[v] >= 0:
                u = int(pred[v])
                lo, hi = self.indptr[u], self.indptr[u + 1]
                path.append(lo + int(np.searchsorted(self.indices[lo:hi], v)))
                v = u
            p = np.array(path, dtype=np.int64)
            delta = int(min(imb[v], -imb[t], int(resid[p].min()) if p.size else BIG))
            flows[arc[p]] += delta * self.edge_sign[p]  # a shortest path uses each arc once
            imb[v] -= delta
            imb[t] += delta
            pi += np.rint(np.minimum(np.where(np.isfinite(dist), dist, d_t), d_t)).astype(np.int64)
        # S -> entity arcs are all saturated: S at or below every supplying entity's potential
        supplying = 2 + np.flatnonzero(node.size > 0)
        pi[0] = int(pi[supplying].min()) if supplying.size else 0
        costs = sol.costs
        rc_all = costs + pi[sol.tails] - pi[sol.heads]
        ok = ((flows >= caps) | (rc_all >= 0)) & ((flows <= 0) | (rc_all <= 0)) & (flows >= 0) & (flows <= caps)
        if (imb != 0).any() or not ok.all():  # pragma: no cover - defensive
            return None
        out = FlowSolution(sol.tails, sol.heads, caps, costs, flows, total, time.perf_counter() - t0)
        return out, pi


def node_flow(
    node: Component, w: Weights, warm: WarmStart | None, base: tuple[I64, I64] | None = None
) -> tuple[FlowSolution, I64 | None]:
    """The node's relaxation: warm-started from its parent's (else the root's) optimal flow
    and potentials when possible, else a fresh solve."""
    if warm is not None:
        out = warm.solve(node, base)
        if out is not None:
            return out
    return solve_flow(node, w.combined()), None
