"""Reads for applications: what a guardian may see, the registry details an application is pre-filled with,
and the units one may wish for."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from typing import TypeVar

from django.db.models import Prefetch, Q, QuerySet

from asti.applications.models import (
    Application,
    ApplicationEvent,
    ApplicationKind,
    ApplicationPeriod,
    ApplicationStatus,
    Wish,
)
from asti.core.workdays import next_working_day
from asti.offers.allocation.geo import distance_m, haversine_m
from asti.offers.selectors import children_visible_for
from asti.people.models import Child, Guardian
from asti.units.models import Provider, School, Unit


@dataclass(frozen=True)
class PersonDetails:
    name: str
    address: str  # "" when under a non-disclosure order (or unknown)
    address_protected: bool


@dataclass(frozen=True)
class RegistryDetails:
    child_name: str
    birth_date: str  # ISO 8601
    child_address: str  # "" when the child's or any guardian's address is under non-disclosure
    address_protected: bool
    guardians: tuple[PersonDetails, ...]
    language: str  # the applying guardian's registry language

    def as_json(self) -> dict[str, object]:
        return asdict(self)


def _address(street: str, postal_code: str) -> str:
    return ", ".join(part for part in (street, postal_code) if part)


def registry_details_for(*, guardian: Guardian, child: Child) -> RegistryDetails | None:
    """What the registry says, as this guardian may see it; None when the child is not in their custody.

    An address under a non-disclosure order is never included, not even for the child's other guardian. A
    child living with a protected guardian shares that address, so the child's address is withheld too.
    """
    if not children_visible_for(guardian=guardian).filter(pk=child.pk).exists():
        return None
    family = list(
        Guardian.objects.filter(custodies__child=child, custodies__active=True, active=True).order_by("guardian_id")
    )
    protected = child.address_protected(family)
    guardians = tuple(
        PersonDetails(
            name=g.full_name,
            address="" if g.non_disclosure else _address(g.street_address, g.postal_code),
            address_protected=g.non_disclosure,
        )
        for g in family
    )
    return RegistryDetails(
        child_name=child.full_name,
        birth_date=child.birth_date.isoformat(),
        child_address="" if protected else _address(child.street_address, child.postal_code),
        address_protected=protected,
        guardians=guardians,
        language=guardian.language,
    )


def applications_visible_for(*, guardian: Guardian) -> QuerySet[Application]:
    """Applications for the children in this guardian's active custody, whichever custodian sent them; a draft
    only to the guardian writing it."""
    return (
        Application.objects.filter(child__in=children_visible_for(guardian=guardian))
        .exclude(Q(status=ApplicationStatus.DRAFT) & ~Q(guardian=guardian))
        .select_related("child", "guardian", "proposed_unit", "proposed_school")
        .prefetch_related(
            Prefetch("wishes", queryset=Wish.objects.select_related("unit", "school").order_by("position")),
            Prefetch("events", queryset=ApplicationEvent.objects.order_by("at", "id")),
            "attachments",
        )
    )


def application_for_offer(*, guardian: Guardian, offer_id: int) -> Application | None:
    """The live (not cancelled) application that answers a declined offer."""
    found = applications_visible_for(guardian=guardian).filter(declined_offer_id=offer_id)
    return found.exclude(status=ApplicationStatus.CANCELLED).first()


Place = TypeVar("Place", Unit, School)


def _searched(places: QuerySet[Place], query: str) -> QuerySet[Place]:
    for word in query.split()[:5]:
        places = places.filter(
            Q(name_fi__icontains=word)
            | Q(name_sv__icontains=word)
            | Q(street_address__icontains=word)
            | Q(postal_code__startswith=word)
            | Q(admission_area__name_fi__icontains=word)
            | Q(admission_area__name_sv__icontains=word)
        )
    return places.order_by("name_fi", "pk")


def wishable_units(*, query: str = "", language: str = "") -> QuerySet[Unit]:
    """Municipal pre-primary units one may wish for, searchable by name, address or postal code."""
    units = Unit.objects.municipal_pre_primary()
    if language:
        units = units.filter(language=language)
    return _searched(units, query)


UNDER_3 = "under3"
OVER_3 = "over3"


def age_group_on(child: Child, day: dt.date) -> str:
    return UNDER_3 if child.age_on(day) < 3 else OVER_3


def ecec_units(*, language: str = "", age_group: str = "", shift_care: bool = False, query: str = "") -> QuerySet[Unit]:
    """Municipal ECEC units one may wish for: in the language, with places for the child's age group, giving
    shift care when it is needed."""
    units = Unit.objects.municipal_ecec()
    if language:
        units = units.filter(language=language)
    if age_group == UNDER_3:
        units = units.filter(ecec_capacity_under3__gt=0)
    elif age_group == OVER_3:
        units = units.filter(ecec_capacity_over3__gt=0)
    if shift_care:
        units = units.filter(shift_care=True)
    return _searched(units, query)


def schools(*, language: str = "", afternoon: bool = False, curriculum: str = "", query: str = "") -> QuerySet[School]:
    """Municipal schools one may wish for: in the language; with afternoon activities or a weighted class."""
    found = School.objects.with_afternoon_activities() if afternoon else School.objects.municipal()
    if language:
        found = found.filter(language=language)
    if curriculum:
        # a JSON list's membership is not portable between SQLite and PostgreSQL; a city has some hundred schools
        found = found.filter(pk__in=[s.pk for s in found if curriculum in (s.weighted_curricula or [])])
    return _searched(found, query)


def designated_school(*, child: Child, language: str) -> School | None:
    """The neighbourhood school the city designates (PoL 6 §): the school of the child's admission area in the
    language of instruction, the nearest one if the area has several; without one there, the nearest school in
    that language."""
    candidates = list(School.objects.municipal().filter(language=language))
    if not candidates:
        return None
    in_area = [s for s in candidates if child.admission_area_id and s.admission_area_id == child.admission_area_id]
    pool = in_area or candidates
    return min(pool, key=lambda s: (distance_m(child.lat, child.lon, s.lat, s.lon), s.school_id))


def has_municipal_place(child: Child) -> bool:
    """The one rule for "the child already has a municipal place" (an ECEC application is then a transfer, and
    during a school year under way a pre-primary-aged child is in pre-primary there)."""
    unit = child.current_unit if child.current_unit_id else None
    return unit is not None and unit.provider == Provider.MUNICIPAL


def education_language_for(child: Child) -> str:
    current = child.current_unit.language if child.current_unit_id and child.current_unit else None
    return child.education_language_resolved(current)


# the services applied for at a school (the others at a unit)
PLACE_IS_SCHOOL = (ApplicationKind.FIRST_GRADE, ApplicationKind.AFTERNOON)


def places_by_id(*, kind: str, pks: Sequence[int]) -> dict[int, Unit | School]:
    """The places these ids name in a service (units, or schools for school services), by id."""
    model: type[Unit] | type[School] = School if kind in PLACE_IS_SCHOOL else Unit
    return {p.pk: p for p in model.objects.filter(pk__in=list(pks))}


def places_for_service(
    *,
    kind: str,
    child: Child,
    language: str = "",
    day: dt.date | None = None,
    shift_care: bool = False,
    curriculum: str = "",
    query: str = "",
) -> QuerySet[Unit] | QuerySet[School]:
    """The one rule for the places a family may wish for (and a handler propose) in a service: early childhood
    education in units with places for the child's age group on `day` (and shift care when needed), pre-primary in
    municipal pre-primary units, afternoon activities in schools that give them, first grade in schools (with the
    weighted curriculum when one is asked); always in the language of education when one is given."""
    if kind == ApplicationKind.ECEC:
        group = age_group_on(child, day) if day is not None else ""
        return ecec_units(language=language, age_group=group, shift_care=shift_care, query=query)
    if kind == ApplicationKind.PRESCHOOL:
        return wishable_units(language=language, query=query)
    if kind == ApplicationKind.AFTERNOON:
        return schools(language=language, afternoon=True, query=query)
    return schools(language=language, curriculum=curriculum, query=query)


@dataclass(frozen=True)
class PlaceChoice:
    """A place as the unit picker shows it: its distance from the child's home, or None when the viewer may not
    see it (asti.people.protection) or the home is unknown."""

    place: Unit | School
    distance_m: int | None


NEAREST = "nearest"
BY_NAME = "name"


def place_choices(
    places: Sequence[Unit | School],
    *,
    home: tuple[float, float] | None,
    order: str = NEAREST,
) -> list[PlaceChoice]:
    """The places with their distances from `home` (lat, lon; None: not shown), nearest first or by name. Without
    a home the order is by name whatever is asked: the order alone would locate a hidden home."""
    if home is None or not places:
        return [PlaceChoice(p, None) for p in sorted(places, key=lambda p: (p.name_fi, p.pk))]
    lat = [p.lat for p in places]
    lon = [p.lon for p in places]
    metres = haversine_m([home[0]] * len(places), [home[1]] * len(places), lat, lon).tolist()
    choices = [PlaceChoice(p, int(m)) for p, m in zip(places, metres, strict=True)]
    if order == NEAREST:
        choices.sort(key=lambda c: (c.distance_m, c.place.name_fi, c.place.pk))
    else:
        choices.sort(key=lambda c: (c.place.name_fi, c.place.pk))
    return choices


@dataclass(frozen=True)
class NextSteps:
    """What happens to a sent application, for its receipt: from the application period, the rules and the city
    profile."""

    processing_from: dt.date | None  # the first working day after the period closes; None: as soon as it is sent
    decision_by: dt.date | None  # the due date: the place is arranged, and its decision made, by then
    decisions_with_round: bool  # decided with everyone else's of the year (city.decisions_expected says when)


def next_steps_for(application: Application) -> NextSteps:
    """Applications sent in their period are processed once it closes, pre-primary ones decided together with
    the year's offers; an early childhood education or late application is processed as soon as it comes."""
    period = None
    if application.school_year is not None and application.kind != ApplicationKind.ECEC:
        period = ApplicationPeriod.objects.filter(kind=application.kind, year=application.school_year).first()
    in_period = period is not None and not application.late
    processing_from = None
    if in_period and period is not None:
        processing_from = next_working_day(period.closes_on + dt.timedelta(days=1))
    return NextSteps(
        processing_from=processing_from,
        decision_by=application.due_date,
        decisions_with_round=in_period and application.kind == ApplicationKind.PRESCHOOL,
    )
