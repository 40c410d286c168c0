"""Staff-side reads for applications: the handlers' queue (sorted by the legal due date), its counts, and the
free places per unit or school that a handler weighs a wish against.

Everything here is a constant number of aggregate queries, whatever the number of applications: the queue is a
filtered queryset (paginated by the caller), the counts are one conditional aggregate, and the free places are
one query for the places and one per kind of reservation (children placed, offers, proposals).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass

from django.db.models import Count, Exists, OuterRef, Q, QuerySet

from asti.applications.models import (
    OPEN_STATUSES,
    Application,
    ApplicationKind,
    ApplicationStatus,
    Wish,
)
from asti.applications.selectors import OVER_3, UNDER_3, places_for_service
from asti.offers.models import Offer, OfferStatus
from asti.people.models import Child
from asti.units.models import School, Unit

ALL = "all"  # QueueFilters.status: every sent application, whatever its status
DUE_SOON_DAYS = 7
CLOSED_STATUSES = (ApplicationStatus.DECIDED, ApplicationStatus.CANCELLED)


@dataclass(frozen=True)
class QueueFilters:
    """What a handler narrows the queue by; empty values do not filter.

    status "" means the open applications (sent, in process, place proposed); ALL every sent one.
    `wished_units` limits the queue to applications wishing for (or proposed to) these units, for a unit
    director; None means no such limit.
    """

    kind: str = ""
    status: str = ""
    area: str = ""  # the child's admission area (area_id)
    language: str = ""  # the language of the education applied for
    unit: str = ""  # a wished unit (unit_id)
    school: str = ""  # a wished school (school_id)
    urgent: bool = False
    shift_care: bool = False
    overdue: bool = False
    late: bool = False
    query: str = ""  # reference, child id or a child's name
    wished_units: tuple[int, ...] | None = None


@dataclass(frozen=True)
class QueueCounts:
    by_status: dict[str, int]
    overdue: int
    due_soon: int  # open, due within DUE_SOON_DAYS days (not yet overdue)

    @property
    def open(self) -> int:
        return sum(self.by_status.get(s, 0) for s in OPEN_STATUSES)

    @property
    def total(self) -> int:
        return sum(self.by_status.values())


def _overdue_q(today: dt.date) -> Q:
    return Q(due_date__lt=today) & ~Q(status__in=CLOSED_STATUSES)


def _due_soon_q(today: dt.date) -> Q:
    return Q(due_date__gte=today, due_date__lte=today + dt.timedelta(days=DUE_SOON_DAYS)) & ~Q(
        status__in=CLOSED_STATUSES
    )


def _filtered(filters: QueueFilters, today: dt.date) -> QuerySet[Application]:
    """Every filter except the status one (the counts are per status)."""
    rows = Application.objects.exclude(status=ApplicationStatus.DRAFT)
    if filters.kind:
        rows = rows.filter(kind=filters.kind)
    if filters.area:
        rows = rows.filter(child__admission_area__area_id=filters.area)
    if filters.language:
        rows = rows.filter(education_language=filters.language)
    if filters.unit:
        rows = rows.filter(Exists(Wish.objects.filter(application=OuterRef("pk"), unit__unit_id=filters.unit)))
    if filters.school:
        rows = rows.filter(Exists(Wish.objects.filter(application=OuterRef("pk"), school__school_id=filters.school)))
    if filters.wished_units is not None:
        wished = Wish.objects.filter(application=OuterRef("pk"), unit_id__in=filters.wished_units)
        rows = rows.filter(Exists(wished) | Q(proposed_unit_id__in=filters.wished_units))
    if filters.urgent:
        rows = rows.filter(urgent=True)
    if filters.shift_care:
        rows = rows.filter(shift_care=True)
    if filters.late:
        rows = rows.filter(late=True)
    if filters.overdue:
        rows = rows.filter(_overdue_q(today))
    for word in filters.query.split()[:4]:
        rows = rows.filter(
            Q(reference__iexact=word)
            | Q(child__child_id__iexact=word)
            | Q(child__first_name__icontains=word)
            | Q(child__last_name__icontains=word)
        )
    return rows


def _with_status(rows: QuerySet[Application], status: str) -> QuerySet[Application]:
    if status == ALL:
        return rows
    if status:
        return rows.filter(status=status)
    return rows.filter(status__in=OPEN_STATUSES)


def application_queue(filters: QueueFilters, today: dt.date) -> QuerySet[Application]:
    """The sent applications matching the filters, the one due first at the top (then the one sent first)."""
    rows = _with_status(_filtered(filters, today), filters.status)
    return rows.select_related(
        "child", "child__admission_area", "guardian", "proposed_unit", "proposed_school"
    ).order_by("due_date", "sent_at", "pk")


def queue_counts(filters: QueueFilters, today: dt.date) -> QueueCounts:
    """Per status, overdue and due soon, for the same filters (the status filter aside): one query."""
    statuses = [s for s in ApplicationStatus.values if s != ApplicationStatus.DRAFT]
    figures = _filtered(filters, today).aggregate(
        **{f"s_{s}": Count("pk", filter=Q(status=s)) for s in statuses},
        overdue=Count("pk", filter=_overdue_q(today)),
        due_soon=Count("pk", filter=_due_soon_q(today)),
    )
    return QueueCounts(
        by_status={s: int(figures[f"s_{s}"] or 0) for s in statuses},
        overdue=int(figures["overdue"] or 0),
        due_soon=int(figures["due_soon"] or 0),
    )


def is_overdue(application: Application, today: dt.date) -> bool:
    return (
        application.due_date is not None and application.due_date < today and application.status not in CLOSED_STATUSES
    )


def is_due_soon(application: Application, today: dt.date) -> bool:
    return (
        application.due_date is not None
        and today <= application.due_date <= today + dt.timedelta(days=DUE_SOON_DAYS)
        and application.status not in CLOSED_STATUSES
    )


# ---------------------------------------------------------------------------------------------------------------
# free places


@dataclass(frozen=True)
class Places:
    """One unit's or school's places for one service (and, for early childhood education, one age group)."""

    capacity: int
    taken: int  # children placed, offers open or accepted, places decided
    proposed: int  # applications with this place proposed, not yet decided

    @property
    def free(self) -> int:
        return self.capacity - self.taken - self.proposed


PlaceKey = tuple[int, str]  # (unit or school pk, age group for early childhood education, else "")


def _three_years_before(day: dt.date) -> dt.date:
    try:
        return day.replace(year=day.year - 3)
    except ValueError:  # 29 February
        return day.replace(year=day.year - 3, day=28)


def _count_by(rows: QuerySet[Application] | QuerySet[Offer] | QuerySet[Child], field: str) -> dict[int, int]:
    return {pk: n for pk, n in rows.values_list(field).annotate(n=Count("pk")).order_by() if pk is not None}


def free_places(kind: str, year: int | None, today: dt.date) -> dict[PlaceKey, Places]:
    """Free places per unit (early childhood education, pre-primary) or school (first grade, afternoon).

    Early childhood education, per age group: the unit's places for under-3s and for those of 3 and over, less
    the active children placed there now (by their age today) and the applications with the unit proposed (by
    the child's age on the application's due date). Pre-primary: the places less the open and accepted offers of
    the year's round at the unit and the proposed pre-primary applications of the year. First grade and afternoon
    activities: the school's places less the year's proposed and decided applications of that kind.
    """
    if kind == ApplicationKind.ECEC:
        return _ecec_places(today)
    if kind == ApplicationKind.PRESCHOOL:
        units = Unit.objects.municipal_pre_primary().values_list("pk", "pre_primary_capacity")
        offers = _count_by(
            Offer.objects.filter(round__year=year or 0, status__in=[OfferStatus.OPEN, OfferStatus.ACCEPTED]),
            "unit_id",
        )
        proposed = _count_by(
            Application.objects.filter(
                kind=kind, school_year=year, status=ApplicationStatus.PLACE_PROPOSED, proposed_unit__isnull=False
            ),
            "proposed_unit_id",
        )
        return {(pk, ""): Places(cap, offers.get(pk, 0), proposed.get(pk, 0)) for pk, cap in units}
    schools = School.objects.municipal()
    if kind == ApplicationKind.AFTERNOON:
        capacity = schools.with_afternoon_activities().values_list("pk", "afternoon_capacity")
    else:
        capacity = schools.values_list("pk", "first_grade_capacity")
    of_year = Application.objects.filter(kind=kind, school_year=year, proposed_school__isnull=False)
    decided = _count_by(of_year.filter(status=ApplicationStatus.DECIDED), "proposed_school_id")
    proposed = _count_by(of_year.filter(status=ApplicationStatus.PLACE_PROPOSED), "proposed_school_id")
    return {(pk, ""): Places(cap, decided.get(pk, 0), proposed.get(pk, 0)) for pk, cap in capacity}


def _ecec_places(today: dt.date) -> dict[PlaceKey, Places]:
    units = Unit.objects.municipal_ecec().values_list("pk", "ecec_capacity_under3", "ecec_capacity_over3")
    cutoff = _three_years_before(today)
    placed = {
        pk: (under or 0, over or 0)
        for pk, under, over in Child.objects.filter(active=True, current_unit__isnull=False)
        .values_list("current_unit_id")
        .annotate(
            under=Count("pk", filter=Q(birth_date__gt=cutoff)), over=Count("pk", filter=Q(birth_date__lte=cutoff))
        )
        .order_by()
    }
    proposed: dict[PlaceKey, int] = {}
    rows = Application.objects.filter(
        kind=ApplicationKind.ECEC, status=ApplicationStatus.PLACE_PROPOSED, proposed_unit__isnull=False
    ).values_list("proposed_unit_id", "child__birth_date", "due_date")
    for unit_pk, birth_date, due_date in rows:
        group = UNDER_3 if birth_date > _three_years_before(due_date or today) else OVER_3
        proposed[(unit_pk, group)] = proposed.get((unit_pk, group), 0) + 1
    out: dict[PlaceKey, Places] = {}
    for pk, under3, over3 in units:
        taken_under, taken_over = placed.get(pk, (0, 0))
        out[(pk, UNDER_3)] = Places(under3, taken_under, proposed.get((pk, UNDER_3), 0))
        out[(pk, OVER_3)] = Places(over3, taken_over, proposed.get((pk, OVER_3), 0))
    return out


def place_key(application: Application, place_pk: int, today: dt.date) -> PlaceKey:
    """Which of free_places' entries an application's wish is weighed against."""
    if application.kind != ApplicationKind.ECEC:
        return (place_pk, "")
    day = application.due_date or today
    group = UNDER_3 if application.child.birth_date > _three_years_before(day) else OVER_3
    return (place_pk, group)


# ---------------------------------------------------------------------------------------------------------------
# one application's places


@dataclass(frozen=True)
class WishPlaces:
    position: int
    place: Unit | School
    places: Places | None  # None: the place does not give the service (any more)
    proposable: bool


def proposable_places(application: Application, today: dt.date) -> QuerySet[Unit] | QuerySet[School]:
    """Every place a handler may propose for the application: the places one may wish for in its service and
    language (for early childhood education on the due date)."""
    curriculum = application.weighted_curriculum if application.first_grade_choice == "weighted" else ""
    return places_for_service(
        kind=application.kind, child=application.child, language=application.education_language,
        day=application.due_date or today, shift_care=application.shift_care, curriculum=curriculum,
    )  # fmt: skip


def application_places(application: Application, today: dt.date) -> tuple[list[WishPlaces], dict[int, int], int | None]:
    """The wishes against their free places, the free places of every proposable place (pk → free), and the
    place to offer first: the first wish with room, else the first proposable wish (None without one)."""
    free = free_places(application.kind, application.school_year, today)
    proposable = list(proposable_places(application, today).values_list("pk", flat=True))
    allowed = set(proposable)
    free_by_pk = {pk: free[place_key(application, pk, today)].free for pk in proposable if
                  place_key(application, pk, today) in free}  # fmt: skip
    wishes: list[WishPlaces] = []
    for wish in application.wishes.all():
        place = wish.unit or wish.school
        if place is None:
            continue
        places = free.get(place_key(application, place.pk, today))
        wishes.append(WishPlaces(wish.position, place, places, place.pk in allowed))
    default = next((w.place.pk for w in wishes if w.proposable and w.places and w.places.free > 0), None)
    if default is None:
        default = next((w.place.pk for w in wishes if w.proposable), None)
    if application.proposed_unit_id or application.proposed_school_id:
        default = application.proposed_unit_id or application.proposed_school_id
    return wishes, free_by_pk, default


# ---------------------------------------------------------------------------------------------------------------
# the export


EXPORT_COLUMNS = (
    "reference", "kind", "status", "due_date", "sent_at", "received_on", "channel", "late", "urgent", "shift_care",
    "child__child_id", "child__first_name", "child__last_name", "child__birth_date", "child__non_disclosure",
    "child__admission_area__area_id", "registry_snapshot", "education_language", "proposed_unit__unit_id",
    "proposed_school__school_id", "handler",
)  # fmt: skip


@dataclass(frozen=True)
class ExportRow:
    values: dict[str, object]
    wishes: tuple[str, ...]  # unit or school ids, in order

    @property
    def address(self) -> str:
        """The child's address as the registry snapshot kept it: never one under non-disclosure."""
        snapshot = self.values["registry_snapshot"]
        if not isinstance(snapshot, dict) or snapshot.get("address_protected") or self.values["child__non_disclosure"]:
            return ""
        return str(snapshot.get("child_address") or "")


def queue_export(filters: QueueFilters, today: dt.date) -> Iterator[ExportRow]:
    """The whole filtered queue in its order, as plain values (no model instances: tens of thousands of rows),
    each with its wishes; two queries, read in chunks."""
    rows = application_queue(filters, today)
    wishes: dict[int, list[str]] = {}
    wish_rows = (
        Wish.objects.filter(application__in=rows.order_by().values("pk"))
        .order_by("application_id", "position")
        .values_list("application_id", "unit__unit_id", "school__school_id")
    )
    for application_id, unit_id, school_id in wish_rows.iterator(chunk_size=5000):
        wishes.setdefault(application_id, []).append(unit_id or school_id or "")
    for values in rows.values("pk", *EXPORT_COLUMNS).iterator(chunk_size=2000):
        yield ExportRow(values, tuple(wishes.get(int(values["pk"]), ())))
