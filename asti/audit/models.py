"""Who saw or changed which person's data: append-only, written after the business change commits.

`AuditEvent` is the trail, in the audit database. `PendingAuditEvent` lives in the business database: an event
is first written there in the business change's own transaction (so it exists exactly when the change
committed) and moved into the trail right after the commit, or by `manage.py audit_forward` when that move
failed or the process died in between. `event_id` makes the move idempotent: never lost, never twice.
"""

from typing import Any

from django.db import models


class AuditTrailIsAppendOnly(Exception):
    pass


class AuditEvent(models.Model):
    event_id = models.UUIDField(null=True, unique=True, editable=False)
    at = models.DateTimeField(db_index=True)
    actor = models.CharField(max_length=200, db_index=True, help_text="Staff username, 'system' or a command")
    operation = models.CharField(max_length=64, help_text="e.g. VIEW, SEARCH, IMPORT, UPDATE")
    target_type = models.CharField(max_length=64, blank=True)
    target_id = models.CharField(max_length=64, blank=True, db_index=True)
    status = models.CharField(max_length=16, default="SUCCESS")
    details = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["target_type", "target_id"])]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M:%S} {self.actor} {self.operation} {self.target_type}:{self.target_id}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding:
            raise AuditTrailIsAppendOnly("an audit event is never changed")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        raise AuditTrailIsAppendOnly("an audit event is never deleted")


class PendingAuditEvent(models.Model):
    """An event whose change has committed but which is not yet in the trail (business database)."""

    event_id = models.UUIDField(unique=True)
    at = models.DateTimeField(db_index=True)
    actor = models.CharField(max_length=200)
    operation = models.CharField(max_length=64)
    target_type = models.CharField(max_length=64, blank=True)
    target_id = models.CharField(max_length=64, blank=True)
    status = models.CharField(max_length=16, default="SUCCESS")
    details = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"pending {self.event_id} {self.operation} {self.target_type}:{self.target_id}"
