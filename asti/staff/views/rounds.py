"""Round planning: summaries per unit and area, children losing their unit, one proposal and its override,
the capacity what-if, and sending the round after a confirmation (its settings, its offer in every language, a test
send)."""

from __future__ import annotations

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from asti.audit.services import audit_log, audit_log_many
from asti.core import clock
from asti.decisions.models import DecisionBatch
from asti.messaging.texts import RecipientError, message_test_send
from asti.offers import selectors as offer_selectors
from asti.offers.models import OfferRound, Proposal, RoundStatus
from asti.offers.services import RoundError, proposal_override_check
from asti.people.protection import child_home_hidden, homes_hidden
from asti.staff import charts, lifecycle
from asti.staff.access import actor, staff_view
from asti.staff.forms import OverrideForm, WhatIfForm
from asti.staff.forms_lifecycle import RoundCreateForm
from asti.staff.forms_texts import RoundSendForm, TestSendForm
from asti.staff.jobs import job_view
from asti.staff.message_texts import round_offer_preview, round_settings
from asti.staff.selectors import can_plan_rounds, families_visible_for
from asti.units.models import Unit


@staff_view(can_plan_rounds)
def round_list(request: HttpRequest) -> HttpResponse:
    form = RoundCreateForm(initial={"year": clock.today_helsinki().year + 1})
    rounds = OfferRound.objects.order_by("-year", "-pk")[:50]
    return render(request, "staff/round_list.html", {"rounds": rounds, "create_form": form})


@staff_view(can_plan_rounds)
def round_plan(request: HttpRequest, round_id: int) -> HttpResponse:
    offer_round = get_object_or_404(OfferRound, pk=round_id)
    units = offer_selectors.round_unit_summary(offer_round=offer_round)
    actions = lifecycle.round_actions(offer_round=offer_round)
    unit_bars = charts.bars([(u["name"], u["proposed"], u["capacity"]) for u in units])
    areas = offer_selectors.round_area_summary(offer_round=offer_round)
    area_bars = charts.bars(
        [(a["child__admission_area__area_id"] or "–", a["n_in_area"], a["n_children"]) for a in areas]
    )
    return render(
        request,
        "staff/round_plan.html",
        {
            "round": offer_round,
            "units": list(zip(units, unit_bars, strict=True)),
            "areas": list(zip(areas, area_bars, strict=True)),
            "editable": offer_round.status in (RoundStatus.DRAFT, RoundStatus.ALLOCATED),
            "actions": actions,
            "close_refusal": lifecycle.close_refusal(actions.open_offers),
            "jobs": [job_view(job) for job in lifecycle.round_jobs(offer_round=offer_round)],
            "batches": DecisionBatch.objects.filter(offer_round=offer_round),
        },
    )


@staff_view(can_plan_rounds)
def round_losing(request: HttpRequest, round_id: int) -> HttpResponse:
    offer_round = get_object_or_404(OfferRound, pk=round_id)
    visible = families_visible_for(user=request.user)
    losing = offer_selectors.children_losing_current_unit(offer_round=offer_round).filter(child__in=visible)
    page = Paginator(losing, LOSING_PAGE).get_page(request.GET.get("page"))
    proposals = list(page.object_list)
    audit_log_many(
        actor=actor(request), operation="VIEW_LIST", target_type="child",
        target_ids=[p.child.child_id for p in proposals],
    )  # fmt: skip
    hidden = homes_hidden(child_pks=[p.child_id for p in proposals], user=request.user)
    return render(
        request,
        "staff/round_losing.html",
        {"round": offer_round, "proposals": proposals, "page": page, "hidden": hidden},
    )


LOSING_PAGE = 200  # children a page; the caption says how many in all and which are shown


@staff_view(can_plan_rounds)
@require_http_methods(["GET", "POST"])
def proposal_detail(request: HttpRequest, round_id: int, child_id: str) -> HttpResponse:
    offer_round = get_object_or_404(OfferRound, pk=round_id)
    proposal = (
        Proposal.objects.filter(
            round=offer_round, child__child_id=child_id, child__in=families_visible_for(user=request.user)
        )
        .select_related("child", "child__current_unit", "child__admission_area", "unit", "nearest_in_area_unit")
        .select_related("override_unit")
        .first()
    )
    if proposal is None:
        raise Http404
    units = Unit.objects.municipal_pre_primary().filter(language=proposal.education_language).order_by("name_fi")
    editable = offer_round.status in (RoundStatus.DRAFT, RoundStatus.ALLOCATED)
    form = OverrideForm(request.POST or None, units=units, initial={"unit": proposal.unit})
    if request.method == "POST":
        if not editable:
            messages.error(request, _("The round has been sent; its proposals can no longer change."))
        elif form.is_valid():  # checked at once; the re-allocation around it runs in the background
            unit_id, justification = form.cleaned_data["unit"].unit_id, form.cleaned_data["justification"]
            try:
                proposal_override_check(
                    round_id=offer_round.pk, child_id=child_id, unit_id=unit_id, justification=justification
                )
                job = lifecycle.round_job_start(
                    round_id=offer_round.pk, kind=lifecycle.OVERRIDE, actor=actor(request),
                    params={"child": child_id, "unit": unit_id, "justification": justification},
                )  # fmt: skip
            except RoundError as exc:
                form.add_error(None, str(exc))
            except lifecycle.ActionRefused as exc:
                form.add_error(None, exc.message)
            else:
                messages.success(request, _("The change was queued: the round is re-allocated around it."))
                return redirect("staff:job", job_id=job.pk)
    else:
        audit_log(actor=actor(request), operation="VIEW", target_type="child", target_id=child_id,
                  details={"page": "proposal", "round": offer_round.pk})  # fmt: skip
    context = {"round": offer_round, "proposal": proposal, "form": form, "editable": editable,
               "home_hidden": child_home_hidden(child=proposal.child, user=request.user)}  # fmt: skip
    return render(request, "staff/proposal.html", context)


@staff_view(can_plan_rounds)
@require_http_methods(["GET", "POST"])
def round_what_if_view(request: HttpRequest, round_id: int) -> HttpResponse:
    """New capacities by POST (a city has hundreds of units); the what-if runs in the background and its page
    lists the children who would move."""
    offer_round = get_object_or_404(OfferRound, pk=round_id)
    units = list(Unit.objects.municipal_pre_primary().order_by("name_fi"))
    form = WhatIfForm(request.POST if request.method == "POST" else None, units=units)
    if form.is_bound and form.is_valid():
        try:
            job = lifecycle.what_if_start(round_id=offer_round.pk, changes=form.changes(), actor=actor(request))
        except lifecycle.ActionRefused as exc:
            form.add_error(None, exc.message)
        else:
            return redirect("staff:job", job_id=job.pk)
    return render(request, "staff/round_what_if.html", {"round": offer_round, "form": form})


@staff_view(can_plan_rounds)
@require_http_methods(["GET", "POST"])
def round_send_view(request: HttpRequest, round_id: int) -> HttpResponse:
    """The round's settings, its offer as a real family gets it (fi, sv, en), a test send to the planner's own
    phone or email, and the send itself, which needs a ticked box naming the number of messages."""
    offer_round = get_object_or_404(OfferRound, pk=round_id)
    preview = offer_selectors.round_send_preview(offer_round=offer_round)
    action = request.POST.get("action", "send") if request.method == "POST" else ""
    send_form = RoundSendForm(request.POST if action == "send" else None, count=preview["messages"])
    test_form = TestSendForm(
        request.POST if action == "test" else None, initial={"language": translation.get_language() or "fi"}
    )
    can_send = offer_round.status == RoundStatus.ALLOCATED
    family = round_offer_preview(offer_round=offer_round) if can_send else None
    status = 200
    if action == "send":  # the sending runs in the background; its page follows it
        if send_form.is_valid():
            try:
                job = lifecycle.round_job_start(round_id=offer_round.pk, kind=lifecycle.SEND, actor=actor(request))
            except lifecycle.ActionRefused as error:
                messages.error(request, str(error.message))
                return redirect("staff:round_send", round_id=offer_round.pk)
            return redirect("staff:job", job_id=job.pk)
        status = 400
    elif action == "test":
        if test_form.is_valid() and family is not None:
            language = test_form.cleaned_data["language"]
            offer = next(p for p in family.languages if p.language == language)
            try:
                message_test_send(
                    recipient=test_form.cleaned_data["recipient"], language=language, text_by_sms=offer.sms.body,
                    text_by_email=offer.email.body, actor=actor(request), about=f"round {offer_round.pk}",
                )  # fmt: skip
            except RecipientError as error:
                test_form.add_error("recipient", str(error))
            else:
                messages.success(request, _("The test message is on its way. It is not one of the round's messages."))
                return redirect("staff:round_send", round_id=offer_round.pk)
        status = 400
    context = {
        "round": offer_round,
        "preview": preview,
        "can_send": can_send,
        "settings": round_settings(offer_round=offer_round),
        "family": family,
        "send_form": send_form,
        "test_form": test_form,
    }
    return render(request, "staff/round_send.html", context, status=status)
