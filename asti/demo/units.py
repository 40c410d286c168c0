"""Daycare and pre-primary units near where the children live, their pupils and their capacities.

About one unit per 16–20 cohort children of its language in each admission area: mostly municipal
units with pre-primary education, some municipal daycare centres without it, some private units (no
admission area) and a few purchased-service units. Municipal pre-primary places of a municipality and
language add up to 5–10 % more than its cohort children of that education language, but a quarter of
the areas get less than their own demand, so some children must be placed outside their area.
"""

from __future__ import annotations

import math
import random
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from asti.demo.areas import AreaLayer
from asti.demo.contact import UNIT_DOMAIN, Mailbox, PhoneBook, ascii_slug, house_number
from asti.demo.geometry import Plane, PointSampler
from asti.demo.names import UNIT_WORDS_FI, UNIT_WORDS_SV
from asti.demo.people import People, apportion, education_language
from asti.demo.sources import HELSINKI, PostalArea

CHILDREN_PER_UNIT = (16.0, 20.0)
SURPLUS = (1.05, 1.10)  # municipal pre-primary places / cohort children, per municipality and language
TIGHT_AREA_SHARE = 0.25
KINDS = ("municipal", "private", "purchased")


@dataclass(slots=True)
class Unit:
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
    capacity: int
    area: int  # index in the layer of its language (private units too: where the unit lies)
    area_id: str  # admission_area_id as written (empty for private units)
    municipality_code: str
    email: str
    phone: str
    x: float
    y: float


def _kind(language: str, first: bool, r: float) -> tuple[str, bool]:
    """(provider, pre_primary) of a new unit."""
    if first:
        return "municipal", True
    private, purchased, daycare_only = (0.05, 0.07, 0.15) if language == "sv" else (0.10, 0.14, 0.22)
    if r < private:
        return "private", r < private * 0.85
    if r < purchased:
        return "purchased", True
    return "municipal", r >= daycare_only


class UnitMaker:
    def __init__(
        self,
        areas: Sequence[PostalArea],
        layers: dict[str, AreaLayer],
        streets: Sequence[Sequence[tuple[str, str]]],
        sampler: PointSampler,
        plane: Plane,
        phones: PhoneBook,
        rng: Callable[[str], random.Random],
        *,
        national: bool,
    ) -> None:
        self.areas = areas
        self.layers = layers
        self.streets = streets
        self.sampler = sampler
        self.plane = plane
        self.phones = phones
        self.rng = rng("units")
        self.place_rng = rng("unit-places")
        self.mail = Mailbox()
        self.width = 5 if national else 4
        self.counters: dict[str, int] = {}
        self.words: dict[tuple[str, str], list[str]] = {}
        self.rounds: dict[tuple[str, str], int] = {}
        self.named_places: set[tuple[str, int]] = set()
        self.landline = self.rng.randrange(10_000, 60_000)
        self.units: list[Unit] = []
        # (language, area index, provider) → unit indices
        self.index: dict[tuple[str, int, str], list[int]] = {}

    # --- making units -------------------------------------------------------------------------
    def create(self, people: People) -> None:
        """Units for the cohort's resident children by their intended education language."""
        demand: dict[tuple[str, int], dict[int, int]] = {}  # (language, area) → postal → children
        for child in people.children:
            h = people.households[child.household]
            if not child.cohort or not h.resident:
                continue
            unit_language = child.unit_language if child.placement != "none" else None
            language = education_language(child.education_language, unit_language, child.language)
            layer = self.layers.get(language)
            area = layer.by_postal.get(h.postal) if layer else None
            if area is not None:
                per_postal = demand.setdefault((language, area), {})
                per_postal[h.postal] = per_postal.get(h.postal, 0) + 1
        plan: list[tuple[str, int, int, str, bool]] = []  # language, area, postal, provider, pre_primary
        for (language, area), per_postal in sorted(demand.items()):
            n = sum(per_postal.values())
            count = max(1, round(n / self.rng.uniform(*CHILDREN_PER_UNIT)))
            postal_ids = sorted(per_postal)
            weights = [per_postal[p] for p in postal_ids]
            for i in range(count):
                postal = self.rng.choices(postal_ids, weights)[0]
                provider, pre_primary = _kind(language, i == 0, self.rng.random())
                plan.append((language, area, postal, provider, pre_primary))
        self._build(plan)

    def _build(self, plan: Sequence[tuple[str, int, int, str, bool]]) -> list[int]:
        by_postal: dict[int, list[int]] = {}
        for i, (_l, _a, postal, _p, _pp) in enumerate(plan):
            by_postal.setdefault(postal, []).append(i)
        points: dict[int, tuple[float, float]] = {}
        for postal in sorted(by_postal):
            found = self.sampler.sample(postal, len(by_postal[postal]), spread=0.8)
            points.update(zip(by_postal[postal], found, strict=True))
        made = []
        for i, (language, area, postal, provider, pre_primary) in enumerate(plan):
            made.append(self._unit(language, area, postal, provider, pre_primary, points[i]))
        return made

    def _unit(
        self, language: str, area: int, postal: int, provider: str, pre_primary: bool, point: tuple[float, float]
    ) -> int:
        rng = self.rng
        place = self.areas[postal]
        prefix = {"private": "PRIV", "purchased": "OST"}.get(provider, "DH" if language == "sv" else "PK")
        self.counters[prefix] = self.counters.get(prefix, 0) + 1
        unit_id = f"{prefix}-{self.counters[prefix]:0{self.width}d}"
        name_fi, name_sv = self._names(language, provider, postal, place)
        street_fi, street_sv = rng.choice(self.streets[postal])
        street = street_sv if language == "sv" else street_fi
        email = ""
        if rng.random() < 0.85:
            words = (name_sv if language == "sv" else name_fi).split()
            local = ".".join(w for w in (ascii_slug(w) for w in words) if w)
            email = self.mail.address(local or unit_id.lower(), UNIT_DOMAIN)
        phone = ""
        if rng.random() < 0.8:
            if place.municipality_code == HELSINKI and provider == "municipal":
                self.landline += 1
                phone = f"09 310 {self.landline}" if rng.random() < 0.7 else f"+358 9 310 {self.landline}"
            else:
                phone = self.phones.mobile()
        layer = self.layers[language]
        x, y = self.plane.xy(*point)
        unit = Unit(
            unit_id=unit_id,
            name_fi=name_fi,
            name_sv=name_sv,
            street_address=f"{street} {house_number(rng)}",
            postal_code=place.code,
            lat=point[0],
            lon=point[1],
            provider=provider,
            language=language,
            pre_primary=pre_primary,
            capacity=0,
            area=area,
            area_id="" if provider == "private" else layer.areas[area].area_id,
            municipality_code=place.municipality_code,
            email=email,
            phone=phone,
            x=x,
            y=y,
        )
        self.units.append(unit)
        self.index.setdefault((language, area, provider), []).append(len(self.units) - 1)
        return len(self.units) - 1

    def _names(self, language: str, provider: str, postal: int, place: PostalArea) -> tuple[str, str]:
        if provider == "municipal" and (language, postal) not in self.named_places:
            self.named_places.add((language, postal))
            return f"Päiväkoti {place.name_sv if language == 'sv' else place.name_fi}", f"Daghemmet {place.name_sv}"
        key = (place.municipality_code, language)
        pool = self.words.get(key)
        if not pool:
            words = UNIT_WORDS_SV if language == "sv" else UNIT_WORDS_FI
            pool = self.words[key] = self.place_rng.sample(words, len(words))
            self.rounds[key] = self.rounds.get(key, 0) + 1
        word = pool.pop()
        if self.rounds[key] > 1:  # the municipality has used every word already: add the district
            word = f"{word} ({place.name_sv if language == 'sv' else place.name_fi})"
        if provider == "private":
            return f"Yksityinen päiväkoti {word}", f"Privata daghemmet {word}" if language == "sv" else ""
        return f"Päiväkoti {word}", f"Daghemmet {word}" if language == "sv" else ""

    # --- current placements -------------------------------------------------------------------
    def place_children(self, people: People) -> None:
        """Each child's current unit, near home, in their own admission area mostly."""
        rng = random.Random(self.rng.random())
        for child in people.children:
            if child.placement == "none":
                continue
            h = people.households[child.household]
            # twins share their unit; brothers and sisters often do
            if child.cohort or rng.random() < 0.7:
                sibling = next((people.children[c].current_unit for c in h.children
                                if people.children[c].current_unit >= 0
                                and (not child.cohort or people.children[c].birth == child.birth)), -1)  # fmt: skip
                if sibling >= 0 and self.units[sibling].language == child.unit_language:
                    child.current_unit = sibling
                    continue
            x, y = self.plane.xy(h.lat, h.lon)
            candidates = self._candidates(child.unit_language, h.postal, h.resident, child.placement, rng)
            if candidates:
                child.current_unit = self._near(candidates, x, y, rng)
        for child in people.children:
            unit_language = self.units[child.current_unit].language if child.current_unit >= 0 else None
            child.edu = education_language(child.education_language, unit_language, child.language)

    def _candidates(self, language: str, postal: int, resident: bool, kind: str, rng: random.Random) -> list[int]:
        layer = self.layers.get(language)
        if layer is None:
            return []
        if not resident:
            return [i for a in range(len(layer.areas)) for i in self.index.get((language, a, "municipal"), [])]
        own = layer.by_postal.get(postal)
        if own is None:
            return []
        neighbours = layer.areas[own].neighbours
        if kind == "municipal" and neighbours and rng.random() < 0.15:
            found = self.index.get((language, rng.choice(neighbours), kind))
            if found:
                return found
        found = self.index.get((language, own, kind))
        if found:
            return found
        nearby = [i for a in neighbours for i in self.index.get((language, a, kind), [])]
        if nearby or kind == "municipal":
            return nearby
        return self._candidates(language, postal, resident, "municipal", rng)

    def _near(self, candidates: Sequence[int], x: float, y: float, rng: random.Random) -> int:
        units = self.units
        ranked = sorted(candidates, key=lambda i: (units[i].x - x) ** 2 + (units[i].y - y) ** 2)
        r = rng.random()
        pick = 0 if r < 0.6 or len(ranked) == 1 else 1 if r < 0.85 or len(ranked) == 2 else 2
        return ranked[pick]

    # --- capacities ---------------------------------------------------------------------------
    def set_capacities(self, people: People) -> None:
        rng = self.rng
        demand: dict[tuple[str, str], dict[int, int]] = {}  # (municipality, language) → area → children
        pupils: Counter[int] = Counter()  # cohort children in each unit now
        for child in people.children:
            if not child.cohort:
                continue
            if child.current_unit >= 0:
                pupils[child.current_unit] += 1
            h = people.households[child.household]
            layer = self.layers.get(child.edu)
            area = layer.by_postal.get(h.postal) if layer and h.resident else None
            if layer is not None and area is not None:
                per_area = demand.setdefault((layer.areas[area].municipality_code, child.edu), {})
                per_area[area] = per_area.get(area, 0) + 1
        for (municipality, language), per_area in sorted(demand.items()):
            self._municipal_capacity(municipality, language, per_area, rng)
        for i, unit in enumerate(self.units):
            if unit.provider != "municipal" and unit.pre_primary:
                unit.capacity = math.ceil(pupils[i] * rng.uniform(1.0, 1.25)) if pupils[i] else rng.randint(6, 16)

    def _municipal_capacity(
        self, municipality: str, language: str, per_area: dict[int, int], rng: random.Random
    ) -> None:
        layer = self.layers[language]
        with_units = [
            a for a, area in enumerate(layer.areas)
            if area.municipality_code == municipality and self._pre_primary(language, a)
        ]  # fmt: skip
        if not with_units:  # children whose language had no unit here: open one where most of them live
            busiest = max(sorted(per_area), key=lambda a: per_area[a])
            postal = layer.areas[busiest].postal[0]
            self._build([(language, busiest, postal, "municipal", True)])
            with_units = [busiest]
        total = sum(per_area.values())
        target = math.ceil(total * rng.uniform(*SURPLUS))
        factors = [
            rng.uniform(0.72, 0.92) if rng.random() < TIGHT_AREA_SHARE else rng.uniform(1.0, 1.3) for _ in with_units
        ]
        raw = [per_area.get(a, 0) * f for a, f in zip(with_units, factors, strict=True)]
        for a, places in zip(with_units, apportion(target, raw), strict=True):
            units = self._pre_primary(language, a)
            weights = [rng.uniform(0.6, 1.4) for _ in units]
            for u, cap in zip(units, apportion(places, weights), strict=True):
                self.units[u].capacity = cap

    def _pre_primary(self, language: str, area: int) -> list[int]:
        return [u for u in self.index.get((language, area, "municipal"), []) if self.units[u].pre_primary]
