"""Great-circle geometry on numpy arrays."""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

EARTH_RADIUS_M = 6_371_008.8  # IUGG mean Earth radius

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]


def haversine_m(lat1: npt.ArrayLike, lon1: npt.ArrayLike, lat2: npt.ArrayLike, lon2: npt.ArrayLike) -> IntArray:
    """Great-circle distance in whole metres (rounded half to even), element-wise."""
    p1 = np.radians(np.asarray(lat1, dtype=np.float64))
    p2 = np.radians(np.asarray(lat2, dtype=np.float64))
    dp = p2 - p1
    dl = np.radians(np.asarray(lon2, dtype=np.float64) - np.asarray(lon1, dtype=np.float64))
    a = np.sin(dp / 2.0) ** 2 + np.cos(p1) * np.cos(p2) * np.sin(dl / 2.0) ** 2
    d = 2.0 * EARTH_RADIUS_M * np.arcsin(np.sqrt(np.clip(a, 0.0, 1.0)))
    return np.asarray(np.rint(d), dtype=np.int64)


def distance_m(lat1: float, lon1: float, lat2: float, lon2: float) -> int:
    return int(haversine_m(lat1, lon1, lat2, lon2))


def unit_sphere_xyz(lat: npt.ArrayLike, lon: npt.ArrayLike) -> FloatArray:
    """3-D points on the unit sphere: chord order equals great-circle order, so a KD-tree works."""
    p = np.radians(np.asarray(lat, dtype=np.float64))
    lam = np.radians(np.asarray(lon, dtype=np.float64))
    cp = np.cos(p)
    return np.column_stack((cp * np.cos(lam), cp * np.sin(lam), np.sin(p)))


def chord_for_metres(metres: npt.ArrayLike) -> FloatArray:
    """Chord length on the unit sphere for a great-circle distance (KD-tree ball radius)."""
    m = np.asarray(metres, dtype=np.float64)
    return np.asarray(2.0 * np.sin(np.minimum(m, np.pi * EARTH_RADIUS_M) / (2.0 * EARTH_RADIUS_M)))
