"""Reads of the outbox, replies, follow-ups and the simulated channels."""

from __future__ import annotations

from django.db.models import Count, Q, QuerySet

from asti.messaging.models import FollowUp, InboundMessage, Message, SimulatedMessage
from asti.people.models import Guardian


def message_list_for_subject(*, subject_type: str, subject_id: str | int) -> QuerySet[Message]:
    return Message.objects.filter(subject_type=subject_type, subject_id=str(subject_id)).order_by("id")


def message_status_counts(*, subject_type: str = "", lane: str = "", channel: str = "") -> dict[str, int]:
    """How many messages are in each status (for a subject type, lane or channel when given)."""
    rows = Message.objects.all()
    if subject_type:
        rows = rows.filter(subject_type=subject_type)
    if lane:
        rows = rows.filter(lane=lane)
    if channel:
        rows = rows.filter(channel=channel)
    return dict(rows.order_by().values_list("status").annotate(n=Count("id")).values_list("status", "n"))


def inbound_list_for_sender(*, sender: str) -> QuerySet[InboundMessage]:
    return InboundMessage.objects.filter(sender=sender).order_by("received_at", "id")


def follow_up_list_open() -> QuerySet[FollowUp]:
    return FollowUp.objects.filter(resolved_at__isnull=True).select_related("guardian").order_by("created_at", "id")


def simulated_conversation(*, address: str) -> QuerySet[SimulatedMessage]:
    return SimulatedMessage.objects.filter(address=address).order_by("created_at", "id")


def simulated_recent_guardians(*, limit: int = 20) -> list[Guardian]:
    """Guardians whose simulated phone or inbox got or sent something lately (newest first)."""
    seen: list[str] = []
    for address in SimulatedMessage.objects.order_by("-id").values_list("address", flat=True)[: limit * 20]:
        if address not in seen:
            seen.append(address)
        if len(seen) == limit:
            break
    found = Guardian.objects.filter(Q(phone__in=seen) | Q(email__in=seen)).only(
        "pk", "first_name", "last_name", "phone", "email"
    )
    rank = {address: i for i, address in enumerate(seen)}
    return sorted(found, key=lambda g: min(rank.get(g.phone, limit), rank.get(g.email, limit)))
