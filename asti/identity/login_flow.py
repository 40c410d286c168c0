"""The steps every login shares: the pending authorization in the session, the one post-login path (OIDC
callback and demo test identification alike), and the refusal page."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, dataclass
from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse

from asti.core import clock
from asti.identity.claims import LoginRefused, RefusalReason, citizen_from_claims, staff_from_claims
from asti.identity.models import LoginMethod
from asti.identity.oidc import AuthorizationRequest, Flow
from asti.identity.ratelimit import RateDecision, client_ip
from asti.identity.refresh import staff_refresh_begin
from asti.identity.roles import staff_role_groups
from asti.identity.services import citizen_identify, login_refusal_record, staff_identify
from asti.identity.session import session_login

PENDING_KEY = "asti_identity_pending"
PENDING_TTL_SECONDS = 15 * 60
MAX_PENDING = 5  # logins started in several tabs of one browser


@dataclass(frozen=True)
class PendingLogin:
    flow: str
    state: str
    nonce: str
    code_verifier: str
    redirect_uri: str
    next_url: str
    started: float


def pending_store(
    request: HttpRequest, *, flow: Flow, auth: AuthorizationRequest, redirect_uri: str, next_url: str
) -> None:
    now = clock.now().timestamp()
    stored: dict[str, dict[str, Any]] = {
        state: data
        for state, data in request.session.get(PENDING_KEY, {}).items()
        if now - data.get("started", 0) < PENDING_TTL_SECONDS
    }
    for state in sorted(stored, key=lambda s: stored[s]["started"])[: max(0, len(stored) - MAX_PENDING + 1)]:
        del stored[state]
    pending = PendingLogin(
        flow=flow,
        state=auth.state,
        nonce=auth.nonce,
        code_verifier=auth.code_verifier,
        redirect_uri=redirect_uri,
        next_url=next_url,
        started=now,
    )
    stored[auth.state] = asdict(pending)
    request.session[PENDING_KEY] = stored


def pending_pop(request: HttpRequest, *, state: str, flow: Flow) -> PendingLogin | None:
    """The login this callback answers, used up at once (a replayed callback finds nothing)."""
    stored: dict[str, dict[str, Any]] = dict(request.session.get(PENDING_KEY, {}))
    data = stored.pop(state, None) if state else None
    request.session[PENDING_KEY] = stored
    if data is None:
        return None
    try:
        pending = PendingLogin(**data)
    except TypeError:
        return None
    if pending.flow != flow or clock.now().timestamp() - pending.started >= PENDING_TTL_SECONDS:
        return None
    return pending


REFUSAL_STATUS = {
    RefusalReason.STATE_INVALID: 400,
    RefusalReason.PROVIDER_ERROR: 502,
    RefusalReason.RATE_LIMITED: 429,
}


def login_refuse(
    request: HttpRequest,
    *,
    reason: RefusalReason,
    flow: Flow,
    method: LoginMethod,
    detail: str = "",
    audit: bool = True,
) -> HttpResponse:
    """The refusal page (with a status that says why) and its LOGIN_REFUSED audit event."""
    if audit:
        login_refusal_record(reason=reason, flow=flow, method=method, ip=client_ip(request), detail=detail)
    retry = "identity:staff_login" if flow == Flow.STAFF else "identity:login"
    return render(
        request,
        "identity/refused.html",
        {"reason": str(reason), "flow": str(flow), "retry_url_name": retry, "language_next": reverse(retry)},
        status=REFUSAL_STATUS.get(reason, 403),
    )


def rate_limited(request: HttpRequest, *, decision: RateDecision, flow: Flow, method: LoginMethod) -> HttpResponse:
    response = login_refuse(
        request, reason=RefusalReason.RATE_LIMITED, flow=flow, method=method, audit=decision.first_refusal
    )
    response["Retry-After"] = str(decision.retry_after)
    return response


def login_complete(
    request: HttpRequest,
    *,
    flow: Flow,
    claims: Mapping[str, Any],
    method: LoginMethod,
    issuer: str,
    next_url: str,
    refresh_token: str = "",
    nonce: str = "",
) -> HttpResponse:
    """The one path after a successful identification: claims → account → session → back to `next_url`.

    A staff member's OIDC login keeps the provider's refresh token (and the login's nonce) so that the roles can
    be read again during the session (asti.identity.refresh); guardians' tokens are not kept.
    """
    ip = client_ip(request)
    try:
        if flow == Flow.GUARDIAN:
            citizen = citizen_from_claims(
                claims, hetu_claim=settings.ASTI_OIDC_HETU_CLAIM, loa_claim=settings.ASTI_OIDC_LOA_CLAIM
            )
            user = citizen_identify(claims=citizen, method=method, ip=ip)
            session_login(request, user, kind="citizen", flow=flow, method=method, loa=citizen.loa)
        else:
            staff = staff_from_claims(
                claims,
                issuer=issuer,
                groups_claim=settings.ASTI_OIDC_STAFF_GROUPS_CLAIM,
                units_claim=settings.ASTI_OIDC_STAFF_UNITS_CLAIM,
                role_groups=staff_role_groups(),
            )
            user = staff_identify(claims=staff, method=method, ip=ip)
            session_login(request, user, kind="staff", flow=flow, method=method, loa="")
            if method == LoginMethod.OIDC:
                staff_refresh_begin(request, refresh_token=refresh_token, nonce=nonce)
    except LoginRefused as refusal:
        return login_refuse(request, reason=refusal.reason, flow=flow, method=method, detail=refusal.detail)
    return HttpResponseRedirect(next_url)
