"""Call notes: what may be written, about whom, and in which order they are read."""

from __future__ import annotations

import datetime as dt

import pytest

from asti.audit.models import PendingAuditEvent
from asti.conversations.models import MAX_BODY, CallNote
from asti.conversations.notes import CallNoteError, CallNoteErrorCode, call_note_add, call_notes_for
from asti.core import clock
from tests.factories import ChildFactory, CustodyFactory, GuardianFactory

pytestmark = pytest.mark.django_db


def test_a_note_is_stored_trimmed_and_audited() -> None:
    custody = CustodyFactory()
    note = call_note_add(
        actor="pia", child=custody.child, guardian=custody.guardian, channel="phone", text="  Soitti.  "
    )
    assert (note.text, note.written_by, note.channel) == ("Soitti.", "pia", "phone")
    event = PendingAuditEvent.objects.get(operation="CALL_NOTE_ADD")
    assert event.target_id == custody.child.child_id and event.details["note"] == note.pk


@pytest.mark.parametrize(
    "text,code", [("   ", CallNoteErrorCode.EMPTY), ("x" * (MAX_BODY + 1), CallNoteErrorCode.TOO_LONG)]
)
def test_an_empty_or_too_long_note_is_refused(text: str, code: CallNoteErrorCode) -> None:
    child = ChildFactory()
    with pytest.raises(CallNoteError) as error:
        call_note_add(actor="pia", child=child, guardian=None, channel="phone", text=text)
    assert error.value.code == code and not CallNote.objects.exists()


def test_the_guardian_must_have_custody_and_the_channel_be_known() -> None:
    custody = CustodyFactory()
    with pytest.raises(CallNoteError) as error:
        call_note_add(actor="pia", child=custody.child, guardian=GuardianFactory(), channel="phone", text="x")
    assert error.value.code == CallNoteErrorCode.NOT_GUARDIAN
    custody.active = False
    custody.save()
    with pytest.raises(CallNoteError):
        call_note_add(actor="pia", child=custody.child, guardian=custody.guardian, channel="phone", text="x")
    with pytest.raises(CallNoteError) as error:
        call_note_add(actor="pia", child=custody.child, guardian=None, channel="fax", text="x")
    assert error.value.code == CallNoteErrorCode.UNKNOWN_CHANNEL
    assert call_note_add(actor="pia", child=custody.child, guardian=None, channel="other", text="x").guardian is None


def test_notes_are_read_newest_first_for_the_children_asked() -> None:
    a, b, stranger = ChildFactory(), ChildFactory(), ChildFactory()
    with clock.frozen_at(dt.datetime(2026, 3, 1, 9, tzinfo=dt.UTC)):
        old = call_note_add(actor="pia", child=a, guardian=None, channel="phone", text="first")
    with clock.frozen_at(dt.datetime(2026, 3, 2, 9, tzinfo=dt.UTC)):
        new = call_note_add(actor="pia", child=b, guardian=None, channel="visit", text="second")
    call_note_add(actor="pia", child=stranger, guardian=None, channel="phone", text="other family")
    assert list(call_notes_for([a, b])) == [new, old]
