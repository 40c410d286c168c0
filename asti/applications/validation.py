"""What makes an application of each kind complete and valid: every problem found, each tied to a field, so a
form can show them all at once and nothing is stored until there are none.

A draft is checked only for what it holds (no repeated or unknown places, at most three wishes); sending, and
changing a sent application, check everything.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import enum
from dataclasses import dataclass

from asti.applications import rules
from asti.applications.models import AFTERNOON_HOURS, MAX_WISHES, ApplicationKind, FirstGradeChoice, ServiceNeed
from asti.applications.selectors import PLACE_IS_SCHOOL as PLACE_IS_SCHOOL  # also imported from here
from asti.applications.selectors import (
    age_group_on,
    designated_school,
    ecec_units,
    has_municipal_place,
    places_by_id,
    schools,
    wishable_units,
)
from asti.people.models import Child
from asti.units.models import School, Unit, WeightedCurriculum

PART_TIME_MAX = dt.timedelta(hours=5)
SCHOOL_KINDS = (ApplicationKind.PRESCHOOL, ApplicationKind.FIRST_GRADE, ApplicationKind.AFTERNOON)


class Problem(enum.StrEnum):
    REQUIRED = "required"
    NOT_ELIGIBLE = "not_eligible"
    START_IN_PAST = "start_in_past"
    START_TOO_EARLY = "start_too_early"
    HOURS_ORDER = "hours_order"
    PART_TIME_TOO_LONG = "part_time_too_long"
    NO_WISHES = "no_wishes"
    TOO_MANY_WISHES = "too_many_wishes"
    REPEATED_PLACE = "repeated_place"
    UNKNOWN_PLACE = "unknown_place"
    WRONG_LANGUAGE = "wrong_language"
    WRONG_AGE = "wrong_age"
    NO_SHIFT_CARE = "no_shift_care"
    NO_SUCH_CLASS = "no_such_class"
    NO_DESIGNATED_SCHOOL = "no_designated_school"
    BAD_CHOICE = "bad_choice"
    ATTACHMENT_NEEDED = "attachment_needed"


@dataclass(frozen=True)
class FieldProblem:
    field: str
    problem: Problem
    params: dict[str, str] = dataclasses.field(default_factory=dict)


@dataclass
class ApplicationInput:
    """What a family fills in (or staff copy from a paper form). Wishes are unit pks, or school pks for first
    grade and afternoon activities, in order of preference."""

    education_language: str = ""
    start_date: dt.date | None = None
    urgent: bool = False
    service_need: str = ""
    daily_start: dt.time | None = None
    daily_end: dt.time | None = None
    shift_care: bool = False
    shift_care_reason: str = ""
    support_need: bool = False
    support_description: str = ""
    supplementary_ecec: bool = False
    first_grade_choice: str = ""
    weighted_curriculum: str = ""
    annual_hours: int | None = None
    wishes: tuple[int, ...] = ()
    answers: dict[str, str] = dataclasses.field(default_factory=dict)


@dataclass(frozen=True)
class Checked:
    """A valid application's derived facts."""

    year: int | None  # the school year, for pre-primary, first grade and afternoon activities
    start_date: dt.date | None
    wishes: tuple[Unit | School, ...]


def year_for(kind: str, child: Child, data: ApplicationInput, today: dt.date) -> int | None:
    if kind == ApplicationKind.PRESCHOOL:
        year = rules.pre_primary_year_open(birth_date=child.birth_date, today=today)
        if year == rules.ongoing_school_year(today) and has_municipal_place(child):
            return None  # in municipal ECEC during a year under way: already in pre-primary there
        return year
    if kind == ApplicationKind.FIRST_GRADE:
        return rules.first_grade_year_open(birth_date=child.birth_date, today=today)
    if kind == ApplicationKind.AFTERNOON:
        return rules.afternoon_year_open(birth_date=child.birth_date, today=today, special_support=data.support_need)
    return None


def eligible(kind: str, child: Child, today: dt.date, *, special_support: bool = False) -> bool:
    if kind == ApplicationKind.ECEC:
        return rules.may_apply_ecec(birth_date=child.birth_date, today=today)
    return year_for(kind, child, ApplicationInput(support_need=special_support), today) is not None


def _places(kind: str, pks: tuple[int, ...]) -> dict[int, Unit | School]:
    return places_by_id(kind=kind, pks=pks)


def _check_wish_list(kind: str, data: ApplicationInput, problems: list[FieldProblem]) -> list[Unit | School]:
    wanted = list(data.wishes)
    if len(wanted) > MAX_WISHES:
        problems.append(FieldProblem("wishes", Problem.TOO_MANY_WISHES))
        wanted = wanted[:MAX_WISHES]
    if len(set(wanted)) != len(wanted):
        problems.append(FieldProblem("wishes", Problem.REPEATED_PLACE))
    found = _places(kind, tuple(wanted))
    if any(pk not in found for pk in wanted):
        problems.append(FieldProblem("wishes", Problem.UNKNOWN_PLACE))
    return [found[pk] for pk in wanted if pk in found]


def _hours(data: ApplicationInput, problems: list[FieldProblem], *, part_time: bool) -> None:
    if data.daily_start is None:
        problems.append(FieldProblem("daily_start", Problem.REQUIRED))
    if data.daily_end is None:
        problems.append(FieldProblem("daily_end", Problem.REQUIRED))
    if data.daily_start is None or data.daily_end is None:
        return
    day = dt.date(2000, 1, 1)
    span = dt.datetime.combine(day, data.daily_end) - dt.datetime.combine(day, data.daily_start)
    if span <= dt.timedelta(0):
        problems.append(FieldProblem("daily_end", Problem.HOURS_ORDER))
    elif part_time and span > PART_TIME_MAX:
        problems.append(FieldProblem("daily_end", Problem.PART_TIME_TOO_LONG))


def _place_problems(
    kind: str, places: list[Unit | School], allowed: set[int], language: str, problems: list[FieldProblem]
) -> None:
    for place in places:
        if place.pk in allowed:
            continue
        if language and place.language != language:
            problems.append(FieldProblem("wishes", Problem.WRONG_LANGUAGE, {"place": place.name_fi}))
        else:
            problems.append(FieldProblem("wishes", Problem.UNKNOWN_PLACE, {"place": place.name_fi}))


def check(
    *, kind: str, child: Child, data: ApplicationInput, today: dt.date, complete: bool, has_urgent_attachment: bool
) -> tuple[list[FieldProblem], Checked]:
    """Every problem with the application as given; an empty list when it may be stored (and sent)."""
    problems: list[FieldProblem] = []
    places = _check_wish_list(kind, data, problems)
    year = year_for(kind, child, data, today)
    start = rules.school_year_start(year) if year is not None else data.start_date
    if not complete:
        return problems, Checked(year, start, tuple(places))
    if (kind in SCHOOL_KINDS and year is None) or (kind == ApplicationKind.ECEC and not eligible(kind, child, today)):
        problems.append(FieldProblem("child", Problem.NOT_ELIGIBLE))
    language = data.education_language
    if language not in ("fi", "sv"):
        problems.append(FieldProblem("education_language", Problem.REQUIRED))
        language = ""
    if data.support_need and not data.support_description.strip() and kind == ApplicationKind.AFTERNOON:
        problems.append(FieldProblem("support_description", Problem.REQUIRED))

    if kind == ApplicationKind.ECEC:
        _check_ecec(child, data, today, language, places, problems, has_urgent_attachment)
    elif kind == ApplicationKind.PRESCHOOL:
        if data.supplementary_ecec:
            _hours(data, problems, part_time=False)
        allowed = {u.pk for u in wishable_units(language=language)} if language else set()
        _place_problems(kind, places, allowed, language, problems)
        if not places:
            problems.append(FieldProblem("wishes", Problem.NO_WISHES))
    elif kind == ApplicationKind.FIRST_GRADE:
        places = _check_first_grade(child, data, language, places, problems)
    elif kind == ApplicationKind.AFTERNOON:
        if data.annual_hours not in AFTERNOON_HOURS:
            problems.append(FieldProblem("annual_hours", Problem.REQUIRED))
        allowed = {s.pk for s in schools(language=language, afternoon=True)} if language else set()
        _place_problems(kind, places, allowed, language, problems)
        if not places:
            problems.append(FieldProblem("wishes", Problem.NO_WISHES))
    return problems, Checked(year, start, tuple(places))


def _check_ecec(
    child: Child,
    data: ApplicationInput,
    today: dt.date,
    language: str,
    places: list[Unit | School],
    problems: list[FieldProblem],
    has_urgent_attachment: bool,
) -> None:
    start = data.start_date
    if start is None:
        problems.append(FieldProblem("start_date", Problem.REQUIRED))
    elif start < today:
        problems.append(FieldProblem("start_date", Problem.START_IN_PAST))
    else:
        earliest = rules.earliest_ecec_start(sent_on=today, urgent=data.urgent)
        if start < earliest:
            problems.append(FieldProblem("start_date", Problem.START_TOO_EARLY, {"earliest": earliest.isoformat()}))
    if data.urgent and not has_urgent_attachment:
        problems.append(FieldProblem("attachments", Problem.ATTACHMENT_NEEDED))
    if data.service_need not in ServiceNeed.values:
        problems.append(FieldProblem("service_need", Problem.REQUIRED))
    _hours(data, problems, part_time=data.service_need == ServiceNeed.PART_TIME)
    if data.shift_care and not data.shift_care_reason.strip():
        problems.append(FieldProblem("shift_care_reason", Problem.REQUIRED))
    if not places:
        problems.append(FieldProblem("wishes", Problem.NO_WISHES))
        return
    age_group = age_group_on(child, start if start is not None and start >= today else today)
    for place in places:
        assert isinstance(place, Unit)
        if not (place.active and place.ecec and place.provider == "municipal"):
            problems.append(FieldProblem("wishes", Problem.UNKNOWN_PLACE, {"place": place.name_fi}))
        elif language and place.language != language:
            problems.append(FieldProblem("wishes", Problem.WRONG_LANGUAGE, {"place": place.name_fi}))
        elif not ecec_units(age_group=age_group).filter(pk=place.pk).exists():
            problems.append(FieldProblem("wishes", Problem.WRONG_AGE, {"place": place.name_fi}))
        elif data.shift_care and not place.shift_care:
            problems.append(FieldProblem("wishes", Problem.NO_SHIFT_CARE, {"place": place.name_fi}))


def _check_first_grade(
    child: Child, data: ApplicationInput, language: str, places: list[Unit | School], problems: list[FieldProblem]
) -> list[Unit | School]:
    choice = data.first_grade_choice
    if choice not in FirstGradeChoice.values:
        problems.append(FieldProblem("first_grade_choice", Problem.REQUIRED))
        return places
    if not language:
        return places
    if choice == FirstGradeChoice.NEIGHBOURHOOD:
        school = designated_school(child=child, language=language)
        if school is None:
            problems.append(FieldProblem("first_grade_choice", Problem.NO_DESIGNATED_SCHOOL))
            return places
        return [school]
    curriculum = data.weighted_curriculum if choice == FirstGradeChoice.WEIGHTED else ""
    if choice == FirstGradeChoice.WEIGHTED and curriculum not in WeightedCurriculum.values:
        problems.append(FieldProblem("weighted_curriculum", Problem.REQUIRED))
        return places
    allowed = {s.pk for s in schools(language=language, curriculum=curriculum)}
    for place in places:
        if place.pk in allowed:
            continue
        if place.language != language:
            problems.append(FieldProblem("wishes", Problem.WRONG_LANGUAGE, {"place": place.name_fi}))
        else:
            problems.append(FieldProblem("wishes", Problem.NO_SUCH_CLASS, {"place": place.name_fi}))
    if not places:
        problems.append(FieldProblem("wishes", Problem.NO_WISHES))
    return places
