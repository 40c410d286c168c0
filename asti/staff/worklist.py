"""Service guidance's follow-up work list: everything on the follow-up list that needs a person, who has it, and
the child and guardian it is about.

Planners and administrators (service guidance) use it; unit directors see no families, so they have no work list.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from django.contrib.auth.models import AnonymousUser, User
from django.db.models import Count, Model, Q, QuerySet
from django.utils.timesince import timesince

from asti.applications.models import Application
from asti.conversations.models import Thread
from asti.decisions.models import Decision
from asti.identity.models import Role
from asti.messaging.models import FollowUp, FollowUpReason
from asti.offers.models import Offer
from asti.people.models import Child
from asti.staff.selectors import can_see_families

AnyUser = User | AnonymousUser
PAGE_SIZE = 50

MINE = "mine"
UNASSIGNED = "unassigned"
OPEN = "open"
DONE = "done"

# What a follow-up's subject_type names, and where that row's child is.
_SUBJECTS: dict[str, type[Model]] = {"offer": Offer, "application": Application, "decision": Decision, "thread": Thread}


def can_use_worklist(*, user: AnyUser) -> bool:
    return can_see_families(user=user)


@dataclass(frozen=True)
class WorklistFilters:
    reason: str = ""
    owner: str = ""  # MINE, UNASSIGNED, or "" for everyone
    state: str = OPEN  # OPEN or DONE


def worklist(filters: WorklistFilters, user: AnyUser) -> QuerySet[FollowUp]:
    """The follow-ups the user may work on, filtered: open ones oldest first, done ones latest done first."""
    if not can_use_worklist(user=user):
        return FollowUp.objects.none()
    rows = FollowUp.objects.select_related("guardian", "owner", "inbound", "message", "thread", "thread__child")
    if filters.state == DONE:
        rows = rows.filter(resolved_at__isnull=False).order_by("-resolved_at", "-pk")
    else:
        rows = rows.filter(resolved_at__isnull=True).order_by("created_at", "pk")
    if filters.reason:
        rows = rows.filter(reason=filters.reason)
    if filters.owner == MINE:
        rows = rows.filter(owner_id=user.pk)
    elif filters.owner == UNASSIGNED:
        rows = rows.filter(owner__isnull=True)
    return rows


def follow_up_for(*, user: AnyUser, pk: int) -> FollowUp | None:
    if not can_use_worklist(user=user):
        return None
    return FollowUp.objects.filter(pk=pk).select_related("owner").first()


@dataclass(frozen=True)
class WorklistCounts:
    open: int
    unassigned: int
    mine: int
    by_reason: tuple[tuple[str, str, int], ...]  # (reason, label, open ones), every reason in its order


def worklist_counts(user: AnyUser) -> WorklistCounts | None:
    """The open follow-ups in one query: all, nobody's, the user's own, and per reason; None for a user who has
    no work list."""
    if not can_use_worklist(user=user):
        return None
    figures = FollowUp.objects.filter(resolved_at__isnull=True).aggregate(
        total=Count("pk"),
        unassigned=Count("pk", filter=Q(owner__isnull=True)),
        mine=Count("pk", filter=Q(owner_id=user.pk)) if user.pk is not None else Count("pk", filter=Q(pk=None)),
        **{f"reason_{value}": Count("pk", filter=Q(reason=value)) for value in FollowUpReason.values},
    )
    return WorklistCounts(
        open=figures["total"],
        unassigned=figures["unassigned"],
        mine=figures["mine"],
        by_reason=tuple((value, str(label), figures[f"reason_{value}"]) for value, label in FollowUpReason.choices),
    )


def follow_up_assignees() -> QuerySet[User]:
    """Who a follow-up can be given to: service guidance (planners and administrators) with an active account."""
    return (
        User.objects.filter(is_active=True, groups__name__in=[Role.PLANNER.value, Role.ADMIN.value])
        .distinct()
        .order_by("first_name", "last_name", "username")
    )


@dataclass(frozen=True)
class WorklistRow:
    follow_up: FollowUp
    child: Child | None
    thread: Thread | None
    age: str  # "2 days", in the language of the page


def _children(follow_ups: Sequence[FollowUp]) -> dict[tuple[str, str], Child]:
    """The child each follow-up is about, from its subject: one query per kind of subject on the page."""
    found: dict[tuple[str, str], Child] = {}
    for subject_type, model in _SUBJECTS.items():
        ids = {int(f.subject_id) for f in follow_ups if f.subject_type == subject_type and f.subject_id.isdigit()}
        if not ids:
            continue
        rows = model._default_manager.filter(pk__in=ids, child__isnull=False).select_related("child")
        for row in rows:
            found[(subject_type, str(row.pk))] = row.child  # type: ignore[attr-defined]
    return found


def worklist_rows(follow_ups: Sequence[FollowUp], *, now: dt.datetime) -> list[WorklistRow]:
    children = _children(follow_ups)
    rows = []
    for follow_up in follow_ups:
        thread: Thread | None = getattr(follow_up, "thread", None)
        child = children.get((follow_up.subject_type, follow_up.subject_id))
        if child is None and thread is not None:
            child = thread.child
        rows.append(WorklistRow(follow_up, child, thread, timesince(follow_up.created_at, now, depth=1)))
    return rows
