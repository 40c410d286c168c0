"""Who may see what on the staff pages, as selectors: every view asks these, and the tests pin them per role.

planner (service guidance)  rounds (plan, send, dashboard), every family, every municipal unit and school,
                            every sent application (handles them: processing, proposals, paper ones)
unit director               their own units only (no rounds, no families); the applications wishing for those
                            units, read-only with notes
administrator               what a planner may, and the audit trail
"""

from __future__ import annotations

from django.contrib.auth.models import AnonymousUser, User
from django.db.models import Exists, OuterRef, Q, QuerySet

from asti.applications.models import Application, ApplicationStatus, Wish
from asti.identity.models import Role
from asti.identity.selectors import staff_roles_for_user, staff_units_for_user
from asti.people.models import Child
from asti.units.models import Provider, Unit

AnyUser = User | AnonymousUser


def staff_roles(*, user: AnyUser) -> frozenset[Role]:
    return staff_roles_for_user(user=user)


def is_staff_member(*, user: AnyUser) -> bool:
    return bool(staff_roles(user=user))


def can_plan_rounds(*, user: AnyUser) -> bool:
    return bool({Role.PLANNER, Role.ADMIN} & staff_roles(user=user))


def can_read_audit(*, user: AnyUser) -> bool:
    return Role.ADMIN in staff_roles(user=user)


def units_visible_for(*, user: AnyUser) -> QuerySet[Unit]:
    """Planners and administrators: every municipal pre-primary unit; a unit director: their own units."""
    if can_plan_rounds(user=user):
        return Unit.objects.filter(provider=Provider.MUNICIPAL, pre_primary=True).order_by("unit_id")
    return staff_units_for_user(user=user)


def units_editable_by(*, user: AnyUser) -> QuerySet[Unit]:
    """The same units as are visible: whoever sees a unit here is responsible for its details."""
    return units_visible_for(user=user)


def families_visible_for(*, user: AnyUser) -> QuerySet[Child]:
    """Planners (service guidance) and administrators see every family; unit directors none on these pages."""
    if can_plan_rounds(user=user):
        return Child.objects.all()
    return Child.objects.none()


def can_see_families(*, user: AnyUser) -> bool:
    return can_plan_rounds(user=user)


def unit_pages_for(*, user: AnyUser) -> QuerySet[Unit]:
    """The units whose pages (details and capacities) this user keeps: for planners every municipal unit giving
    pre-primary or early childhood education; for a unit director their own units."""
    if can_plan_rounds(user=user):
        return Unit.objects.filter(Q(pre_primary=True) | Q(ecec=True), provider=Provider.MUNICIPAL).order_by("unit_id")
    return staff_units_for_user(user=user)


def can_handle_applications(*, user: AnyUser) -> bool:
    """Planners (service guidance) and administrators start processing, propose places, enter paper ones."""
    return can_plan_rounds(user=user)


def can_see_applications(*, user: AnyUser) -> bool:
    """Handlers, and unit directors for the applications that wish for their units."""
    return can_handle_applications(user=user) or staff_units_for_user(user=user).exists()


def can_keep_schools(*, user: AnyUser) -> bool:
    return can_plan_rounds(user=user)


def application_units_limit(*, user: AnyUser) -> tuple[int, ...] | None:
    """None for handlers (every application); a unit director's own units otherwise (the queue shows the
    applications wishing for them or with one of them proposed)."""
    if can_handle_applications(user=user):
        return None
    return tuple(staff_units_for_user(user=user).values_list("pk", flat=True))


def applications_visible_for_staff(*, user: AnyUser) -> QuerySet[Application]:
    """Sent applications (a draft is the family's own): all for handlers; for a unit director those that wish
    for one of their units or have one proposed."""
    rows = Application.objects.exclude(status=ApplicationStatus.DRAFT)
    limit = application_units_limit(user=user)
    if limit is None:
        return rows
    wished = Wish.objects.filter(application=OuterRef("pk"), unit_id__in=limit)
    return rows.filter(Exists(wished) | Q(proposed_unit_id__in=limit))
