"""Who may see what on the staff pages, as selectors: every view asks these, and the tests pin them per role.

planner (service guidance)  rounds (plan, send, dashboard), every family, every pre-primary unit
unit director               their own units only (no rounds, no families)
administrator               what a planner may, and the audit trail
"""

from __future__ import annotations

from django.contrib.auth.models import AnonymousUser, User
from django.db.models import QuerySet

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
