"""Builds test extracts: a copy of the example extract with rows changed, added or removed."""

from __future__ import annotations

import csv
import shutil
from collections.abc import Callable
from pathlib import Path

from tests.conftest import EXAMPLE_EXTRACT

Rows = list[dict[str, str]]


class ExtractBuilder:
    def __init__(self, root: Path) -> None:
        self.dir = root / "extract"
        shutil.copytree(EXAMPLE_EXTRACT, self.dir)

    def rows(self, name: str) -> Rows:
        with (self.dir / name).open(encoding="utf-8", newline="") as f:
            return list(csv.DictReader(f))

    def write(self, name: str, rows: Rows, columns: list[str] | None = None) -> None:
        columns = columns or list(rows[0])
        with (self.dir / name).open("w", encoding="utf-8", newline="") as f:
            writer = csv.DictWriter(f, fieldnames=columns, extrasaction="ignore")
            writer.writeheader()
            writer.writerows(rows)

    def edit(self, name: str, row_id: str, **changes: str) -> None:
        """Changes cells of the row whose first column is row_id."""
        rows = self.rows(name)
        key = next(iter(rows[0]))
        matches = [r for r in rows if r[key] == row_id]
        assert matches, f"no row {row_id} in {name}"
        for r in matches:
            r.update(changes)
        self.write(name, rows)

    def transform(self, name: str, fn: Callable[[Rows], Rows]) -> None:
        self.write(name, fn(self.rows(name)))

    def line_of(self, name: str, row_id: str) -> int:
        rows = self.rows(name)
        key = next(iter(rows[0]))
        return 2 + next(i for i, r in enumerate(rows) if r[key] == row_id)
