"""Families of the demo city: households, their children and the children's guardians.

Every household has at least one child of the round's cohort (born year − 6); twins and, rarely,
siblings of the same year share it. Children of other ages are brothers and sisters in these same
households, with the same guardians and home address. Rates below are of cohort children.
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from asti.demo.contact import Mailbox, PhoneBook, home_address
from asti.demo.hetu import CODES_PER_DAY, HetuAllocator
from asti.demo.names import FINNISH, GROUP_BY_LANGUAGE, OTHER_LANGUAGES, NameGroup
from asti.demo.sources import SWEDISH_SHARE, Municipality, PostalArea

COHORT_SHARE = 0.85  # of the children in the extract
TWIN_PAIR_RATE = 0.0076  # households with twins: about 1.5 % of cohort children are twins
SAME_YEAR_RATE = 0.001  # siblings born in the same year but not twins
NON_DISCLOSURE_RATE = 0.007
ROUND_THE_CLOCK_RATE = 0.01
NON_RESIDENT_RATE = 0.012  # cohort children living in a neighbouring municipality (city extracts)
SV_IMMERSION_RATE = 0.008  # Finnish- or other-speaking children in Swedish daycare
SV_IN_FINNISH_RATE = 0.07  # Swedish-speaking children in Finnish daycare
# (year offset from the round's year, weight) for children outside the cohort
# (the youngest are born in year − 2, so birth dates lie in the past when the extract is made)
OTHER_YEARS: tuple[tuple[int, float], ...] = ((-5, 24), (-4, 23), (-3, 22), (-2, 17), (-7, 9), (-8, 5))
# The first households with guardians (whose guardians have the lowest ids, the ones the demo's test login lists
# first) get a brother or sister of these ages before the others are drawn, so that the demo shows a family in
# every situation: a baby cared for at home, a child starting school next year, a pupil in grade 1 now. The first
# of them also has its cohort child cared for at home (no proactive offer: the family applies).
SHOWCASE_YEARS = (-2, -7, -8)


@dataclass(slots=True)
class Household:
    postal: int
    language: str
    group: NameGroup
    surname: tuple[str, str]
    non_disclosure: bool
    resident: bool
    lat: float = 0.0
    lon: float = 0.0
    address: str = ""
    guardians: list[int] = field(default_factory=list)
    children: list[int] = field(default_factory=list)
    years: int = 0  # bit (year - 1900) set: a child born that year lives here


@dataclass(slots=True)
class Child:
    household: int
    first_name: str
    last_name: str
    birth: dt.date
    hetu: str
    language: str
    cohort: bool
    unit_language: str  # language of the current unit the child attends (if any)
    placement: str  # municipal, private, purchased or none
    education_language: str = ""  # the column: empty, fi or sv
    current_unit: int = -1
    round_the_clock: bool = False
    edu: str = "fi"  # effective education language by the contract's rule (3.1)


@dataclass(slots=True)
class Guardian:
    first_name: str
    last_name: str
    hetu: str
    phone: str
    email: str
    language: str
    street_address: str
    postal_code: str
    non_disclosure: bool


@dataclass(slots=True)
class People:
    households: list[Household]
    children: list[Child]
    guardians: list[Guardian]


def education_language(explicit: str, unit_language: str | None, language: str) -> str:
    """The contract's rule 3.1."""
    if explicit:
        return explicit
    if unit_language:
        return unit_language
    return "sv" if language == "sv" else "fi"


def apportion(total: int, weights: Sequence[float]) -> list[int]:
    """Split total in proportion to weights (largest remainder, ties to the lower index)."""
    if not weights:
        return []
    s = sum(weights)
    if s <= 0:
        weights, s = [1.0] * len(weights), float(len(weights))
    exact = [total * w / s for w in weights]
    counts = [int(e) for e in exact]
    rest = sorted(range(len(weights)), key=lambda i: (-(exact[i] - counts[i]), i))
    for i in rest[: total - sum(counts)]:
        counts[i] += 1
    return counts


def cohort_size(n_children: int, year: int) -> int:
    """Cohort children among n: COHORT_SHARE of them, at most what the temporary codes allow."""
    days = (dt.date(year - 5, 1, 1) - dt.date(year - 6, 1, 1)).days
    return min(round(n_children * COHORT_SHARE) or n_children, int(0.95 * days * CODES_PER_DAY))


class PeopleMaker:
    def __init__(
        self,
        areas: Sequence[PostalArea],
        municipalities: dict[str, Municipality],
        streets: Sequence[Sequence[tuple[str, str]]],
        rng: Callable[[str], random.Random],
        year: int,
    ) -> None:
        self.areas = areas
        self.municipalities = municipalities
        self.streets = streets
        self.year = year
        self.rng = rng("people")
        self.hetu = HetuAllocator(rng("hetu"))
        self.phones = PhoneBook(rng("phones"))
        self.mail = Mailbox()
        self.households: list[Household] = []
        self.children: list[Child] = []
        self.guardians: list[Guardian] = []

    # --- households and cohort children -------------------------------------------------------
    def cohort(self, postal_counts: Sequence[tuple[int, int, bool]]) -> None:
        """(postal area, cohort children, resident) → households with their cohort children."""
        slots = [(p, resident) for p, n, resident in postal_counts for _ in range(n)]
        self.rng.shuffle(slots)
        i = 0
        while i < len(slots):
            postal, resident = slots[i]
            r = self.rng.random()
            size = 2 if i + 1 < len(slots) and r < TWIN_PAIR_RATE + SAME_YEAR_RATE else 1
            self._household(postal, resident, size, twins=r < TWIN_PAIR_RATE)
            i += size

    def _language(self, postal: int, resident: bool) -> str:
        code = self.areas[postal].municipality_code
        m = self.municipalities.get(code)
        sv = m.swedish_share if m else SWEDISH_SHARE.get(code, 0.0) * (not resident)
        other = m.other_share if m else 0.1
        r = self.rng.random()
        if r < sv:
            return "sv"
        if r < sv + other:
            langs, weights = zip(*OTHER_LANGUAGES, strict=True)
            return self.rng.choices(langs, weights)[0]
        return "fi"

    def _household(self, postal: int, resident: bool, size: int, *, twins: bool) -> None:
        rng = self.rng
        language = self._language(postal, resident)
        group = GROUP_BY_LANGUAGE[language]
        street_fi, street_sv = rng.choice(self.streets[postal])
        h = Household(
            postal=postal,
            language=language,
            group=group,
            surname=rng.choice(group.surnames),
            non_disclosure=rng.random() < NON_DISCLOSURE_RATE,
            resident=resident,
            address=home_address(street_sv if language == "sv" else street_fi, rng),
        )
        self.households.append(h)
        cohort_year = self.year - 6
        if size == 1 or twins:
            day = self._cohort_day(size)
            days = [day] * size
        else:  # born early and late in the same year
            first = self._free_day(dt.date(cohort_year, 1, 1), 45)
            second = self._free_day(first + dt.timedelta(days=300), 18) if first else None
            days = [first, second] if first and second and second.year == cohort_year else [self._cohort_day(2)] * 2
        names: list[str] = []
        for day in days:
            like = self.children[-1] if names and twins else None  # twins go to daycare together
            self._child(len(self.households) - 1, day, cohort=True, avoid=names, like=like)
            names.append(self.children[-1].first_name)
        h.years |= 1 << (cohort_year - 1900)
        self._guardians(h, days[0].year)

    def _cohort_day(self, need: int) -> dt.date:
        start = dt.date(self.year - 6, 1, 1)
        day = self._free_day(start, (dt.date(self.year - 5, 1, 1) - start).days, need)
        if day is None:
            raise ValueError("the cohort year has no identity codes left")
        return day

    def _free_day(self, start: dt.date, span: int, need: int = 1) -> dt.date | None:
        """A random day of start .. start + span - 1 with identity codes left for `need` people."""
        d = self.rng.randrange(span)
        for step in range(span):
            day = start + dt.timedelta(days=(d + step) % span)
            if self.hetu.free(day) >= need:
                return day
        return None

    def _child(
        self, household: int, birth: dt.date, *, cohort: bool, avoid: Sequence[str] = (), like: Child | None = None
    ) -> Child:
        rng = self.rng
        h = self.households[household]
        girl = rng.random() < 0.49
        names = h.group.girls if girl else h.group.boys
        first = rng.choice(names)
        while first in avoid and len(names) > len(avoid):
            first = rng.choice(names)
        sv_service = self._sv_service(h)
        if h.language == "sv":
            unit_language = "fi" if rng.random() < SV_IN_FINNISH_RATE else "sv"
        else:
            unit_language = "sv" if sv_service and rng.random() < SV_IMMERSION_RATE else "fi"
        placement = self._placement(birth.year, rng.random())
        explicit = ""
        r = rng.random()
        if r < 0.02:  # the registry repeats the unit's language
            explicit = unit_language if placement != "none" else education_language("", None, h.language)
        elif r < 0.03 and sv_service and placement != "none":  # the family has asked for the other language
            explicit = unit_language
            unit_language = "fi" if unit_language == "sv" else "sv"
        if like is not None:
            unit_language, placement, explicit = like.unit_language, like.placement, like.education_language
        child = Child(
            household=household,
            first_name=first,
            last_name=h.surname[1 if girl else 0],
            birth=birth,
            hetu=self.hetu.allocate(birth),
            language=h.language,
            cohort=cohort,
            unit_language=unit_language,
            placement=placement,
            education_language=explicit,
            round_the_clock=rng.random() < ROUND_THE_CLOCK_RATE,
        )
        h.children.append(len(self.children))
        self.children.append(child)
        return child

    def _sv_service(self, h: Household) -> bool:
        if h.resident:
            m = self.municipalities.get(self.areas[h.postal].municipality_code)
            return bool(m and m.swedish_share > 0)
        return any(m.swedish_share > 0 for m in self.municipalities.values())

    def _placement(self, birth_year: int, r: float) -> str:
        """Where a child of this age is cared for now: municipal, purchased, private or none."""
        age = self.year - birth_year
        cuts = {6: (0.893, 0.913, 0.963), 7: (0.88, 0.9, 0.95), 2: (0.62, 0.64, 0.7)}
        municipal, purchased, private = (0.0, 0.0, 0.0) if age >= 8 else cuts.get(age, (0.76, 0.78, 0.85))
        if r < municipal:
            return "municipal"
        if r < purchased:
            return "purchased"
        return "private" if r < private else "none"

    # --- guardians ----------------------------------------------------------------------------
    def _guardians(self, h: Household, child_year: int) -> None:
        rng = self.rng
        r = rng.random()
        count = 0 if r < 0.004 else 1 if r < 0.26 else 2
        first_female = rng.random() < (0.8 if count == 1 else 0.62)
        age = rng.triangular(21, 45, 31)
        for n in range(count):
            female = first_female if n == 0 else (not first_female) ^ (rng.random() < 0.06)
            group = h.group
            if n == 1 and h.language != "fi" and rng.random() < (0.25 if h.language == "sv" else 0.2):
                group = FINNISH
            if n == 0 or (group is h.group and rng.random() < 0.7):
                surname = h.surname[1 if female else 0]
            else:
                surname = rng.choice(group.surnames)[1 if female else 0]
            first = rng.choice(group.women if female else group.men)
            years = int(age) + (0 if n == 0 else rng.randint(-3, 6))
            born = dt.date(child_year - years, 1, 1) + dt.timedelta(days=rng.randrange(365))
            street, postal = self._guardian_address(h, n)
            self.guardians.append(
                Guardian(
                    first_name=first,
                    last_name=surname,
                    hetu=self.hetu.allocate(born, traditional_share=0.9),
                    phone=self.phones.mobile() if rng.random() < 0.93 else "",
                    email=self.mail.person(first, surname, rng) if rng.random() < 0.8 else "",
                    language=self._guardian_language(h.language, group),
                    street_address=street,
                    postal_code=postal,
                    non_disclosure=h.non_disclosure,
                )
            )
            h.guardians.append(len(self.guardians) - 1)

    def _guardian_language(self, language: str, group: NameGroup) -> str:
        r = self.rng.random()
        if language == "fi" or group is FINNISH:
            return "fi" if r < 0.97 else "en"
        if language == "sv":
            return "sv" if r < 0.95 else "fi"
        return "en" if r < 0.45 else "fi"

    def _guardian_address(self, h: Household, n: int) -> tuple[str, str]:
        if h.non_disclosure:
            return "", ""
        if n == 1 and self.rng.random() < 0.06:  # lives apart from the child
            code = self.areas[h.postal].municipality_code
            m = self.municipalities.get(code)
            postal = self.rng.choice(m.postal) if m else h.postal
            street_fi, street_sv = self.rng.choice(self.streets[postal])
            street = street_sv if h.language == "sv" else street_fi
            return home_address(street, self.rng), self.areas[postal].code
        return h.address, self.areas[h.postal].code

    # --- brothers and sisters -----------------------------------------------------------------
    def siblings(self, count: int) -> None:
        """Children outside the cohort, each joining a random household of the cohort."""
        rng = self.rng
        offsets, weights = zip(*OTHER_YEARS, strict=True)
        n_households = len(self.households)
        made = self._showcase(count)
        while made < count and n_households:
            hi = rng.randrange(n_households)
            h = self.households[hi]
            year = self.year + rng.choices(offsets, weights)[0]
            if h.years >> (year - 1900) & 1:
                continue
            start = dt.date(year, 1, 1)
            day = self._free_day(start, (dt.date(year + 1, 1, 1) - start).days)
            if day is None:
                continue
            self._child(hi, day, cohort=False)
            h.years |= 1 << (year - 1900)
            made += 1

    def _showcase(self, count: int) -> int:
        """The showcase families' extra children (see SHOWCASE_YEARS); returns how many were made."""
        showcase = [i for i, h in enumerate(self.households) if h.guardians and h.resident][: len(SHOWCASE_YEARS)]
        if showcase:
            home = self.households[showcase[0]]
            self.children[home.children[0]].placement = "none"
        made = 0
        for hi, offset in zip(showcase, SHOWCASE_YEARS, strict=False):
            h = self.households[hi]
            year = self.year + offset
            if made >= count or h.years >> (year - 1900) & 1:
                continue
            start = dt.date(year, 1, 1)
            day = self._free_day(start, (dt.date(year + 1, 1, 1) - start).days)
            if day is None:
                continue
            child = self._child(hi, day, cohort=False)
            if offset == SHOWCASE_YEARS[0]:
                child.placement = "none"
            h.years |= 1 << (year - 1900)
            made += 1
        return made

    def result(self) -> People:
        return People(self.households, self.children, self.guardians)
