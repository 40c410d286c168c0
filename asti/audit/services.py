"""Writing the audit trail.

Inside a transaction an event is first stored as a `PendingAuditEvent` in the business database, in the
caller's transaction: it exists exactly when the change it records committed, and a rolled-back change leaves
nothing. Right after the commit it is moved into the trail (the audit database); if that move fails (the audit
database is down) or the process dies before it, `forward_pending` (`manage.py audit_forward`) moves it later.
Moving is idempotent through `event_id`, so an event is never lost and never recorded twice. Outside a
transaction (a page that only reads) the event goes straight into the trail before the page is shown.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import uuid
from collections.abc import Iterable, Mapping, Sequence
from functools import partial
from typing import Any

from django.core.serializers.json import DjangoJSONEncoder
from django.db import DatabaseError, connections, transaction

from asti.audit.models import AuditEvent, PendingAuditEvent
from asti.core import clock

log = logging.getLogger(__name__)
FIELDS = ("event_id", "at", "actor", "operation", "target_type", "target_id", "status", "details")


def audit_log(
    *,
    actor: str,
    operation: str,
    target_type: str = "",
    target_id: str = "",
    details: Mapping[str, Any] | None = None,
    status: str = "SUCCESS",
) -> None:
    _record(
        [
            dict(
                event_id=uuid.uuid4(),
                at=clock.now(),
                actor=actor[:200],
                operation=operation,
                target_type=target_type,
                target_id=str(target_id)[:64],
                status=status,
                details=dict(details or {}),
            )
        ]
    )


def audit_log_many(
    *,
    actor: str,
    operation: str,
    target_type: str,
    target_ids: Iterable[str],
    details: Mapping[str, Any] | None = None,
) -> None:
    """One event per person, for a list view that showed several people (each with the same details)."""
    now = clock.now()
    _record(
        [
            dict(
                event_id=uuid.uuid4(),
                at=now,
                actor=actor[:200],
                operation=operation,
                target_type=target_type,
                target_id=str(t)[:64],
                status="SUCCESS",
                details=dict(details or {}),
            )
            for t in target_ids
        ]
    )


def _record(events: list[dict[str, Any]]) -> None:
    """Outside a transaction (a page that only reads) straight into the trail, before the page is shown; inside
    one, pending in the same transaction and moved after its commit. If the trail cannot be written, the events
    wait in the business database."""
    if not events:
        return
    if not transaction.get_connection().in_atomic_block:
        try:
            _insert_into_trail(events)
            return
        except DatabaseError:
            log.exception("audit: the trail's database refused %d events; they wait for `audit_forward`", len(events))
    pending = PendingAuditEvent.objects.bulk_create([PendingAuditEvent(**e) for e in events])
    transaction.on_commit(partial(_forward_after_commit, pending), robust=True)


# Past this many events (a list or an export naming thousands of people), PostgreSQL's COPY writes them: several
# times faster than INSERT for the 37,000 children of a big city's proposals file.
COPY_FROM = 500


def _insert_into_trail(events: list[dict[str, Any]]) -> None:
    trail = connections[AuditEvent.objects.db]
    if len(events) < COPY_FROM or trail.vendor != "postgresql":
        AuditEvent.objects.bulk_create([AuditEvent(**e) for e in events])
        return
    table = trail.ops.quote_name(AuditEvent._meta.db_table)
    columns = ", ".join(trail.ops.quote_name(f) for f in FIELDS)  # each field is its own column
    with (
        transaction.atomic(using=trail.alias),
        trail.cursor() as cursor,
        cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy,
    ):
        for e in events:
            copy.write_row([*(e[f] for f in FIELDS[:-1]), json.dumps(e["details"], cls=DjangoJSONEncoder)])


def _forward_after_commit(pending: list[PendingAuditEvent]) -> None:
    try:
        _move(pending)
    except DatabaseError:
        log.exception("audit: %d events wait in the business database for `audit_forward`", len(pending))


def _move(pending: list[PendingAuditEvent]) -> int:
    """Into the trail (an event already there is skipped), then off the business database."""
    with transaction.atomic(using="audit"):
        ids = [p.event_id for p in pending]
        already = set(AuditEvent.objects.filter(event_id__in=ids).values_list("event_id", flat=True))
        new = [AuditEvent(**{f: getattr(p, f) for f in FIELDS}) for p in pending if p.event_id not in already]
        AuditEvent.objects.bulk_create(new, ignore_conflicts=True)
    # One DELETE statement: nothing refers to pending events, so Django's collector (and its transaction) has
    # nothing to do here.
    done = PendingAuditEvent.objects.filter(event_id__in=ids)
    done._raw_delete(done.db)
    return len(new)


def forward(event_ids: Sequence[uuid.UUID]) -> int:
    """Moves these pending events into the trail; returns how many were new there."""
    pending = list(PendingAuditEvent.objects.filter(event_id__in=event_ids))
    return _move(pending) if pending else 0


def forward_pending(*, older_than: dt.timedelta = dt.timedelta(seconds=30), batch: int = 1000) -> int:
    """Moves events left behind (a failed or interrupted move) into the trail, oldest first."""
    moved = 0
    cutoff = clock.now() - older_than
    while True:
        ids = list(
            PendingAuditEvent.objects.filter(at__lte=cutoff)
            .order_by("at", "id")
            .values_list("event_id", flat=True)[:batch]
        )
        if not ids:
            return moved
        moved += forward(ids)
