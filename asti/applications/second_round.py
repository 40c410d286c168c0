"""The second round of pre-primary places: the wishes of families who declined and of families who applied,
placed against the places left after the first round.

1. Child-proposing deferred acceptance with the city's published priorities (a sibling already in the unit,
   the unit in the child's own admission area, distance, then the child id): each child gets the best wish it
   can get without displacing a child of higher priority (asti.offers.allocation.deferred).
2. Children none of whose wishes had room are placed by the exact allocation engine on the places that are
   still left (as many placed as possible, own area first, shortest distance; asti.offers.allocation).
3. Each child's reasons are kept: which wish was met, or for each wish the priority it would have needed.

The result waits for the planners' review (`SecondRoundPlacement`) and becomes the applications' proposed
places only when confirmed, through the application services (timeline and audit).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections import defaultdict
from dataclasses import dataclass

from django.db import transaction
from django.db.models import Count

from asti.applications.models import (
    OPEN_STATUSES,
    Application,
    ApplicationKind,
    ApplicationStatus,
    SecondRoundMethod,
    SecondRoundPlacement,
)
from asti.applications.selectors import education_language_for
from asti.applications.services import application_propose_place, application_start_processing
from asti.audit.services import audit_log
from asti.core import clock
from asti.offers.adapter import address_key
from asti.offers.allocation import ChildIn, UnitIn, allocate
from asti.offers.allocation.deferred import Applicant, Seat, WishOutcome, deferred_acceptance
from asti.offers.models import Offer, OfferRound, OfferStatus
from asti.people.models import Child, Custody
from asti.units.models import Unit

HOLDING = [OfferStatus.OPEN, OfferStatus.ACCEPTED, OfferStatus.AUTO_ACCEPTED, OfferStatus.NO_ANSWER]


class SecondRoundError(Exception):
    pass


@dataclass(frozen=True)
class SecondRoundSummary:
    applicants: int
    by_wish: int
    assigned: int
    unplaced: int


def places_left(offer_round: OfferRound) -> dict[int, int]:
    """Pre-primary places per unit after the first round: capacity minus offers still holding a place (open,
    accepted, confirmed at the deadline, or left to staff) minus places already proposed or decided to
    applicants for the year."""
    units = {u.pk: u.pre_primary_capacity for u in Unit.objects.municipal_pre_primary()}
    held = Offer.objects.filter(round=offer_round, status__in=HOLDING).values("unit_id").annotate(n=Count("id"))
    given = (
        Application.objects.filter(
            kind=ApplicationKind.PRESCHOOL, school_year=offer_round.year, proposed_unit__isnull=False,
            status__in=[ApplicationStatus.PLACE_PROPOSED, ApplicationStatus.DECIDED],
        )
        .values("proposed_unit_id")
        .annotate(n=Count("id"))
    )  # fmt: skip
    for row in held:
        if row["unit_id"] in units:
            units[row["unit_id"]] -= row["n"]
    for row in given:
        if row["proposed_unit_id"] in units:
            units[row["proposed_unit_id"]] -= row["n"]
    return {pk: max(0, n) for pk, n in units.items()}


def _applications(offer_round: OfferRound) -> list[Application]:
    return list(
        Application.objects.filter(
            kind=ApplicationKind.PRESCHOOL, school_year=offer_round.year,
            status__in=[ApplicationStatus.SENT, ApplicationStatus.IN_PROCESS],
        )
        .select_related("child", "child__admission_area", "child__current_unit")
        .prefetch_related("wishes")
        .order_by("pk")
    )  # fmt: skip


def _sibling_units(applications: list[Application], offer_round: OfferRound) -> dict[int, set[int]]:
    """Per applicant child, the units where a sibling (a child of the same active guardian) already is: the
    sibling's current placement or its place from the first round."""
    child_pks = [a.child_id for a in applications]
    applicants_of: dict[int, set[int]] = defaultdict(set)  # guardian -> applicant children
    for child_pk, guardian_pk in Custody.objects.filter(child_id__in=child_pks, active=True).values_list(
        "child_id", "guardian_id"
    ):
        applicants_of[guardian_pk].add(child_pk)
    siblings: dict[int, set[int]] = defaultdict(set)
    for child_pk, guardian_pk in Custody.objects.filter(guardian_id__in=list(applicants_of), active=True).values_list(
        "child_id", "guardian_id"
    ):
        for applicant in applicants_of[guardian_pk] - {child_pk}:
            siblings[applicant].add(child_pk)
    sibling_pks = {s for ss in siblings.values() for s in ss}
    where: dict[int, set[int]] = defaultdict(set)
    for pk, unit_pk in Child.objects.filter(pk__in=sibling_pks, current_unit__isnull=False).values_list(
        "pk", "current_unit_id"
    ):
        where[pk].add(unit_pk)
    for pk, unit_pk in Offer.objects.filter(
        round=offer_round, child_id__in=sibling_pks, status__in=[OfferStatus.ACCEPTED, OfferStatus.AUTO_ACCEPTED]
    ).values_list("child_id", "unit_id"):
        where[pk].add(unit_pk)
    return {a: {u for s in siblings.get(a, set()) for u in where.get(s, set())} for a in child_pks}


def second_round_allocate(*, round_id: int, actor: str) -> SecondRoundSummary:
    """Computes the second round for the planners' review; replaces an earlier unconfirmed result."""
    offer_round = OfferRound.objects.get(pk=round_id)
    applications = _applications(offer_round)
    left = places_left(offer_round)
    units = {u.pk: u for u in Unit.objects.municipal_pre_primary().select_related("admission_area")}
    siblings = _sibling_units(applications, offer_round)
    by_language: dict[str, list[Application]] = defaultdict(list)
    for application in applications:
        by_language[application.education_language or education_language_for(application.child)].append(application)
    rows: list[SecondRoundPlacement] = []
    now = clock.now()
    for language, group in sorted(by_language.items()):
        seats = {
            str(pk): Seat(str(pk), u.lat, u.lon, u.admission_area.area_id if u.admission_area else None, left[pk])
            for pk, u in units.items()
            if u.language == language
        }
        applicants = [
            Applicant(
                id=str(a.pk),
                lat=a.child.lat,
                lon=a.child.lon,
                area_id=a.child.admission_area.area_id if a.child.admission_area else None,
                wishes=tuple(str(w.unit_id) for w in a.wishes.all() if w.unit_id is not None),
                sibling_units=frozenset(str(u) for u in siblings.get(a.child_id, set())),
            )
            for a in group
        ]
        da = deferred_acceptance(applicants, seats)
        for a in group:
            got = da.matched.get(str(a.pk))
            reasons = [
                {"unit": int(w.unit_id), "admitted": w.admitted, "priority": dataclasses.asdict(w.priority),
                 "cutoff": dataclasses.asdict(w.cutoff) if w.cutoff else None}
                for w in da.wishes[str(a.pk)]
            ]  # fmt: skip
            if got is not None:
                unit = units[int(got[0])]
                prio = next(w.priority for w in da.wishes[str(a.pk)] if w.admitted)
                rows.append(SecondRoundPlacement(
                    offer_round=offer_round, application=a, unit=unit, method=SecondRoundMethod.WISH,
                    wish_position=got[1], in_area=prio.own_area, distance_m=prio.distance_m, reasons=reasons,
                    created_at=now,
                ))  # fmt: skip
        unmatched = set(da.unmatched)
        rest = [a for a in group if str(a.pk) in unmatched]
        if rest:
            rows += _assign(offer_round, rest, units, da.remaining, language, now, da.wishes)
    with transaction.atomic():
        SecondRoundPlacement.objects.filter(offer_round=offer_round, confirmed_at__isnull=True).delete()
        SecondRoundPlacement.objects.bulk_create(rows)
        summary = SecondRoundSummary(
            applicants=len(applications),
            by_wish=sum(1 for r in rows if r.method == SecondRoundMethod.WISH),
            assigned=sum(1 for r in rows if r.method == SecondRoundMethod.ASSIGNED),
            unplaced=sum(1 for r in rows if r.method == SecondRoundMethod.UNPLACED),
        )
        audit_log(
            actor=actor, operation="SECOND_ROUND_ALLOCATE", target_type="round", target_id=str(round_id),
            details=dataclasses.asdict(summary),
        )  # fmt: skip
    return summary


def _assign(
    offer_round: OfferRound,
    rest: list[Application],
    units: dict[int, Unit],
    remaining: dict[str, int],
    language: str,
    now: dt.datetime,
    wishes: dict[str, list[WishOutcome]],
) -> list[SecondRoundPlacement]:
    """The exact engine on the places left after the wishes: everyone placed who can be, own area first."""
    unit_in = [
        UnitIn(id=str(pk), language=u.language, capacity=remaining.get(str(pk), 0), lat=u.lat, lon=u.lon,
               area_id=u.admission_area.area_id if u.admission_area else None, municipal=True, pre_primary=True)
        for pk, u in units.items()
        if u.language == language
    ]  # fmt: skip
    guardians: dict[int, list[str]] = defaultdict(list)
    for child_pk, guardian_id in Custody.objects.filter(
        child_id__in=[a.child_id for a in rest], active=True
    ).values_list("child_id", "guardian__guardian_id"):
        guardians[child_pk].append(guardian_id)
    children = [
        ChildIn(
            id=str(a.pk),
            language=language,
            lat=a.child.lat,
            lon=a.child.lon,
            area_id=a.child.admission_area.area_id if a.child.admission_area else None,
            current_unit_id=None,
            guardian_ids=tuple(sorted(guardians.get(a.child_id, []))),
            address_key=address_key(a.child.street_address, a.child.postal_code, a.child.lat, a.child.lon),
        )
        for a in rest
    ]
    result = allocate(unit_in, children).by_child()
    out = []
    for a in rest:
        proposal = result[str(a.pk)]
        reasons = [
            {"unit": int(w.unit_id), "admitted": False, "priority": dataclasses.asdict(w.priority),
             "cutoff": dataclasses.asdict(w.cutoff) if w.cutoff else None}
            for w in wishes.get(str(a.pk), [])
        ]  # fmt: skip
        unit = units[int(proposal.unit_id)] if proposal.unit_id is not None else None
        out.append(
            SecondRoundPlacement(
                offer_round=offer_round,
                application=a,
                unit=unit,
                method=SecondRoundMethod.ASSIGNED if unit else SecondRoundMethod.UNPLACED,
                wish_position=None,
                in_area=proposal.in_area,
                distance_m=proposal.distance_m,
                reasons=reasons,
                created_at=now,
            )
        )
    return out


def second_round_confirm(*, round_id: int, actor: str) -> int:
    """The planners accept the reviewed result: each placed application gets its proposed place (timeline,
    audit). Returns how many were proposed."""
    proposed = 0
    with transaction.atomic():
        placements = list(
            SecondRoundPlacement.objects.select_for_update()
            .filter(offer_round_id=round_id, confirmed_at__isnull=True, unit__isnull=False)
            .select_related("application", "unit")
        )
        for placement in placements:
            application = placement.application
            if application.status not in OPEN_STATUSES:
                continue  # cancelled meanwhile
            if application.status == ApplicationStatus.SENT:
                application = application_start_processing(application=application, actor=actor)
            application_propose_place(application=application, actor=actor, unit=placement.unit)
            proposed += 1
        SecondRoundPlacement.objects.filter(pk__in=[p.pk for p in placements]).update(confirmed_at=clock.now())
        audit_log(
            actor=actor, operation="SECOND_ROUND_CONFIRM", target_type="round", target_id=str(round_id),
            details={"proposed": proposed},
        )  # fmt: skip
    return proposed
