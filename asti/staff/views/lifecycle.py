"""A round's lifecycle from the staff pages: create, allocate, send, close, the second round and its review, the
decision batches (prepare, follow the documents being made, approve, the print file), and the job pages.

Every long action is a background job: the POST queues it and redirects to its page, which refreshes itself
(a meta refresh, no script) until the job is done or failed."""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db.models import Count
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from asti.applications.second_round import second_round_confirm
from asti.audit.services import audit_log, audit_log_many
from asti.core import clock
from asti.decisions.models import BatchStatus, Decision, DecisionBatch, DecisionKind, Delivery
from asti.decisions.services import (
    DecisionError,
    batch_ready_for_approval,
    decision_batch_approve,
    decision_batch_prepare,
    decisions_pending_for,
)
from asti.jobs.models import Job
from asti.offers import selectors as offer_selectors
from asti.offers.models import OfferRound
from asti.offers.services import RoundError, round_create
from asti.staff import lifecycle
from asti.staff.access import actor, staff_view
from asti.staff.forms_lifecycle import ApproveForm, BatchPrepareForm, RoundCreateForm
from asti.staff.jobs import job_view
from asti.staff.second_round import second_round_review
from asti.staff.selectors import (
    can_approve_batch,
    can_decide,
    can_download_print_file,
    can_plan_rounds,
    can_see_decisions,
    can_see_jobs,
    decision_batches_visible_for,
    decision_makers,
    families_visible_for,
    jobs_visible_for,
)

SAMPLES = 5


def _refused(request: HttpRequest, error: lifecycle.ActionRefused, round_id: int) -> HttpResponse:
    messages.error(request, str(error.message))
    return redirect("staff:round", round_id=round_id)


@staff_view(can_plan_rounds)
@require_POST
def round_create_view(request: HttpRequest) -> HttpResponse:
    form = RoundCreateForm(request.POST)
    if not form.is_valid():
        messages.error(
            request, _("Give the year as four digits, e.g. %(year)d.") % {"year": clock.today_helsinki().year + 1}
        )
        return redirect("staff:rounds")
    try:
        offer_round = round_create(year=form.cleaned_data["year"], actor=actor(request))
    except RoundError:
        messages.error(request, _("The round could not be created."))
        return redirect("staff:rounds")
    messages.success(request, _("The round was created. Allocate its places next."))
    return redirect("staff:round", round_id=offer_round.pk)


def _start(request: HttpRequest, round_id: int, kind: str) -> HttpResponse:
    get_object_or_404(OfferRound, pk=round_id)
    try:
        job = lifecycle.round_job_start(round_id=round_id, kind=kind, actor=actor(request))
    except lifecycle.ActionRefused as error:
        return _refused(request, error, round_id)
    return redirect("staff:job", job_id=job.pk)


@staff_view(can_plan_rounds)
@require_POST
def round_allocate_view(request: HttpRequest, round_id: int) -> HttpResponse:
    return _start(request, round_id, lifecycle.ALLOCATE)


@staff_view(can_plan_rounds)
@require_POST
def round_close_view(request: HttpRequest, round_id: int) -> HttpResponse:
    get_object_or_404(OfferRound, pk=round_id)
    try:
        lifecycle.round_close_now(round_id=round_id, actor=actor(request))
    except lifecycle.ActionRefused as error:
        return _refused(request, error, round_id)
    messages.success(request, _("The round was closed. The units' pre-primary capacities can be changed again."))
    return redirect("staff:round", round_id=round_id)


@staff_view(can_plan_rounds)
@require_http_methods(["GET", "POST"])
def second_round_view(request: HttpRequest, round_id: int) -> HttpResponse:
    """GET: the result to review; POST: compute it (again) in the background."""
    if request.method == "POST":
        return _start(request, round_id, lifecycle.SECOND_ROUND)
    offer_round = get_object_or_404(OfferRound, pk=round_id)
    rows = second_round_review(offer_round=offer_round, user=request.user)
    audit_log_many(actor=actor(request), operation="VIEW_LIST", target_type="child",
                   target_ids=[r.child_id for r in rows])  # fmt: skip
    context = {
        "round": offer_round,
        "rows": rows,
        "actions": lifecycle.round_actions(offer_round=offer_round),
        "counts": {m: sum(1 for r in rows if r.method == m) for m in ("wish", "assigned", "unplaced")},
    }
    return render(request, "staff/second_round.html", context)


@staff_view(can_plan_rounds)
@require_POST
def second_round_confirm_view(request: HttpRequest, round_id: int) -> HttpResponse:
    offer_round = get_object_or_404(OfferRound, pk=round_id)
    actions = lifecycle.round_actions(offer_round=offer_round)
    if actions.running is not None:
        messages.error(request, _("Another action of this round is still running. Wait until it has finished."))
    elif not actions.second_round or not actions.second_round_to_confirm:
        messages.error(request, _("There is no second-round result waiting for confirmation."))
    else:
        n = second_round_confirm(round_id=offer_round.pk, actor=actor(request))
        messages.success(request, ngettext("%(n)d place was proposed to the family.",
                                           "%(n)d places were proposed to the families.", n) % {"n": n})  # fmt: skip
    return redirect("staff:second_round", round_id=offer_round.pk)


@staff_view(can_plan_rounds)
@require_http_methods(["GET", "POST"])
def batch_prepare_view(request: HttpRequest, round_id: int) -> HttpResponse:
    offer_round = get_object_or_404(OfferRound, pk=round_id)
    allowed = offer_round.status in lifecycle.DECISIONS_ALLOWED
    initial = {"title": _("Pre-primary education %(year)d") % {"year": offer_round.year},
               "decided_on": clock.today_helsinki()}  # fmt: skip
    form = BatchPrepareForm(request.POST or None, initial=initial, decision_makers=decision_makers())
    if request.method == "POST":
        if not allowed:
            form.add_error(None, _("Decisions can be prepared once the round has been sent."))
        elif form.is_valid():
            try:
                prepared = decision_batch_prepare(
                    title=form.cleaned_data["title"], decided_on=form.cleaned_data["decided_on"],
                    decision_maker=form.decision_maker_signature(),
                    decision_maker_username=form.cleaned_data["decision_maker"].get_username(),
                    prepared_by=actor(request), offer_round=offer_round,
                    applications=decisions_pending_for(offer_round=offer_round),
                )  # fmt: skip
            except DecisionError:
                form.add_error(None, _("There is nothing to decide: every accepted offer and proposed place "
                                       "already has its decision."))  # fmt: skip
            else:
                job = lifecycle.batch_jobs(batch=prepared.batch)["render"]
                messages.success(request, ngettext("%(n)d decision was prepared.", "%(n)d decisions were prepared.",
                                                   prepared.decisions) % {"n": prepared.decisions})  # fmt: skip
                if job is not None:
                    return redirect("staff:job", job_id=job.pk)
                return redirect("staff:batch", batch_id=prepared.batch.pk)
    context = {
        "round": offer_round,
        "form": form,
        "allowed": allowed,
        "no_decision_makers": not decision_makers().exists(),
        "batches": DecisionBatch.objects.filter(offer_round=offer_round),
    }
    return render(request, "staff/batch_prepare.html", context, status=400 if form.errors else 200)


@staff_view(can_see_decisions)
@require_GET
def batch_list(request: HttpRequest) -> HttpResponse:
    batches = decision_batches_visible_for(user=request.user).select_related("offer_round")[:100]
    return render(request, "staff/batch_list.html", {"batches": batches})


def _batch_or_404(request: HttpRequest, batch_id: int) -> DecisionBatch:
    batch = decision_batches_visible_for(user=request.user).select_related("offer_round").filter(pk=batch_id).first()
    if batch is None:
        raise Http404
    return batch


def _batch_response(
    request: HttpRequest, batch: DecisionBatch, form: ApproveForm | None, status: int = 200
) -> HttpResponse:
    jobs = lifecycle.batch_jobs(batch=batch)
    may_approve = can_approve_batch(user=request.user, batch=batch) and batch.status == BatchStatus.PREPARED
    ready = batch_ready_for_approval(batch)
    if may_approve and form is None:
        form = ApproveForm(initial={"release_at": _default_release()})
    context = {
        "batch": batch,
        "render_job": job_view(jobs["render"]) if jobs["render"] else None,
        "print_job": job_view(jobs["print"]) if jobs["print"] else None,
        "ready": ready,
        "samples": batch.decisions.exclude(pdf_sha256="").order_by("number")[:SAMPLES],
        "form": form if may_approve else None,
        "named": can_approve_batch(user=request.user, batch=batch),
        "print_allowed": can_download_print_file(user=request.user),
        "by_kind": _by_kind(batch),
    }
    return render(request, "staff/batch.html", context, status=status)


def _by_kind(batch: DecisionBatch) -> list[tuple[str, int]]:
    labels = dict(DecisionKind.choices)
    rows = batch.decisions.values("kind").annotate(n=Count("id")).order_by("kind")
    return [(str(labels.get(r["kind"], r["kind"])), r["n"]) for r in rows]


def _default_release() -> str:
    tomorrow = clock.now().astimezone(clock.HELSINKI).date() + dt.timedelta(days=1)
    return f"{tomorrow.isoformat()}T08:00"


@staff_view(can_see_decisions)
@require_GET
def batch_page(request: HttpRequest, batch_id: int) -> HttpResponse:
    return _batch_response(request, _batch_or_404(request, batch_id), None)


@staff_view(can_decide)
@require_POST
def batch_approve(request: HttpRequest, batch_id: int) -> HttpResponse:
    batch = _batch_or_404(request, batch_id)
    if not can_approve_batch(user=request.user, batch=batch):
        raise PermissionDenied
    form = ApproveForm(request.POST)
    if not form.is_valid():
        return _batch_response(request, batch, form, status=400)
    try:
        decision_batch_approve(batch_id=batch.pk, approver=actor(request), release_at=form.cleaned_data["release_at"])
    except DecisionError:
        if batch.status != BatchStatus.PREPARED:
            form.add_error(None, _("The batch has already been approved."))
        else:
            form.add_error(None, _("The decisions' documents are still being made. Approve when they are ready."))
        return _batch_response(request, batch, form, status=400)
    messages.success(request, _("The decisions were approved. They are released to the families at the time given."))
    return redirect("staff:batch", batch_id=batch.pk)


def _pdf_response(file: object, filename: str) -> FileResponse:
    response = FileResponse(file, as_attachment=True, filename=filename, content_type="application/pdf")
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response


@staff_view(can_see_decisions)
@require_GET
def decision_document(request: HttpRequest, batch_id: int, decision_id: int) -> FileResponse:
    batch = _batch_or_404(request, batch_id)
    decision = (
        Decision.objects.filter(batch=batch, pk=decision_id).exclude(pdf_sha256="").select_related("child").first()
    )
    if decision is None:
        raise Http404
    audit_log(actor=actor(request), operation="DECISION_READ", target_type="child", target_id=decision.child.child_id,
              details={"decision": decision.number, "batch": batch.pk})  # fmt: skip
    return _pdf_response(decision.pdf.open("rb"), f"{decision.number}.pdf")


@staff_view(can_download_print_file)
@require_GET
def batch_print_file(request: HttpRequest, batch_id: int) -> FileResponse:
    batch = _batch_or_404(request, batch_id)
    if batch.status != BatchStatus.RELEASED or not batch.print_file:
        raise Http404
    postal = [
        d.child.child_id
        for d in batch.decisions.select_related("child").order_by("number")
        if any(r["delivery"] == Delivery.POST for r in d.recipients)
    ]
    audit_log(actor=actor(request), operation="DECISIONS_PRINT_FILE_READ", target_type="decision_batch",
              target_id=str(batch.pk), details={"decisions": len(postal)})  # fmt: skip
    audit_log_many(actor=actor(request), operation="EXPORT", target_type="child", target_ids=sorted(set(postal)))
    return _pdf_response(batch.print_file.open("rb"), f"print-{batch.pk}.pdf")


@staff_view(can_see_jobs)
@require_GET
def job_page(request: HttpRequest, job_id: int) -> HttpResponse:
    job: Job | None = jobs_visible_for(user=request.user).filter(pk=job_id).first()
    if job is None:
        raise Http404
    view = job_view(job)
    moves = None
    if view.moves is not None:  # a what-if's or an override's children, by name: a read of personal data
        moves = offer_selectors.move_rows(
            moves=view.moves[:MOVES_SHOWN], children=families_visible_for(user=request.user)
        )
        audit_log_many(
            actor=actor(request), operation="VIEW_LIST", target_type="child", target_ids=[m.child_id for m in moves]
        )
    return render(
        request,
        "staff/job.html",
        {"view": view, "moves": moves, "moves_hidden": max(0, len(view.moves or []) - MOVES_SHOWN),
         "capacities": lifecycle.what_if_capacities(job)},
    )  # fmt: skip


MOVES_SHOWN = 1000  # a job page lists at most this many children; it says how many more there are
