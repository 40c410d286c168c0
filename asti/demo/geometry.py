"""Postal-area cells and random home locations inside them.

Every postal area gets a cell: the Voronoi cell of its representative point, clipped to "land" (discs
around the points sized by each area's extent, inside Finland's bounding box). Cells partition the
land, so admission areas made of whole cells never overlap. Homes and units are drawn around the
representative point and kept a few metres inside their cell, so they lie inside every area built from
that cell, even after coordinates are rounded to six decimals.

Geometry is computed on a plane x = lon·cos(lat0)·M, y = lat·M (metres). That map is affine, so
containment on the plane is containment in longitude/latitude.
"""

from __future__ import annotations

import math
import random
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import shapely
from shapely.geometry.base import BaseGeometry

from asti.demo.sources import PostalArea

M_PER_DEG = 111_320.0
FINLAND_BOX = (19.05, 59.35, 31.65, 70.15)  # lon/lat, inside the import's bounds
GRID = 1e-6  # coordinates are written with six decimals
INNER_MARGIN = 3e-5  # degrees (about 3 m north-south): homes keep this far from a cell's edge


@dataclass(slots=True)
class Plane:
    k: float  # cos(lat0)

    @classmethod
    def around(cls, lats: Sequence[float]) -> Plane:
        return cls(math.cos(math.radians(sum(lats) / len(lats))))

    def xy(self, lat: float, lon: float) -> tuple[float, float]:
        return lon * self.k * M_PER_DEG, lat * M_PER_DEG

    def to_lonlat(self, coords: np.ndarray) -> np.ndarray:
        return coords / np.array([self.k * M_PER_DEG, M_PER_DEG])

    def to_xy(self, coords: np.ndarray) -> np.ndarray:
        return coords * np.array([self.k * M_PER_DEG, M_PER_DEG])


@dataclass(slots=True)
class Cells:
    plane: Plane
    xy: list[tuple[float, float]]  # postal points on the plane
    lonlat: list[BaseGeometry]  # cell of each postal area, lon/lat
    inner: np.ndarray  # cells shrunk by INNER_MARGIN (prepared), lon/lat
    sigma_m: list[float]  # spread of homes around the point, metres
    neighbours: list[list[int]]  # postal areas whose cells touch


def _land_radius(areas: Sequence[PostalArea], points: np.ndarray) -> list[float]:
    tree = shapely.STRtree(points)
    nearest = [math.inf] * len(areas)
    if len(areas) > 1:
        (src, _dst), dist = tree.query_nearest(points, exclusive=True, return_distance=True)
        for i, d in zip(src.tolist(), dist.tolist(), strict=True):
            nearest[i] = min(nearest[i], d)
    radii = []
    for area, nn in zip(areas, nearest, strict=True):
        if area.area_m2:
            radii.append(min(max(0.9 * math.sqrt(area.area_m2), 900.0), 6000.0))
        else:
            radii.append(min(max(1.3 * nn, 2500.0), 25000.0) if nn < math.inf else 8000.0)
    return radii


def build_cells(areas: Sequence[PostalArea]) -> Cells:
    plane = Plane.around([a.lat for a in areas])
    xy = [plane.xy(a.lat, a.lon) for a in areas]
    points = shapely.points(np.array(xy))
    radii = _land_radius(areas, points)
    discs = shapely.buffer(points, np.array(radii), quad_segs=8)
    box = shapely.box(*FINLAND_BOX)
    box_xy = shapely.transform(box, plane.to_xy)
    land = shapely.intersection(shapely.union_all(discs), box_xy)
    if len(areas) == 1:
        cells_xy = np.array([land], dtype=object)
    else:
        envelope = shapely.buffer(shapely.envelope(land), 10_000.0)
        diagram = shapely.voronoi_polygons(shapely.multipoints(points), extend_to=envelope, ordered=True)
        cells_xy = shapely.intersection(np.array(shapely.get_parts(diagram), dtype=object), land)
    # Snapped one by one, the cells' shared vertices land on the same grid points, so areas made of them
    # meet exactly and never overlap.
    lonlat = shapely.set_precision(shapely.transform(cells_xy, plane.to_lonlat), GRID)
    inner = shapely.buffer(lonlat, -INNER_MARGIN)
    thin = shapely.is_empty(inner)
    if thin.any():
        inner[thin] = shapely.buffer(lonlat[thin], -INNER_MARGIN / 10)
    shapely.prepare(inner)

    sigma = []
    for area, cell in zip(areas, cells_xy, strict=True):
        if area.area_m2:
            sigma.append(min(max(0.3 * math.sqrt(area.area_m2), 120.0), 2500.0))
        else:
            sigma.append(min(max(0.25 * math.sqrt(shapely.area(cell)), 200.0), 4000.0))

    neighbours: list[list[int]] = [[] for _ in areas]
    tree = shapely.STRtree(cells_xy)
    src, dst = tree.query(cells_xy, predicate="intersects")
    for i, j in zip(src.tolist(), dst.tolist(), strict=True):
        if i != j:
            neighbours[i].append(j)
    for row in neighbours:
        row.sort()
    return Cells(plane, xy, list(lonlat), inner, sigma, neighbours)


class PointSampler:
    """Random (lat, lon) points around postal areas' representative points, inside their cells."""

    def __init__(self, areas: Sequence[PostalArea], cells: Cells, rng: random.Random) -> None:
        self._areas = areas
        self._cells = cells
        self._rng = rng

    def sample(self, postal: int, count: int, *, spread: float = 1.0) -> list[tuple[float, float]]:
        area = self._areas[postal]
        inner = self._cells.inner[postal]
        sigma = self._cells.sigma_m[postal] * spread
        k = math.cos(math.radians(area.lat))
        gauss = self._rng.gauss
        found: list[tuple[float, float]] = []
        for attempt in range(12):
            need = count - len(found)
            if need <= 0:
                break
            batch = need + need // 2 + 4
            s_lat = sigma / M_PER_DEG
            s_lon = sigma / (M_PER_DEG * k)
            lats = [round(area.lat + gauss(0.0, s_lat), 6) for _ in range(batch)]
            lons = [round(area.lon + gauss(0.0, s_lon), 6) for _ in range(batch)]
            inside = shapely.contains_xy(inner, lons, lats).tolist()
            found.extend((la, lo) for la, lo, ok in zip(lats, lons, inside, strict=True) if ok)
            if attempt >= 3:
                sigma /= 2
        del found[count:]
        home = (round(area.lat, 6), round(area.lon, 6))
        found.extend([home] * (count - len(found)))
        return found


def union_cells(cells: Cells, postal: Sequence[int]) -> BaseGeometry:
    """One admission area's polygon: its cells united on the six-decimal grid."""
    geom = shapely.union_all([cells.lonlat[i] for i in postal], grid_size=GRID)
    polygons = [g for g in shapely.get_parts(geom) if isinstance(g, shapely.Polygon) and not g.is_empty]
    return shapely.MultiPolygon(polygons) if len(polygons) > 1 else polygons[0]
