"""Staff roles and units read again from the identity provider during a session.

At a staff member's OpenID Connect login the provider's refresh token is kept in the session (the session table,
server-side; encrypted, asti.core.crypto), never in a cookie. On the first request after
ASTI_STAFF_ROLES_REFRESH_SECONDS the refresh-token grant asks the provider again, and the roles and units are set
to what it says now (services.staff_access_refresh, audited when they change). Then:

* the provider still gives an Asti role: the session goes on with the roles as they are now; a page of a role
  taken away is refused on this very request;
* it gives none: the session ends (the roles ended);
* it refuses the refresh (revoked, expired, the person disabled, the session at the provider ended) or answers
  something that fails a check: the session ends (the login ended);
* it cannot be reached: the session goes on for ASTI_STAFF_ROLES_REFRESH_GRACE_SECONDS from the first failure,
  asked again every RETRY_SECONDS, then ends (fail closed). Each failure is logged.

An OIDC login without a refresh token (a provider that issues none for the configured scope) cannot be checked
again, so it ends after one interval. Guardians' sessions are not affected; neither are the demo's test
identifications (no provider, no refresh token: their roles are read at login only).
"""

from __future__ import annotations

import enum
import logging
from dataclasses import asdict, dataclass, replace
from urllib.parse import urlencode

from cryptography.fernet import InvalidToken
from django.conf import settings
from django.contrib.auth import logout as auth_logout
from django.contrib.auth.models import User
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse

from asti.core import clock, crypto
from asti.identity.claims import LoginRefused, staff_from_claims
from asti.identity.models import LoginMethod
from asti.identity.oidc import Flow, OidcError, ProviderUnavailable, client_for, tokens_refresh
from asti.identity.ratelimit import client_ip
from asti.identity.roles import staff_role_groups
from asti.identity.selectors import staff_profile_for_user
from asti.identity.services import logout_record, staff_access_refresh
from asti.identity.session import login_info

logger = logging.getLogger(__name__)

REFRESH_KEY = "asti_staff_refresh"
RETRY_SECONDS = 30  # while the provider cannot be reached, at most one attempt per session this often


class EndReason(enum.StrEnum):
    """Why a staff session was ended for the person: audited with the LOGOUT, explained by the page."""

    ROLES_ENDED = "roles_ended"
    LOGIN_ENDED = "login_ended"
    PROVIDER_UNREACHABLE = "provider_unreachable"


@dataclass(frozen=True)
class RefreshState:
    token: str  # the refresh token, encrypted; "" when the provider issued none
    nonce: str  # the login's, which a refreshed ID token may repeat
    due_at: float  # POSIX seconds: the provider is asked again on the first request after this
    unreachable_since: float | None = None

    def __repr__(self) -> str:
        return f"RefreshState(due_at={self.due_at!r}, unreachable_since={self.unreachable_since!r})"


def _now() -> float:
    return clock.now().timestamp()


def _state(request: HttpRequest) -> RefreshState | None:
    data = request.session.get(REFRESH_KEY)
    if not isinstance(data, dict):
        return None
    try:
        return RefreshState(**data)
    except TypeError:
        return None


def _store(request: HttpRequest, state: RefreshState) -> None:
    request.session[REFRESH_KEY] = asdict(state)


def staff_refresh_begin(request: HttpRequest, *, refresh_token: str, nonce: str) -> None:
    """After a staff member's OIDC login: what the next checks need, the first one an interval from now."""
    if not refresh_token:
        logger.warning(
            "staff login without a refresh token: roles cannot be read again, the session ends in %s s "
            "(the provider issues refresh tokens for the scope in ASTI_OIDC_STAFF_SCOPE? Entra ID needs "
            "offline_access)",
            settings.ASTI_STAFF_ROLES_REFRESH_SECONDS,
        )
    _store(
        request,
        RefreshState(
            token=crypto.session_secret_encrypt(refresh_token) if refresh_token else "",
            nonce=nonce,
            due_at=_now() + settings.ASTI_STAFF_ROLES_REFRESH_SECONDS,
        ),
    )


def staff_session_check(request: HttpRequest) -> HttpResponse | None:
    """On a staff member's request: None to go on (roles read again when due), or the response that ends the
    session. Other sessions (guardians, the demo's test identifications) pass untouched."""
    info = login_info(request)
    if info is None or info.kind != "staff" or info.method != LoginMethod.OIDC:
        return None
    state = _state(request)
    now = _now()
    if state is not None and now < state.due_at:
        return None
    user = request.user
    assert isinstance(user, User)
    if state is None or not state.token:
        logger.warning("staff session of %s ended: no refresh token to read the roles again", user.username)
        return _session_end(request, reason=EndReason.LOGIN_ENDED)
    lock = f"asti:identity:staff-refresh:{request.session.session_key}"
    if not cache.add(lock, 1, timeout=int(settings.ASTI_OIDC_HTTP_TIMEOUT * 3) + 5):
        return None  # another request of this session is asking the provider right now
    try:
        return _refresh(request, user=user, state=state, now=now)
    finally:
        cache.delete(lock)


def _refresh(request: HttpRequest, *, user: User, state: RefreshState, now: float) -> HttpResponse | None:
    client = client_for(Flow.STAFF)
    profile = staff_profile_for_user(user=user)
    if client is None or profile is None:
        logger.warning("staff session of %s ended: no staff login configured or no staff profile", user.username)
        return _session_end(request, reason=EndReason.LOGIN_ENDED)
    try:
        tokens = tokens_refresh(
            client=client,
            refresh_token=crypto.session_secret_decrypt(state.token),
            subject=profile.subject,
            nonce=state.nonce,
        )
        claims = staff_from_claims(
            tokens.claims,
            issuer=client.issuer,
            groups_claim=settings.ASTI_OIDC_STAFF_GROUPS_CLAIM,
            units_claim=settings.ASTI_OIDC_STAFF_UNITS_CLAIM,
            role_groups=staff_role_groups(),
        )
        access = staff_access_refresh(user=user, claims=claims, ip=client_ip(request))
    except ProviderUnavailable as exc:
        return _unreachable(request, user=user, state=state, now=now, error=exc)
    except (OidcError, LoginRefused, InvalidToken) as exc:
        logger.warning("staff session of %s ended: the provider refused to refresh: %s", user.username, exc)
        return _session_end(request, reason=EndReason.LOGIN_ENDED)
    if not access.roles:
        logger.info("staff session of %s ended: no Asti role at the provider any more", user.username)
        return _session_end(request, reason=EndReason.ROLES_ENDED)
    if state.unreachable_since is not None:
        logger.info("staff roles of %s read again: the provider answers again", user.username)
    _store(
        request,
        RefreshState(
            token=crypto.session_secret_encrypt(tokens.refresh_token),
            nonce=state.nonce,
            due_at=now + settings.ASTI_STAFF_ROLES_REFRESH_SECONDS,
        ),
    )
    user.refresh_from_db(fields=["is_staff", "is_superuser"])
    for cached in ("_perm_cache", "_user_perm_cache", "_group_perm_cache"):  # the roles of this very request
        if hasattr(user, cached):
            delattr(user, cached)
    return None


def _unreachable(
    request: HttpRequest, *, user: User, state: RefreshState, now: float, error: Exception
) -> HttpResponse | None:
    since = state.unreachable_since if state.unreachable_since is not None else now
    grace_ends = since + settings.ASTI_STAFF_ROLES_REFRESH_GRACE_SECONDS
    if now >= grace_ends:
        logger.error(
            "staff session of %s ended: the identity provider has not answered for %d s (grace %d s): %s",
            user.username,
            now - since,
            settings.ASTI_STAFF_ROLES_REFRESH_GRACE_SECONDS,
            error,
        )
        return _session_end(request, reason=EndReason.PROVIDER_UNREACHABLE)
    logger.warning(
        "staff roles of %s not read again: the identity provider does not answer (the session ends in %d s "
        "unless it does): %s",
        user.username,
        grace_ends - now,
        error,
    )
    _store(request, replace(state, unreachable_since=since, due_at=min(now + RETRY_SECONDS, grace_ends)))
    return None


def _session_end(request: HttpRequest, *, reason: str) -> HttpResponse:
    logout_record(actor=request.user.get_username(), flow=Flow.STAFF, ip=client_ip(request), reason=reason)
    auth_logout(request)  # flushes the whole session, the refresh token with it
    return HttpResponseRedirect(f"{reverse('identity:session_ended')}?{urlencode({'reason': reason})}")
