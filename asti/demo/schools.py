"""The demo city's schools, planned from its admission areas: Finnish schools for every Finnish area, Swedish
schools for the Swedish areas, near the area's units, first grade sized from the area's cohort.

Schools are not in the registry extract (the city keeps them in Asti), so the demo makes a plausible set once:
named after their district ("Kallion ala-asteen koulu", "Berghällsskolan"), one to three per area by the
area's pre-primary cohort, first-grade places from the children born seven years before the coming school year
plus slack, most with afternoon activities, some with weighted curricula. The same database and seed give the
same schools.
"""

from __future__ import annotations

import math
import random
from collections import Counter
from dataclasses import dataclass, field

from asti.applications.selectors import education_language_for
from asti.demo.contact import UNIT_DOMAIN, ascii_slug
from asti.demo.sources import default_data_dir, load_national
from asti.people.models import Child
from asti.units.models import AdmissionArea, Provider, School, Unit, WeightedCurriculum

SCHOOL_PER_COHORT = 110  # pre-primary children of an area per school, at most three schools an area
MAX_SCHOOLS_PER_AREA = 3
AFTERNOON_SHARE = 0.85
EXTRA_CURRICULUM_RATE = 0.12

# Finnish genitive of a place name's last word: the endings that change their stem (consonant gradation and
# e-stems); anything else takes -n after a vowel, -in after a consonant.
_GENITIVE_ENDINGS = (
    ("kaupunki", "kaupungin"),
    ("mäki", "mäen"),
    ("lahti", "lahden"),
    ("niemi", "niemen"),
    ("saari", "saaren"),
    ("vuori", "vuoren"),
    ("koski", "kosken"),
    ("järvi", "järven"),
    ("joki", "joen"),
    ("lampi", "lammen"),
    ("nummi", "nummen"),
    ("kivi", "kiven"),
    ("ranta", "rannan"),
    ("haka", "haan"),
    ("lehto", "lehdon"),
    ("pelto", "pellon"),
    ("silta", "sillan"),
    ("kangas", "kankaan"),
    ("rinne", "rinteen"),
    ("kumpu", "kummun"),
    ("katu", "kadun"),
    ("selkä", "selän"),
    ("helsinki", "helsingin"),
    ("alue", "alueen"),
    ("nen", "sen"),
    ("kka", "kan"),
    ("ppa", "pan"),
    ("tta", "tan"),
    ("kko", "kon"),
    ("kki", "kin"),
    ("ppi", "pin"),
    ("tti", "tin"),
    ("us", "uksen"),
)


def finnish_genitive(name: str) -> str:
    """'Kallio' → 'Kallion', 'Etu-Töölö' → 'Etu-Töölön', 'Kannelmäki' → 'Kannelmäen'."""
    head, sep, last = max(name.rpartition(" "), name.rpartition("-"), key=lambda p: len(p[0]))
    if not sep:
        head, last = "", name
    lower = last.lower()
    for ending, genitive in _GENITIVE_ENDINGS:
        if lower.endswith(ending):
            stem = last[: len(last) - len(ending)]
            inflected = stem + (genitive.capitalize() if not stem and last[:1].isupper() else genitive)
            return head + sep + inflected
    return head + sep + last + ("n" if lower[-1:] in "aeiouyäö" else "in")


def finnish_school_name(place: str, *, comprehensive: bool = False) -> str:
    return f"{finnish_genitive(place)} {'peruskoulu' if comprehensive else 'ala-asteen koulu'}"


def swedish_school_name(place: str) -> str:
    """'Brändö' → 'Brändöskolan', 'Norra Haga' → 'Norra Hagaskolan'; a name in the definite form takes the
    genitive instead of a compound: 'Botbyåsen' → 'Botbyåsens skola'."""
    if len(place) > 4 and place.endswith("en"):
        return f"{place}s skola"
    return f"{place}skolan"


@dataclass(frozen=True)
class Spot:
    lat: float
    lon: float
    street: str
    postal_code: str


@dataclass
class AreaPlan:
    area: AdmissionArea
    spots: list[Spot]
    pre_primary: int  # children born coming - 6 of the area's language living in it
    first_grade: int  # born coming - 7
    second_grade: int  # born coming - 8
    schools: list[School] = field(default_factory=list)


def _metres(a: tuple[float, float], b: tuple[float, float]) -> float:
    k = math.cos(math.radians(a[0]))
    return math.hypot((a[0] - b[0]) * 111_320, (a[1] - b[1]) * 111_320 * k)


def _centre(geometry: dict[str, object] | None) -> tuple[float, float] | None:
    if not geometry:
        return None
    points: list[tuple[float, float]] = []

    def walk(value: object) -> None:
        if isinstance(value, list) and len(value) == 2 and all(isinstance(v, int | float) for v in value):
            points.append((float(value[1]), float(value[0])))
        elif isinstance(value, list):
            for item in value:
                walk(item)

    walk(geometry.get("coordinates"))
    if not points:
        return None
    return sum(p[0] for p in points) / len(points), sum(p[1] for p in points) / len(points)


def _spread(spots: list[Spot], k: int) -> list[Spot]:
    """k of the spots far apart from each other (the first one nearest the middle)."""
    if len(spots) <= k:
        return spots
    middle = (sum(s.lat for s in spots) / len(spots), sum(s.lon for s in spots) / len(spots))
    chosen = [min(spots, key=lambda s: _metres((s.lat, s.lon), middle))]
    while len(chosen) < k:
        chosen.append(
            max(
                (s for s in spots if s not in chosen),
                key=lambda s: min(_metres((s.lat, s.lon), (c.lat, c.lon)) for c in chosen),
            )
        )
    return chosen


def _street(address: str) -> str:
    words = address.split()
    return " ".join(w for w in words if not any(ch.isdigit() for ch in w)) or address


def plan_areas(coming_year: int) -> list[AreaPlan]:
    """Every active admission area with where its units are and its children by age (in its language)."""
    areas = list(AdmissionArea.objects.filter(active=True).order_by("language", "area_id"))
    units = Unit.objects.filter(active=True, provider=Provider.MUNICIPAL, admission_area__isnull=False)
    spots: dict[int, list[Spot]] = {}
    for unit in units.order_by("unit_id"):
        assert unit.admission_area_id is not None
        spots.setdefault(unit.admission_area_id, []).append(
            Spot(unit.lat, unit.lon, _street(unit.street_address), unit.postal_code)
        )
    counts: Counter[tuple[int, int]] = Counter()
    children = Child.objects.filter(active=True, admission_area__isnull=False).select_related(
        "current_unit", "admission_area"
    )
    for child in children.filter(birth_date__year__in=[coming_year - 6, coming_year - 7, coming_year - 8]):
        assert child.admission_area is not None
        if education_language_for(child) == child.admission_area.language:
            counts[(child.admission_area.pk, child.birth_date.year)] += 1
    plans = []
    for area in areas:
        found = spots.get(area.pk, [])
        if not found:
            centre = _centre(area.geometry) or next(
                ((c.lat, c.lon) for c in children.filter(admission_area=area).order_by("child_id")[:1]), None
            )
            if centre is None:
                continue
            found = [Spot(centre[0], centre[1], "", "")]
        plans.append(
            AreaPlan(
                area=area,
                spots=found,
                pre_primary=counts[(area.pk, coming_year - 6)],
                first_grade=counts[(area.pk, coming_year - 7)],
                second_grade=counts[(area.pk, coming_year - 8)],
            )
        )
    return plans


def _postal_names() -> dict[str, tuple[str, str]]:
    return {a.code: (a.name_fi, a.name_sv) for a in load_national(default_data_dir()).postal_areas}


def make_schools(*, coming_year: int, rng: random.Random) -> list[School]:
    """Creates the schools (callers check that there are none yet); returns them in the order made."""
    plans = plan_areas(coming_year)
    postal_names = _postal_names()
    used: set[str] = set()
    numbers: Counter[str] = Counter()
    made: list[School] = []
    for plan in plans:
        area, language = plan.area, plan.area.language
        k = max(1, min(MAX_SCHOOLS_PER_AREA, round(plan.pre_primary / SCHOOL_PER_COHORT)))
        spots = _spread(plan.spots, k)
        first_grade = _split(plan.first_grade, len(spots))
        afternoon = _split(plan.first_grade + plan.second_grade, len(spots))
        for i, spot in enumerate(spots):
            area_name = area.name_sv if language == "sv" else area.name_fi.removesuffix(" (ruotsinkielinen)")
            place = area_name
            postal_name = postal_names.get(spot.postal_code, ("", ""))[1 if language == "sv" else 0]
            if i > 0 and postal_name and " " not in postal_name:
                place = postal_name
            name = _unique_name(place, area_name, language, used)
            prefix = "SKOLA" if language == "sv" else "KOULU"
            numbers[prefix] += 1
            bearing, distance = rng.uniform(0, 2 * math.pi), rng.uniform(120, 320)
            lat = spot.lat + distance * math.cos(bearing) / 111_320
            lon = spot.lon + distance * math.sin(bearing) / (111_320 * math.cos(math.radians(spot.lat)))
            has_afternoon = rng.random() < AFTERNOON_SHARE or (i == 0 and not made)
            made.append(
                School(
                    school_id=f"{prefix}-{numbers[prefix]:03d}",
                    name_fi=name,
                    name_sv=name if language == "sv" else "",
                    street_address=f"{spot.street} {rng.randint(1, 60)}" if spot.street else "",
                    postal_code=spot.postal_code,
                    lat=round(lat, 6),
                    lon=round(lon, 6),
                    language=language,
                    admission_area=area,
                    first_grade_capacity=math.ceil(first_grade[i] * rng.uniform(1.1, 1.3)) + rng.randint(2, 6),
                    weighted_curricula=[],
                    afternoon_activities=has_afternoon,
                    afternoon_capacity=(
                        math.ceil(afternoon[i] * rng.uniform(0.75, 0.95)) + rng.randint(2, 6) if has_afternoon else 0
                    ),
                    email=f"{ascii_slug(name).replace(' ', '.')}@{UNIT_DOMAIN}",
                    phone=f"+358 9 310 {rng.randint(80_000, 89_999)}",
                )
            )
    _weighted(made, rng)
    for language in ("fi", "sv"):  # afternoon activities in every language that has schools
        own = [s for s in made if s.language == language]
        if own and not any(s.afternoon_activities for s in own):
            own[0].afternoon_activities, own[0].afternoon_capacity = True, own[0].first_grade_capacity
    School.objects.bulk_create(made)
    return made


def _split(total: int, parts: int) -> list[int]:
    base, rest = divmod(total, parts)
    return [base + (1 if i < rest else 0) for i in range(parts)]


def _unique_name(place: str, area_name: str, language: str, used: set[str]) -> str:
    candidates = (
        [swedish_school_name(place), swedish_school_name(area_name)]
        if language == "sv"
        else [
            finnish_school_name(place),
            finnish_school_name(place, comprehensive=True),
            finnish_school_name(area_name, comprehensive=True),
        ]
    )
    for name in candidates:
        if name not in used:
            used.add(name)
            return name
    n = 2
    while f"{candidates[0]} {n}" in used:
        n += 1
    used.add(f"{candidates[0]} {n}")
    return f"{candidates[0]} {n}"


def _weighted(schools: list[School], rng: random.Random) -> None:
    """Every weighted curriculum in some Finnish school (one each first, then now and then a second one);
    music and languages in Swedish schools."""
    finnish = [s for s in schools if s.language == "fi"]
    order = rng.sample(finnish, len(finnish))
    curricula = list(WeightedCurriculum.values)
    for school, curriculum in zip(order, curricula, strict=False):
        school.weighted_curricula = [curriculum]
    for school in order[len(curricula) :]:
        if rng.random() < EXTRA_CURRICULUM_RATE:
            school.weighted_curricula = [rng.choice(curricula)]
    swedish = [s for s in schools if s.language == "sv"]
    for school, curriculum in zip(rng.sample(swedish, len(swedish)), ["music", "languages"], strict=False):
        school.weighted_curricula = [curriculum]
