"""Reads for the families pages: the searchable list of a round's children and one family's whole story."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.db.models import CharField, Exists, OuterRef, Prefetch, Q, QuerySet
from django.db.models.functions import Cast

from asti.applications.models import Application, ApplicationEvent, Wish
from asti.messaging.models import FAILED_STATUSES, FollowUp, InboundMessage, Message
from asti.offers.models import Feedback, Offer, OfferRound, Proposal
from asti.people.models import Child, Guardian


@dataclass(frozen=True)
class FamilyFilters:
    query: str = ""
    area: str = ""
    unit: str = ""
    status: str = ""
    channel_failures: bool = False
    follow_up: bool = False


def family_list(*, children: QuerySet[Child], offer_round: OfferRound, filters: FamilyFilters) -> QuerySet[Proposal]:
    """The round's proposals for the children the user may see, with the offer, filtered."""
    offer_pk_text = Cast(OuterRef("offer__pk"), CharField())
    failed = Message.objects.filter(subject_type="offer", subject_id=offer_pk_text, status__in=FAILED_STATUSES)
    open_follow_up = FollowUp.objects.filter(subject_type="offer", subject_id=offer_pk_text, resolved_at__isnull=True)
    rows = (
        Proposal.objects.filter(round=offer_round, child__in=children)
        .select_related("child", "child__admission_area", "unit", "offer")
        .annotate(has_failure=Exists(failed), needs_follow_up=Exists(open_follow_up))
        .order_by("child__last_name", "child__first_name", "child__child_id")
    )
    for word in filters.query.split()[:4]:
        rows = rows.filter(
            Q(child__first_name__icontains=word)
            | Q(child__last_name__icontains=word)
            | Q(child__child_id__iexact=word)
            | Q(child__custodies__guardian__last_name__icontains=word)
        )
    if filters.area:
        rows = rows.filter(child__admission_area__area_id=filters.area)
    if filters.unit:
        rows = rows.filter(unit__unit_id=filters.unit)
    if filters.status == "not_sent":
        rows = rows.filter(offer__isnull=True)
    elif filters.status:
        rows = rows.filter(offer__status=filters.status)
    if filters.channel_failures:
        rows = rows.filter(has_failure=True)
    if filters.follow_up:
        rows = rows.filter(needs_follow_up=True)
    return rows.distinct()


@dataclass
class Family:
    child: Child
    guardians: list[Guardian]
    proposals: list[Proposal]
    offers: list[Offer]
    messages: list[Message]
    replies: list[InboundMessage]
    follow_ups: list[FollowUp]
    feedback: list[Feedback]
    applications: list[Application] = field(default_factory=list)
    timeline: list[dict[str, Any]] = field(default_factory=list)


def family_detail(*, child: Child) -> Family:
    guardians = list(
        Guardian.objects.filter(custodies__child=child, custodies__active=True).order_by("guardian_id").distinct()
    )
    proposals = list(
        Proposal.objects.filter(child=child).select_related("round", "unit", "override_unit").order_by("-round_id")
    )
    offers = list(Offer.objects.filter(child=child).select_related("round", "unit", "answered_by").order_by("-pk"))
    offer_ids = [str(o.pk) for o in offers]
    messages = list(
        Message.objects.filter(subject_type="offer", subject_id__in=offer_ids).select_related("guardian").order_by("pk")
    )
    numbers = [g.phone for g in guardians if g.phone]
    replies = list(
        InboundMessage.objects.filter(Q(guardian__in=guardians) | Q(sender__in=numbers)).order_by("received_at", "pk")
    )
    follow_ups = list(FollowUp.objects.filter(subject_type="offer", subject_id__in=offer_ids).order_by("created_at"))
    feedback = list(Feedback.objects.filter(offer__in=offers).select_related("guardian").order_by("given_at"))
    applications = list(
        Application.objects.filter(child=child)
        .select_related("guardian", "declined_offer")
        .prefetch_related(
            Prefetch("wishes", queryset=Wish.objects.select_related("unit", "school").order_by("position")),
            Prefetch("events", queryset=ApplicationEvent.objects.order_by("at", "id")),
        )
        .order_by("-sent_at", "-pk")
    )
    family = Family(child, guardians, proposals, offers, messages, replies, follow_ups, feedback, applications)
    family.timeline = _timeline(family)
    return family


def _timeline(family: Family) -> list[dict[str, Any]]:
    events: list[tuple[dt.datetime, str, str]] = []
    for offer in family.offers:
        events.append((offer.sent_at, "offer_sent", offer.unit.name_fi))
        if offer.answered_at:
            events.append((offer.answered_at, "offer_" + offer.status, offer.get_answer_channel_display()))
    for message in family.messages:
        events.append((message.created_at, "message_created", f"{message.channel} {message.template_key}"))
        if message.delivered_at:
            events.append((message.delivered_at, "message_delivered", message.channel))
        if message.failed_at:
            events.append((message.failed_at, "message_failed", f"{message.channel}: {message.last_error}"[:200]))
    for reply in family.replies:
        events.append((reply.received_at, "reply_received", reply.text[:160]))
    for follow_up in family.follow_ups:
        events.append((follow_up.created_at, "follow_up", follow_up.get_reason_display()))
    for feedback in family.feedback:
        events.append((feedback.given_at, "feedback", str(feedback.score)))
    for application in family.applications:
        for event in application.events.all():
            events.append((event.at, "application_" + event.kind, event.get_kind_display()))
    events.sort(key=lambda e: e[0])
    return [{"at": at, "kind": kind, "detail": detail} for at, kind, detail in events]
