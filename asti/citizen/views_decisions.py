"""A family's decisions (only once released) with their text, dates and PDF, and the choice of getting
decisions electronically."""

from __future__ import annotations

from django.contrib import messages
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from asti.audit.services import audit_log
from asti.citizen.access import actor_for, guardian_page
from asti.decisions.selectors import decision_visible_for
from asti.decisions.services import delivery_consent_set
from asti.people.models import Guardian


@guardian_page
@require_GET
def decision_page(request: HttpRequest, guardian: Guardian, decision_id: int) -> HttpResponse:
    decision = decision_visible_for(guardian=guardian, decision_id=decision_id)
    if decision is None:
        raise Http404
    audit_log(
        actor=actor_for(guardian), operation="DECISION_VIEW", target_type="child", target_id=decision.child.child_id,
        details={"decision": decision.pk},
    )  # fmt: skip
    context = {
        "decision": decision,
        "c": decision.content,
        "number": decision.number,
        "body_template": f"decisions/body_{decision.language}.html",
        "translation": get_language() == "en",
    }
    return render(request, "citizen/decision.html", context)


@guardian_page
@require_GET
def decision_pdf(request: HttpRequest, guardian: Guardian, decision_id: int) -> HttpResponseBase:
    decision = decision_visible_for(guardian=guardian, decision_id=decision_id)
    if decision is None or not decision.pdf:
        raise Http404
    audit_log(
        actor=actor_for(guardian), operation="DECISION_DOWNLOAD", target_type="child",
        target_id=decision.child.child_id, details={"decision": decision.pk},
    )  # fmt: skip
    response = FileResponse(
        decision.pdf.open("rb"), as_attachment=True, filename=f"{decision.number}.pdf", content_type="application/pdf"
    )
    response["X-Content-Type-Options"] = "nosniff"
    return response


@guardian_page
@require_POST
def delivery_choice(request: HttpRequest, guardian: Guardian) -> HttpResponse:
    """Consent to (or withdrawal from) getting decisions in the e-service instead of by post."""
    consent = request.POST.get("electronic") == "yes"
    delivery_consent_set(guardian=guardian, consent=consent, actor=actor_for(guardian))
    if consent:
        messages.success(request, _("From now on you get decisions in the e-service, with a message when one comes."))
    else:
        messages.success(request, _("From now on you get decisions by post."))
    return redirect("citizen:front")
