"""Staff sessions whose roles are read again from the identity provider (asti.identity.refresh)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.http import HttpRequest, HttpResponse

from asti.identity.refresh import staff_session_check


class StaffRolesRefresh:
    """Before a view runs, a staff session's roles are read again when due, or the session ends. The login and
    logout pages themselves (namespace `identity`) are left alone."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_view(
        self, request: HttpRequest, view: Callable[..., Any], args: Any, kwargs: dict[str, Any]
    ) -> HttpResponse | None:
        match = request.resolver_match
        if match is not None and match.namespace == "identity":
            return None
        return staff_session_check(request)
