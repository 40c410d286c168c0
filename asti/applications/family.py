"""Reads for a family's front page and forms: each child, what is open for them, what they can apply for now,
and what the family has told already (asked once, then filled in)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from asti.applications import rules
from asti.applications.models import (
    OPEN_STATUSES,
    Application,
    ApplicationKind,
    ApplicationPeriod,
    ApplicationStatus,
)
from asti.applications.selectors import applications_visible_for, education_language_for
from asti.applications.validation import ApplicationInput, eligible, year_for
from asti.offers.models import Offer, OfferStatus
from asti.offers.selectors import children_visible_for, offers_visible_for
from asti.people.models import Child, Guardian

KIND_ORDER = [ApplicationKind.ECEC, ApplicationKind.PRESCHOOL, ApplicationKind.FIRST_GRADE, ApplicationKind.AFTERNOON]
# Asked once: the family's contact details and notes carry over to every application of every child; the child's
# own details (support, service need, hours, language) carry over to the same child's next application.
CONTACT_ANSWERS = ("phone", "email")  # the applying guardian's own
FAMILY_ANSWERS = ("other_info",)
CHILD_FIELDS = (
    "education_language",
    "support_need",
    "support_description",
    "service_need",
    "daily_start",
    "daily_end",
    "shift_care",
    "shift_care_reason",
)


@dataclass(frozen=True)
class Applicable:
    """One kind the child may apply for now."""

    kind: str
    year: int | None
    period: rules.PeriodState
    draft: Application | None = None  # this guardian's draft, to go on with
    pending: Application | None = None  # a sent application of this kind being handled: no second one
    special_support_only: bool = False  # afternoon activities beyond grade 2

    @property
    def can_start(self) -> bool:
        return self.pending is None and self.period.state != "not_open"


@dataclass
class ChildOverview:
    child: Child
    offers: list[Offer] = field(default_factory=list)
    applications: list[Application] = field(default_factory=list)
    applicable: list[Applicable] = field(default_factory=list)

    @property
    def open_items(self) -> list[Application]:
        return [a for a in self.applications if a.status in OPEN_STATUSES]


def _periods(years: tuple[int, int]) -> dict[tuple[str, int], ApplicationPeriod]:
    return {(p.kind, p.year): p for p in ApplicationPeriod.objects.filter(year__in=years)}


def _applicable(
    child: Child,
    today: dt.date,
    offers: list[Offer],
    applications: list[Application],
    guardian: Guardian,
    periods: dict[tuple[str, int], ApplicationPeriod],
) -> list[Applicable]:
    out: list[Applicable] = []
    for kind in KIND_ORDER:
        support_only = False
        if kind == ApplicationKind.AFTERNOON and not eligible(kind, child, today):
            if not eligible(kind, child, today, special_support=True):
                continue
            support_only = True
        elif not eligible(kind, child, today):
            continue
        year = year_for(kind, child, ApplicationInput(support_need=support_only), today)
        if kind == ApplicationKind.PRESCHOOL and any(
            o.round.year == year and o.status in (OfferStatus.OPEN, OfferStatus.ACCEPTED) for o in offers
        ):
            continue  # the child has a proactive offer for that year: answered on its own page
        same = [a for a in applications if a.kind == kind and (year is None or a.school_year == year)]
        period = periods.get((kind, year)) if year is not None else None
        state = rules.period_state(
            today=today,
            opens_on=period.opens_on if period else None,
            closes_on=period.closes_on if period else None,
        )
        out.append(
            Applicable(
                kind=kind,
                year=year,
                period=state,
                draft=next((a for a in same if a.is_draft and a.guardian_id == guardian.pk), None),
                pending=next((a for a in same if a.status in OPEN_STATUSES), None),
                special_support_only=support_only,
            )
        )
    return out


def family_overview(*, guardian: Guardian, today: dt.date) -> list[ChildOverview]:
    """The family's front page: three queries whatever the number of children, plus the periods."""
    children = list(children_visible_for(guardian=guardian).order_by("birth_date", "first_name"))
    offers = list(offers_visible_for(guardian=guardian))
    applications = list(applications_visible_for(guardian=guardian))
    periods = _periods(rules.school_years_open(today))
    rows = []
    for child in children:
        mine = [a for a in applications if a.child_id == child.pk]
        child_offers = [o for o in offers if o.child_id == child.pk]
        rows.append(
            ChildOverview(
                child=child,
                offers=child_offers,
                applications=mine,
                applicable=_applicable(child, today, child_offers, mine, guardian, periods),
            )
        )
    return rows


def applicable_for(*, guardian: Guardian, child: Child, kind: str, today: dt.date) -> Applicable | None:
    """What the family may do about `kind` for this child now; None when the child cannot apply for it."""
    offers = list(offers_visible_for(guardian=guardian).filter(child=child))
    applications = list(applications_visible_for(guardian=guardian).filter(child=child).prefetch_related(None))
    periods = _periods(rules.school_years_open(today))
    return next((a for a in _applicable(child, today, offers, applications, guardian, periods) if a.kind == kind), None)


def known_answers(*, guardian: Guardian, child: Child) -> ApplicationInput:
    """A new application's starting point: what the registry says and what the family told before.

    The guardian's contact details come from their own latest application (for any child), else from the
    registry; the family's notes from its latest application; the child's own details from the child's latest
    application. Drafts of the other custodian are not read.
    """
    family = applications_visible_for(guardian=guardian).exclude(status=ApplicationStatus.CANCELLED)
    latest_family = family.order_by("-updated_at", "-pk").first()
    latest_own = family.filter(guardian=guardian).order_by("-updated_at", "-pk").first()
    latest_child = family.filter(child=child).order_by("-updated_at", "-pk").first()
    answers = {"phone": guardian.phone, "email": guardian.email}
    if latest_own is not None:
        answers.update({k: v for k, v in latest_own.answers.items() if k in CONTACT_ANSWERS and v})
    if latest_family is not None:
        answers.update({k: v for k, v in latest_family.answers.items() if k in FAMILY_ANSWERS and v})
    data = ApplicationInput(education_language=education_language_for(child), answers=answers)
    if latest_child is not None:
        for name in CHILD_FIELDS:
            value = getattr(latest_child, name)
            if value not in (None, ""):
                setattr(data, name, value)
    return data


def siblings_of(*, guardian: Guardian, child: Child) -> list[Child]:
    """The child's siblings as the registry knows them: the guardian's other children (shown, never asked)."""
    return list(children_visible_for(guardian=guardian).exclude(pk=child.pk).order_by("birth_date"))
