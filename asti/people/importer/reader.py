"""Reading the extract's CSV files: UTF-8 only, a header row with every required column."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from pathlib import Path

from asti.people.importer.problems import Problems

Row = tuple[int, dict[str, str]]


def decode_utf8(path: Path, problems: Problems) -> str | None:
    """The file's text, or None after listing every line that is not valid UTF-8."""
    data = path.read_bytes()
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    for number, raw in enumerate(data.split(b"\n"), start=1):
        try:
            raw.decode("utf-8")
        except UnicodeDecodeError as exc:
            bad = raw[exc.start : exc.start + 1].hex().upper()
            problems.add(
                path.name,
                number,
                "-",
                f"not valid UTF-8 (byte 0x{bad} at character {exc.start + 1}); save the file as UTF-8",
            )
    return None


def read_csv(path: Path, required: tuple[str, ...], problems: Problems) -> list[Row] | None:
    """Rows as (line number, {column: stripped value}); None when the file cannot be read at all."""
    name = path.name
    if not path.exists():
        problems.add(name, 0, "-", "file is missing from the extract")
        return None
    text = decode_utf8(path, problems)
    if text is None:
        return None
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    try:
        header = [h.strip() for h in next(reader)]
    except StopIteration:
        problems.add(name, 1, "-", "file is empty; a header row is required")
        return None
    except csv.Error as exc:
        problems.add(name, 1, "-", f"unreadable CSV: {exc}")
        return None
    missing = [c for c in required if c not in header]
    for column in missing:
        problems.add(name, 1, column, "missing column")
    duplicated = sorted({h for h in header if h and header.count(h) > 1})
    for column in duplicated:
        problems.add(name, 1, column, "column appears more than once in the header")
    if missing or duplicated:
        return None
    return list(_rows(reader, header, name, problems))


def _rows(reader: Iterator[list[str]], header: list[str], name: str, problems: Problems) -> Iterator[Row]:
    width = len(header)
    while True:
        try:
            cells = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            problems.add(name, getattr(reader, "line_num", 0), "-", f"unreadable CSV: {exc}")
            return
        line = reader.line_num  # type: ignore[attr-defined]
        if not cells or (len(cells) == 1 and not cells[0].strip()):
            continue  # blank line
        if len(cells) != width:
            problems.add(name, line, "-", f"row has {len(cells)} cells but the header has {width}")
            continue
        yield line, {h: c.strip() for h, c in zip(header, cells, strict=True)}
