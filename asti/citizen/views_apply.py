"""After declining: an application for another place, pre-filled from the registry, and its page."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from asti.applications.declined import DeclineError, DeclineRefused, offer_decline_reason_set, offer_decline_undo
from asti.applications.models import AFTERNOON_HOURS
from asti.applications.selectors import (
    application_for_offer,
    applications_visible_for,
    registry_details_for,
    wishable_units,
)
from asti.applications.services import ApplicationError, ApplicationErrorCode, application_create
from asti.audit.services import audit_log
from asti.citizen.access import actor_for, guardian_page
from asti.citizen.application_form import afternoon_hours_label
from asti.citizen.forms import ApplicationForm, FeedbackForm
from asti.offers.models import DeclineReason, Feedback, OfferStatus
from asti.offers.selectors import offer_is_visible_for, offer_visible_for
from asti.people.models import Guardian
from asti.units.models import WeightedCurriculum

SEARCH_LIMIT = 50


@guardian_page
@require_http_methods(["GET", "POST"])
def apply(request: HttpRequest, guardian: Guardian, offer_id: int) -> HttpResponse:
    offer = offer_visible_for(guardian=guardian, offer_id=offer_id)
    if offer is None:
        raise Http404
    existing = application_for_offer(guardian=guardian, offer_id=offer.pk)
    if existing is not None:
        return redirect("citizen:application", application_id=existing.pk)
    if offer.status != OfferStatus.DECLINED:
        return redirect("citizen:offer", offer_id=offer.pk)
    details = registry_details_for(guardian=guardian, child=offer.child)
    if details is None:
        raise Http404
    language = get_language() or settings.LANGUAGE_CODE
    query = request.GET.get("q", "").strip()[:100]
    narrowed = bool(query) and request.method == "GET"
    units = list(wishable_units(query=query)[:SEARCH_LIMIT]) if narrowed else list(wishable_units())
    form = ApplicationForm(request.POST or None, units=units, language=language)
    error = ""
    if request.method == "POST" and form.is_valid():
        try:
            application = application_create(
                guardian=guardian,
                offer=offer,
                unit_ids=form.cleaned_data["unit_ids"],
                supplementary_ecec=form.cleaned_data["supplementary_ecec"],
                actor=actor_for(guardian),
            )
        except ApplicationError as exc:
            if exc.code is ApplicationErrorCode.ALREADY_SENT:
                again = application_for_offer(guardian=guardian, offer_id=offer.pk)
                if again is not None:
                    return redirect("citizen:application", application_id=again.pk)
            error = _("The application could not be saved. Please check your choices.")
        else:
            return redirect("citizen:application", application_id=application.pk)
    context = {
        "offer": offer,
        "details": details,
        "form": form,
        "query": query,
        "matches": units if narrowed else [],
        "error": error,
        "unit_name": offer.unit.name_in(language),
    }
    return render(request, "citizen/apply.html", context, status=400 if request.method == "POST" else 200)


@guardian_page
@require_GET
def application_detail(request: HttpRequest, guardian: Guardian, application_id: int) -> HttpResponse:
    """An application of any kind as the family follows it: answers, wishes, attachments, the timeline."""
    application = applications_visible_for(guardian=guardian).filter(pk=application_id).first()
    if application is None:
        raise Http404
    audit_log(actor=actor_for(guardian), operation="VIEW", target_type="child", target_id=application.child.child_id)
    language = get_language() or settings.LANGUAGE_CODE
    offer = application.declined_offer
    given = offer is None or Feedback.objects.filter(offer=offer, guardian=guardian).exists()
    proposed = application.proposed_unit or application.proposed_school
    curricula = dict(WeightedCurriculum.choices)
    context = {
        "application": application,
        "language": language,
        "snapshot": application.registry_snapshot,
        "wishes": [wish.place_name(language) for wish in application.wishes.all()],
        "attachments": list(application.attachments.all()),
        "proposed_name": proposed.name_in(language) if proposed is not None else "",
        "curriculum": curricula.get(application.weighted_curriculum, ""),
        "hours_label": afternoon_hours_label(application.annual_hours)
        if application.annual_hours in AFTERNOON_HOURS
        else "",
        "feedback_form": None if given else FeedbackForm(),
        "feedback_given": given and offer is not None,
        "feedback_next": request.get_full_path(),
        "offer": offer,
    }
    return render(request, "citizen/application.html", context)


@guardian_page
@require_POST
def decline_other_arrangement(request: HttpRequest, guardian: Guardian, offer_id: int) -> HttpResponse:
    """After declining: "we do not need a municipal place" (a private unit or another arrangement)."""
    if not offer_is_visible_for(guardian=guardian, offer_id=offer_id):
        raise Http404
    try:
        offer_decline_reason_set(
            offer_id=offer_id, guardian=guardian, reason=DeclineReason.OTHER_ARRANGEMENT, actor=actor_for(guardian)
        )
    except DeclineRefused:
        messages.error(request, _("This can be told only about a declined place."))
    else:
        messages.success(request, _("Thank you. We have noted that your child does not need a municipal place."))
    return redirect("citizen:offer", offer_id=offer_id)


@guardian_page
@require_POST
def decline_undo(request: HttpRequest, guardian: Guardian, offer_id: int) -> HttpResponse:
    """Takes a decline back until the deadline; the place is then open for an answer again."""
    if not offer_is_visible_for(guardian=guardian, offer_id=offer_id):
        raise Http404
    try:
        offer_decline_undo(offer_id=offer_id, guardian=guardian, actor=actor_for(guardian))
    except DeclineRefused as refused:
        if refused.code is DeclineError.APPLICATION_PENDING:
            messages.error(
                request, _("Cancel your application for another place first; then you can undo the decline.")
            )
        else:
            messages.error(request, _("The decline can no longer be undone: the deadline has passed."))
    else:
        messages.success(request, _("Your decline was undone. The place waits for your answer until the deadline."))
    return redirect("citizen:offer", offer_id=offer_id)
