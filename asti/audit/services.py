"""Writing the audit trail. Events are queued with transaction.on_commit: a rolled-back change leaves no
audit row claiming it happened, and a read (VIEW) outside a transaction is written at once."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from django.db import transaction

from asti.audit.models import AuditEvent
from asti.core import clock


def audit_log(
    *,
    actor: str,
    operation: str,
    target_type: str = "",
    target_id: str = "",
    details: Mapping[str, Any] | None = None,
    status: str = "SUCCESS",
) -> None:
    event = AuditEvent(
        at=clock.now(),
        actor=actor[:200],
        operation=operation,
        target_type=target_type,
        target_id=str(target_id)[:64],
        status=status,
        details=dict(details or {}),
    )
    transaction.on_commit(event.save)


def audit_log_many(*, actor: str, operation: str, target_type: str, target_ids: Iterable[str]) -> None:
    """One event per person, for a list view that showed several people."""
    now = clock.now()
    events = [
        AuditEvent(at=now, actor=actor[:200], operation=operation, target_type=target_type, target_id=str(t))
        for t in target_ids
    ]
    if events:
        transaction.on_commit(lambda: AuditEvent.objects.bulk_create(events))
