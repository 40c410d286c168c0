"""The demo's test identification page: test persons as buttons, each logging in through the same path as
an OpenID Connect login (with level of assurance `substantial`). Not found outside the demo and development."""

from __future__ import annotations

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBadRequest
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from asti.identity import demo
from asti.identity.login_flow import login_complete, rate_limited
from asti.identity.models import LoginMethod
from asti.identity.oidc import Flow
from asti.identity.ratelimit import login_attempt
from asti.identity.redirects import safe_next
from asti.identity.selectors import demo_guardians
from asti.people.models import Guardian


@never_cache
@require_http_methods(["GET", "POST"])
def test_login(request: HttpRequest) -> HttpResponse:
    if not demo.demo_login_enabled():
        raise Http404
    if request.method == "GET":
        query = request.GET.get("q", "")[:100]
        context = {
            "next": safe_next(request.GET.get("next"), default=""),
            "query": query,
            "guardians": demo_guardians(query=query, limit=settings.ASTI_DEMO_LOGIN_GUARDIANS),
            "staff": demo.DEMO_STAFF,
        }
        return render(request, "identity/test_login.html", context)

    flow = Flow.STAFF if "staff" in request.POST else Flow.GUARDIAN
    decision = login_attempt(request)
    if not decision.allowed:
        return rate_limited(request, decision=decision, flow=flow, method=LoginMethod.DEMO)
    if "staff" in request.POST:
        person = demo.demo_staff(request.POST["staff"])
        if person is None:
            return HttpResponseBadRequest()
        claims = demo.staff_claims(person)
    elif request.POST.get("citizen") == "unregistered":
        claims = demo.unregistered_citizen_claims()
    else:
        guardian_pk = request.POST.get("guardian", "")
        guardian = Guardian.objects.filter(pk=guardian_pk, active=True).first() if guardian_pk.isdigit() else None
        if guardian is None:
            return HttpResponseBadRequest()
        claims = demo.guardian_claims(guardian)
    default = reverse("staff:home") if flow == Flow.STAFF else None
    return login_complete(
        request,
        flow=flow,
        claims=claims,
        method=LoginMethod.DEMO,
        issuer=demo.DEMO_ISSUER,
        next_url=safe_next(request.POST.get("next"), default=default),
    )
