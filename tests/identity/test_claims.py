from __future__ import annotations

import pytest

from asti.identity.claims import (
    LoginRefused,
    RefusalReason,
    citizen_from_claims,
    loa_normalised,
    roles_from_groups,
    staff_from_claims,
)
from asti.identity.models import Loa, Role

NAMES = {"hetu_claim": "national_id", "loa_claim": "loa"}
ROLE_GROUPS = {"planner": "asti-planners", "unit_director": "asti-directors", "admin": "asti-admins"}


def citizen(**claims: object) -> dict[str, object]:
    return {"sub": "s1", "national_id": "010688-9018", "loa": "substantial", "given_name": "Maria",
            "family_name": "Virtanen", **claims}  # fmt: skip


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("substantial", Loa.SUBSTANTIAL),
        ("High", Loa.HIGH),
        (" low ", Loa.LOW),
        ("http://eidas.europa.eu/LoA/substantial", Loa.SUBSTANTIAL),
        ("loa3", None),
        ("", None),
        (None, None),
        (["high"], None),
    ],
)
def test_level_of_assurance_is_read_strictly(value: object, expected: Loa | None) -> None:
    assert loa_normalised(value) == expected


@pytest.mark.parametrize("loa", ["substantial", "high"])
def test_substantial_and_high_identify_a_citizen(loa: str) -> None:
    result = citizen_from_claims(citizen(loa=loa, national_id="010688-9018 "), **NAMES)
    assert (result.hetu, result.loa, result.given_name) == ("010688-9018", loa, "Maria")


@pytest.mark.parametrize("loa", ["low", "", None, "medium", "http://eidas.europa.eu/LoA/low"])
def test_any_other_level_is_refused(loa: object) -> None:
    with pytest.raises(LoginRefused) as refused:
        citizen_from_claims(citizen(loa=loa), **NAMES)
    assert refused.value.reason == RefusalReason.LOA_INSUFFICIENT


def test_claim_names_come_from_the_caller() -> None:
    claims = {"sub": "s", "hetu": "010688-9018", "level": "high"}
    assert citizen_from_claims(claims, hetu_claim="hetu", loa_claim="level").loa == Loa.HIGH
    with pytest.raises(LoginRefused):
        citizen_from_claims(claims, **NAMES)


@pytest.mark.parametrize("code", [None, "", "010688-9019", "not a code", 10688])
def test_a_missing_or_invalid_identity_code_is_refused(code: object) -> None:
    with pytest.raises(LoginRefused) as refused:
        citizen_from_claims(citizen(national_id=code), **NAMES)
    assert refused.value.reason == RefusalReason.IDENTITY_CODE_MISSING
    assert "010688" not in str(refused.value)


def test_the_identity_code_is_lowercase_tolerant_and_never_in_repr() -> None:
    result = citizen_from_claims(citizen(national_id="030286y902u"), **NAMES)
    assert result.hetu == "030286Y902U"
    assert "030286" not in repr(result)


def test_groups_map_to_roles_whatever_their_form() -> None:
    assert roles_from_groups(["asti-planners", "other"], role_groups=ROLE_GROUPS) == {Role.PLANNER}
    assert roles_from_groups(["/asti-directors"], role_groups=ROLE_GROUPS) == {Role.UNIT_DIRECTOR}
    assert roles_from_groups("asti-admins asti-planners", role_groups=ROLE_GROUPS) == {Role.ADMIN, Role.PLANNER}
    assert roles_from_groups(None, role_groups=ROLE_GROUPS) == frozenset()
    assert roles_from_groups([1, None], role_groups=ROLE_GROUPS) == frozenset()


def test_staff_claims_give_username_roles_and_units_of_directors_only() -> None:
    claims = {"sub": "k-1", "preferred_username": "pia virtanen", "groups": ["asti-directors"],
              "unit_ids": ["U1", "U2", "U1"], "given_name": "Pia"}  # fmt: skip
    staff = staff_from_claims(claims, issuer="https://idp", groups_claim="groups", units_claim="unit_ids",
                              role_groups=ROLE_GROUPS)  # fmt: skip
    assert (staff.username, staff.roles, staff.unit_ids) == ("pia-virtanen", {Role.UNIT_DIRECTOR}, ("U1", "U2"))
    planner = staff_from_claims({**claims, "groups": ["asti-planners"]}, issuer="https://idp", groups_claim="groups",
                                units_claim="unit_ids", role_groups=ROLE_GROUPS)  # fmt: skip
    assert planner.unit_ids == ()
    fallback = staff_from_claims({"sub": "k-2"}, issuer="i", groups_claim="groups", units_claim="unit_ids",
                                 role_groups=ROLE_GROUPS)  # fmt: skip
    assert fallback.username == "staff-k-2" and fallback.roles == frozenset()
    with pytest.raises(LoginRefused):
        staff_from_claims({}, issuer="i", groups_claim="groups", units_claim="unit_ids", role_groups=ROLE_GROUPS)
