"""Families: the searchable list, one family's page, and an answer given by phone or on paper."""

from __future__ import annotations

from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from asti.applications.selectors import wishable_units
from asti.applications.services import (
    ApplicationError,
    ApplicationErrorCode,
    paper_application_blocker,
    paper_application_create,
)
from asti.audit.services import audit_log, audit_log_many
from asti.core import clock
from asti.offers.answers import AnswerResult, offer_answer
from asti.offers.models import Offer, OfferRound, OfferStatus
from asti.people.models import Child, Guardian
from asti.staff.access import actor, staff_view
from asti.staff.families import FamilyFilters, family_detail, family_list
from asti.staff.forms import AnswerForm, FamilyFilterForm, PaperApplicationForm
from asti.staff.selectors import can_see_families, families_visible_for
from asti.staff.views.paper import paper_kinds

TIMELINE_LABELS = {
    "offer_sent": gettext_lazy("Offer sent"),
    "offer_accepted": gettext_lazy("Place accepted"),
    "offer_declined": gettext_lazy("Place declined"),
    "offer_auto_accepted": gettext_lazy("Place confirmed without an answer"),
    "offer_no_answer": gettext_lazy("No answer by the deadline"),
    "message_created": gettext_lazy("Message queued"),
    "message_delivered": gettext_lazy("Message delivered"),
    "message_failed": gettext_lazy("Message failed"),
    "reply_received": gettext_lazy("Reply received"),
    "follow_up": gettext_lazy("Put on the follow-up list"),
    "feedback": gettext_lazy("Satisfaction answer"),
    "application_sent": gettext_lazy("Application"),
    "application_received_paper": gettext_lazy("Application"),
    "application_in_process": gettext_lazy("Application"),
    "application_decided": gettext_lazy("Application"),
    "application_cancelled": gettext_lazy("Application"),
}

PAPER_APPLICATION_ERRORS = {
    ApplicationErrorCode.NOT_GUARDIAN: gettext_lazy("The guardian chosen does not have custody of the child."),
    ApplicationErrorCode.OFFER_STILL_OPEN: gettext_lazy(
        "The child's offer is still open: record the guardian's answer to it first."
    ),
    ApplicationErrorCode.ALREADY_SENT: gettext_lazy("The child already has an application being processed."),
    ApplicationErrorCode.UNKNOWN_UNIT: gettext_lazy("A unit wished for does not take pre-primary applications."),
    ApplicationErrorCode.RECEIVED_IN_FUTURE: gettext_lazy("The day received cannot be in the future."),
    ApplicationErrorCode.NO_WISHES: gettext_lazy("Choose at least one unit."),
    ApplicationErrorCode.TOO_MANY_WISHES: gettext_lazy("Choose at most three units."),
    ApplicationErrorCode.REPEATED_UNIT: gettext_lazy("Each unit can be wished for once."),
}


def _child_or_404(request: HttpRequest, child_id: str) -> Child:
    child = families_visible_for(user=request.user).filter(child_id=child_id).first()
    if child is None:
        raise Http404
    return child


@staff_view(can_see_families)
def family_search(request: HttpRequest) -> HttpResponse:
    rounds = list(OfferRound.objects.order_by("-year", "-pk")[:20])
    chosen = next((r for r in rounds if str(r.pk) == request.GET.get("round")), rounds[0] if rounds else None)
    form = FamilyFilterForm(request.GET or None)
    page = None
    if chosen is not None and (not form.is_bound or form.is_valid()):
        data = form.cleaned_data if form.is_bound else {}
        filters = FamilyFilters(
            query=data.get("q", ""), area=data.get("area", ""), unit=data.get("unit", ""),
            status=data.get("status", ""), channel_failures=bool(data.get("failures")),
            follow_up=bool(data.get("follow_up")),
        )  # fmt: skip
        rows = family_list(children=families_visible_for(user=request.user), offer_round=chosen, filters=filters)
        page = Paginator(rows, 50).get_page(request.GET.get("page"))
        audit_log_many(
            actor=actor(request), operation="SEARCH", target_type="child",
            target_ids=[p.child.child_id for p in page.object_list],
        )  # fmt: skip
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "staff/family_list.html",
        {"form": form, "rounds": rounds, "round": chosen, "page": page, "query": query.urlencode()},
    )


def _answer_form(child: Child, data: object = None) -> AnswerForm:
    offers = Offer.objects.filter(child=child, status=OfferStatus.OPEN).select_related("round", "unit")
    return AnswerForm(data, offers=offers, guardians=_guardians(child))


def _guardians(child: Child) -> QuerySet[Guardian]:
    return Guardian.objects.filter(custodies__child=child, custodies__active=True, active=True).distinct()


def _paper_form(child: Child, data: object = None) -> PaperApplicationForm:
    initial = {"received_on": clock.today_helsinki()}
    return PaperApplicationForm(data, guardians=_guardians(child), units=wishable_units(), initial=initial)


def _paper_application_blocked(child: Child) -> str:
    """Why no paper application can be entered now ("" when it can)."""
    blocker = paper_application_blocker(child)
    return "" if blocker is None else str(PAPER_APPLICATION_ERRORS[blocker])


def _family_response(
    request: HttpRequest, child: Child, *, paper_form: PaperApplicationForm | None = None, status: int = 200
) -> HttpResponse:
    family = family_detail(child=child)
    audit_log(actor=actor(request), operation="VIEW", target_type="child", target_id=child.child_id,
              details={"page": "family", "guardians": [g.guardian_id for g in family.guardians]})  # fmt: skip
    timeline = [{**event, "label": TIMELINE_LABELS.get(event["kind"], event["kind"])} for event in family.timeline]
    may_see_address = request.user.has_perm("people.view_protected_address")
    return render(
        request,
        "staff/family.html",
        {
            "family": family,
            "child": child,
            "timeline": timeline,
            "answer_form": _answer_form(child),
            "paper_form": paper_form or _paper_form(child),
            "paper_blocked": _paper_application_blocked(child),
            "paper_kinds": paper_kinds(child),
            "may_see_address": may_see_address,
        },
        status=status,
    )


@staff_view(can_see_families)
def family_page(request: HttpRequest, child_id: str) -> HttpResponse:
    return _family_response(request, _child_or_404(request, child_id))


@staff_view(can_see_families)
@require_POST
def family_paper_application(request: HttpRequest, child_id: str) -> HttpResponse:
    child = _child_or_404(request, child_id)
    form = _paper_form(child, request.POST)
    if not form.is_valid():
        return _family_response(request, child, paper_form=form, status=400)
    try:
        paper_application_create(
            child=child, guardian=form.cleaned_data["guardian"], unit_ids=form.cleaned_data["units"],
            supplementary_ecec=form.cleaned_data["supplementary_ecec"],
            received_on=form.cleaned_data["received_on"], actor=actor(request),
        )  # fmt: skip
    except ApplicationError as error:
        form.add_error(None, PAPER_APPLICATION_ERRORS[error.code])
        return _family_response(request, child, paper_form=form, status=400)
    messages.success(request, _("The paper application was entered."))
    return redirect("staff:family", child_id=child.child_id)


@staff_view(can_see_families)
@require_POST
def family_answer(request: HttpRequest, child_id: str) -> HttpResponse:
    child = _child_or_404(request, child_id)
    form = _answer_form(child, request.POST)
    if not form.is_valid():
        messages.error(request, _("The answer was not recorded: choose the offer, the answer and how it was given."))
        return redirect("staff:family", child_id=child.child_id)
    outcome = offer_answer(
        offer_id=form.cleaned_data["offer"].pk, accept=form.cleaned_data["answer"] == "accept",
        guardian=form.cleaned_data["guardian"], channel=form.cleaned_data["channel"], actor=actor(request),
    )  # fmt: skip
    if outcome.result is AnswerResult.APPLIED:
        messages.success(request, _("The answer was recorded."))
    else:
        messages.error(request, _("The answer was not recorded: the offer already has an answer."))
    return redirect("staff:family", child_id=child.child_id)
