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
from asti.applications.models import ApplicationStatus
from asti.applications.selectors import (
    NEAREST,
    application_for_offer,
    applications_visible_for,
    next_steps_for,
    registry_details_for,
    wishable_units,
)
from asti.applications.services import ApplicationError, ApplicationErrorCode, application_create
from asti.audit.services import audit_log
from asti.citizen.access import actor_for, guardian_page
from asti.citizen.application_form import application_summary
from asti.citizen.forms import UNIT_PREFIX, ApplicationForm, FeedbackForm
from asti.citizen.unit_picker import PARTIAL_HEADER, note_text, picker_action, picker_for
from asti.offers.models import DeclineReason, Feedback, OfferStatus
from asti.offers.selectors import offer_is_visible_for, offer_visible_for
from asti.people.models import Guardian
from asti.people.protection import home_distance_shown_to_guardian


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
    if request.method == "POST":
        data, pressed, note = picker_action(request.POST, UNIT_PREFIX)
        form = ApplicationForm(data)
    else:
        pressed, note = "", ""
        form = ApplicationForm(initial={"place_language": "", "order": NEAREST})  # any language may be wished for
    sending = request.method == "POST" and not pressed and request.POST.get("action", "send") == "send"
    error = ""
    if sending and form.is_valid():
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
    elif not sending:
        form.is_valid()  # a search or a wish moved: shown again as typed, its problems unsaid until sending
    query = (form.cleaned_data.get("q") or "").strip() if form.is_bound else ""
    place_language = form.cleaned_data.get("place_language", "") if form.is_bound else form.initial["place_language"]
    chosen_pks = form.chosen_units()
    by_pk = {u.pk: u for u in wishable_units().filter(pk__in=chosen_pks)}
    shown = home_distance_shown_to_guardian(guardian=guardian, child=offer.child)
    home = (offer.child.lat, offer.child.lon) if shown else None
    picker = picker_for(
        prefix=UNIT_PREFIX, action=request.get_full_path(),
        found=list(wishable_units(query=query, language=place_language)),
        chosen=[by_pk[pk] for pk in chosen_pks if pk in by_pk], home=home,
        order=(form.cleaned_data.get("order") if form.is_bound else "") or "", language=language, note=note,
        searched=bool(query), language_filter=place_language,
    )  # fmt: skip
    if request.META.get(PARTIAL_HEADER):
        return render(request, "citizen/_unit_picker_results.html", {"picker": picker})
    context = {
        "offer": offer,
        "details": details,
        "form": form,
        "picker": picker,
        "note": note_text(note),
        "error": error,
        "problems": form.non_field_errors() if sending else [],
        "unit_name": offer.unit.name_in(language),
    }
    status = 400 if sending else 200
    return render(request, "citizen/apply.html", context, status=status)


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
    context = {
        **application_summary(application, language),
        "language": language,
        "next_steps": next_steps_for(application) if application.status == ApplicationStatus.SENT else None,
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
