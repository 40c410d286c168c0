"""Login and logout pages: OpenID Connect for guardians and staff, the Django admin's login, logout."""

from __future__ import annotations

import logging
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import admin
from django.contrib.auth import logout as auth_logout
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import get_language
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods

from asti.identity.claims import RefusalReason
from asti.identity.demo import demo_login_enabled
from asti.identity.login_flow import login_complete, login_refuse, pending_pop, pending_store, rate_limited
from asti.identity.models import LoginMethod
from asti.identity.oidc import (
    Flow,
    OidcError,
    ProviderUnavailable,
    authorization_begin,
    authorization_complete,
    client_for,
    end_session_url,
)
from asti.identity.ratelimit import client_ip, login_attempt
from asti.identity.redirects import safe_next
from asti.identity.refresh import EndReason
from asti.identity.services import logout_record
from asti.identity.session import login_info

logger = logging.getLogger(__name__)


def _default_next(flow: Flow) -> str:
    return reverse("admin:index") if flow == Flow.STAFF else safe_next(None)


def _login_begin(request: HttpRequest, flow: Flow) -> HttpResponse:
    next_url = safe_next(request.GET.get("next"), default=_default_next(flow))
    client = client_for(flow)
    if client is None:
        if demo_login_enabled():
            return HttpResponseRedirect(f"{reverse('identity:test_login')}?{urlencode({'next': next_url})}")
        return render(request, "identity/unavailable.html", status=503)
    redirect_uri = request.build_absolute_uri(reverse(f"identity:{flow}_callback"))
    try:
        auth = authorization_begin(client=client, redirect_uri=redirect_uri, ui_locales=get_language() or "")
    except OidcError as exc:
        logger.warning("%s login could not start: %s", flow, exc)
        reason = RefusalReason.PROVIDER_ERROR if isinstance(exc, ProviderUnavailable) else RefusalReason.TOKEN_INVALID
        return login_refuse(request, reason=reason, flow=flow, method=LoginMethod.OIDC, detail=str(exc))
    pending_store(request, flow=flow, auth=auth, redirect_uri=redirect_uri, next_url=next_url)
    return HttpResponseRedirect(auth.url)


def _callback(request: HttpRequest, flow: Flow) -> HttpResponse:
    method = LoginMethod.OIDC
    decision = login_attempt(request)
    if not decision.allowed:
        return rate_limited(request, decision=decision, flow=flow, method=method)
    pending = pending_pop(request, state=request.GET.get("state", "")[:200], flow=flow)
    error = request.GET.get("error")
    if error:
        reason = RefusalReason.CANCELLED if error == "access_denied" else RefusalReason.PROVIDER_ERROR
        return login_refuse(request, reason=reason, flow=flow, method=method, detail=f"provider said {error[:60]!r}")
    if pending is None:
        return login_refuse(request, reason=RefusalReason.STATE_INVALID, flow=flow, method=method)
    client = client_for(flow)
    if client is None:
        return render(request, "identity/unavailable.html", status=503)
    try:
        tokens = authorization_complete(
            client=client,
            code=request.GET.get("code", ""),
            redirect_uri=pending.redirect_uri,
            nonce=pending.nonce,
            code_verifier=pending.code_verifier,
            iss_param=request.GET.get("iss"),
        )
    except ProviderUnavailable as exc:
        logger.warning("%s login: provider unavailable: %s", flow, exc)
        return login_refuse(request, reason=RefusalReason.PROVIDER_ERROR, flow=flow, method=method, detail=str(exc))
    except OidcError as exc:
        logger.warning("%s login refused: %s", flow, exc)
        return login_refuse(request, reason=RefusalReason.TOKEN_INVALID, flow=flow, method=method, detail=str(exc))
    return login_complete(
        request,
        flow=flow,
        claims=tokens.claims,
        method=method,
        issuer=client.issuer,
        next_url=pending.next_url,
        refresh_token=tokens.refresh_token,
        nonce=pending.nonce,
    )


@never_cache
@require_GET
def guardian_login(request: HttpRequest) -> HttpResponse:
    """Strong identification of a guardian (Suomi.fi through the city's provider); `next` local paths only."""
    return _login_begin(request, Flow.GUARDIAN)


@never_cache
@require_GET
def guardian_callback(request: HttpRequest) -> HttpResponse:
    return _callback(request, Flow.GUARDIAN)


@never_cache
@require_GET
def staff_login(request: HttpRequest) -> HttpResponse:
    return _login_begin(request, Flow.STAFF)


@never_cache
@require_GET
def staff_callback(request: HttpRequest) -> HttpResponse:
    return _callback(request, Flow.STAFF)


@never_cache
@require_http_methods(["GET", "POST"])
def logout(request: HttpRequest) -> HttpResponse:
    """GET asks to confirm; POST (with CSRF) ends the session here and, where offered, at the provider."""
    if request.method == "GET":
        if not request.user.is_authenticated:
            return redirect("identity:logged_out")
        return render(request, "identity/logout.html")
    info = login_info(request)
    if request.user.is_authenticated:
        logout_record(actor=request.user.get_username(), flow=info.flow if info else "", ip=client_ip(request))
    auth_logout(request)  # flushes the whole session
    done = request.build_absolute_uri(reverse("identity:logged_out"))
    if info is not None and info.method == LoginMethod.OIDC:
        client = client_for(Flow(info.flow))
        url = end_session_url(client=client, post_logout_redirect_uri=done) if client else None
        if url:
            return HttpResponseRedirect(url)
    return HttpResponseRedirect(done)


@never_cache
@require_GET
def logged_out(request: HttpRequest) -> HttpResponse:
    return render(request, "identity/logged_out.html")


@never_cache
@require_GET
def session_ended(request: HttpRequest) -> HttpResponse:
    """Where a staff session ended for the person lands: why, and the way back to the staff login."""
    reason = request.GET.get("reason", "")
    return render(
        request,
        "identity/session_ended.html",
        {"reason": reason if reason in set(EndReason) else EndReason.LOGIN_ENDED},
    )


@never_cache
def admin_login(request: HttpRequest) -> HttpResponse:
    """The Django admin's login: staff identify through the city's provider (or the demo's test page).

    Django's own password form is used only where settings.ASTI_ADMIN_PASSWORD_LOGIN is on (never in production).
    """
    if settings.ASTI_ADMIN_PASSWORD_LOGIN:
        return admin.site.login(request)
    next_url = safe_next(request.GET.get("next"), default=reverse("admin:index"))
    if request.user.is_authenticated:
        if request.user.is_active and request.user.is_staff:
            return HttpResponseRedirect(next_url)
        return render(request, "identity/no_access.html", status=403)
    return HttpResponseRedirect(f"{reverse('identity:staff_login')}?{urlencode({'next': next_url})}")
