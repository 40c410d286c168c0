"""SMS handed to the gateway with no final delivery report within a bound are never left silent.

Kannel said it took them ("sent"), but no operator report of delivery or failure came within
MESSAGING_DELIVERY_REPORT_WAIT_HOURS (an operator's final report can take hours; a report can also be lost with a
crashed smsbox, or never come from an operator that sends none). Each such message goes on the staff follow-up list
once, with what is known of it. It is not sent again: it may well have reached the phone, and a second offer
text would confuse more than a call from service guidance. If its report comes after all, a delivered one closes
the follow-up (asti.messaging.reports).

Runs as the scheduler's periodic job "messaging.reconcile" (asti.messaging.jobs).
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import transaction
from django.db.models import Exists, OuterRef, QuerySet

from asti.core import clock
from asti.messaging.models import Channel, FollowUp, FollowUpReason, Message, Status
from asti.messaging.services import follow_up_add

BATCH = 500


def messages_awaiting_report_too_long(*, now: dt.datetime | None = None) -> QuerySet[Message]:
    """SMS still "sent" (no final report) longer than the bound, not yet on the follow-up list, oldest first."""
    wait = dt.timedelta(hours=settings.MESSAGING_DELIVERY_REPORT_WAIT_HOURS)
    cutoff = (now or clock.now()) - wait
    return (
        Message.objects.filter(channel=Channel.SMS, status=Status.SENT, sent_at__lt=cutoff)
        .exclude(Exists(FollowUp.objects.filter(message=OuterRef("pk"))))
        .order_by("sent_at", "pk")
    )


def unreported_messages_follow_up(*, batch: int = BATCH) -> int:
    """Puts every message that has waited too long for its report on the follow-up list, `batch` to a
    transaction; returns how many. A message gets one follow-up however often this runs."""
    added = 0
    while True:
        done = _follow_up_batch(limit=batch)
        added += done
        if done < batch:
            return added


def _follow_up_batch(*, limit: int) -> int:
    now = clock.now()
    with transaction.atomic():
        rows = list(
            messages_awaiting_report_too_long(now=now).only(
                "pk", "recipient", "sent_at", "sms_parts", "guardian_id", "subject_type", "subject_id"
            )[:limit]
        )
        for message in rows:
            assert message.sent_at is not None
            hours = (now - message.sent_at).total_seconds() / 3600
            follow_up_add(
                reason=FollowUpReason.NO_DELIVERY_REPORT,
                guardian_id=message.guardian_id,
                subject_type=message.subject_type,
                subject_id=message.subject_id,
                message=message,
                detail=(
                    f"sms to {message.recipient} ({message.sms_parts} part(s)) handed to the gateway "
                    f"{hours:.0f} h ago; no report of delivery or failure from the operator"
                ),
            )
    return len(rows)
