"""Families: the round's list, finding a family, one family's page, an answer given by phone or on paper, and
notes of calls and visits."""

from __future__ import annotations

from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from asti.applications.selectors import wishable_units
from asti.applications.services import (
    ApplicationError,
    ApplicationErrorCode,
    paper_application_blocker,
    paper_application_create,
)
from asti.audit.services import audit_log, audit_log_many
from asti.conversations.notes import CallNoteError, CallNoteErrorCode, call_note_add, call_notes_for
from asti.conversations.selectors import family_threads
from asti.core import clock
from asti.offers.answers import AnswerResult, offer_answer
from asti.offers.models import Offer, OfferRound, OfferStatus
from asti.people.models import Child, Guardian
from asti.people.protection import child_home_hidden
from asti.staff.access import actor, staff_view
from asti.staff.families import FamilyFilters, family_children, family_detail, family_guardians, family_list
from asti.staff.family_search import FamilySearch, SearchProblem, family_find
from asti.staff.forms import AnswerForm, FamilyFilterForm, PaperApplicationForm
from asti.staff.forms_families import CallNoteForm, FamilyFindForm
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


def _note_form(child: Child, children: list[Child], guardians: list[Guardian], data: object = None) -> CallNoteForm:
    return CallNoteForm(
        data, children=Child.objects.filter(pk__in=[c.pk for c in children]).order_by("birth_date", "first_name"),
        only_child=child if len(children) == 1 else None,
        guardians=Guardian.objects.filter(pk__in=[g.pk for g in guardians]).order_by("guardian_id"),
        initial={"child": child}, prefix="note",
    )  # fmt: skip


def _family_response(
    request: HttpRequest,
    child: Child,
    *,
    paper_form: PaperApplicationForm | None = None,
    note_form: CallNoteForm | None = None,
    status: int = 200,
) -> HttpResponse:
    family = family_detail(child=child, visible=families_visible_for(user=request.user))
    others = [c.child_id for c in family.children if c.pk != child.pk]
    guardian_ids = [g.guardian_id for g in family.guardians]
    who = actor(request)
    audit_log(actor=who, operation="VIEW", target_type="child", target_id=child.child_id,
              details={"page": "family", "guardians": guardian_ids, "children": others})  # fmt: skip
    details = {"page": "family", "child": child.child_id}
    audit_log_many(actor=who, operation="VIEW", target_type="child", target_ids=others, details=details)
    audit_log_many(actor=who, operation="VIEW", target_type="guardian", target_ids=guardian_ids, details=details)
    timeline = [{**event, "label": TIMELINE_LABELS.get(event["kind"], event["kind"])} for event in family.timeline]
    home_hidden = child_home_hidden(child=child, user=request.user, custodians=family.guardians)
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
            "home_hidden": home_hidden,
            "threads": family_threads(children=family.children, guardians=family.guardians),
            "call_notes": call_notes_for(family.children),
            "note_form": note_form or _note_form(child, family.children, family.guardians),
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


CALL_NOTE_ERRORS = {
    CallNoteErrorCode.EMPTY: gettext_lazy("Write the note."),
    CallNoteErrorCode.TOO_LONG: gettext_lazy("The note is too long."),
    CallNoteErrorCode.NOT_GUARDIAN: gettext_lazy("The guardian chosen does not have custody of the child."),
    CallNoteErrorCode.UNKNOWN_CHANNEL: gettext_lazy("Choose how you were in touch."),
}


@staff_view(can_see_families)
@require_POST
def family_note(request: HttpRequest, child_id: str) -> HttpResponse:
    child = _child_or_404(request, child_id)
    visible = families_visible_for(user=request.user)
    guardians = family_guardians(child=child)
    children = family_children(child=child, guardians=guardians, visible=visible)
    form = _note_form(child, children, guardians, request.POST)
    if not form.is_valid():
        return _family_response(request, child, note_form=form, status=400)
    try:
        call_note_add(
            actor=actor(request), child=form.chosen_child(), guardian=form.cleaned_data["guardian"],
            channel=form.cleaned_data["channel"], text=form.cleaned_data["text"],
        )  # fmt: skip
    except CallNoteError as error:
        form.add_error(None, CALL_NOTE_ERRORS[error.code])
        return _family_response(request, child, note_form=form, status=400)
    messages.success(request, _("The note was saved."))
    return redirect(reverse("staff:family", args=[child.child_id]) + "#call-notes")


# ---------------------------------------------------------------------------------------------------------------
# finding a family by name, phone number, email or identity code

SEARCH_PROBLEMS = {
    SearchProblem.TOO_SHORT: gettext_lazy("Write at least two letters of a name."),
    SearchProblem.BAD_IDENTITY_CODE: gettext_lazy(
        "That is not a valid personal identity code. Check the code, especially its last character."
    ),
    SearchProblem.BAD_PHONE: gettext_lazy("That is not a phone number we can read. Check the number."),
    SearchProblem.TOO_MANY_IDENTITY_CODES: gettext_lazy(
        "You have searched by identity code many times in the last hour. Search by name or phone number, or try "
        "again later."
    ),
}


@staff_view(can_see_families)
@require_GET
def family_find_page(request: HttpRequest) -> HttpResponse:
    form = FamilyFindForm(request.GET or None)
    result = FamilySearch()
    if form.is_bound and form.is_valid():
        result = family_find(user=request.user, query=form.cleaned_data["q"])
        if result.problem is not None:
            form.add_error("q", SEARCH_PROBLEMS[result.problem])
        elif result.by is not None:
            _audit_search(request, result)
    return render(request, "staff/family_find.html", {"form": form, "result": result})


def _audit_search(request: HttpRequest, result: FamilySearch) -> None:
    """One SEARCH event per child and per guardian shown, each saying how the search was made (never what was
    searched for); a search that found nobody leaves one event too."""
    who = actor(request)
    details = {"page": "family_find", "by": str(result.by)}
    if not result.hits:
        audit_log(actor=who, operation="SEARCH", target_type="family_search", details={**details, "results": 0})
        return
    children = [hit.child.child_id for hit in result.hits]
    guardians = [g.guardian_id for g in result.guardians_shown]
    audit_log_many(actor=who, operation="SEARCH", target_type="child", target_ids=children, details=details)
    audit_log_many(actor=who, operation="SEARCH", target_type="guardian", target_ids=guardians, details=details)
