"""The demo-city generator writes a realistic extract in the city data contract's form.

Pure tests (no database): `.venv/bin/pytest tests/demo -p no:django`.
"""

from __future__ import annotations

import csv
import datetime as dt
import json
import re
from collections import Counter, defaultdict
from pathlib import Path

import phonenumbers
import pytest
import shapely
from shapely.geometry import shape
from stdnum.fi import hetu as stdnum_hetu

from asti.demo.generator import generate
from asti.demo.hetu import CODES_PER_DAY, HetuAllocator
from asti.demo.people import apportion, cohort_size

YEAR = 2027
COHORT_YEAR = YEAR - 6
CENTURY = {"+": 1800, "-": 1900, "Y": 1900, "X": 1900, "W": 1900, "V": 1900, "U": 1900}
CENTURY.update(dict.fromkeys("ABCDEF", 2000))
COLUMNS = {
    "units.csv": "unit_id name_fi name_sv street_address postal_code lat lon provider language pre_primary "
    "pre_primary_capacity admission_area_id email phone",
    "children.csv": "child_id hetu first_name last_name birth_date language education_language street_address "
    "postal_code municipality_code lat lon admission_area_id non_disclosure current_unit_id round_the_clock",
    "guardians.csv": "guardian_id hetu first_name last_name phone email language street_address postal_code "
    "non_disclosure",
    "guardianships.csv": "child_id guardian_id",
}


class Extract:
    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.units = self._read("units.csv")
        self.children = self._read("children.csv")
        self.guardians = self._read("guardians.csv")
        self.guardianships = self._read("guardianships.csv")
        doc = json.loads((folder / "admission_areas.geojson").read_text(encoding="utf-8"))
        self.doc = doc
        self.areas = {f["properties"]["area_id"]: f for f in doc["features"]}
        self.shapes = {a: shape(f["geometry"]) for a, f in self.areas.items()}
        self.unit_by_id = {u["unit_id"]: u for u in self.units}
        self.guardians_of: dict[str, list[str]] = defaultdict(list)
        for g in self.guardianships:
            self.guardians_of[g["child_id"]].append(g["guardian_id"])

    def _read(self, name: str) -> list[dict[str, str]]:
        with (self.folder / name).open(encoding="utf-8", newline="") as f:
            return list(csv.DictReader(f))

    def edu(self, child: dict[str, str]) -> str:
        """Education language by the contract's rule 3.1."""
        if child["education_language"]:
            return child["education_language"]
        if child["current_unit_id"]:
            return self.unit_by_id[child["current_unit_id"]]["language"]
        return "sv" if child["language"] == "sv" else "fi"

    def cohort(self) -> list[dict[str, str]]:
        return [c for c in self.children if c["birth_date"].startswith(str(COHORT_YEAR))]


@pytest.fixture(scope="module")
def city_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("city")
    summary = generate(folder, children=6600, seed=11, year=YEAR)
    assert summary.scale == "city"
    return folder


@pytest.fixture(scope="module")
def city(city_dir: Path) -> Extract:
    return Extract(city_dir)


@pytest.fixture(scope="module")
def national(tmp_path_factory: pytest.TempPathFactory) -> Extract:
    folder = tmp_path_factory.mktemp("national")
    summary = generate(folder, children=20_000, seed=3, year=YEAR)
    assert summary.scale == "national"
    return Extract(folder)


def test_files_and_columns_follow_the_contract(city: Extract) -> None:
    for name, columns in COLUMNS.items():
        with (city.folder / name).open(encoding="utf-8", newline="") as f:
            assert next(csv.reader(f)) == columns.split(), name
    assert city.doc["type"] == "FeatureCollection"
    for feature in city.doc["features"]:
        assert feature["geometry"]["type"] in ("Polygon", "MultiPolygon")
        assert set(feature["properties"]) == {"area_id", "name_fi", "name_sv", "language"}
    assert len(city.children) == 6600
    for row in city.units + city.children + city.guardians:
        for column in ("non_disclosure", "pre_primary", "round_the_clock"):
            assert row.get(column, "true") in ("true", "false")


def test_same_seed_gives_the_same_bytes(city_dir: Path, tmp_path: Path) -> None:
    again = tmp_path / "again"
    generate(again, children=6600, seed=11, year=YEAR)
    for name in [*COLUMNS, "admission_areas.geojson"]:
        assert (again / name).read_bytes() == (city_dir / name).read_bytes(), name
    other = tmp_path / "other"
    generate(other, children=6600, seed=12, year=YEAR)
    assert (other / "children.csv").read_bytes() != (city_dir / "children.csv").read_bytes()
    assert (other / "admission_areas.geojson").read_bytes() == (city_dir / "admission_areas.geojson").read_bytes()


def _check_hetus(extract: Extract) -> Counter[str]:
    signs: Counter[str] = Counter()
    seen: set[str] = set()
    for person in extract.children + extract.guardians:
        code = person["hetu"]
        assert stdnum_hetu.validate(code, allow_temporary=True) == code
        assert 900 <= int(code[7:10]) <= 999, code
        assert code not in seen, code
        seen.add(code)
        born = dt.date(CENTURY[code[6]] + int(code[4:6]), int(code[2:4]), int(code[0:2]))
        if "birth_date" in person:
            assert born.isoformat() == person["birth_date"]
            signs[code[6]] += 1
        else:
            assert 18 <= YEAR - born.year <= 70
    return signs


def test_identity_codes_are_valid_temporary_unique_and_match_birth_dates(city: Extract) -> None:
    signs = _check_hetus(city)
    assert signs["A"] > 0.6 * len(city.children)
    assert sum(1 for s in "BCDEF" if signs[s]) >= 4


def test_hetu_allocator_uses_every_code_of_a_day_once() -> None:
    import random

    allocator = HetuAllocator(random.Random(1))
    day = dt.date(2021, 5, 17)
    codes = [allocator.allocate(day) for _ in range(CODES_PER_DAY)]
    assert len(set(codes)) == CODES_PER_DAY
    assert all(stdnum_hetu.is_valid(c, allow_temporary=True) for c in codes)
    assert len({c[7:10] for c in codes[:100]}) == 100  # every number once before any is reused
    with pytest.raises(ValueError, match="in use"):
        allocator.allocate(day)
    assert cohort_size(500_000, YEAR) <= 365 * CODES_PER_DAY
    assert apportion(10, [1.0, 1.0, 1.0]) == [4, 3, 3]


def test_references_resolve(city: Extract) -> None:
    for rows, key in ((city.units, "unit_id"), (city.children, "child_id"), (city.guardians, "guardian_id")):
        assert len({r[key] for r in rows}) == len(rows)
    units = set(city.unit_by_id)
    assert all(c["current_unit_id"] in units for c in city.children if c["current_unit_id"])
    children = {c["child_id"] for c in city.children}
    guardians = {g["guardian_id"] for g in city.guardians}
    pairs = [(g["child_id"], g["guardian_id"]) for g in city.guardianships]
    assert len(set(pairs)) == len(pairs)
    assert all(c in children and g in guardians for c, g in pairs)
    assert {g for _, g in pairs} == guardians  # no guardian without a child
    counts = Counter(len(city.guardians_of[c]) for c in children)
    assert set(counts) <= {0, 1, 2}
    assert counts[2] > counts[1] > counts[0] > 0
    areas = set(city.areas)
    assert all(r["admission_area_id"] in areas for r in city.units + city.children if r["admission_area_id"])


def test_phones_and_emails(city: Extract) -> None:
    notations: set[str] = set()
    numbers = []
    for g in city.guardians:
        if g["phone"]:
            number = phonenumbers.parse(g["phone"], "FI")
            assert phonenumbers.is_valid_number(number), g["phone"]
            e164 = phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
            assert e164[4:6] in ("40", "41", "44", "45", "46", "50")
            numbers.append(e164)
            notations.add(re.sub(r"\d", "9", g["phone"]))
        if g["email"]:
            assert re.fullmatch(r"[a-z0-9.-]+@example\.(com|fi|net|org)", g["email"]), g["email"]
    assert len(numbers) == len(set(numbers))
    assert {"999 999 9999", "+999999999999", "9999999999", "999-999 9999", "+999 99 999 9999"} <= notations
    with_phone = len(numbers) / len(city.guardians)
    with_email = sum(1 for g in city.guardians if g["email"]) / len(city.guardians)
    assert 0.85 < with_phone < 0.99 and 0.7 < with_email < 0.9
    assert Counter(g["language"] for g in city.guardians).keys() <= {"fi", "sv", "en"}
    for u in city.units:
        if u["phone"]:
            assert phonenumbers.is_valid_number(phonenumbers.parse(u["phone"], "FI")), u["phone"]
    assert sum(1 for u in city.units if u["email"] and u["phone"]) > 0.5 * len(city.units)


def _check_points_in_areas(extract: Extract) -> None:
    by_area: dict[str, list[tuple[float, float]]] = defaultdict(list)
    for row in extract.children + extract.units:
        if row["admission_area_id"]:
            by_area[row["admission_area_id"]].append((float(row["lon"]), float(row["lat"])))
    for area_id, points in by_area.items():
        xs, ys = zip(*points, strict=True)
        inside = shapely.contains_xy(extract.shapes[area_id], xs, ys)
        assert inside.all(), f"{int((~inside).sum())} points outside {area_id}"
    for language in ("fi", "sv"):
        ids = sorted(a for a, f in extract.areas.items() if f["properties"]["language"] == language)
        geoms = [extract.shapes[a] for a in ids]
        assert all(g.is_valid for g in geoms)
        tree = shapely.STRtree(geoms)
        left, right = tree.query(geoms, predicate="intersects")
        for i, j in zip(left.tolist(), right.tolist(), strict=True):
            if i < j:
                overlap = shapely.area(shapely.intersection(geoms[i], geoms[j]))
                assert overlap < 1e-12, f"{ids[i]} overlaps {ids[j]}"


def test_homes_and_units_lie_in_their_admission_areas(city: Extract) -> None:
    _check_points_in_areas(city)
    languages = {a: f["properties"]["language"] for a, f in city.areas.items()}
    for c in city.children:
        if c["admission_area_id"]:
            assert languages[c["admission_area_id"]] == city.edu(c)
        else:
            assert c["municipality_code"] != "091"
    for u in city.units:
        assert (u["admission_area_id"] == "") == (u["provider"] == "private")
        if u["admission_area_id"]:
            assert languages[u["admission_area_id"]] == u["language"]
    fi = sum(1 for lang in languages.values() if lang == "fi")
    assert 20 <= fi <= 40 and 3 <= len(languages) - fi <= 8


def test_swedish_share_and_languages(city: Extract) -> None:
    cohort = city.cohort()
    sv_children = sum(1 for c in cohort if city.edu(c) == "sv") / len(cohort)
    sv_units = sum(1 for u in city.units if u["language"] == "sv") / len(city.units)
    assert 0.04 < sv_children < 0.085 and 0.04 < sv_units < 0.09
    swedish = [c for c in cohort if c["language"] == "sv" and c["current_unit_id"]]
    in_swedish = sum(1 for c in swedish if city.unit_by_id[c["current_unit_id"]]["language"] == "sv")
    assert in_swedish > 0.85 * len(swedish)
    languages = Counter(c["language"] for c in city.children)
    assert languages["fi"] > 0.7 * len(city.children)
    assert {"en", "so", "ru", "ar", "et"} <= set(languages)
    assert Counter(c["education_language"] for c in city.children).keys() == {"", "fi", "sv"}
    assert 0.01 < sum(1 for c in cohort if c["education_language"]) / len(cohort) < 0.06


def test_families_twins_and_siblings(city: Extract) -> None:
    cohort = city.cohort()
    assert 0.8 < len(cohort) / len(city.children) < 0.9
    groups: dict[tuple[str, ...], list[dict[str, str]]] = defaultdict(list)
    for c in city.children:
        if city.guardians_of[c["child_id"]]:
            groups[(c["street_address"], *sorted(city.guardians_of[c["child_id"]]))].append(c)
    twins = sum(
        n for family in groups.values()
        for n in Counter(c["birth_date"] for c in family if c["birth_date"][:4] == str(COHORT_YEAR)).values()
        if n > 1
    )  # fmt: skip
    assert 0.008 < twins / len(cohort) < 0.025
    for family in groups.values():
        by_day: dict[str, set[str]] = defaultdict(set)
        for c in family:
            by_day[c["birth_date"]].add(c["current_unit_id"])
        assert all(len(units) == 1 for units in by_day.values()), family  # twins attend the same unit
    younger = sum(
        1 for family in groups.values() if any(c["birth_date"] > f"{COHORT_YEAR}-12-31" for c in family)
    )  # fmt: skip
    assert younger > 0.1 * len(groups)
    assert all(len({c["last_name"] for c in family}) <= 2 for family in groups.values())


def test_flags_and_placements(city: Extract) -> None:
    cohort = city.cohort()
    n = len(cohort)
    assert 0.004 < sum(c["round_the_clock"] == "true" for c in cohort) / n < 0.02
    hidden = [c for c in city.children if c["non_disclosure"] == "true"]
    assert 0.003 < len(hidden) / len(city.children) < 0.015
    guardians = {g["guardian_id"]: g for g in city.guardians}
    for c in hidden:
        for gid in city.guardians_of[c["child_id"]]:
            g = guardians[gid]
            assert g["non_disclosure"] == "true" and g["street_address"] == "" and g["postal_code"] == ""
    elsewhere = sum(c["municipality_code"] != "091" for c in cohort) / n
    assert 0.005 < elsewhere < 0.02
    providers = Counter(city.unit_by_id[c["current_unit_id"]]["provider"] for c in cohort if c["current_unit_id"])
    assert 0.85 < providers["municipal"] / n < 0.93
    assert providers["private"] and providers["purchased"] and sum(providers.values()) < n
    same_language = sum(
        1 for c in cohort
        if c["current_unit_id"] and city.unit_by_id[c["current_unit_id"]]["provider"] == "municipal"
        and city.unit_by_id[c["current_unit_id"]]["language"] == city.edu(c)
    )  # fmt: skip
    assert same_language / providers["municipal"] > 0.97


def test_capacity_exceeds_demand_but_some_areas_are_tight(city: Extract) -> None:
    residents = [c for c in city.cohort() if c["municipality_code"] == "091"]
    kinds = Counter((u["provider"], u["pre_primary"]) for u in city.units)
    assert kinds[("municipal", "false")] and kinds[("private", "true")] and kinds[("purchased", "true")]
    assert all(u["pre_primary_capacity"] == "0" for u in city.units if u["pre_primary"] == "false")
    cohort_per_unit = len(city.cohort()) / len(city.units)
    assert 15 <= cohort_per_unit <= 21
    capacity: Counter[str] = Counter()
    area_capacity: Counter[str] = Counter()
    for u in city.units:
        if u["provider"] == "municipal" and u["pre_primary"] == "true":
            capacity[u["language"]] += int(u["pre_primary_capacity"])
            area_capacity[u["admission_area_id"]] += int(u["pre_primary_capacity"])
    demand = Counter(city.edu(c) for c in residents)
    for language in ("fi", "sv"):
        assert 1.04 <= capacity[language] / demand[language] <= 1.12, language
    eligible = Counter(
        c["admission_area_id"] for c in residents
        if c["current_unit_id"] and city.unit_by_id[c["current_unit_id"]]["provider"] == "municipal"
        and c["round_the_clock"] == "false"
    )  # fmt: skip
    tight = [a for a, n in eligible.items() if n > area_capacity[a]]
    assert 2 <= len(tight) < len(eligible) / 2


def test_national_extract(national: Extract) -> None:
    assert len(national.children) == 20_000
    codes = Counter(c["municipality_code"] for c in national.children)
    assert len(codes) > 250 and all(re.fullmatch(r"\d{3}", code) for code in codes)
    assert codes.most_common(1)[0][0] == "091"
    assert all(c["admission_area_id"] for c in national.children)
    _check_hetus(national)
    _check_points_in_areas(national)
    for feature in national.doc["features"]:
        minx, miny, maxx, maxy = national.shapes[feature["properties"]["area_id"]].bounds
        assert minx >= 19.0 and maxx <= 31.7 and miny >= 59.3 and maxy <= 70.2
    sv = sum(1 for c in national.cohort() if national.edu(c) == "sv") / len(national.cohort())
    assert 0.03 < sv < 0.09
