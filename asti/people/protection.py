"""Who may see a protected home: the one rule for staff pages (addresses, and the distances that would locate a
home: two distances from known units pin it down to a metre)."""

from __future__ import annotations

from collections.abc import Iterable

from django.contrib.auth.models import AnonymousUser, User

from asti.people.models import PROTECTED_HOME, Child, Guardian

PERMISSION = "people.view_protected_address"


def may_see_protected_addresses(*, user: User | AnonymousUser) -> bool:
    return bool(user.has_perm(PERMISSION))


def child_home_hidden(*, child: Child, user: User | AnonymousUser, custodians: list[Guardian] | None = None) -> bool:
    """True when this user must not see the child's address or any distance from the child's home."""
    return child.address_protected(custodians) and not may_see_protected_addresses(user=user)


def homes_hidden(*, child_pks: Iterable[int], user: User | AnonymousUser) -> set[int]:
    """Of these children (primary keys), those whose home this user must not see or locate (for lists: one
    query, the same rule as `Child.address_protected`)."""
    if may_see_protected_addresses(user=user):
        return set()
    pks = list(child_pks)
    return set(Child.objects.filter(PROTECTED_HOME, pk__in=pks).values_list("pk", flat=True))
