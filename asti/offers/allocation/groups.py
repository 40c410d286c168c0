"""Siblings of the same cohort who must share a unit (contract 3.2).

Children are joined (union-find) when they share a guardian id AND the same non-empty
address key. A joined set whose members have different education languages cannot share a
unit (language is a hard rule too), so it is split by language; each part is a group.
"""

from __future__ import annotations

from collections.abc import Sequence

from .model import ChildIn


class _UnionFind:
    __slots__ = ("parent",)

    def __init__(self, n: int) -> None:
        self.parent = list(range(n))

    def find(self, i: int) -> int:
        parent = self.parent
        root = i
        while parent[root] != root:
            root = parent[root]
        while parent[i] != root:
            parent[i], i = root, parent[i]
        return root

    def union(self, a: int, b: int) -> None:
        ra, rb = self.find(a), self.find(b)
        if ra != rb:
            # keep the smaller index as root: roots are then independent of the union order
            if rb < ra:
                ra, rb = rb, ra
            self.parent[rb] = ra


def build_groups(children: Sequence[ChildIn]) -> list[list[int]]:
    """Partition child indices into groups (singletons included).

    `children` must already be in canonical (child id) order. Each group is an ascending list
    of indices; groups are ordered by their first index, so the result only depends on the
    set of children, not on the input order.
    """
    uf = _UnionFind(len(children))
    first_with_key: dict[tuple[str, str], int] = {}
    for i, child in enumerate(children):
        if not child.address_key:
            continue
        for guardian in child.guardian_ids:
            key = (guardian, child.address_key)
            j = first_with_key.setdefault(key, i)
            if j != i:
                uf.union(i, j)
    by_root: dict[tuple[int, str], list[int]] = {}
    for i, child in enumerate(children):
        by_root.setdefault((uf.find(i), child.language), []).append(i)
    return sorted(by_root.values(), key=lambda members: members[0])
