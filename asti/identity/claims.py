"""What a verified login says about a person, read from the ID token's claims. Pure functions, no ORM.

Claim names are agreed with each city's identity provider and so come from settings (see
asti.identity.conf). Only the levels of assurance `substantial` and `high` identify a guardian; anything else,
a missing claim included, is refused with a reason the refusal page can explain.
"""

from __future__ import annotations

import enum
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from stdnum.exceptions import ValidationError as StdnumError
from stdnum.fi import hetu as stdnum_hetu

from asti.identity.models import Loa, Role

ACCEPTED_LOA = frozenset({Loa.SUBSTANTIAL, Loa.HIGH})
# eIDAS level URIs some brokers pass through unchanged: http://eidas.europa.eu/LoA/substantial
_EIDAS_PREFIX = "http://eidas.europa.eu/loa/"
_USERNAME_UNSAFE = re.compile(r"[^\w.@+-]")


class RefusalReason(enum.StrEnum):
    """Why a login was refused: audited as is, explained to the person by the refusal page."""

    LOA_INSUFFICIENT = "loa_insufficient"
    IDENTITY_CODE_MISSING = "identity_code_missing"
    NO_ROLE = "no_role"
    ACCOUNT_DISABLED = "account_disabled"
    STATE_INVALID = "state_invalid"
    TOKEN_INVALID = "token_invalid"  # noqa: S105 (a reason, not a secret)
    PROVIDER_ERROR = "provider_error"
    CANCELLED = "cancelled"
    RATE_LIMITED = "rate_limited"


class LoginRefused(Exception):
    def __init__(self, reason: RefusalReason, detail: str = "") -> None:
        super().__init__(f"{reason}: {detail}" if detail else str(reason))
        self.reason = reason
        self.detail = detail


@dataclass(frozen=True)
class CitizenClaims:
    """A strongly identified citizen. `hetu` lives only in memory: it is stored as a keyed digest."""

    subject: str
    hetu: str
    given_name: str
    family_name: str
    loa: Loa

    def __repr__(self) -> str:  # never print the identity code, not even in a traceback
        return f"CitizenClaims(subject={self.subject!r}, loa={self.loa!r})"


@dataclass(frozen=True)
class StaffClaims:
    issuer: str
    subject: str
    username: str
    given_name: str
    family_name: str
    email: str
    roles: frozenset[Role]
    unit_ids: tuple[str, ...]


def loa_normalised(value: object) -> Loa | None:
    """`substantial`, `high` or `low` from the claim's value (case-insensitive, eIDAS URIs too), else None."""
    if not isinstance(value, str):
        return None
    text = value.strip().lower()
    if text.startswith(_EIDAS_PREFIX):
        text = text[len(_EIDAS_PREFIX) :]
    try:
        return Loa(text)
    except ValueError:
        return None


def _text(claims: Mapping[str, Any], name: str) -> str:
    value = claims.get(name)
    return value.strip() if isinstance(value, str) else ""


def citizen_from_claims(claims: Mapping[str, Any], *, hetu_claim: str, loa_claim: str) -> CitizenClaims:
    """The citizen a verified ID token identifies; LoginRefused when the level or the identity code is wrong."""
    loa = loa_normalised(claims.get(loa_claim))
    if loa not in ACCEPTED_LOA:
        raise LoginRefused(RefusalReason.LOA_INSUFFICIENT, f"level of assurance {claims.get(loa_claim)!r}")
    assert loa is not None
    raw = _text(claims, hetu_claim).upper()
    try:
        hetu = stdnum_hetu.validate(raw, allow_temporary=True)
    except StdnumError:
        raise LoginRefused(RefusalReason.IDENTITY_CODE_MISSING, f"claim {hetu_claim!r} missing or invalid") from None
    return CitizenClaims(
        subject=_text(claims, "sub"),
        hetu=hetu,
        given_name=_text(claims, "given_name"),
        family_name=_text(claims, "family_name"),
        loa=loa,
    )


def _string_list(value: object) -> list[str]:
    """A claim given as a JSON list or as one space- or comma-separated string."""
    if isinstance(value, str):
        return [v for v in re.split(r"[\s,]+", value) if v]
    if isinstance(value, list | tuple):
        return [v.strip() for v in value if isinstance(v, str) and v.strip()]
    return []


def roles_from_groups(groups: object, *, role_groups: Mapping[str, str]) -> frozenset[Role]:
    """Roles whose identity-provider group is among `groups` (Keycloak's leading '/' of a group path ignored)."""
    names = {g.lstrip("/") for g in _string_list(groups)}
    return frozenset(Role(role) for role, group in role_groups.items() if group.lstrip("/") in names)


def staff_from_claims(
    claims: Mapping[str, Any],
    *,
    issuer: str,
    groups_claim: str,
    units_claim: str,
    role_groups: Mapping[str, str],
) -> StaffClaims:
    subject = _text(claims, "sub")
    if not subject:
        raise LoginRefused(RefusalReason.TOKEN_INVALID, "no subject")
    roles = roles_from_groups(claims.get(groups_claim), role_groups=role_groups)
    unit_ids = tuple(dict.fromkeys(_string_list(claims.get(units_claim)))) if Role.UNIT_DIRECTOR in roles else ()
    wanted = _text(claims, "preferred_username") or _text(claims, "email") or f"staff-{subject}"
    username = _USERNAME_UNSAFE.sub("-", wanted)[:140] or f"staff-{subject[:130]}"
    return StaffClaims(
        issuer=issuer,
        subject=subject,
        username=username,
        given_name=_text(claims, "given_name")[:150],
        family_name=_text(claims, "family_name")[:150],
        email=_text(claims, "email")[:254],
        roles=roles,
        unit_ids=unit_ids,
    )
