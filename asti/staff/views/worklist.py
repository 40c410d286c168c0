"""The follow-up work list: everything that needs a person, taken, given to someone, and marked done."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from asti.audit.services import audit_log_many
from asti.core import clock
from asti.messaging.models import FollowUp
from asti.messaging.services import follow_up_assign, follow_up_resolve
from asti.staff.access import actor, staff_view
from asti.staff.forms_families import FollowUpAssignForm, FollowUpDoneForm, WorklistFilterForm
from asti.staff.worklist import (
    PAGE_SIZE,
    can_use_worklist,
    follow_up_assignees,
    follow_up_for,
    worklist,
    worklist_counts,
    worklist_rows,
)


@staff_view(can_use_worklist)
@require_GET
def worklist_page(request: HttpRequest) -> HttpResponse:
    form = WorklistFilterForm(request.GET or None)
    filters = form.filters()
    page = Paginator(worklist(filters, request.user), PAGE_SIZE).get_page(request.GET.get("page"))
    rows = worklist_rows(list(page.object_list), now=clock.now())
    children = sorted({row.child.child_id for row in rows if row.child is not None})
    guardians = sorted({row.follow_up.guardian.guardian_id for row in rows if row.follow_up.guardian is not None})
    who = actor(request)
    details = {"page": "worklist"}
    audit_log_many(actor=who, operation="SEARCH", target_type="child", target_ids=children, details=details)
    audit_log_many(actor=who, operation="SEARCH", target_type="guardian", target_ids=guardians, details=details)
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "staff/worklist.html",
        {
            "form": form,
            "filters": filters,
            "page": page,
            "rows": rows,
            "counts": worklist_counts(request.user),
            "query": query.urlencode(),
            "assignees": [(u.pk, u.get_full_name() or u.get_username()) for u in follow_up_assignees()],
            "done_form": FollowUpDoneForm(),
        },
    )


def _follow_up_or_404(request: HttpRequest, pk: int) -> FollowUp:
    follow_up = follow_up_for(user=request.user, pk=pk)
    if follow_up is None:
        raise Http404
    return follow_up


def _back(request: HttpRequest, follow_up: FollowUp | None = None) -> HttpResponse:
    """Back to the list as it was filtered (only a query string is taken from the form, never an address)."""
    query = QueryDict(request.POST.get("back", "")).urlencode()
    anchor = f"#follow-up-{follow_up.pk}" if follow_up is not None else ""
    return redirect(reverse("staff:worklist") + (f"?{query}" if query else "") + anchor)


def _owner_name(follow_up: FollowUp) -> str:
    owner: Any = follow_up.owner
    return str(owner.get_full_name() or owner.get_username()) if owner is not None else ""


@staff_view(can_use_worklist)
@require_POST
def worklist_take(request: HttpRequest, pk: int) -> HttpResponse:
    follow_up = _follow_up_or_404(request, pk)
    user: Any = request.user
    if follow_up_assign(follow_up=follow_up, owner=user, actor=actor(request), only_if_unassigned=True):
        messages.success(request, _("It is yours now."))
        return _back(request, follow_up)
    follow_up.refresh_from_db()
    if follow_up.resolved_at is not None:
        messages.error(request, _("It was already marked done."))
    else:
        messages.error(request, _("Someone else took it already: %(name)s.") % {"name": _owner_name(follow_up)})
    return _back(request, follow_up)


@staff_view(can_use_worklist)
@require_POST
def worklist_assign(request: HttpRequest, pk: int) -> HttpResponse:
    follow_up = _follow_up_or_404(request, pk)
    form = FollowUpAssignForm(request.POST, assignees=follow_up_assignees())
    if not form.is_valid():
        messages.error(request, _("Choose someone from service guidance."))
    elif follow_up_assign(follow_up=follow_up, owner=form.cleaned_data["owner"], actor=actor(request)):
        messages.success(request, _("The follow-up was given on."))
    else:
        messages.error(request, _("It was already marked done."))
    return _back(request, follow_up)


@staff_view(can_use_worklist)
@require_POST
def worklist_done(request: HttpRequest, pk: int) -> HttpResponse:
    follow_up = _follow_up_or_404(request, pk)
    form = FollowUpDoneForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Write a short note of what was done before marking it done."))
        return _back(request, follow_up)
    if follow_up_resolve(follow_up=follow_up, actor=actor(request), note=form.cleaned_data["note"]):
        messages.success(request, _("Marked done."))
    else:
        follow_up.refresh_from_db()
        messages.error(request, _("%(name)s already marked it done.") % {"name": follow_up.resolved_by or _("Someone")})
    return _back(request)
