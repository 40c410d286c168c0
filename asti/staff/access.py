"""View guards: not logged in → the staff login; logged in without the right role → 403."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, Concatenate, ParamSpec

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest
from django.http.response import HttpResponseBase
from django.urls import reverse
from django.views.decorators.cache import never_cache

from asti.staff import selectors

P = ParamSpec("P")
View = Callable[Concatenate[HttpRequest, P], HttpResponseBase]
Check = Callable[..., bool]


def staff_view(check: Check = selectors.is_staff_member) -> Callable[[View[P]], View[P]]:
    """Guards a staff page with one of the access selectors (called as check(user=request.user))."""

    def decorate(view: View[P]) -> View[P]:
        @wraps(view)
        @never_cache
        def wrapped(request: HttpRequest, *args: P.args, **kwargs: P.kwargs) -> HttpResponseBase:
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path(), reverse("identity:staff_login"))
            if not check(user=request.user):
                raise PermissionDenied
            return view(request, *args, **kwargs)

        return wrapped

    return decorate


def actor(request: HttpRequest) -> str:
    user: Any = request.user
    return str(user.get_username())
