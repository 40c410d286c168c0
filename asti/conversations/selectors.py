"""Who sees which threads, and the counts the pages show.

A guardian sees the threads about the children in their active custody and the threads about no child that
they started or were written to. Service guidance (planners, administrators) sees every thread; a unit director
the threads of their own units. Internal notes are for staff only.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib.auth.models import AnonymousUser, User
from django.db.models import Count, Exists, OuterRef, Q, QuerySet

from asti.conversations.models import AnswerTemplate, AuthorKind, Thread, ThreadMessage, ThreadRead
from asti.identity.models import Role
from asti.identity.selectors import staff_roles_for_user, staff_units_for_user
from asti.offers.models import Offer, OfferStatus
from asti.offers.selectors import children_visible_for
from asti.people.models import Child, Custody, Guardian
from asti.units.models import Unit

AnyUser = User | AnonymousUser
SERVICE_GUIDANCE = "service_guidance"


# ---- guardians ---------------------------------------------------------------------------------------------


def threads_for_guardian(*, guardian: Guardian) -> QuerySet[Thread]:
    """The guardian's threads, newest first, each annotated with `unread` (the city wrote after their last read)."""
    if not guardian.active:
        return Thread.objects.none()
    from_city = ThreadMessage.objects.filter(thread=OuterRef("pk"), internal=False).exclude(
        author_kind=AuthorKind.GUARDIAN
    )
    read_since = ThreadRead.objects.filter(
        thread=OuterRef(OuterRef("pk")), guardian=guardian, read_at__gte=OuterRef("at")
    )
    children = children_visible_for(guardian=guardian)
    return (
        Thread.objects.filter(Q(child__in=children) | Q(child__isnull=True, guardian=guardian))
        .select_related("child", "unit")
        .annotate(unread=Exists(from_city.filter(~Exists(read_since))))
        .order_by("-last_message_at", "-pk")
    )


def thread_for_guardian(*, guardian: Guardian, thread_id: int) -> Thread | None:
    return threads_for_guardian(guardian=guardian).filter(pk=thread_id).first()


def guardian_unread_count(*, guardian: Guardian) -> int:
    return threads_for_guardian(guardian=guardian).filter(**{"unread": True}).count()


def messages_for_guardian(*, thread: Thread) -> QuerySet[ThreadMessage]:
    return (
        thread.messages.filter(internal=False)
        .select_related("guardian")
        .prefetch_related("attachments")
        .order_by("at", "pk")
    )


def recipients_for(*, guardian: Guardian, child: Child | None) -> list[Unit]:
    """The teams a guardian may write to about a child besides service guidance: the units the child is in or
    has a place in, when the unit has a director who reads messages."""
    if child is None or not children_visible_for(guardian=guardian).filter(pk=child.pk).exists():
        return []
    unit_ids = set(
        Offer.objects.filter(child=child, status__in=[OfferStatus.ACCEPTED, OfferStatus.AUTO_ACCEPTED]).values_list(
            "unit_id", flat=True
        )
    )
    if child.current_unit_id is not None:
        unit_ids.add(child.current_unit_id)
    return list(Unit.objects.filter(pk__in=unit_ids, staff_profiles__isnull=False).distinct().order_by("name_fi"))


def guardians_to_notify(*, thread: Thread) -> list[Guardian]:
    """Who is told of the city's new message: the thread's guardian and every guardian who wrote in it, while
    they still have custody; for a thread staff started about a child with no guardian named, every custodian."""
    ids = set(
        thread.messages.filter(author_kind=AuthorKind.GUARDIAN, guardian__isnull=False).values_list(
            "guardian_id", flat=True
        )
    )
    if thread.guardian_id is not None:
        ids.add(thread.guardian_id)
    custodians = Guardian.objects.filter(active=True)
    if thread.child_id is not None:
        custodians = custodians.filter(custodies__child_id=thread.child_id, custodies__active=True)
        if not ids:
            return list(custodians.distinct().order_by("guardian_id"))
    return list(custodians.filter(pk__in=ids).distinct().order_by("guardian_id"))


# ---- staff ---------------------------------------------------------------------------------------------------


def is_service_guidance(*, user: AnyUser) -> bool:
    return bool({Role.PLANNER, Role.ADMIN} & staff_roles_for_user(user=user))


def can_use_inbox(*, user: AnyUser) -> bool:
    return is_service_guidance(user=user) or staff_units_for_user(user=user).exists()


def threads_visible_for_staff(*, user: AnyUser) -> QuerySet[Thread]:
    if is_service_guidance(user=user):
        return Thread.objects.all()
    return Thread.objects.filter(unit__in=staff_units_for_user(user=user))


def thread_for_staff(*, user: AnyUser, thread_id: int) -> Thread | None:
    return (
        threads_visible_for_staff(user=user)
        .filter(pk=thread_id)
        .select_related("child", "guardian", "unit", "assigned_to", "follow_up")
        .first()
    )


def teams_for(*, user: AnyUser) -> list[tuple[str, str]]:
    """(value, name) of the teams whose inbox this user reads: service guidance, and the units they direct."""
    teams: list[tuple[str, str]] = []
    if is_service_guidance(user=user):
        teams.append((SERVICE_GUIDANCE, ""))
    teams += [(unit.unit_id, unit.name_fi) for unit in staff_units_for_user(user=user)]
    return teams


@dataclass(frozen=True)
class InboxFilters:
    team: str = ""  # SERVICE_GUIDANCE, a unit_id, or "" for every team the user reads
    state: str = "open"  # open, closed, all
    unread: bool = False
    unassigned: bool = False
    mine: bool = False
    topic: str = ""


def inbox(*, user: AnyUser, filters: InboxFilters) -> QuerySet[Thread]:
    """A team inbox: the threads visible to the user, filtered, the newest message first."""
    rows = threads_visible_for_staff(user=user)
    if filters.team == SERVICE_GUIDANCE:
        rows = rows.filter(unit__isnull=True)
    elif filters.team:
        rows = rows.filter(unit__unit_id=filters.team)
    elif is_service_guidance(user=user):  # sees every thread; its inbox holds its own and its units' threads
        rows = rows.filter(Q(unit__isnull=True) | Q(unit__in=staff_units_for_user(user=user)))
    if filters.state == "open":
        rows = rows.filter(closed_at__isnull=True)
    elif filters.state == "closed":
        rows = rows.filter(closed_at__isnull=False)
    if filters.unread:
        rows = rows.filter(staff_unread=True)
    if filters.unassigned:
        rows = rows.filter(assigned_to__isnull=True)
    if filters.mine and user.pk is not None:
        rows = rows.filter(assigned_to_id=user.pk)
    if filters.topic:
        rows = rows.filter(topic=filters.topic)
    return rows.select_related("child", "guardian", "unit", "assigned_to").order_by("-last_message_at", "-pk")


def inbox_rows(*, ids: list[int]) -> list[Thread]:
    """The threads of one inbox page, in the page's order, with what the list shows. A page is chosen as ids
    first (`inbox(...).values_list("pk")`: the team's index alone, however many threads there are), then read."""
    rows = Thread.objects.filter(pk__in=ids).select_related("child", "guardian", "unit", "assigned_to").in_bulk()
    return [rows[pk] for pk in ids if pk in rows]


@dataclass(frozen=True)
class InboxCounts:
    open: int
    unread: int
    unassigned: int
    mine: int


def inbox_counts(*, user: AnyUser, team: str = "") -> InboxCounts:
    """The inbox's figures for the open threads, in one query."""
    rows = inbox(user=user, filters=InboxFilters(team=team)).order_by()
    figures = rows.aggregate(
        open=Count("pk"),
        unread=Count("pk", filter=Q(staff_unread=True)),
        unassigned=Count("pk", filter=Q(assigned_to__isnull=True)),
        mine=Count("pk", filter=Q(assigned_to_id=user.pk)) if user.pk is not None else Count("pk", filter=Q(pk=None)),
    )
    return InboxCounts(**figures)


def thread_family(*, thread: Thread) -> list[Guardian]:
    """The guardians a staff member sees on a thread's page: the child's custodians, the guardian the thread
    is with, and every guardian who wrote in it."""
    writers = ThreadMessage.objects.filter(thread=thread, guardian__isnull=False).order_by()
    ids = writers.values_list("guardian_id", flat=True)
    if thread.child_id is not None:  # by the indexes on each side, not an OR over every guardian
        custodians = Custody.objects.filter(child_id=thread.child_id, active=True).order_by()
        ids = ids.union(custodians.values_list("guardian_id", flat=True))
    who = set(ids) | ({thread.guardian_id} if thread.guardian_id is not None else set())
    return list(Guardian.objects.filter(pk__in=who).order_by("guardian_id"))


def messages_for_staff(*, thread: Thread) -> QuerySet[ThreadMessage]:
    return thread.messages.select_related("guardian", "staff_user").prefetch_related("attachments").order_by("at", "pk")


def answer_templates_for(*, thread: Thread) -> QuerySet[AnswerTemplate]:
    """The ready answers of the thread's team."""
    rows = AnswerTemplate.objects.filter(active=True)
    rows = rows.filter(unit__isnull=True) if thread.unit_id is None else rows.filter(unit_id=thread.unit_id)
    return rows.order_by("title", "pk")


def team_unit(*, user: AnyUser, team: str) -> tuple[bool, Unit | None]:
    """(whether the user reads the team's inbox, its unit: None for service guidance)."""
    if team == SERVICE_GUIDANCE:
        return is_service_guidance(user=user), None
    unit = staff_units_for_user(user=user).filter(unit_id=team).first() if team else None
    return unit is not None, unit


def answer_templates_of(*, unit: Unit | None) -> QuerySet[AnswerTemplate]:
    """Every ready answer of a team, the ones in use first (for keeping them)."""
    rows = AnswerTemplate.objects.all()
    rows = rows.filter(unit__isnull=True) if unit is None else rows.filter(unit=unit)
    return rows.order_by("-active", "title", "pk")


def can_keep_answers(*, user: AnyUser, unit: Unit | None) -> bool:
    """Service guidance keeps its own ready answers, a unit director their units'."""
    if unit is None:
        return is_service_guidance(user=user)
    return staff_units_for_user(user=user).filter(pk=unit.pk).exists()


def answer_template_for_staff(*, user: AnyUser, template_id: int) -> AnswerTemplate | None:
    """A ready answer of a team whose answers the user keeps."""
    template = AnswerTemplate.objects.filter(pk=template_id).select_related("unit").first()
    if template is None or not can_keep_answers(user=user, unit=template.unit):
        return None
    return template


def assignees_for(*, thread: Thread) -> QuerySet[User]:
    """Who a thread can be given to: service guidance for its threads, the unit's directors for a unit's."""
    users = User.objects.filter(is_active=True)
    if thread.unit_id is None:
        users = users.filter(groups__name__in=[Role.PLANNER.value, Role.ADMIN.value])
    else:
        users = users.filter(staff_profile__units=thread.unit_id, groups__name=Role.UNIT_DIRECTOR.value)
    return users.distinct().order_by("first_name", "last_name", "username")


def family_threads(*, children: QuerySet[Child] | list[Child], guardians: list[Guardian]) -> QuerySet[Thread]:
    """Every thread about the family (its children, or a guardian of it with no child named), for staff."""
    return (
        Thread.objects.filter(Q(child__in=children) | Q(child__isnull=True, guardian__in=guardians))
        .select_related("child", "unit", "assigned_to")
        .order_by("-last_message_at", "-pk")
    )
