"""Service guidance's notes of calls and visits: written on the family's page, read there, never shown to the family."""

from __future__ import annotations

import enum
from collections.abc import Iterable
from dataclasses import dataclass

from django.db import transaction
from django.db.models import QuerySet

from asti.audit.services import audit_log
from asti.conversations.models import MAX_BODY, CallChannel, CallNote
from asti.core import clock
from asti.people.models import Child, Custody, Guardian


class CallNoteErrorCode(enum.StrEnum):
    EMPTY = "empty"
    TOO_LONG = "too_long"
    NOT_GUARDIAN = "not_guardian"
    UNKNOWN_CHANNEL = "unknown_channel"


@dataclass(frozen=True)
class CallNoteError(Exception):
    code: CallNoteErrorCode

    def __str__(self) -> str:
        return self.code.value


def call_note_add(*, actor: str, child: Child, guardian: Guardian | None, channel: str, text: str) -> CallNote:
    """Stores a note about a child's family; the guardian spoken to (if named) must have custody of the child."""
    text = text.strip()
    if not text:
        raise CallNoteError(CallNoteErrorCode.EMPTY)
    if len(text) > MAX_BODY:
        raise CallNoteError(CallNoteErrorCode.TOO_LONG)
    if channel not in CallChannel.values:
        raise CallNoteError(CallNoteErrorCode.UNKNOWN_CHANNEL)
    if guardian is not None and not Custody.objects.filter(child=child, guardian=guardian, active=True).exists():
        raise CallNoteError(CallNoteErrorCode.NOT_GUARDIAN)
    with transaction.atomic():
        note = CallNote.objects.create(
            child=child, guardian=guardian, channel=channel, text=text, written_by=actor[:200],
            written_at=clock.now(),
        )  # fmt: skip
        audit_log(
            actor=actor, operation="CALL_NOTE_ADD", target_type="child", target_id=child.child_id,
            details={"note": note.pk, "channel": channel, "guardian": guardian.guardian_id if guardian else ""},
        )  # fmt: skip
    return note


def call_notes_for(children: Iterable[Child] | QuerySet[Child]) -> QuerySet[CallNote]:
    """The notes about these children, newest first."""
    return (
        CallNote.objects.filter(child__in=children).select_related("child", "guardian").order_by("-written_at", "-pk")
    )
