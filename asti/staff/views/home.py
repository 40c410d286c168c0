"""The staff front page: what this staff member's roles let them do."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from asti.applications.models import ApplicationKind
from asti.applications.queue import QueueFilters, queue_counts
from asti.conversations import selectors as conversations
from asti.core import clock
from asti.decisions.models import BatchStatus
from asti.offers.models import OfferRound
from asti.staff import selectors
from asti.staff.access import staff_view
from asti.staff.worklist import worklist_counts


@staff_view()
def home(request: HttpRequest) -> HttpResponse:
    user = request.user
    plan = selectors.can_plan_rounds(user=user)
    application_counts = []
    if selectors.can_see_applications(user=user):
        today = clock.today_helsinki()
        limit = selectors.application_units_limit(user=user)
        application_counts = [
            (kind, label, queue_counts(QueueFilters(kind=kind, wished_units=limit), today))
            for kind, label in ApplicationKind.choices
        ]
    return render(
        request,
        "staff/home.html",
        {
            "rounds": OfferRound.objects.order_by("-year", "-pk")[:5] if plan else [],
            "units": selectors.units_visible_for(user=user)[:20],
            "application_counts": application_counts,
            "to_approve": selectors.decision_batches_visible_for(user=user).filter(
                status=BatchStatus.PREPARED, decision_maker_username=user.get_username()
            )
            if selectors.can_decide(user=user)
            else [],
            "worklist_counts": worklist_counts(user),
            "inbox_counts": conversations.inbox_counts(user=user) if conversations.can_use_inbox(user=user) else None,
        },
    )
