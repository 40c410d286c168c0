from __future__ import annotations

import pytest
from django.contrib.auth.models import Group, User

from asti.audit.models import AuditEvent
from asti.identity.claims import CitizenClaims, LoginRefused, RefusalReason, StaffClaims
from asti.identity.models import CitizenIdentity, Loa, LoginMethod, Role, StaffProfile
from asti.identity.selectors import (
    citizen_identity_for_user,
    guardian_for_user,
    staff_roles_for_user,
    staff_units_for_user,
)
from asti.identity.services import citizen_identify, login_refusal_record, role_groups_ensure, staff_identify
from asti.people.models import Guardian
from tests.identity.conftest import MARIA_HETU, STRANGER_HETU, guardian_create

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("registry")]


def citizen(hetu: str = MARIA_HETU, loa: Loa = Loa.SUBSTANTIAL) -> CitizenClaims:
    return CitizenClaims(subject="s", hetu=hetu, given_name="Maria", family_name="Virtanen", loa=loa)


def staff(*roles: Role, subject: str = "k-1", username: str = "pia", unit_ids: tuple[str, ...] = ()) -> StaffClaims:
    return StaffClaims(issuer="https://idp", subject=subject, username=username, given_name="Pia", family_name="P",
                       email="pia@city.example", roles=frozenset(roles), unit_ids=unit_ids)  # fmt: skip


def test_a_citizen_keeps_one_account_and_only_the_digest_of_the_code() -> None:
    first = citizen_identify(claims=citizen(), method=LoginMethod.OIDC, ip="127.0.0.1")
    second = citizen_identify(claims=citizen(loa=Loa.HIGH), method=LoginMethod.DEMO, ip="127.0.0.1")
    assert first == second and User.objects.count() == 1
    identity = citizen_identity_for_user(user=first)
    assert identity is not None and identity.last_loa == Loa.HIGH and identity.last_method == LoginMethod.DEMO
    assert MARIA_HETU not in identity.hetu_digest and len(identity.hetu_digest) == 64
    assert first.username.startswith("citizen-") and not first.has_usable_password() and not first.is_staff


def test_the_link_to_the_registry_follows_the_registry(registry: dict[str, Guardian]) -> None:
    user = citizen_identify(claims=citizen(hetu=STRANGER_HETU), method=LoginMethod.OIDC, ip="")
    assert guardian_for_user(user=user) is None
    newcomer = guardian_create("G9", STRANGER_HETU, "Sami", "Ulkopuolinen")  # a later import adds the person
    assert guardian_for_user(user=user) == newcomer
    Guardian.objects.filter(pk=newcomer.pk).update(active=False)
    assert guardian_for_user(user=user) is None


def test_a_disabled_citizen_account_is_refused() -> None:
    user = citizen_identify(claims=citizen(), method=LoginMethod.OIDC, ip="")
    User.objects.filter(pk=user.pk).update(is_active=False)
    with pytest.raises(LoginRefused) as refused:
        citizen_identify(claims=citizen(), method=LoginMethod.OIDC, ip="")
    assert refused.value.reason == RefusalReason.ACCOUNT_DISABLED


def test_staff_roles_follow_the_provider_at_every_login() -> None:
    user = staff_identify(claims=staff(Role.ADMIN), method=LoginMethod.OIDC, ip="")
    assert user.is_superuser and user.is_staff and staff_roles_for_user(user=user) == {Role.ADMIN}
    user = staff_identify(claims=staff(Role.UNIT_DIRECTOR, unit_ids=("PK-TOOLO",)), method=LoginMethod.OIDC, ip="")
    user.refresh_from_db()
    assert not user.is_superuser and staff_roles_for_user(user=user) == {Role.UNIT_DIRECTOR}
    assert [u.unit_id for u in staff_units_for_user(user=user)] == ["PK-TOOLO"]
    user = staff_identify(claims=staff(Role.PLANNER), method=LoginMethod.OIDC, ip="")
    assert not StaffProfile.objects.get(user=user).units.exists()
    assert User.objects.filter(is_staff=True).count() == 1


def test_staff_whose_roles_were_taken_away_are_refused_and_lose_them() -> None:
    user = staff_identify(claims=staff(Role.UNIT_DIRECTOR, unit_ids=("PK-KALLIO",)), method=LoginMethod.OIDC, ip="")
    extra = Group.objects.create(name="newsletter")
    user.groups.add(extra)
    with pytest.raises(LoginRefused) as refused:
        staff_identify(claims=staff(), method=LoginMethod.OIDC, ip="")
    assert refused.value.reason == RefusalReason.NO_ROLE
    user.refresh_from_db()
    assert not user.is_staff and staff_roles_for_user(user=user) == frozenset()
    assert list(user.groups.all()) == [extra]  # groups outside Asti's roles are left alone
    assert not StaffProfile.objects.get(user=user).units.exists()


def test_a_locally_disabled_staff_account_is_refused() -> None:
    user = staff_identify(claims=staff(Role.PLANNER), method=LoginMethod.OIDC, ip="")
    User.objects.filter(pk=user.pk).update(is_active=False)
    with pytest.raises(LoginRefused) as refused:
        staff_identify(claims=staff(Role.PLANNER), method=LoginMethod.OIDC, ip="")
    assert refused.value.reason == RefusalReason.ACCOUNT_DISABLED


def test_a_staff_username_never_takes_over_an_existing_account() -> None:
    local = User.objects.create_user(username="pia", password="not-used-in-this-test-1")
    user = staff_identify(claims=staff(Role.ADMIN), method=LoginMethod.OIDC, ip="")
    assert user != local and user.username == "pia-2"
    local.refresh_from_db()
    assert not local.is_superuser
    other = staff_identify(claims=staff(Role.PLANNER, subject="k-2"), method=LoginMethod.OIDC, ip="")
    assert other.username == "pia-3"


def test_role_groups_start_with_their_permissions_once() -> None:
    groups = role_groups_ensure()
    planner = set(groups[Role.PLANNER].permissions.values_list("codename", flat=True))
    assert {"view_child", "view_guardian", "view_unit"} <= planner and "change_unit" not in planner  # admin read-only
    assert not groups[Role.UNIT_DIRECTOR].permissions.exists()  # their own units on the staff pages only
    groups[Role.PLANNER].permissions.clear()  # an administrator's own change is kept
    role_groups_ensure()
    assert not groups[Role.PLANNER].permissions.exists()


def test_refusals_are_audited_without_personal_data() -> None:
    login_refusal_record(reason=RefusalReason.LOA_INSUFFICIENT, flow="guardian", method=LoginMethod.OIDC,
                         ip="10.0.0.1", detail="level of assurance 'low'")  # fmt: skip
    event = AuditEvent.objects.get()
    assert (event.operation, event.status, event.actor) == ("LOGIN_REFUSED", "REFUSED", "anonymous")
    assert event.details == {"reason": "loa_insufficient", "flow": "guardian", "method": "oidc",
                             "ip": "10.0.0.1", "detail": "level of assurance 'low'"}  # fmt: skip
    assert CitizenIdentity.objects.count() == 0
