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
from asti.people.models import Child, Custody, Guardian
from asti.staff.labels import CHANNELS, label, message_label


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
    """One child's page, with the whole family around it: every child in the custody of the child's guardians,
    and one timeline of them all. The offers, messages and applications shown in full are the child's own."""

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
    children: list[Child] = field(default_factory=list)


def family_guardians(*, child: Child) -> list[Guardian]:
    return list(
        Guardian.objects.filter(custodies__child=child, custodies__active=True).order_by("guardian_id").distinct()
    )


def family_children(*, child: Child, guardians: list[Guardian], visible: QuerySet[Child]) -> list[Child]:
    """The child and every child the user may see in the active custody of one of the child's guardians, the
    eldest first."""
    siblings = Custody.objects.filter(child=OuterRef("pk"), guardian__in=guardians, active=True)
    return list(
        visible.filter(Q(pk=child.pk) | (Q(active=True) & Exists(siblings)))
        .select_related("admission_area", "current_unit")
        .order_by("birth_date", "first_name", "child_id")
    )


def family_detail(*, child: Child, visible: QuerySet[Child]) -> Family:
    """The child's page, with the family's children among `visible` (the children the user may see)."""
    guardians = family_guardians(child=child)
    children = family_children(child=child, guardians=guardians, visible=visible)
    everyone = [c.pk for c in children]
    proposals = list(
        Proposal.objects.filter(child=child).select_related("round", "unit", "override_unit").order_by("-round_id")
    )
    all_offers = list(
        Offer.objects.filter(child__in=everyone).select_related("round", "unit", "answered_by").order_by("-pk")
    )
    offer_ids = [str(o.pk) for o in all_offers]
    all_messages = list(
        Message.objects.filter(subject_type="offer", subject_id__in=offer_ids).select_related("guardian").order_by("pk")
    )
    numbers = [g.phone for g in guardians if g.phone]
    replies = list(
        InboundMessage.objects.filter(Q(guardian__in=guardians) | Q(sender__in=numbers))
        .select_related("answer")
        .order_by("received_at", "pk")
    )
    all_applications = list(
        Application.objects.filter(child__in=everyone)
        .select_related("guardian", "declined_offer")
        .prefetch_related(
            Prefetch("wishes", queryset=Wish.objects.select_related("unit", "school").order_by("position")),
            Prefetch("events", queryset=ApplicationEvent.objects.order_by("at", "id")),
        )
        .order_by("-sent_at", "-pk")
    )
    application_ids = [str(a.pk) for a in all_applications]
    all_follow_ups = list(
        FollowUp.objects.filter(
            Q(subject_type="offer", subject_id__in=offer_ids)
            | Q(subject_type="application", subject_id__in=application_ids)
        ).order_by("created_at")
    )
    all_feedback = list(Feedback.objects.filter(offer__in=all_offers).select_related("guardian").order_by("given_at"))
    own_offers = [o for o in all_offers if o.child_id == child.pk]
    own_offer_ids = {str(o.pk) for o in own_offers}
    own_applications = [a for a in all_applications if a.child_id == child.pk]
    own_subjects = {("offer", i) for i in own_offer_ids} | {("application", str(a.pk)) for a in own_applications}
    family = Family(
        child=child,
        guardians=guardians,
        proposals=proposals,
        offers=own_offers,
        messages=[m for m in all_messages if m.subject_id in own_offer_ids],
        replies=replies,
        follow_ups=[f for f in all_follow_ups if (f.subject_type, f.subject_id) in own_subjects],
        feedback=[f for f in all_feedback if str(f.offer_id) in own_offer_ids],
        applications=own_applications,
        children=children,
    )
    family.timeline = _timeline(
        children=children, offers=all_offers, messages=all_messages, replies=replies, follow_ups=all_follow_ups,
        feedback=all_feedback, applications=all_applications,
    )  # fmt: skip
    return family


def _timeline(
    *,
    children: list[Child],
    offers: list[Offer],
    messages: list[Message],
    replies: list[InboundMessage],
    follow_ups: list[FollowUp],
    feedback: list[Feedback],
    applications: list[Application],
) -> list[dict[str, Any]]:
    """Every event of the family's children in time order, each with the first name of the child it is about
    ("" for a reply that cannot be told to be about one child)."""
    names = {c.pk: c.first_name for c in children}
    offer_child = {str(o.pk): names.get(o.child_id, "") for o in offers}
    application_child = {str(a.pk): names.get(a.child_id, "") for a in applications}
    subject_child = {("offer", k): v for k, v in offer_child.items()} | {
        ("application", k): v for k, v in application_child.items()
    }
    reply_child = {f.inbound_id: subject_child.get((f.subject_type, f.subject_id), "") for f in follow_ups}
    events: list[tuple[dt.datetime, str, str, str]] = []
    for offer in offers:
        name = names.get(offer.child_id, "")
        events.append((offer.sent_at, "offer_sent", offer.unit.name_fi, name))
        if offer.answered_at:
            events.append((offer.answered_at, "offer_" + offer.status, offer.get_answer_channel_display(), name))
    for message in messages:
        name = offer_child.get(message.subject_id, "")
        channel = label(CHANNELS, message.channel)
        what = message_label(channel=message.channel, template_key=message.template_key)
        events.append((message.created_at, "message_created", what, name))
        if message.delivered_at:
            events.append((message.delivered_at, "message_delivered", channel, name))
        if message.failed_at:
            events.append((message.failed_at, "message_failed", f"{channel}: {message.last_error}"[:200], name))
    for reply in replies:
        name = reply_child.get(reply.pk, "")
        if not name and reply.answer is not None and reply.answer.subject_type == "offer":
            name = offer_child.get(reply.answer.subject_id, "")
        events.append((reply.received_at, "reply_received", reply.text[:160], name))
    for follow_up in follow_ups:
        name = subject_child.get((follow_up.subject_type, follow_up.subject_id), "")
        events.append((follow_up.created_at, "follow_up", follow_up.get_reason_display(), name))
    for answer in feedback:
        events.append((answer.given_at, "feedback", str(answer.score), offer_child.get(str(answer.offer_id), "")))
    for application in applications:
        name = names.get(application.child_id, "")
        for event in application.events.all():
            events.append((event.at, "application_" + event.kind, event.get_kind_display(), name))
    events.sort(key=lambda e: e[0])
    return [{"at": at, "kind": kind, "detail": detail, "child": name} for at, kind, detail, name in events]
