"""Reads about who is logged in: the guardian behind a citizen's login, a staff member's roles and units."""

from __future__ import annotations

from django.contrib.auth.models import AnonymousUser, Group, User
from django.db.models import Q, QuerySet

from asti.identity.models import CitizenIdentity, Role, StaffProfile
from asti.people.models import Guardian
from asti.units.models import Unit

AnyUser = User | AnonymousUser


def guardian_for_hetu_digest(*, hetu_digest: str) -> Guardian | None:
    return Guardian.objects.filter(hetu_digest=hetu_digest, active=True).order_by("pk").first()


def citizen_identity_for_user(*, user: AnyUser) -> CitizenIdentity | None:
    if not user.is_authenticated:
        return None
    return CitizenIdentity.objects.filter(user_id=user.pk).first()


def guardian_for_user(*, user: AnyUser) -> Guardian | None:
    """The registry guardian a logged-in citizen is, or None (not a citizen login, or not in the registry).

    Looked up on every call by the identity code's keyed digest, so a re-imported registry links at once: one
    query on every guardian page (the citizen identity joined to the registry, as guardian_for_hetu_digest).
    """
    if not user.is_authenticated:
        return None
    digests = CitizenIdentity.objects.filter(user_id=user.pk).exclude(hetu_digest="").values("hetu_digest")
    return Guardian.objects.filter(hetu_digest__in=digests, active=True).order_by("pk").first()


def staff_roles_for_user(*, user: AnyUser) -> frozenset[Role]:
    if not user.is_authenticated or not user.is_active:
        return frozenset()
    names = Group.objects.filter(user__pk=user.pk, name__in=Role.values).values_list("name", flat=True)
    return frozenset(Role(name) for name in names)


def staff_units_for_user(*, user: AnyUser) -> QuerySet[Unit]:
    """The units a unit director is responsible for (none for other roles)."""
    if user.pk is None or Role.UNIT_DIRECTOR not in staff_roles_for_user(user=user):
        return Unit.objects.none()
    return Unit.objects.filter(staff_profiles__user_id=user.pk).order_by("unit_id")


def staff_profile_for_user(*, user: AnyUser) -> StaffProfile | None:
    if not user.is_authenticated:
        return None
    return StaffProfile.objects.filter(user_id=user.pk).first()


def demo_guardians(*, query: str = "", limit: int = 30) -> list[Guardian]:
    """Registry guardians for the demo's test identification page, searchable by name."""
    guardians = Guardian.objects.filter(active=True)
    for word in query.split()[:4]:
        guardians = guardians.filter(Q(first_name__icontains=word) | Q(last_name__icontains=word))
    return list(guardians.order_by("guardian_id")[:limit])


def demo_director_unit_ids(*, limit: int = 2) -> list[str]:
    """Units the demo's unit director runs: the first municipal pre-primary units."""
    units = Unit.objects.municipal_pre_primary().order_by("unit_id")
    return list(units.values_list("unit_id", flat=True)[:limit])
