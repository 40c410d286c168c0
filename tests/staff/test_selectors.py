"""Who may see what: the access selectors for every role."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import AnonymousUser, User

from asti.staff import selectors
from tests.staff.conftest import DIRECTOR_UNITS

pytestmark = pytest.mark.django_db

PRE_PRIMARY_MUNICIPAL = ["DH-TOLO", "PK-KALLIO", "PK-SORNAINEN", "PK-TOOLO"]


def unit_ids(qs: object) -> list[str]:
    return sorted(u.unit_id for u in qs)  # type: ignore[attr-defined]


def test_planner_plans_sees_every_family_and_every_pre_primary_unit_but_not_the_audit(planner: User) -> None:
    assert selectors.can_plan_rounds(user=planner)
    assert selectors.can_see_families(user=planner)
    assert not selectors.can_read_audit(user=planner)
    assert selectors.families_visible_for(user=planner).count() == 12
    assert unit_ids(selectors.units_visible_for(user=planner)) == PRE_PRIMARY_MUNICIPAL
    assert unit_ids(selectors.units_editable_by(user=planner)) == PRE_PRIMARY_MUNICIPAL


def test_director_sees_only_their_own_units_and_no_family(director: User) -> None:
    assert selectors.is_staff_member(user=director)
    assert not selectors.can_plan_rounds(user=director)
    assert not selectors.can_see_families(user=director)
    assert not selectors.can_read_audit(user=director)
    assert not selectors.families_visible_for(user=director).exists()
    assert unit_ids(selectors.units_visible_for(user=director)) == list(DIRECTOR_UNITS)
    assert unit_ids(selectors.units_editable_by(user=director)) == list(DIRECTOR_UNITS)


def test_admin_may_do_what_a_planner_may_and_read_the_audit(admin_user: User) -> None:
    assert selectors.can_plan_rounds(user=admin_user)
    assert selectors.can_read_audit(user=admin_user)
    assert selectors.families_visible_for(user=admin_user).count() == 12
    assert unit_ids(selectors.units_editable_by(user=admin_user)) == PRE_PRIMARY_MUNICIPAL


@pytest.mark.parametrize("who", ["nobody", "anonymous", "inactive_planner"])
def test_without_a_staff_role_nothing_is_visible(who: str, nobody: User, planner: User) -> None:
    users: dict[str, User | AnonymousUser] = {
        "nobody": nobody,
        "anonymous": AnonymousUser(),
        "inactive_planner": planner,
    }
    user = users[who]
    if who == "inactive_planner":
        planner.is_active = False
        planner.save()
    assert not selectors.is_staff_member(user=user)
    assert not selectors.can_plan_rounds(user=user)
    assert not selectors.can_read_audit(user=user)
    assert not selectors.families_visible_for(user=user).exists()
    assert not selectors.units_visible_for(user=user).exists()
    assert not selectors.units_editable_by(user=user).exists()


def test_a_director_without_units_sees_none(city: None) -> None:
    from asti.identity.models import Role
    from tests.staff.conftest import staff_user

    lonely = staff_user("no.units", Role.UNIT_DIRECTOR)
    assert not selectors.units_visible_for(user=lonely).exists()
