"""Delivery reports: stored by the gateway's callback with one INSERT, applied to their messages by the worker.

Kannel calls back about twice per message (operator ack, then the final report), so a round of 5,600 offers brings
over 11,000 callbacks. Acknowledging each with a single INSERT ... ON CONFLICT DO NOTHING (which also tells a replay
from a first report) and applying them in batches keeps the web servers free for replies. Every status change is
conditional on the message not being final, so the order of reports does not matter and a final state is never
overwritten.

A long SMS: Kannel 1.4.5 splits it and asks the operator for a report on the first part only (gw/sms.c,
sms_split); its final report (1 delivered, 2 failed) speaks for that part. The ack (8) or reject (16) of a split
message comes once, when every part has been handed over (8: all accepted; 16: one was refused). So a message of
several parts is delivered only with both its delivered report and its ack: a crash between two parts, which
leaves the first part reported delivered, no longer makes the message delivered (Kannel's store sends it again).
A message still "sent" without them after MESSAGING_DELIVERY_REPORT_WAIT_HOURS goes to staff
(asti.messaging.reconcile); a delivered report that comes after that closes their follow-up.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Sequence
from typing import Any

from django.db import IntegrityError, connection, transaction

from asti.core import clock
from asti.messaging.models import FINAL_STATUSES, DeliveryReport, FollowUp, FollowUpReason, Message, Status
from asti.messaging.services import after_final_failure, follow_up_resolve, messages_lock

DLR_DELIVERED = 1
DLR_FAILED = 2
DLR_QUEUED = 4
DLR_ACK = 8
DLR_REJECTED = 16
REPORT_ACTOR = "system: delivery report"
DLR_CODES = frozenset({DLR_DELIVERED, DLR_FAILED, DLR_QUEUED, DLR_ACK, DLR_REJECTED})
_FAILING = (DLR_FAILED, DLR_REJECTED)


def delivery_report_store(*, message_id: int, status_code: int, smsc_message_id: str = "", answer: str = "") -> str:
    """Stores a report once per (message, status): "stored", "duplicate" (a replay) or "unknown" (no message)."""
    if status_code not in DLR_CODES:
        raise ValueError(f"unknown delivery report status {status_code}")
    table = connection.ops.quote_name(DeliveryReport._meta.db_table)
    sql = (
        f"INSERT INTO {table} (message_id, status_code, smsc_message_id, answer, received_at, applied) "  # noqa: S608
        "VALUES (%s, %s, %s, %s, %s, %s) ON CONFLICT (message_id, status_code) DO NOTHING RETURNING id"
    )
    params = [message_id, status_code, smsc_message_id[:100], answer[:300],
              connection.ops.adapt_datetimefield_value(clock.now()), False]  # fmt: skip
    if connection.in_atomic_block:
        # Inside a caller's transaction the deferred foreign key is checked only at its commit: look first, and
        # insert in a savepoint.
        if not Message.objects.filter(pk=message_id).exists():
            return "unknown"
        with transaction.atomic():
            stored = _insert(sql, params)
    else:
        try:  # autocommit: one round trip, and the foreign key is checked at once
            stored = _insert(sql, params)
        except IntegrityError:
            return "unknown"
    return "stored" if stored else "duplicate"


def _insert(sql: str, params: Sequence[Any]) -> bool:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchone() is not None


def delivery_reports_apply(*, limit: int = 500, message_ids: Collection[int] | None = None) -> int:
    """Applies stored reports (the oldest first, up to `limit`); returns how many were processed.

    For each message the first failed/rejected report decides, or the report that completes the proof of delivery
    (delivered, and for a message of several parts the operator's ack as well; either may have come earlier);
    queued and ack reports are otherwise recorded only. Workers on several machines take disjoint batches (SKIP
    LOCKED on PostgreSQL).
    """
    now = clock.now()
    with transaction.atomic():
        pending = DeliveryReport.objects.filter(processed_at__isnull=True)
        if message_ids is not None:
            pending = pending.filter(message_id__in=list(message_ids))
        rows = list(
            pending.order_by("id")
            .select_for_update(skip_locked=True)
            .values_list("id", "message_id", "status_code", "smsc_message_id", "answer")[:limit]
        )
        if not rows:
            return 0
        # A message a sender is recording right now is left for the next batch: the reports never wait for it.
        locked = set(messages_lock({row[1] for row in rows}, skip_locked=True))
        rows = [row for row in rows if row[1] in locked]
        if not rows:
            return 0
        touched = {row[1] for row in rows}
        seen = _delivery_evidence(touched, excluding=[row[0] for row in rows])
        multipart = set(Message.objects.filter(pk__in=touched, sms_parts__gt=1).values_list("pk", flat=True))
        deciding: dict[int, tuple[int, int, str]] = {}
        gateway_ids: dict[int, str] = {}
        for report_id, message_id, code, smsc_message_id, answer in rows:
            if smsc_message_id:
                gateway_ids.setdefault(message_id, smsc_message_id)
            if message_id in deciding:
                continue
            if code in _FAILING:
                deciding[message_id] = (report_id, code, answer)
            elif code in (DLR_DELIVERED, DLR_ACK):
                codes = seen.setdefault(message_id, set())
                codes.add(code)
                if DLR_DELIVERED in codes and (message_id not in multipart or DLR_ACK in codes):
                    deciding[message_id] = (report_id, DLR_DELIVERED, answer)
        applied = _apply_delivered(
            [m for m, (_, code, _) in deciding.items() if code == DLR_DELIVERED], deciding, now=now
        )
        for message_id, (report_id, code, answer) in deciding.items():
            if code != DLR_DELIVERED and _apply_failure(message_id, code, answer, now=now):
                applied.append(report_id)
        _record_gateway_ids(gateway_ids)
        DeliveryReport.objects.filter(pk__in=[r[0] for r in rows]).update(processed_at=now)
        if applied:
            DeliveryReport.objects.filter(pk__in=applied).update(applied=True)
    return len(rows)


def _delivery_evidence(message_ids: set[int], *, excluding: list[int]) -> dict[int, set[int]]:
    """The delivered and ack reports stored for these messages outside this batch (earlier, or being applied by
    another worker now): the batch's own count as they come, in order."""
    evidence: dict[int, set[int]] = {}
    stored = DeliveryReport.objects.filter(
        message_id__in=list(message_ids), status_code__in=(DLR_DELIVERED, DLR_ACK)
    ).exclude(pk__in=excluding)
    for message_id, code in stored.values_list("message_id", "status_code"):
        evidence.setdefault(message_id, set()).add(code)
    return evidence


def _apply_delivered(
    message_ids: list[int], deciding: dict[int, tuple[int, int, str]], *, now: dt.datetime
) -> list[int]:
    """One UPDATE ... RETURNING for all delivered messages of the batch; returns the reports that changed one."""
    if not message_ids:
        return []
    table = connection.ops.quote_name(Message._meta.db_table)
    adapt = connection.ops.adapt_datetimefield_value
    in_ids = ", ".join(["%s"] * len(message_ids))
    in_final = ", ".join(["%s"] * len(FINAL_STATUSES))
    sql = (
        f"UPDATE {table} SET status = %s, delivered_at = %s, sent_at = COALESCE(sent_at, %s), "  # noqa: S608
        f"claimed_by = '', claimed_until = NULL WHERE id IN ({in_ids}) AND status NOT IN ({in_final}) RETURNING id"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [Status.DELIVERED, adapt(now), adapt(now), *message_ids, *sorted(FINAL_STATUSES)])
        changed = [row[0] for row in cursor.fetchall()]
    _close_no_report_follow_ups(changed)
    return [deciding[m][0] for m in changed]


def _close_no_report_follow_ups(message_ids: list[int]) -> None:
    """A delivered report that comes after its message went to staff for want of one closes that follow-up."""
    if not message_ids:
        return
    waiting = FollowUp.objects.filter(
        message_id__in=message_ids, reason=FollowUpReason.NO_DELIVERY_REPORT, resolved_at__isnull=True
    )
    for follow_up in waiting:
        follow_up_resolve(follow_up=follow_up, actor=REPORT_ACTOR, note="The operator reported it delivered after all.")


def _apply_failure(message_id: int, code: int, answer: str, *, now: dt.datetime) -> bool:
    reason = "delivery failed" if code == DLR_FAILED else "rejected by the operator"
    not_final = Message.objects.filter(pk=message_id).exclude(status__in=FINAL_STATUSES)
    changed = not_final.update(
        status=Status.PERMANENT_FAILURE, failed_at=now, claimed_by="", claimed_until=None,
        last_error=f"{reason}: {answer}"[:2000],
    )  # fmt: skip
    if changed:
        after_final_failure(Message.objects.get(pk=message_id), now=now)
    return bool(changed)


def _record_gateway_ids(gateway_ids: dict[int, str]) -> None:
    """The operator's message id (Kannel %F), kept on messages that have none yet."""
    if not gateway_ids:
        return
    missing = Message.objects.filter(pk__in=list(gateway_ids), gateway_message_id="").values_list("pk", flat=True)
    updates = [Message(pk=pk, gateway_message_id=gateway_ids[pk][:100]) for pk in missing]
    Message.objects.bulk_update(updates, ["gateway_message_id"], batch_size=500)


def delivery_report_receive(*, message_id: int, status_code: int, smsc_message_id: str = "", answer: str = "") -> str:
    """Stores a report and applies it at once (tests, tools): "applied", "recorded" (queued/ack, or the delivered
    report of a long SMS still without its ack), "final" (the message had a final state already), "duplicate" or
    "unknown"."""
    stored = delivery_report_store(
        message_id=message_id, status_code=status_code, smsc_message_id=smsc_message_id, answer=answer
    )
    if stored != "stored":
        return stored
    delivery_reports_apply(message_ids=[message_id])
    if DeliveryReport.objects.get(message_id=message_id, status_code=status_code).applied:
        return "applied"
    return "final" if Message.objects.get(pk=message_id).is_final else "recorded"
