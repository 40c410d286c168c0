"""The demo's test persons for the test identification page: claims as a city's identity provider gives them.

They go through exactly the same claim parsing and login services as a real OpenID Connect login; only the
ID token is missing. The page exists only in the demo and development (see demo_login_enabled). With no
provider there is no refresh token either: a demo staff member's roles are read at login only, never again during
the session (asti.identity.refresh passes demo sessions by).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.utils.translation import gettext_lazy as _
from django_stubs_ext import StrOrPromise

from asti.identity.models import Loa, Role
from asti.identity.roles import staff_role_groups
from asti.identity.selectors import demo_director_unit_ids
from asti.people.models import Guardian

DEMO_ISSUER = "asti-demo"
# A valid temporary identity code (individual number 900-999) nobody in a registry extract is born with.
UNREGISTERED_CITIZEN_HETU = "010100-900F"


def demo_login_enabled() -> bool:
    return settings.ASTI_ENV in {"demo", "development"} and bool(settings.ASTI_DEMO_LOGIN)


@dataclass(frozen=True)
class DemoStaff:
    key: str
    username: str
    given_name: str
    family_name: str
    role: Role
    description: StrOrPromise


DEMO_STAFF: tuple[DemoStaff, ...] = (
    DemoStaff("planner", "demo.planner", "Pia", "Suunnittelija", Role.PLANNER, _("planner / service guidance")),
    DemoStaff("director", "demo.director", "Ulla", "Johtaja", Role.UNIT_DIRECTOR, _("unit director")),
    DemoStaff("admin", "demo.admin", "Aki", "Ylläpitäjä", Role.ADMIN, _("administrator")),
    DemoStaff("decider", "demo.decider", "Maija", "Päättäjä", Role.DECISION_MAKER, _("decision-maker")),
)


def demo_staff(key: str) -> DemoStaff | None:
    return next((person for person in DEMO_STAFF if person.key == key), None)


def _citizen_claims(*, subject: str, hetu: str, given_name: str, family_name: str) -> dict[str, Any]:
    return {
        "sub": subject,
        settings.ASTI_OIDC_HETU_CLAIM: hetu,
        settings.ASTI_OIDC_LOA_CLAIM: Loa.SUBSTANTIAL.value,
        "given_name": given_name,
        "family_name": family_name,
    }


def guardian_claims(guardian: Guardian) -> dict[str, Any]:
    return _citizen_claims(
        subject=f"demo-{guardian.guardian_id}",
        hetu=guardian.hetu,
        given_name=guardian.first_name,
        family_name=guardian.last_name,
    )


def unregistered_citizen_claims() -> dict[str, Any]:
    return _citizen_claims(
        subject="demo-unregistered", hetu=UNREGISTERED_CITIZEN_HETU, given_name="Tiina", family_name="Testaaja"
    )


def staff_claims(person: DemoStaff) -> dict[str, Any]:
    role_groups = staff_role_groups()
    unit_ids = demo_director_unit_ids() if person.role == Role.UNIT_DIRECTOR else []
    return {
        "sub": f"demo-{person.key}",
        "preferred_username": person.username,
        "given_name": person.given_name,
        "family_name": person.family_name,
        settings.ASTI_OIDC_STAFF_GROUPS_CLAIM: [role_groups[person.role.value]],
        settings.ASTI_OIDC_STAFF_UNITS_CLAIM: unit_ids,
    }
