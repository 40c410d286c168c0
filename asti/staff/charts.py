"""Charts as server-rendered SVG figures (no scripts, no inline styles): the numbers go to the template as
coordinates, and every chart sits beside a table with the same figures for screen readers and printing.

Every number that a template writes into an SVG attribute is a string made here by `svg_number`: the template
engine would localise a float ("33,3" in Finnish and Swedish), and a browser reads such a length as invalid and
draws nothing."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

WIDTH = 600
HEIGHT = 200
PAD = 30


def svg_number(value: float) -> str:
    """A coordinate or length as SVG and CSS read it in every language: a dot decimal, at most one decimal."""
    text = f"{value:.1f}".rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


@dataclass(frozen=True)
class Frame:
    """The box of a line chart, as attribute strings: the plot area runs from (left, top) to (right, bottom)."""

    width: str = svg_number(WIDTH)
    height: str = svg_number(HEIGHT)
    left: str = svg_number(PAD)
    top: str = svg_number(PAD)
    right: str = svg_number(WIDTH - PAD)
    bottom: str = svg_number(HEIGHT - PAD)


FRAME = Frame()


@dataclass(frozen=True)
class Bar:
    label: str
    value: int
    limit: int  # e.g. capacity; 0 when there is none
    value_pct: float  # of the widest bar in the chart
    limit_pct: float
    over: bool

    @property
    def value_width(self) -> str:
        """The value bar's width attribute, e.g. "33.3%"."""
        return f"{svg_number(self.value_pct)}%"

    @property
    def limit_width(self) -> str:
        return f"{svg_number(self.limit_pct)}%"


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
    """A running total as a polyline in a WIDTH x HEIGHT box with PAD on every side. A single value (the first
    day) is drawn as a level line across the box: one point alone would draw nothing."""
    if not values:
        return Line("", PAD, HEIGHT - PAD)
    top = max(top, 1)
    step = (WIDTH - 2 * PAD) / max(len(values) - 1, 1)
    coords = [(PAD + i * step, HEIGHT - PAD - (HEIGHT - 2 * PAD) * v / top) for i, v in enumerate(values)]
    if len(coords) == 1:
        coords.append((WIDTH - PAD, coords[0][1]))
    points = " ".join(f"{svg_number(x)},{svg_number(y)}" for x, y in coords)
    return Line(points, round(coords[-1][0], 1), round(coords[-1][1], 1))


def reference_y(rate: float) -> str:
    """The y attribute of a reference share (0..1) in the same box as line(top=100)."""
    return svg_number(HEIGHT - PAD - (HEIGHT - 2 * PAD) * rate)
