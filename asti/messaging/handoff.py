"""The hand-off to a gateway, so that a crash or a database outage never sends a message twice or loses one.

A worker claims a batch (rows move to 'sending' under its lease), then hands it over a few messages at a time:

1. `handoff_begin` records, committed, that these messages are now being handed over (`handed_at`) and renews
   their lease. A row whose worker dies before this point is claimed again when the lease runs out: it never
   reached the gateway.
2. The channel sends them.
3. The worker records how each went (`asti.messaging.services`), retrying the write through a database outage
   (`with_db_retry`, MESSAGING_DB_RETRY_SECONDS) instead of giving up and letting the lease resend the batch.

A row left in 'sending' with `handed_at` set after its lease is "in doubt": its worker died (or lost the database
for longer than the lease) between steps 1 and 3. `in_doubt_settle` decides, without guessing:

- SMS: Kannel calls back for every message it took (MESSAGING_KANNEL_DLR_MASK includes 8, the operator's
  acknowledgement). Any delivery report for the row proves the gateway had it: it is recorded as sent, and the
  reports decide the rest. With no report after MESSAGING_SMS_IN_DOUBT_SECONDS the gateway never took it, and it
  is sent again.
- Email: sent again at once. Every email carries the Message-ID derived from its row, the same on every try, so a
  mailbox that got the first try files the second as the same message.

The worker hands a batch over in steps of MESSAGING_HANDOFF_CHUNK messages (per channel). For SMS, one transaction
records a step's results and marks the step after next while the step between is being sent: one commit per step,
and at most two steps' rows per crashed worker are ever in doubt. An email step is recorded as soon as it is sent,
so only the one email then on its way can be sent again.
"""

from __future__ import annotations

import datetime as dt
import logging
import time
from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass
from typing import TypeVar

from django.conf import settings
from django.db import DatabaseError, connection, transaction
from django.db.models import Exists, F, OuterRef, QuerySet

from asti.core import clock
from asti.messaging.models import Channel, DeliveryReport, Message, Status

log = logging.getLogger(__name__)
T = TypeVar("T")

# Waits between tries of a database write: quick at first, then every few seconds, until the budget is spent.
_BACKOFF = (0.1, 0.25, 0.5, 1.0, 2.0, 4.0)
_BACKOFF_MAX = 5.0


def with_db_retry(write: Callable[[], T], *, what: str, budget: float | None = None) -> T:
    """Runs `write` until it succeeds or `budget` seconds (MESSAGING_DB_RETRY_SECONDS) have passed.

    A lost connection, a lock timeout or a deadlock raises DatabaseError: the broken connection is dropped and
    the write is tried again on a new one after a bounded back-off. The last error is raised when time is up.
    """
    limit: float = settings.MESSAGING_DB_RETRY_SECONDS if budget is None else budget
    deadline = time.monotonic() + limit
    tries = 0
    while True:
        try:
            return write()
        except DatabaseError as exc:
            if connection.in_atomic_block:
                raise  # inside a caller's transaction: only the caller can start it again
            wait = _BACKOFF[tries] if tries < len(_BACKOFF) else _BACKOFF_MAX
            tries += 1
            if time.monotonic() + wait > deadline:
                log.error("outbox: %s failed %d times in %.0f s; giving up: %s", what, tries, limit, exc)
                raise
            if tries in (1, 4) or tries % 10 == 0:
                log.warning("outbox: %s failed (try %d), retrying in %.2f s: %s", what, tries, wait, exc)
            connection.close()  # this thread's connection: the next try opens a new one
            time.sleep(wait)


def handoff_chunk(channel: str) -> int:
    """How many messages of a channel one hand-off step takes."""
    sizes: dict[str, int] = settings.MESSAGING_HANDOFF_CHUNK
    return max(1, int(sizes.get(channel, 1)))


def handoff_overlaps(channel: str) -> bool:
    """Whether a channel's steps may overlap (two in doubt at a crash): only where doubt is settled exactly, by
    the SMS gateway's reports. An email step is recorded as soon as it is sent, so a crash leaves at most the
    emails then on their way to be sent again."""
    return channel == Channel.SMS


def handoff_begin(*, worker_id: str, ids: Sequence[int], lease_seconds: float) -> list[int]:
    """Records that these claimed rows are being handed to the gateway now, and renews their lease; in the
    caller's transaction if there is one (it must commit before the messages are sent).

    Returns the ids still held by this worker, in order: only those may be sent.
    """
    if not ids:
        return []
    now = clock.now()
    ours = Message.objects.filter(pk__in=list(ids), status=Status.SENDING, claimed_by=worker_id)
    with transaction.atomic():
        locked = ours.select_for_update().order_by("pk").values("pk")  # in id order, see services.messages_lock
        changed = Message.objects.filter(pk__in=locked).update(
            handed_at=now, claimed_until=now + dt.timedelta(seconds=lease_seconds)
        )
        if changed == len(ids):
            return sorted(ids)
        return list(ours.order_by("pk").values_list("pk", flat=True))


@dataclass(frozen=True)
class Settled:
    sent: int = 0  # SMS the gateway had: a delivery report came for them
    resent: int = 0  # queued again (SMS without any report in time; email)
    waiting: int = 0  # SMS still waiting for a report

    def __bool__(self) -> bool:
        return bool(self.sent or self.resent)


def in_doubt(channels: Collection[str] = (Channel.SMS, Channel.EMAIL)) -> QuerySet[Message]:
    """Rows whose worker began the hand-off and then stopped answering (its lease ran out)."""
    return Message.objects.filter(
        status=Status.SENDING, handed_at__isnull=False, claimed_until__lte=clock.now(), channel__in=list(channels)
    )


def in_doubt_settle(*, channels: Collection[str] = (Channel.SMS, Channel.EMAIL), limit: int = 1000) -> Settled:
    """Settles rows in doubt (see the module's text); safe to run from any number of workers at once."""
    now = clock.now()
    wait_for_report = dt.timedelta(seconds=float(settings.MESSAGING_SMS_IN_DOUBT_SECONDS))
    reported = Exists(DeliveryReport.objects.filter(message=OuterRef("pk")))
    sent = resent = waiting = 0
    with transaction.atomic():
        rows = list(
            in_doubt(channels)
            .annotate(reported=reported)
            .order_by("pk")
            .select_for_update(skip_locked=True, of=("self",))
            .values_list("pk", "channel", "handed_at", "reported")[:limit]
        )
        took = [pk for pk, channel, _, has_report in rows if channel == Channel.SMS and has_report]
        again = [
            pk
            for pk, channel, handed_at, has_report in rows
            if channel == Channel.EMAIL or (not has_report and (handed_at or now) <= now - wait_for_report)
        ]
        waiting = len(rows) - len(took) - len(again)
        if took:
            sent = Message.objects.filter(pk__in=took, status=Status.SENDING).update(
                status=Status.SENT, sent_at=F("handed_at"), claimed_by="", claimed_until=None, last_error=""
            )
        if again:
            resent = Message.objects.filter(pk__in=again, status=Status.SENDING).update(
                status=Status.TEMPORARY_FAILURE,
                next_attempt_at=now,
                claimed_by="",
                claimed_until=None,
                last_error="the worker stopped while handing this over; sent again",
            )
    if sent or resent:
        log.warning("outbox: settled %d messages in doubt: %d had reached the gateway, %d sent again", sent + resent,
                    sent, resent)  # fmt: skip
    return Settled(sent=sent, resent=resent, waiting=waiting)
