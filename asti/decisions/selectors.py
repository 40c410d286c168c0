"""Reads for decisions: what a guardian may see (only what has been released), and a batch's figures."""

from __future__ import annotations

from django.db.models import QuerySet

from asti.core import clock
from asti.decisions.models import Decision
from asti.offers.selectors import children_visible_for
from asti.people.models import Guardian


def decisions_visible_for(*, guardian: Guardian) -> QuerySet[Decision]:
    """Released decisions on the children in this guardian's active custody; nothing before the release instant."""
    return (
        Decision.objects.filter(
            child__in=children_visible_for(guardian=guardian),
            batch__released_at__isnull=False,
            batch__released_at__lte=clock.now(),
        )
        .select_related("batch", "child")
        .order_by("-batch__released_at", "number")
    )


def decision_visible_for(*, guardian: Guardian, decision_id: int) -> Decision | None:
    return decisions_visible_for(guardian=guardian).filter(pk=decision_id).first()


def delivery_is_electronic(*, guardian: Guardian) -> bool:
    """Whether the guardian has agreed to get decisions electronically (else they come by post)."""
    from asti.decisions.models import DeliveryConsent

    return DeliveryConsent.objects.filter(guardian=guardian, withdrawn_at__isnull=True).exists()
