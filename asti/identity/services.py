"""Writes of a login: the citizen's or staff member's account after a verified identification, and the audit.

The identity code never reaches the database or the audit trail: a citizen is found by its keyed digest.
Every LOGIN, LOGIN_REFUSED and LOGOUT is audited (after commit, by asti.audit).
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass

from django.contrib.auth.models import Group, Permission, User
from django.db import IntegrityError, transaction
from django.db.models import Q

from asti.audit.services import audit_log
from asti.core import clock, crypto
from asti.identity.claims import CitizenClaims, LoginRefused, RefusalReason, StaffClaims
from asti.identity.models import CitizenIdentity, LoginMethod, Role, StaffProfile
from asti.identity.roles import ROLE_PERMISSIONS
from asti.identity.selectors import guardian_for_hetu_digest
from asti.units.models import Unit


def _citizen_identity_create(*, hetu_digest: str, claims: CitizenClaims, method: LoginMethod) -> CitizenIdentity:
    try:
        with transaction.atomic():  # a savepoint: a concurrent first login of the same person may win the race
            user = User.objects.create_user(username=f"citizen-{secrets.token_hex(8)}")  # no usable password
            return CitizenIdentity.objects.create(
                user=user, hetu_digest=hetu_digest, last_loa=claims.loa, last_method=method, last_login_at=clock.now()
            )
    except IntegrityError:
        return CitizenIdentity.objects.select_for_update().select_related("user").get(hetu_digest=hetu_digest)


def citizen_identify(*, claims: CitizenClaims, method: LoginMethod, ip: str) -> User:
    """The citizen's own user, created at the first login; linked to the registry only by the code's digest."""
    hetu_digest = crypto.hetu_digest(claims.hetu)
    with transaction.atomic():
        identity = (
            CitizenIdentity.objects.select_for_update().select_related("user").filter(hetu_digest=hetu_digest).first()
        )
        if identity is None:
            identity = _citizen_identity_create(hetu_digest=hetu_digest, claims=claims, method=method)
        user = identity.user
        if not user.is_active:
            raise LoginRefused(RefusalReason.ACCOUNT_DISABLED, f"user {user.username}")
        user.first_name, user.last_name = claims.given_name[:150], claims.family_name[:150]
        user.save(update_fields=["first_name", "last_name"])
        identity.last_loa, identity.last_method, identity.last_login_at = claims.loa, method, clock.now()
        identity.save(update_fields=["last_loa", "last_method", "last_login_at", "updated_at"])
        guardian = guardian_for_hetu_digest(hetu_digest=hetu_digest)
        audit_log(
            actor=user.username,
            operation="LOGIN",
            target_type="guardian" if guardian else "citizen",
            target_id=guardian.guardian_id if guardian else str(user.pk),
            details={"kind": "citizen", "method": method, "loa": claims.loa, "ip": ip, "in_registry": bool(guardian)},
        )
    return user


def role_groups_ensure() -> dict[Role, Group]:
    """The role groups; a group created here starts with its role's default permissions."""
    groups: dict[Role, Group] = {}
    for role in Role:
        group, created = Group.objects.get_or_create(name=role.value)
        if created and ROLE_PERMISSIONS[role]:
            wanted = Q()
            for app_label, codename in ROLE_PERMISSIONS[role]:
                wanted |= Q(content_type__app_label=app_label, codename=codename)
            group.permissions.set(Permission.objects.filter(wanted))
        groups[role] = group
    return groups


def _free_username(wanted: str) -> str:
    username, n = wanted, 1
    while User.objects.filter(username=username).exists():
        n += 1
        username = f"{wanted}-{n}"
    return username


def _staff_access_set(*, profile: StaffProfile, roles: frozenset[Role], unit_ids: tuple[str, ...]) -> list[Unit]:
    """The one rule for a staff member's access: exactly these role groups (admin = superuser, any role = staff)
    and, for a unit director, the named units that exist here. Saves the user; returns the units set."""
    groups = role_groups_ensure()
    user = profile.user
    user.groups.remove(*(groups[r] for r in Role if r not in roles))
    user.groups.add(*(groups[r] for r in roles))
    user.is_staff = bool(roles)
    user.is_superuser = Role.ADMIN in roles
    user.save(update_fields=["first_name", "last_name", "email", "is_staff", "is_superuser"])
    units = list(Unit.objects.filter(unit_id__in=unit_ids)) if Role.UNIT_DIRECTOR in roles else []
    profile.units.set(units)
    return units


def staff_identify(*, claims: StaffClaims, method: LoginMethod, ip: str) -> User:
    """The staff member's user with roles and units exactly as the identity provider says today.

    Someone the provider gives no Asti role is refused, and an existing account loses its roles.
    """
    refused: LoginRefused | None = None
    with transaction.atomic():
        profile = (
            StaffProfile.objects.select_for_update()
            .select_related("user")
            .filter(issuer=claims.issuer, subject=claims.subject)
            .first()
        )
        if not claims.roles:
            if profile is not None:
                _staff_access_set(profile=profile, roles=frozenset(), unit_ids=())
            refused = LoginRefused(RefusalReason.NO_ROLE, f"subject {claims.subject}")
        elif profile is not None and not profile.user.is_active:
            refused = LoginRefused(RefusalReason.ACCOUNT_DISABLED, f"user {profile.user.username}")
        else:
            if profile is None:
                user = User.objects.create_user(username=_free_username(claims.username))
                profile = StaffProfile.objects.create(
                    user=user,
                    issuer=claims.issuer,
                    subject=claims.subject,
                    last_method=method,
                    last_login_at=clock.now(),
                )
            user = profile.user
            user.first_name, user.last_name, user.email = claims.given_name, claims.family_name, claims.email
            units = _staff_access_set(profile=profile, roles=claims.roles, unit_ids=claims.unit_ids)
            profile.last_method, profile.last_login_at = method, clock.now()
            profile.save(update_fields=["last_method", "last_login_at", "updated_at"])
            unknown = sorted(set(claims.unit_ids) - {u.unit_id for u in units})
            audit_log(
                actor=user.username,
                operation="LOGIN",
                target_type="staff",
                target_id=str(user.pk),
                details={
                    "kind": "staff",
                    "method": method,
                    "ip": ip,
                    "roles": sorted(claims.roles),
                    "unit_ids": sorted(u.unit_id for u in units),
                    **({"unknown_unit_ids": unknown} if unknown else {}),
                },
            )
    if refused is not None:
        raise refused
    return user


@dataclass(frozen=True)
class StaffAccess:
    roles: frozenset[Role]
    unit_ids: tuple[str, ...]


def _staff_access_of(profile: StaffProfile) -> StaffAccess:
    names = profile.user.groups.filter(name__in=Role.values).values_list("name", flat=True)
    unit_ids = profile.units.order_by("unit_id").values_list("unit_id", flat=True)
    return StaffAccess(roles=frozenset(Role(n) for n in names), unit_ids=tuple(unit_ids))


def staff_access_refresh(*, user: User, claims: StaffClaims, ip: str) -> StaffAccess:
    """During a session: the staff member's roles and units as the identity provider gives them now.

    What the provider took away is gone at once (the role's group, the units); a change either way is audited as
    STAFF_ROLES_CHANGE with what was and what is. Returns the access now; no roles means the session must end.
    """
    with transaction.atomic():
        profile = StaffProfile.objects.select_for_update().select_related("user").get(user_id=user.pk)
        if (profile.issuer, profile.subject) != (claims.issuer, claims.subject):
            raise LoginRefused(RefusalReason.TOKEN_INVALID, f"claims of another person than user {user.username}")
        before = _staff_access_of(profile)
        units = _staff_access_set(profile=profile, roles=claims.roles, unit_ids=claims.unit_ids)
        after = StaffAccess(roles=claims.roles, unit_ids=tuple(sorted(u.unit_id for u in units)))
        if after != before:
            audit_log(
                actor=profile.user.username,
                operation="STAFF_ROLES_CHANGE",
                target_type="staff",
                target_id=str(user.pk),
                details={
                    "source": "identity_provider",
                    "ip": ip,
                    "roles_before": sorted(before.roles),
                    "roles": sorted(after.roles),
                    "unit_ids_before": list(before.unit_ids),
                    "unit_ids": list(after.unit_ids),
                },
            )
    return after


def login_refusal_record(
    *, reason: RefusalReason, flow: str, method: LoginMethod, ip: str, detail: str = "", actor: str = "anonymous"
) -> None:
    """LOGIN_REFUSED in the audit trail; `detail` is technical (never an identity code: callers make sure)."""
    audit_log(
        actor=actor,
        operation="LOGIN_REFUSED",
        status="REFUSED",
        details={"reason": str(reason), "flow": flow, "method": method, "ip": ip, "detail": detail[:300]},
    )


def logout_record(*, actor: str, flow: str, ip: str, reason: str = "") -> None:
    """LOGOUT; `reason` when the session was ended for the person (roles ended, refused or unreachable provider)."""
    details = {"flow": flow, "ip": ip, **({"reason": reason} if reason else {})}
    audit_log(actor=actor, operation="LOGOUT", details=details)
