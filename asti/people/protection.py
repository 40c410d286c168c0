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


def home_distance_shown_to_guardian(
    *, guardian: Guardian, child: Child, custodians: list[Guardian] | None = None
) -> bool:
    """May this custodian see distances from the child's home (docs/privacy.md)? Yes when the home is not
    protected. When it is, only a guardian whose own order is the only custodian's order: the child then lives
    either in that guardian's own home or in the other custodian's home, whose address the guardian sees anyway.
    With two protected custodians (who may live apart) or only the child's own order, nobody sees it: the
    distances, and even their order, would locate a home that is not the guardian's own."""
    if custodians is None:
        custodians = list(Guardian.objects.filter(custodies__child=child, custodies__active=True, active=True))
    if not child.address_protected(custodians):
        return True
    others = [g for g in custodians if g.pk != guardian.pk]
    return guardian.non_disclosure and not any(g.non_disclosure for g in others)
