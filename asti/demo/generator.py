"""A realistic demo-city extract in the city data contract's form (section 1), built from real statistics.

Source: Statistics Finland, Paavo – open data by postal code area, 2023 (CC BY 4.0): Helsinki's postal
areas with their children; for other municipalities and national extracts also the 2020 edition's
postal areas and municipalities.

Pure Python: no Django, no database; it only writes files. `generate()` writes units.csv,
children.csv, guardians.csv, guardianships.csv and admission_areas.geojson, byte for byte the same for
the same arguments.

What `children` means: the number of rows in children.csv. About 85 % of them are the round's cohort
(born year − 6); the rest are their brothers and sisters born two to eight years apart, in the same
households. The cohort is capped where the temporary identity codes of one birth year (100 individual
numbers × 6 century signs a day) run out: about 208,000 children.

Scale: a city extract (default Helsinki, 091) puts the cohort in the city's postal areas in proportion to
their children, and about 1 % in neighbouring municipalities. When the cohort asked for is more than
1.5 times the city's own, or with scale="national", the extract covers every municipality of Finland,
each with its real 3-digit code and its share of the cohort; then every child lives in "the
municipality" only if the service is told all those codes (ASTI_MUNICIPALITY_CODES).
"""

from __future__ import annotations

import math
import random
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from asti.demo.areas import AreaLayer, build_layer
from asti.demo.contact import street_names
from asti.demo.geometry import M_PER_DEG, PointSampler, build_cells
from asti.demo.people import NON_RESIDENT_RATE, People, PeopleMaker, apportion, cohort_size
from asti.demo.sources import HELSINKI, PostalArea, Sources, default_data_dir, load_city, load_national
from asti.demo.units import UnitMaker
from asti.demo.writer import write_areas, write_people, write_units

NATIONAL_FACTOR = 1.5  # "auto" turns national when the cohort exceeds the city's by this factor
NEIGHBOUR_POSTAL_AREAS = 15
SCALES = ("auto", "city", "national")
FILES = ("units.csv", "children.csv", "guardians.csv", "guardianships.csv", "admission_areas.geojson")


@dataclass(slots=True)
class Summary:
    outdir: Path
    scale: str
    attribution: str
    children: int
    cohort: int
    cohort_resident: int
    guardians: int
    guardianships: int
    units: int
    units_pre_primary: int
    areas_fi: int
    areas_sv: int
    municipality_codes: list[str]
    demand: dict[str, int] = field(default_factory=dict)  # resident cohort by education language
    capacity: dict[str, int] = field(default_factory=dict)  # municipal pre-primary places by language
    seconds: float = 0.0

    def lines(self) -> list[str]:
        codes = ",".join(self.municipality_codes)
        langs = ", ".join(
            f"{lang}: {self.capacity.get(lang, 0)} places / {self.demand.get(lang, 0)} children"
            for lang in ("fi", "sv")
        )
        return [
            f"Wrote a {self.scale} extract to {self.outdir} in {self.seconds:.1f} s.",
            f"children: {self.children} (cohort: {self.cohort}, of them living in the municipality: "
            f"{self.cohort_resident}); guardians: {self.guardians}; guardianships: {self.guardianships}",
            f"units: {self.units} ({self.units_pre_primary} with pre-primary places); admission areas: "
            f"{self.areas_fi} Finnish, {self.areas_sv} Swedish",
            f"municipal pre-primary capacity vs resident cohort — {langs}",
            f"the extract's municipality codes ({len(self.municipality_codes)}; children elsewhere are not "
            f"offered places unless listed): ASTI_MUNICIPALITY_CODES={codes}",
            self.attribution + " (CC BY 4.0).",
        ]


def _streams(seed: int) -> Callable[[str], random.Random]:
    return lambda name: random.Random(f"asti-demo:{seed}:{name}")


def _neighbour_areas(city: Sources, national: Sources) -> list[PostalArea]:
    codes = set(city.municipalities)
    own = [(a.lat, a.lon) for a in city.postal_areas]
    k = math.cos(math.radians(sum(p[0] for p in own) / len(own)))

    def distance(a: PostalArea) -> float:
        return min((a.lat - la) ** 2 + ((a.lon - lo) * k) ** 2 for la, lo in own)

    others = [a for a in national.postal_areas if a.municipality_code not in codes]
    return sorted(others, key=lambda a: (distance(a), a.code))[:NEIGHBOUR_POSTAL_AREAS]


def _locate(people: People, areas: list[PostalArea], in_cells: int, sampler: PointSampler, rng: random.Random) -> None:
    by_postal: dict[int, list[int]] = {}
    for i, h in enumerate(people.households):
        by_postal.setdefault(h.postal, []).append(i)
    for postal in sorted(by_postal):
        members = by_postal[postal]
        if postal < in_cells:
            points = sampler.sample(postal, len(members))
        else:  # a neighbouring municipality: no cells, homes within a few hundred metres of its point
            a = areas[postal]
            s = 400.0 / M_PER_DEG
            points = [
                (round(a.lat + rng.gauss(0, s), 6), round(a.lon + rng.gauss(0, s / math.cos(math.radians(a.lat))), 6))
                for _ in members
            ]
        for i, (lat, lon) in zip(members, points, strict=True):
            people.households[i].lat, people.households[i].lon = lat, lon


def generate(
    outdir: Path,
    *,
    children: int,
    seed: int,
    year: int,
    municipality: str = HELSINKI,
    scale: str = "auto",
    data_dir: Path | None = None,
) -> Summary:
    """Write a demo extract of `children` children for the pre-primary round of `year`."""
    started = time.perf_counter()
    if children < 1:
        raise ValueError("children must be at least 1")
    if scale not in SCALES:
        raise ValueError(f"scale must be one of {SCALES}")
    data = data_dir or default_data_dir()
    n_cohort = cohort_size(children, year)
    national = load_national(data)
    sources = load_city(data, municipality)
    if scale == "national" or (
        scale == "auto" and n_cohort > NATIONAL_FACTOR * sum(m.est_age_6 for m in sources.municipalities.values())
    ):
        sources, scale, neighbours = national, "national", []
    else:
        scale, neighbours = "city", _neighbour_areas(sources, national)
    stream = _streams(seed)
    in_cells = len(sources.postal_areas)
    areas = [*sources.postal_areas, *neighbours]
    municipalities = list(sources.municipalities.values())
    is_national = scale == "national"

    cells = build_cells(sources.postal_areas)
    layers: dict[str, AreaLayer] = {"fi": build_layer("fi", areas, municipalities, cells, national=is_national)}
    sv = build_layer("sv", areas, municipalities, cells, national=is_national)
    if sv.areas:
        layers["sv"] = sv
    streets = street_names(areas, stream("streets"))

    non_resident = round(n_cohort * NON_RESIDENT_RATE) if neighbours else 0
    counts: list[tuple[int, int, bool]] = []
    per_municipality = apportion(n_cohort - non_resident, [m.est_age_6 for m in municipalities])
    for m, n in zip(municipalities, per_municipality, strict=True):
        for p, k in zip(m.postal, apportion(n, [areas[p].weight for p in m.postal]), strict=True):
            counts.append((p, k, True))
    for i, n in enumerate(apportion(non_resident, [1.0] * len(neighbours))):
        counts.append((in_cells + i, n, False))

    maker = PeopleMaker(areas, sources.municipalities, streets, stream, year)
    maker.cohort(counts)
    maker.siblings(children - n_cohort)
    people = maker.result()
    sampler = PointSampler(sources.postal_areas, cells, stream("homes"))
    _locate(people, areas, in_cells, sampler, stream("away"))

    units = UnitMaker(areas, layers, streets, sampler, cells.plane, maker.phones, stream, national=is_national)
    units.create(people)
    units.place_children(people)
    units.set_capacities(people)

    outdir.mkdir(parents=True, exist_ok=True)
    write_units(outdir / "units.csv", units.units)
    write_people(outdir, people, units.units, areas, layers)
    write_areas(outdir / "admission_areas.geojson", list(layers.values()))

    demand: dict[str, int] = {}
    for c in people.children:
        if c.cohort and people.households[c.household].resident:
            demand[c.edu] = demand.get(c.edu, 0) + 1
    capacity: dict[str, int] = {}
    for u in units.units:
        if u.provider == "municipal":
            capacity[u.language] = capacity.get(u.language, 0) + u.capacity
    return Summary(
        outdir=outdir,
        scale=scale,
        attribution=sources.attribution,
        children=len(people.children),
        cohort=sum(1 for c in people.children if c.cohort),
        cohort_resident=sum(demand.values()),
        guardians=len(people.guardians),
        guardianships=sum(len(people.households[c.household].guardians) for c in people.children),
        units=len(units.units),
        units_pre_primary=sum(1 for u in units.units if u.pre_primary),
        areas_fi=len(layers["fi"].areas),
        areas_sv=len(layers["sv"].areas) if "sv" in layers else 0,
        municipality_codes=sorted(sources.municipalities),
        demand=demand,
        capacity=capacity,
        seconds=time.perf_counter() - started,
    )
