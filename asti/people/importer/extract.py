"""Reads and validates a whole extract into plain records; nothing here touches the database."""

from __future__ import annotations

import datetime as dt
import time
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

from asti.people.importer.areas import AreaLocator, AreaRecord, read_areas
from asti.people.importer.columns import CHILD_COLUMNS, CUSTODY_COLUMNS, GUARDIAN_COLUMNS, UNIT_COLUMNS
from asti.people.importer.fields import RowParser
from asti.people.importer.problems import ImportFailed, Problems
from asti.people.importer.reader import Row, read_csv
from asti.people.rules import resolve_education_language


@dataclass(slots=True)
class UnitRecord:
    line: int
    unit_id: str
    name_fi: str
    name_sv: str
    street_address: str
    postal_code: str
    lat: float
    lon: float
    provider: str
    language: str
    pre_primary: bool
    pre_primary_capacity: int
    admission_area_id: str
    email: str
    phone: str


@dataclass(slots=True)
class ChildRecord:
    line: int
    child_id: str
    hetu: str
    first_name: str
    last_name: str
    birth_date: dt.date
    language: str
    education_language: str
    street_address: str
    postal_code: str
    municipality_code: str
    lat: float
    lon: float
    admission_area_id: str
    admission_area_computed: bool
    non_disclosure: bool
    current_unit_id: str
    round_the_clock: bool


@dataclass(slots=True)
class GuardianRecord:
    line: int
    guardian_id: str
    hetu: str
    first_name: str
    last_name: str
    phone: str
    email: str
    language: str
    street_address: str
    postal_code: str
    non_disclosure: bool


@dataclass
class Extract:
    areas: list[AreaRecord] | None  # None: the extract has no admission_areas.geojson
    units: list[UnitRecord] = field(default_factory=list)
    children: list[ChildRecord] = field(default_factory=list)
    guardians: list[GuardianRecord] = field(default_factory=list)
    custodies: list[tuple[str, str]] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    timings: dict[str, float] = field(default_factory=dict)


def read_extract(directory: Path, *, known_area_ids: set[str] | None = None) -> Extract:
    """Parses and checks every file; raises ImportFailed listing every problem found."""
    started = time.perf_counter()
    problems = Problems()
    if not directory.is_dir():
        problems.add(str(directory), 0, "-", "not a directory")
        raise ImportFailed(problems.sorted())
    geojson = directory / "admission_areas.geojson"
    areas = read_areas(geojson, problems) if geojson.exists() else None
    unit_rows = read_csv(directory / "units.csv", UNIT_COLUMNS, problems)
    child_rows = read_csv(directory / "children.csv", CHILD_COLUMNS, problems)
    guardian_rows = read_csv(directory / "guardians.csv", GUARDIAN_COLUMNS, problems)
    custody_rows = read_csv(directory / "guardianships.csv", CUSTODY_COLUMNS, problems)
    parsed = time.perf_counter()

    extract = Extract(areas=areas)
    if unit_rows is not None:
        extract.units = [u for u in (_unit(r, problems) for r in unit_rows) if u]
    if child_rows is not None:
        extract.children = [c for c in (_child(r, problems) for r in child_rows) if c]
    if guardian_rows is not None:
        extract.guardians = [g for g in (_guardian(r, problems) for r in guardian_rows) if g]
    _check_unique(problems, "units.csv", "unit_id", unit_rows)
    _check_unique(problems, "children.csv", "child_id", child_rows)
    _check_unique(problems, "guardians.csv", "guardian_id", guardian_rows)
    _check_unique_hetu(problems, extract)
    # References are checked against every id in the files, valid row or not, so that one bad row is
    # reported once rather than again by every row that refers to it.
    unit_ids, child_ids, guardian_ids = (
        {cells.get(column, "") for _, cells in rows or ()}
        for rows, column in ((unit_rows, "unit_id"), (child_rows, "child_id"), (guardian_rows, "guardian_id"))
    )
    if custody_rows is not None and child_rows is not None and guardian_rows is not None:
        extract.custodies = _custodies(custody_rows, child_ids, guardian_ids, problems)
    if unit_rows is not None and child_rows is not None:
        _check_references(extract, unit_ids, problems, known_area_ids or set())
    if problems:
        raise ImportFailed(problems.sorted())
    _locate_areas(extract)
    extract.timings = {"parse": parsed - started, "validate": time.perf_counter() - parsed}
    return extract


def _unit(row: Row, problems: Problems) -> UnitRecord | None:
    line, cells = row
    p = RowParser("units.csv", line, cells, problems)
    lat, lon = p.coordinates()
    record = UnitRecord(
        line=line,
        unit_id=p.identifier("unit_id"),
        name_fi=p.text("name_fi"),
        name_sv=p.text("name_sv", required=False),
        street_address=p.text("street_address", required=False),
        postal_code=p.postal_code("postal_code"),
        lat=lat,
        lon=lon,
        provider=p.choice("provider", ("municipal", "private", "purchased")),
        language=p.choice("language", ("fi", "sv")),
        pre_primary=p.boolean("pre_primary"),
        pre_primary_capacity=p.capacity("pre_primary_capacity"),
        admission_area_id=p.text("admission_area_id", required=False, max_length=64),
        email=p.email("email"),
        phone=p.phone("phone"),
    )
    return record if p.ok else None


def _child(row: Row, problems: Problems) -> ChildRecord | None:
    line, cells = row
    p = RowParser("children.csv", line, cells, problems)
    birth_date = p.date("birth_date")
    lat, lon = p.coordinates()
    record = ChildRecord(
        line=line,
        child_id=p.identifier("child_id"),
        hetu=p.hetu("hetu", birth_date),
        first_name=p.text("first_name"),
        last_name=p.text("last_name"),
        birth_date=birth_date or dt.date.min,
        language=p.language("language"),
        education_language=p.choice("education_language", ("fi", "sv"), required=False),
        street_address=p.text("street_address", required=False),
        postal_code=p.postal_code("postal_code"),
        municipality_code=p.municipality_code("municipality_code"),
        lat=lat,
        lon=lon,
        admission_area_id=p.text("admission_area_id", required=False, max_length=64),
        admission_area_computed=False,
        non_disclosure=p.boolean("non_disclosure"),
        current_unit_id=p.text("current_unit_id", required=False, max_length=64),
        round_the_clock=p.boolean("round_the_clock"),
    )
    return record if p.ok else None


def _guardian(row: Row, problems: Problems) -> GuardianRecord | None:
    line, cells = row
    p = RowParser("guardians.csv", line, cells, problems)
    record = GuardianRecord(
        line=line,
        guardian_id=p.identifier("guardian_id"),
        hetu=p.hetu("hetu"),
        first_name=p.text("first_name"),
        last_name=p.text("last_name"),
        phone=p.phone("phone"),
        email=p.email("email"),
        language=p.choice("language", ("fi", "sv", "en")),
        street_address=p.text("street_address", required=False),
        postal_code=p.postal_code("postal_code"),
        non_disclosure=p.boolean("non_disclosure"),
    )
    return record if p.ok else None


def _check_unique(problems: Problems, file: str, column: str, rows: list[Row] | None) -> None:
    first: dict[str, int] = {}
    for line, cells in rows or ():
        key = cells.get(column, "")
        if not key:
            continue
        if key in first:
            problems.add(file, line, column, f"duplicate id {key!r} (first on line {first[key]})")
        else:
            first[key] = line


def _check_unique_hetu(problems: Problems, extract: Extract) -> None:
    seen: dict[str, str] = {}
    for file, records in (("children.csv", extract.children), ("guardians.csv", extract.guardians)):
        for r in records:
            where = f"{file}:{r.line}"
            if r.hetu in seen:
                problems.add(file, r.line, "hetu", f"identity code already given on {seen[r.hetu]}")
            else:
                seen[r.hetu] = where


def _custodies(rows: list[Row], children: set[str], guardians: set[str], problems: Problems) -> list[tuple[str, str]]:
    pairs: list[tuple[str, str]] = []
    first: dict[tuple[str, str], int] = {}
    per_child: dict[str, int] = defaultdict(int)
    for line, cells in rows:
        p = RowParser("guardianships.csv", line, cells, problems)
        child_id, guardian_id = p.identifier("child_id"), p.identifier("guardian_id")
        if child_id and child_id not in children:
            p.error("child_id", f"unknown child {child_id!r}")
        if guardian_id and guardian_id not in guardians:
            p.error("guardian_id", f"unknown guardian {guardian_id!r}")
        pair = (child_id, guardian_id)
        if p.ok and pair in first:
            p.error("guardian_id", f"duplicate custody row (first on line {first[pair]})")
        if not p.ok:
            continue
        first[pair] = line
        per_child[child_id] += 1
        if per_child[child_id] == 3:
            p.error("child_id", f"child {child_id!r} has more than two guardians")
        pairs.append(pair)
    return pairs


def _check_references(extract: Extract, units: set[str], problems: Problems, known_area_ids: set[str]) -> None:
    if extract.areas is not None:
        area_ids = {a.area_id for a in extract.areas}
    else:
        area_ids = known_area_ids | {u.admission_area_id for u in extract.units if u.admission_area_id}
    for u in extract.units:
        if extract.areas is not None and u.admission_area_id and u.admission_area_id not in area_ids:
            problems.add("units.csv", u.line, "admission_area_id", f"unknown admission area {u.admission_area_id!r}")
    for c in extract.children:
        if c.current_unit_id and c.current_unit_id not in units:
            problems.add("children.csv", c.line, "current_unit_id", f"unknown unit {c.current_unit_id!r}")
        if c.admission_area_id and c.admission_area_id not in area_ids:
            problems.add("children.csv", c.line, "admission_area_id", f"unknown admission area {c.admission_area_id!r}")
        elif not c.admission_area_id and extract.areas is None:
            problems.add(
                "children.csv", c.line, "admission_area_id",
                "value is required when the extract has no admission_areas.geojson",
            )  # fmt: skip


def _locate_areas(extract: Extract) -> None:
    """Fills in the admission area of children whose row leaves it empty, from the home location."""
    if not extract.areas:
        return
    unit_language = {u.unit_id: u.language for u in extract.units}
    pending: dict[str, list[ChildRecord]] = defaultdict(list)
    for c in extract.children:
        if not c.admission_area_id:
            language = resolve_education_language(
                override=c.education_language,
                current_unit_language=unit_language.get(c.current_unit_id),
                registered=c.language,
            )
            pending[language].append(c)
    locator = AreaLocator(extract.areas)
    unlocated = 0
    for language, children in pending.items():
        found = locator.locate(language, [c.lat for c in children], [c.lon for c in children])
        for child, area_id in zip(children, found, strict=True):
            if area_id is None:
                unlocated += 1
            else:
                child.admission_area_id = area_id
                child.admission_area_computed = True
    if unlocated:
        extract.warnings.append(f"{unlocated} child(ren) live outside every admission area of their language")
