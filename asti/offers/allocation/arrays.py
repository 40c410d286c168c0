"""Set operations on integer keys that the engine runs on hundreds of thousands of arcs.

numpy 2's `np.unique` (hash-based) and `np.isin` on sparse int64 keys take 0.2-0.3 s each on
300 000 arc keys; sorting once and comparing neighbours, or a binary search in keys that are
already sorted (arcs are kept sorted by (entity, unit)), gives the same result 10-60 times
faster.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

I64 = npt.NDArray[np.int64]


def unique_keys(keys: I64) -> I64:
    """The distinct values, ascending (what `np.unique(keys)` returns)."""
    s = np.sort(keys)
    if s.size == 0:
        return s
    keep = np.empty(s.size, dtype=bool)
    keep[0] = True
    np.not_equal(s[1:], s[:-1], out=keep[1:])
    return s[keep]


def in_sorted(values: I64, sorted_keys: I64) -> npt.NDArray[np.bool_]:
    """For each value, whether it occurs in `sorted_keys` (ascending): `np.isin(values, sorted_keys)`."""
    if sorted_keys.size == 0 or values.size == 0:
        return np.zeros(values.shape, dtype=bool)
    pos = np.searchsorted(sorted_keys, values)
    pos[pos == sorted_keys.size] = 0
    return np.asarray(sorted_keys[pos] == values)
