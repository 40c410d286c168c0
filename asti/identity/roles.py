"""Staff roles as Django groups, and the model permissions each group starts with (for the Django admin).

Scoping (a unit director sees only their units) is not a model permission: it is the staff pages' selectors'
job, with the units in StaffProfile.units. The admin is read-only for every role: records change through the
staff pages and their services (asti.audit.admin).
"""

from __future__ import annotations

from collections.abc import Mapping

from django.conf import settings

from asti.identity.models import Role

# (app_label, codename) pairs; administrators are superusers and need none.
ROLE_PERMISSIONS: dict[Role, tuple[tuple[str, str], ...]] = {
    Role.PLANNER: (
        ("people", "view_child"), ("people", "view_guardian"), ("people", "view_custody"),
        ("people", "view_importrun"), ("units", "view_unit"),
        ("units", "view_admissionarea"), ("units", "view_municipality"), ("offers", "view_offerround"),
        ("offers", "view_proposal"),
    ),
    Role.UNIT_DIRECTOR: (),  # their own units on the staff pages; the admin lists every unit
    Role.ADMIN: (),
    Role.DECISION_MAKER: (("decisions", "view_decisionbatch"), ("decisions", "view_decision")),
}  # fmt: skip


def staff_role_groups() -> Mapping[str, str]:
    """Role -> the identity provider's group name: ASTI_OIDC_STAFF_ROLE_GROUPS, and for a role it does not name,
    a group of the role's own name (e.g. decision_maker)."""
    configured: dict[str, str] = settings.ASTI_OIDC_STAFF_ROLE_GROUPS
    return {role.value: role.value for role in Role} | configured
