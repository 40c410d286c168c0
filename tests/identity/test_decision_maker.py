"""The decision-maker role: a group like the other roles, given by the identity provider's group of the same
name unless the settings name another, and a demo person to log in as."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.auth.models import User
from django.test import Client

from asti.identity.claims import roles_from_groups, staff_from_claims
from asti.identity.demo import demo_staff, staff_claims
from asti.identity.models import LoginMethod, Role
from asti.identity.roles import staff_role_groups
from asti.identity.selectors import staff_roles_for_user
from asti.identity.services import role_groups_ensure, staff_identify
from asti.staff.selectors import can_decide, can_plan_rounds, decision_makers, is_staff_member

pytestmark = pytest.mark.django_db(transaction=True)


def test_the_provider_group_of_a_decision_maker_defaults_to_the_role_name(settings: Any) -> None:
    assert staff_role_groups()["decision_maker"] == "decision_maker"
    assert roles_from_groups(["decision_maker"], role_groups=staff_role_groups()) == {Role.DECISION_MAKER}
    settings.ASTI_OIDC_STAFF_ROLE_GROUPS = {**settings.ASTI_OIDC_STAFF_ROLE_GROUPS, "planner": "asti-planners"}
    assert roles_from_groups(["asti-planners", "planner"], role_groups=staff_role_groups()) == {Role.PLANNER}


def test_a_decision_maker_logs_in_with_the_role_and_only_that_role() -> None:
    claims = staff_from_claims(
        {"sub": "d-1", "preferred_username": "maija", "groups": ["decision_maker"], "unit_ids": ["PK-KALLIO"]},
        issuer="i", groups_claim="groups", units_claim="unit_ids", role_groups=staff_role_groups(),
    )  # fmt: skip
    assert claims.roles == {Role.DECISION_MAKER} and claims.unit_ids == ()
    user = staff_identify(claims=claims, method=LoginMethod.OIDC, ip="")
    assert staff_roles_for_user(user=user) == {Role.DECISION_MAKER}
    assert is_staff_member(user=user) and can_decide(user=user) and not can_plan_rounds(user=user)
    assert user.is_staff and not user.is_superuser
    assert list(decision_makers()) == [user]
    group = role_groups_ensure()[Role.DECISION_MAKER]
    assert set(group.permissions.values_list("codename", flat=True)) == {"view_decisionbatch", "view_decision"}


def test_the_demo_has_a_decision_maker_to_log_in_as(settings: Any) -> None:
    settings.ASTI_ENV, settings.ASTI_DEMO_LOGIN = "demo", True
    person = demo_staff("decider")
    assert person is not None and person.role == Role.DECISION_MAKER
    assert staff_claims(person)[settings.ASTI_OIDC_STAFF_GROUPS_CLAIM] == ["decision_maker"]
    client = Client(HTTP_ACCEPT_LANGUAGE="fi")
    assert "Maija Päättäjä (päättäjä)" in client.get("/login/test/").content.decode()
    assert client.post("/login/test/", {"staff": "decider"})["Location"] == "/staff/"
    user = User.objects.get(username="demo.decider")
    assert staff_roles_for_user(user=user) == {Role.DECISION_MAKER}
    home = client.get("/staff/").content.decode()
    assert "Päätökset" in home and "Kierrokset" not in home
