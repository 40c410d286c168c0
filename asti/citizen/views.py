"""Guardian pages: my children, the offer link, the offer with accept and decline, the satisfaction question."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from asti.applications.declined import decline_can_be_undone
from asti.applications.family import family_overview
from asti.applications.selectors import application_for_offer
from asti.audit.services import audit_log
from asti.citizen.access import actor_for, guardian_page
from asti.citizen.explain import reason_text
from asti.citizen.forms import FeedbackForm
from asti.core import clock
from asti.decisions.selectors import decisions_visible_for, delivery_is_electronic
from asti.identity.redirects import safe_next
from asti.identity.selectors import guardian_for_user
from asti.offers.answers import AnswerResult, feedback_give, offer_answer, offer_can_be_answered
from asti.offers.links import LinkError, read_token
from asti.offers.models import AnswerChannel, Feedback, Offer, OfferStatus
from asti.offers.selectors import offer_is_visible_for, offer_visible_for
from asti.people.models import Guardian


def _offer_or_404(guardian: Guardian, offer_id: int) -> Offer:
    offer = offer_visible_for(guardian=guardian, offer_id=offer_id)
    if offer is None:
        raise Http404
    return offer


def _start_date(offer: Offer) -> dt.date:
    return offer.round.first_day


def _can_answer(offer: Offer) -> bool:
    return offer_can_be_answered(offer, at=clock.now())


@guardian_page
@require_GET
def front(request: HttpRequest, guardian: Guardian) -> HttpResponse:
    """My children: what is open for each now, and what each can apply for."""
    rows = family_overview(guardian=guardian, today=clock.today_helsinki())
    context = {
        "guardian": guardian,
        "rows": rows,
        "decisions": list(decisions_visible_for(guardian=guardian)),
        "electronic": delivery_is_electronic(guardian=guardian),
    }
    return render(request, "citizen/front.html", context)


@never_cache
@require_GET
def offer_link(request: HttpRequest, token: str) -> HttpResponse:
    """The link in the offer message: checked first, then through login to the offer it names."""
    try:
        link = read_token(token)
    except LinkError as exc:
        expired = "expired" in str(exc)
        return render(request, "citizen/link_refused.html", {"reason": "expired" if expired else "invalid"}, status=403)
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    guardian = guardian_for_user(user=request.user)
    if guardian is None or guardian.pk != link.guardian_id:
        audit_log(
            actor=request.user.get_username(),
            operation="OFFER_LINK_REFUSED",
            status="REFUSED",
            details={"offer": link.offer_id, "reason": "someone_else"},
        )
        return render(request, "citizen/link_refused.html", {"reason": "someone_else"}, status=403)
    if offer_visible_for(guardian=guardian, offer_id=link.offer_id) is None:
        return render(request, "citizen/link_refused.html", {"reason": "no_longer"}, status=403)
    return redirect("citizen:offer", offer_id=link.offer_id)


@guardian_page
@require_GET
def offer_detail(request: HttpRequest, guardian: Guardian, offer_id: int) -> HttpResponse:
    offer = _offer_or_404(guardian, offer_id)
    audit_log(actor=actor_for(guardian), operation="VIEW", target_type="child", target_id=offer.child.child_id)
    language = get_language() or settings.LANGUAGE_CODE
    unit = offer.unit
    context: dict[str, Any] = {
        "offer": offer,
        "unit_name": unit.name_in(language),
        "unit_address": ", ".join(p for p in (unit.street_address, unit.postal_code) if p),
        "map_url": settings.ASTI_MAP_LINK.format(lat=f"{unit.lat:.5f}", lon=f"{unit.lon:.5f}"),
        "reasons": reason_text(offer.proposal, show_distance=not offer.child.address_protected()),
        "start_date": _start_date(offer),
        "can_answer": _can_answer(offer),
        "can_undo": decline_can_be_undone(offer, at=clock.now()),
        # Only a declined offer links to its application (see offer.html).
        "application": (
            application_for_offer(guardian=guardian, offer_id=offer.pk)
            if offer.status == OfferStatus.DECLINED
            else None
        ),
        **_feedback_context(request, guardian, offer),
    }
    return render(request, "citizen/offer.html", context)


def _feedback_context(request: HttpRequest, guardian: Guardian, offer: Offer) -> dict[str, Any]:
    answered = offer.status in (OfferStatus.ACCEPTED, OfferStatus.DECLINED)
    given = answered and Feedback.objects.filter(offer=offer, guardian=guardian).exists()
    return {
        "feedback_form": FeedbackForm() if answered and not given else None,
        "feedback_given": given,
        "feedback_next": request.get_full_path(),
    }


@guardian_page
@require_http_methods(["GET", "POST"])
def offer_answer_page(request: HttpRequest, guardian: Guardian, offer_id: int, answer: str) -> HttpResponse:
    """GET asks to confirm; POST records the answer (the confirmation message is queued by offer_answer)."""
    accept = answer == "accept"
    if request.method == "GET":
        offer = _offer_or_404(guardian, offer_id)
        if not _can_answer(offer):
            return redirect("citizen:offer", offer_id=offer.pk)
        context = {"offer": offer, "accept": accept, "unit_name": offer.unit.name_in(get_language() or "fi")}
        return render(request, "citizen/confirm.html", context)
    # offer_answer reads (and locks) the offer itself: here only whether this guardian may answer it.
    if not offer_is_visible_for(guardian=guardian, offer_id=offer_id):
        raise Http404
    outcome = offer_answer(
        offer_id=offer_id, accept=accept, guardian=guardian, channel=AnswerChannel.LINK, actor=actor_for(guardian)
    )
    if outcome.result in (AnswerResult.APPLIED, AnswerResult.SAME_AGAIN):
        if accept:
            return redirect("citizen:offer_done", offer_id=offer_id)
        return redirect("citizen:apply", offer_id=offer_id)
    if outcome.result is AnswerResult.LATE:
        messages.error(request, _("The deadline for answering has passed. Please contact service guidance."))
    else:
        messages.info(request, _("This offer has already been answered."))
    return redirect("citizen:offer", offer_id=offer_id)


@guardian_page
@require_GET
def offer_done(request: HttpRequest, guardian: Guardian, offer_id: int) -> HttpResponse:
    offer = _offer_or_404(guardian, offer_id)
    if offer.status == OfferStatus.DECLINED:
        return redirect("citizen:apply", offer_id=offer.pk)
    if offer.status not in (OfferStatus.ACCEPTED, OfferStatus.AUTO_ACCEPTED):
        return redirect("citizen:offer", offer_id=offer.pk)
    context = {
        "offer": offer,
        "unit_name": offer.unit.name_in(get_language() or "fi"),
        "start_date": _start_date(offer),
        **_feedback_context(request, guardian, offer),
    }
    return render(request, "citizen/accepted.html", context)


@guardian_page
@require_POST
def offer_feedback(request: HttpRequest, guardian: Guardian, offer_id: int) -> HttpResponse:
    offer = _offer_or_404(guardian, offer_id)
    back = safe_next(request.POST.get("next"), default=reverse("citizen:offer", args=[offer.pk]))
    if offer.status not in (OfferStatus.ACCEPTED, OfferStatus.DECLINED):
        return HttpResponseRedirect(back)
    form = FeedbackForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Please choose one of the options."))
        return HttpResponseRedirect(back)
    feedback_give(
        offer=offer, guardian=guardian, score=form.cleaned_data["score"], comment=form.cleaned_data["comment"]
    )
    messages.success(request, _("Thank you for your feedback."))
    return HttpResponseRedirect(back)
