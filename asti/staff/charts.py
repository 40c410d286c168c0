"""Charts as server-rendered SVG figures (no scripts, no inline styles): the numbers go to the template as
coordinates, and every chart sits beside a table with the same figures for screen readers and printing."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

WIDTH = 600
HEIGHT = 200
PAD = 30


@dataclass(frozen=True)
class Bar:
    label: str
    value: int
    limit: int  # e.g. capacity; 0 when there is none
    value_pct: float  # of the widest bar in the chart
    limit_pct: float
    over: bool


def bars(rows: Sequence[tuple[str, int, int]]) -> list[Bar]:
    """(label, value, limit) rows as horizontal bars scaled to the largest value or limit."""
    top = max([max(v, lim) for _, v, lim in rows] + [1])
    return [
        Bar(
            label, value, limit, round(100 * value / top, 1), round(100 * limit / top, 1), bool(limit and value > limit)
        )
        for label, value, limit in rows
    ]


@dataclass(frozen=True)
class Line:
    points: str  # SVG polyline points
    last_x: float
    last_y: float


def line(values: Sequence[int], *, top: int) -> Line:
    """A running total as a polyline in a WIDTH x HEIGHT box with PAD on every side."""
    if not values:
        return Line("", PAD, HEIGHT - PAD)
    top = max(top, 1)
    step = (WIDTH - 2 * PAD) / max(len(values) - 1, 1)
    coords = [(PAD + i * step, HEIGHT - PAD - (HEIGHT - 2 * PAD) * v / top) for i, v in enumerate(values)]
    points = " ".join(f"{x:.1f},{y:.1f}" for x, y in coords)
    return Line(points, round(coords[-1][0], 1), round(coords[-1][1], 1))


def reference_y(rate: float) -> float:
    """The y of a reference share (0..1) in the same box as line(top=100)."""
    return round(HEIGHT - PAD - (HEIGHT - 2 * PAD) * rate, 1)
