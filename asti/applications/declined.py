"""After a declined offer: what the family does instead, and taking the decline back before the deadline.

Pre-primary education is a duty, but the guardian may fulfil it elsewhere (a private unit, or other activity that
meets its goals, PoL 26 a §): "we do not need a municipal place" is an answer of its own, not a dead end. A
guardian who declined by mistake may undo it until the offer's deadline, as long as no application made instead
is being handled (cancel that first: one place per child).
"""

from __future__ import annotations

import datetime as dt
import enum

from django.db import transaction

from asti.applications.models import OPEN_STATUSES, Application
from asti.applications.selectors import registry_details_for
from asti.audit.services import audit_log
from asti.core import clock
from asti.messaging.models import Lane
from asti.messaging.services import message_enqueue_bulk
from asti.offers.models import DeclineReason, Offer, OfferStatus
from asti.offers.notify import messages_for
from asti.offers.sending import active_guardians
from asti.people.models import Guardian


class DeclineError(enum.StrEnum):
    NOT_GUARDIAN = "not_guardian"
    NOT_DECLINED = "not_declined"
    PAST_DEADLINE = "past_deadline"
    APPLICATION_PENDING = "application_pending"
    UNKNOWN_REASON = "unknown_reason"


class DeclineRefused(Exception):
    def __init__(self, code: DeclineError) -> None:
        super().__init__(str(code))
        self.code = code


def decline_can_be_undone(offer: Offer, *, at: dt.datetime) -> bool:
    """The one rule for offering "undo": declined, and the deadline has not passed."""
    return offer.status == OfferStatus.DECLINED and at <= offer.deadline


def _locked(offer_id: int, guardian: Guardian) -> Offer:
    offer = Offer.objects.select_for_update().select_related("child", "unit", "round").get(pk=offer_id)
    if registry_details_for(guardian=guardian, child=offer.child) is None:
        raise DeclineRefused(DeclineError.NOT_GUARDIAN)
    if offer.status != OfferStatus.DECLINED:
        raise DeclineRefused(DeclineError.NOT_DECLINED)
    return offer


def offer_decline_reason_set(*, offer_id: int, guardian: Guardian, reason: str, actor: str) -> Offer:
    """Records what the family does instead of the declined place (it counts in the round's figures)."""
    if reason not in DeclineReason.values:
        raise DeclineRefused(DeclineError.UNKNOWN_REASON)
    with transaction.atomic():
        offer = _locked(offer_id, guardian)
        offer.decline_reason = reason
        offer.save(update_fields=["decline_reason", "updated_at"])
        audit_log(
            actor=actor, operation="OFFER_DECLINE_REASON", target_type="child", target_id=offer.child.child_id,
            details={"offer": offer.pk, "reason": reason},
        )  # fmt: skip
        return offer


def offer_decline_undo(*, offer_id: int, guardian: Guardian, actor: str) -> Offer:
    """Opens the declined offer again until its deadline; the family is told, and can then accept it."""
    with transaction.atomic():
        offer = _locked(offer_id, guardian)
        if not decline_can_be_undone(offer, at=clock.now()):
            raise DeclineRefused(DeclineError.PAST_DEADLINE)
        if Application.objects.filter(declined_offer=offer, status__in=OPEN_STATUSES).exists():
            raise DeclineRefused(DeclineError.APPLICATION_PENDING)
        offer.status = OfferStatus.OPEN
        offer.answered_at = None
        offer.answered_by = None
        offer.answer_channel = ""
        offer.decline_reason = ""
        offer.save(
            update_fields=["status", "answered_at", "answered_by", "answer_channel", "decline_reason", "updated_at"]
        )
        audit_log(
            actor=actor, operation="OFFER_DECLINE_UNDO", target_type="child", target_id=offer.child.child_id,
            details={"offer": offer.pk},
        )  # fmt: skip
        family = active_guardians([offer.child_id]).get(offer.child_id, [])
        message_enqueue_bulk(
            messages=messages_for(offer, family, template_key="applications.decline_undone", lane=Lane.FAST)
        )
        return offer
