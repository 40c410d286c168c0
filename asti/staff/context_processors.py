"""The staff header's links depend on the roles: computed once per page."""

from __future__ import annotations

from django.http import HttpRequest

from asti.conversations.selectors import can_use_inbox
from asti.staff import selectors


def staff(request: HttpRequest) -> dict[str, bool]:
    if not request.path.startswith("/staff/") or not request.user.is_authenticated:
        return {}
    return {
        "staff_can_plan": selectors.can_plan_rounds(user=request.user),
        "staff_can_audit": selectors.can_read_audit(user=request.user),
        "staff_can_see_applications": selectors.can_see_applications(user=request.user),
        "staff_can_see_decisions": selectors.can_see_decisions(user=request.user),
        "staff_can_use_inbox": can_use_inbox(user=request.user),
    }
