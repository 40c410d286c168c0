"""Reading the audit trail (asti.audit writes it)."""

from __future__ import annotations

from asti.audit.models import AuditEvent


def audit_events(*, actor: str = "", target_id: str = "", limit: int = 200) -> list[AuditEvent]:
    events = AuditEvent.objects.all()
    if actor:
        events = events.filter(actor=actor.strip())
    if target_id:
        events = events.filter(target_id=target_id.strip())
    return list(events.order_by("-at", "-id")[:limit])
