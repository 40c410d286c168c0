"""The city's rules for applications, as pure functions: who may apply for what, and the dates that follow.

- Early childhood education (VakaL 17 §): the guardian applies at least four months before the place is needed,
  or, when the need comes from sudden employment or studies, at least two weeks before. The city must arrange the
  place by the later of the wished start and that earliest start. A start on a weekend or public holiday is the
  next working day.
- Pre-primary education, first grade and afternoon activities are applied for a school year (August of `year`;
  the day is the city profile's): the place must exist when the year starts, so the due date is the year's first
  working day, and an
  application sent after that (a family moving in) is due two weeks after sending.
- Afternoon activities (PoL 48 a–48 f §) are for grades 1–2, and for pupils with a special support decision in
  any grade; 570 or 760 hours a year, with the law's maximum monthly fees.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from asti.core import city
from asti.core.workdays import add_months, next_working_day

ECEC_NOTICE_MONTHS = 4
URGENT_NOTICE = dt.timedelta(days=14)
LATE_HANDLING = dt.timedelta(days=14)
# PoL 48 f §: the most a municipality may charge a month for afternoon activities, by yearly hours.
AFTERNOON_MAX_FEE_EUR = {570: 120, 760: 160}
PRE_PRIMARY_AGE = 6
FIRST_GRADE_AGE = 7
SPECIAL_SUPPORT_LAST_GRADE = 9

KIND_PREFIX = {"ecec": "VK", "preschool": "EO", "first_grade": "PK", "afternoon": "IP"}


def reference_for(*, kind: str, year: int, number: int) -> str:
    """The reference a family quotes: a letter pair per service, the year sent and a running number."""
    return f"{KIND_PREFIX[kind]}-{year}-{number:06d}"


def school_year_start(year: int) -> dt.date:
    """The school year's first working day: on or after the city profile's start (1 August in Finland)."""
    return next_working_day(city.active().school_year_first_day(year))


def ongoing_school_year(today: dt.date) -> int:
    """The school year under way (or the last one, in summer): it starts in August of the returned year."""
    return today.year if today >= city.active().school_year_first_day(today.year) else today.year - 1


def earliest_ecec_start(*, sent_on: dt.date, urgent: bool) -> dt.date:
    """The first day the city must have an ECEC place ready for an application sent on `sent_on`."""
    day = sent_on + URGENT_NOTICE if urgent else add_months(sent_on, ECEC_NOTICE_MONTHS)
    return next_working_day(day)


def ecec_due_date(*, sent_on: dt.date, start_date: dt.date, urgent: bool) -> dt.date:
    return max(next_working_day(start_date), earliest_ecec_start(sent_on=sent_on, urgent=urgent))


def school_year_due_date(*, sent_on: dt.date, year: int) -> dt.date:
    """Pre-primary, first grade and afternoon activities: by the start of the year, or two weeks for a late one."""
    start = school_year_start(year)
    if sent_on < start:
        return start
    return next_working_day(sent_on + LATE_HANDLING)


def pre_primary_year(birth_date: dt.date) -> int:
    return birth_date.year + PRE_PRIMARY_AGE


def first_grade_year(birth_date: dt.date) -> int:
    return birth_date.year + FIRST_GRADE_AGE


def grade_in(birth_date: dt.date, year: int) -> int:
    """The grade a child born on `birth_date` is in during the school year starting in `year` (0: pre-primary,
    negative: not yet)."""
    return year - first_grade_year(birth_date) + 1


def may_apply_ecec(*, birth_date: dt.date, today: dt.date) -> bool:
    """ECEC is applied for from before birth's first months up to the pre-primary year (pre-primary children get
    supplementary ECEC through their pre-primary application)."""
    return birth_date <= today and today < school_year_start(pre_primary_year(birth_date))


def school_years_open(today: dt.date) -> tuple[int, int]:
    """The years one may apply for now: the one under way (late) and the next."""
    ongoing = ongoing_school_year(today)
    return ongoing, ongoing + 1


def pre_primary_year_open(*, birth_date: dt.date, today: dt.date) -> int | None:
    year = pre_primary_year(birth_date)
    return year if year in school_years_open(today) else None


def first_grade_year_open(*, birth_date: dt.date, today: dt.date) -> int | None:
    year = first_grade_year(birth_date)
    return year if year in school_years_open(today) else None


def afternoon_year_open(*, birth_date: dt.date, today: dt.date, special_support: bool) -> int | None:
    """The school year the child may apply for afternoon activities in: the next one when the child will then be
    in grade 1–2 (any grade up to 9 with special support), else the ongoing one on the same terms."""
    last = SPECIAL_SUPPORT_LAST_GRADE if special_support else 2
    for year in reversed(school_years_open(today)):
        if 1 <= grade_in(birth_date, year) <= last:
            return year
    return None


@dataclass(frozen=True)
class PeriodState:
    """Where today is against a kind's application period."""

    state: str  # "none" (no period: all year), "not_open", "open", "late"
    opens_on: dt.date | None = None
    closes_on: dt.date | None = None


def period_state(*, today: dt.date, opens_on: dt.date | None, closes_on: dt.date | None) -> PeriodState:
    if opens_on is None or closes_on is None:
        return PeriodState("none")
    if today < opens_on:
        return PeriodState("not_open", opens_on, closes_on)
    if today <= closes_on:
        return PeriodState("open", opens_on, closes_on)
    return PeriodState("late", opens_on, closes_on)
