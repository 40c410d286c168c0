"""What the session remembers of a login: who (Django's auth), how, and at which level of assurance."""

from __future__ import annotations

from dataclasses import asdict, dataclass

from django.contrib.auth import login as auth_login
from django.contrib.auth.models import User
from django.http import HttpRequest

from asti.core import clock

SESSION_KEY = "asti_login"


@dataclass(frozen=True)
class LoginInfo:
    kind: str  # "citizen" or "staff"
    flow: str  # asti.identity.oidc.Flow
    method: str  # asti.identity.models.LoginMethod
    loa: str  # asti.identity.models.Loa for citizens, "" for staff
    at: str  # ISO 8601, UTC


def session_login(request: HttpRequest, user: User, *, kind: str, flow: str, method: str, loa: str) -> LoginInfo:
    """Logs the user in (a new session key; another user's session data is flushed) and records how."""
    auth_login(request, user, backend="django.contrib.auth.backends.ModelBackend")
    info = LoginInfo(kind=kind, flow=flow, method=method, loa=loa, at=clock.now().isoformat())
    request.session[SESSION_KEY] = asdict(info)
    return info


def login_info(request: HttpRequest) -> LoginInfo | None:
    data = request.session.get(SESSION_KEY)
    if not request.user.is_authenticated or not isinstance(data, dict):
        return None
    try:
        return LoginInfo(**data)
    except TypeError:
        return None
