"""Pre-primary admission areas: neighbouring postal areas grouped per municipality and language.

The grouping depends on the statistics only (not on the seed or the number of children), so area ids
stay the same between extracts. Within a municipality, weighted k-means finds compact centres; areas
then grow from the postal area nearest each centre over touching cells, the lightest area first, which
keeps them contiguous and of similar size.
"""

from __future__ import annotations

import heapq
from collections.abc import Sequence
from dataclasses import dataclass, field

from shapely.geometry.base import BaseGeometry

from asti.demo.geometry import Cells, union_cells
from asti.demo.sources import Municipality, PostalArea

FI_CHILDREN_PER_AREA = 210  # estimated six-year-olds per Finnish admission area
SV_CHILDREN_PER_AREA = 75
SV_MAX_AREAS = 6


@dataclass(slots=True)
class AdmissionArea:
    area_id: str
    name_fi: str
    name_sv: str
    language: str
    municipality_code: str
    postal: list[int]
    geometry: BaseGeometry | None = None
    neighbours: list[int] = field(default_factory=list)  # same layer and municipality


@dataclass(slots=True)
class AreaLayer:
    language: str
    areas: list[AdmissionArea]
    by_postal: dict[int, int]  # postal area → index in areas


def _d2(a: tuple[float, float], b: tuple[float, float]) -> float:
    return (a[0] - b[0]) ** 2 + (a[1] - b[1]) ** 2


def _centres(xy: list[tuple[float, float]], w: list[float], k: int) -> list[tuple[float, float]]:
    """Weighted k-means on the plane, seeded by weighted farthest points."""
    total = sum(w)
    mean = (sum(p[0] * q for p, q in zip(xy, w, strict=True)) / total,
            sum(p[1] * q for p, q in zip(xy, w, strict=True)) / total)  # fmt: skip
    first = min(range(len(xy)), key=lambda i: (_d2(xy[i], mean), i))
    centres = [xy[first]]
    near = [_d2(p, centres[0]) for p in xy]
    while len(centres) < k:
        nxt = max(range(len(xy)), key=lambda i: (near[i] * w[i], -i))
        centres.append(xy[nxt])
        near = [min(d, _d2(p, xy[nxt])) for d, p in zip(near, xy, strict=True)]
    for _ in range(10):
        sums = [[0.0, 0.0, 0.0] for _ in centres]
        for p, q in zip(xy, w, strict=True):
            c = min(range(k), key=lambda j: (_d2(p, centres[j]), j))
            sums[c][0] += p[0] * q
            sums[c][1] += p[1] * q
            sums[c][2] += q
        centres = [(s[0] / s[2], s[1] / s[2]) if s[2] else c for s, c in zip(sums, centres, strict=True)]
    return centres


def cluster(
    xy: list[tuple[float, float]], w: list[float], adjacency: list[list[int]], k: int
) -> tuple[list[int], list[int]]:
    """Labels 0..k-1 for points 0..n-1 (adjacency by local index) and each cluster's seed point."""
    n = len(xy)
    k = max(1, min(k, n))
    seeds: list[int] = []
    for centre in _centres(xy, w, k):
        seeds.append(min((i for i in range(n) if i not in seeds), key=lambda i: (_d2(xy[i], centre), i)))
    label = [-1] * n
    load = [0.0] * k
    frontier: list[set[int]] = [set() for _ in range(k)]
    for c, s in enumerate(seeds):
        label[s] = c
        load[c] = w[s]
    for c, s in enumerate(seeds):
        frontier[c].update(j for j in adjacency[s] if label[j] < 0)
    heap = [(load[c], c) for c in range(k)]
    heapq.heapify(heap)
    while heap:
        ld, c = heapq.heappop(heap)
        if ld != load[c]:
            continue
        open_ = [i for i in frontier[c] if label[i] < 0]
        if not open_:
            continue
        i = min(open_, key=lambda j: (_d2(xy[j], xy[seeds[c]]), j))
        label[i] = c
        load[c] += w[i]
        frontier[c] = {j for j in open_ if j != i}
        frontier[c].update(j for j in adjacency[i] if label[j] < 0)
        heapq.heappush(heap, (load[c], c))
    for i in range(n):  # cells cut off from every seed (islands): nearest seed
        if label[i] < 0:
            label[i] = min(range(k), key=lambda c: (_d2(xy[i], xy[seeds[c]]), c))
    return label, seeds


def build_layer(
    language: str,
    areas: Sequence[PostalArea],
    municipalities: Sequence[Municipality],
    cells: Cells,
    *,
    national: bool,
) -> AreaLayer:
    """Admission areas of one language for the given municipalities (Swedish: only where there are
    Swedish speakers)."""
    result: list[AdmissionArea] = []
    by_postal: dict[int, int] = {}
    for m in municipalities:
        share = m.swedish_share if language == "sv" else 1.0 - m.swedish_share
        if share <= 0 or not m.postal:
            continue
        est = m.est_age_6 * share
        if language == "sv":
            k = min(SV_MAX_AREAS, round(est / SV_CHILDREN_PER_AREA))
        else:
            k = round(est / FI_CHILDREN_PER_AREA)
        local = {p: i for i, p in enumerate(m.postal)}
        xy = [cells.xy[p] for p in m.postal]
        total = sum(areas[p].weight for p in m.postal) or 1.0
        w = [areas[p].weight / total + 0.05 / len(m.postal) for p in m.postal]
        adjacency = [[local[q] for q in cells.neighbours[p] if q in local] for p in m.postal]
        label, seeds = cluster(xy, w, adjacency, k)
        groups: dict[int, list[int]] = {}
        for i, c in enumerate(label):
            groups.setdefault(c, []).append(m.postal[i])
        order = sorted(groups, key=lambda c: min(areas[p].code for p in groups[c]))
        used_names: dict[str, int] = {}
        first = len(result)
        for number, c in enumerate(order, start=1):
            seed = areas[m.postal[seeds[c]]]
            name_fi, name_sv = seed.name_fi, seed.name_sv
            used_names[name_fi] = used_names.get(name_fi, 0) + 1
            if used_names[name_fi] > 1:
                name_fi, name_sv = f"{name_fi} {used_names[name_fi]}", f"{name_sv} {used_names[name_fi]}"
            if national:
                name_fi, name_sv = f"{m.name}: {name_fi}", f"{m.name}: {name_sv}"
            if language == "sv":
                name_fi = f"{name_fi} (ruotsinkielinen)"
            prefix = language.upper() + (f"-{m.code}" if national else "")
            postal = sorted(groups[c], key=lambda p: areas[p].code)
            for p in postal:
                by_postal[p] = len(result)
            result.append(AdmissionArea(f"{prefix}-{number}", name_fi, name_sv, language, m.code, postal))
        for a in result[first:]:
            touching = {by_postal[q] for p in a.postal for q in cells.neighbours[p] if q in by_postal}
            a.neighbours = sorted(t for t in touching if result[t] is not a and t >= first)
    for a in result:
        a.geometry = union_cells(cells, a.postal)
    return AreaLayer(language, result, by_postal)
