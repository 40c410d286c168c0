"""Threads between a family and the city: who may start and answer one, who sees it, who is told of the city's
answer (and in what words), unread marks, attachment limits, and a reply that needs a person opening a thread."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.core.files.uploadedfile import SimpleUploadedFile

from asti.conversations.models import AuthorKind, Origin, Thread, ThreadAttachment, ThreadMessage, Topic
from asti.conversations.selectors import (
    guardian_unread_count,
    guardians_to_notify,
    messages_for_guardian,
    recipients_for,
    thread_for_guardian,
    threads_for_guardian,
)
from asti.conversations.services import (
    NEW_MESSAGE_TEMPLATE,
    ConversationError,
    ConversationErrorCode,
    attachment_for_guardian,
    guardian_reply,
    staff_reply,
    thread_read_by_guardian,
    thread_start_by_guardian,
)
from asti.core import clock
from asti.core.uploads import TOO_MANY, WRONG_TYPE, AttachmentRefused
from asti.identity.models import Role
from asti.messaging.models import Channel, FollowUp, FollowUpReason, InboundMessage, Message
from asti.messaging.services import follow_up_add
from asti.people.models import Custody
from tests.citizen.application_family import NOW, PNG, Family
from tests.staff.conftest import staff_user

pytestmark = pytest.mark.django_db

LATER = NOW + dt.timedelta(hours=2)
PDF = b"%PDF-1.4\n" + b"0" * 64


@pytest.fixture(autouse=True)
def _media(settings: Any, tmp_path: Path) -> None:
    settings.MEDIA_ROOT = str(tmp_path / "media")
    settings.ASTI_ATTACHMENTS_PER_MESSAGE = 2


@pytest.fixture
def family() -> Iterator[Family]:
    """(The clock stays at NOW through the test.)"""
    with clock.frozen_at(NOW):
        yield Family()


@pytest.fixture
def planner(family: Family) -> User:
    user = staff_user("pia.planner", Role.PLANNER)
    user.first_name = "Pia"
    user.save()
    return user


def png(name: str = "photo.png") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, PNG, content_type="image/png")


def start(family: Family, **changes: Any) -> Thread:
    values: dict[str, Any] = {
        "guardian": family.maria, "child": family.leo, "title": "Leo's allergy", "body": "Leo cannot eat nuts.",
        "topic": Topic.PLACEMENT,
    }  # fmt: skip
    values.update(changes)
    return thread_start_by_guardian(**values)


# ---- starting and seeing a thread ------------------------------------------------------------------------------


def test_a_guardian_writes_to_service_guidance_and_both_custodians_see_it(family: Family) -> None:
    thread = start(family, files=[png("allergy.png")])
    assert (thread.origin, thread.unit, thread.staff_unread, thread.topic) == (Origin.PORTAL, None, True, "placement")
    message = ThreadMessage.objects.get(thread=thread)
    assert (message.author_kind, message.guardian, message.body) == (AuthorKind.GUARDIAN, family.maria,
                                                                     "Leo cannot eat nuts.")  # fmt: skip
    assert ThreadAttachment.objects.get(message=message).original_name == "allergy.png"
    assert list(threads_for_guardian(guardian=family.maria)) == [thread]
    assert list(threads_for_guardian(guardian=family.karin)) == [thread]  # the other custodian
    assert thread_for_guardian(guardian=family.neighbour, thread_id=thread.pk) is None
    assert not threads_for_guardian(guardian=family.neighbour).exists()


def test_a_thread_about_no_child_is_only_its_guardians(family: Family) -> None:
    thread = start(family, child=None, title="A question", body="How do I move?")
    assert thread_for_guardian(guardian=family.maria, thread_id=thread.pk) == thread
    assert thread_for_guardian(guardian=family.karin, thread_id=thread.pk) is None


def test_a_guardian_without_custody_cannot_write_about_the_child(family: Family) -> None:
    with pytest.raises(ConversationError) as refused:
        start(family, guardian=family.neighbour, files=[png()])
    assert refused.value.code == ConversationErrorCode.NOT_GUARDIAN
    assert not Thread.objects.exists() and not ThreadAttachment.objects.exists()


def test_an_ended_custody_hides_the_thread(family: Family) -> None:
    thread = start(family)
    Custody.objects.filter(child=family.leo, guardian=family.karin).update(active=False)
    assert thread_for_guardian(guardian=family.karin, thread_id=thread.pk) is None
    with pytest.raises(ConversationError) as refused:
        guardian_reply(guardian=family.karin, thread=thread, body="Hello")
    assert refused.value.code == ConversationErrorCode.NOT_GUARDIAN


@pytest.mark.parametrize(
    ("changes", "code"),
    [
        ({"title": "  "}, ConversationErrorCode.NO_TITLE),
        ({"body": "\n \n"}, ConversationErrorCode.EMPTY),
        ({"body": "x" * 5001}, ConversationErrorCode.TOO_LONG),
    ],
)
def test_an_empty_or_too_long_message_is_refused(family: Family, changes: dict[str, str], code: str) -> None:
    with pytest.raises(ConversationError) as refused:
        start(family, **changes)
    assert refused.value.code == code
    assert not Thread.objects.exists()


def test_a_unit_is_a_recipient_only_for_its_children_and_with_a_director(family: Family) -> None:
    assert recipients_for(guardian=family.maria, child=family.leo) == []  # no director reads Kallio's messages yet
    staff_user("ulla.director", Role.UNIT_DIRECTOR, ("PK-KALLIO",))
    assert recipients_for(guardian=family.maria, child=family.leo) == [family.kallio]
    assert recipients_for(guardian=family.maria, child=family.baby) == []  # no place anywhere
    assert recipients_for(guardian=family.neighbour, child=family.leo) == []
    thread = start(family, unit=family.kallio)
    assert thread.unit == family.kallio
    for child in (family.baby, None):
        with pytest.raises(ConversationError) as refused:
            start(family, child=child, unit=family.kallio)
        assert refused.value.code == ConversationErrorCode.UNKNOWN_TEAM
    assert Thread.objects.count() == 1


# ---- attachments ------------------------------------------------------------------------------------------------


def test_too_many_files_refuse_the_whole_message(family: Family, tmp_path: Path) -> None:
    with pytest.raises(AttachmentRefused) as refused:
        start(family, files=[png("1.png"), png("2.png"), png("3.png")])
    assert refused.value.reason == TOO_MANY
    assert not Thread.objects.exists() and not ThreadMessage.objects.exists()
    assert not ThreadAttachment.objects.exists()
    assert not list((tmp_path / "media").rglob("*.*"))


def test_a_file_of_the_wrong_type_refuses_the_whole_reply(family: Family, tmp_path: Path) -> None:
    thread = start(family)
    script = SimpleUploadedFile("notes.pdf", b"<script>alert(1)</script>", content_type="application/pdf")
    with pytest.raises(AttachmentRefused) as refused:
        guardian_reply(guardian=family.maria, thread=thread, body="Two files", files=[png(), script])
    assert refused.value.reason == WRONG_TYPE
    assert ThreadMessage.objects.filter(thread=thread).count() == 1
    assert not ThreadAttachment.objects.exists()
    assert not list((tmp_path / "media").rglob("*.*"))


def test_a_guardian_gets_only_the_files_of_threads_they_see(family: Family, planner: User) -> None:
    thread = start(family, files=[png("allergy.png")])
    with clock.frozen_at(LATER):
        note = staff_reply(user=planner, thread=thread, body="For staff", internal=True,
                           files=[SimpleUploadedFile("n.pdf", PDF)])  # fmt: skip
    attachment = ThreadAttachment.objects.get(message__thread=thread, message__internal=False)
    assert attachment_for_guardian(guardian=family.karin, attachment_id=attachment.pk) == attachment
    assert attachment_for_guardian(guardian=family.neighbour, attachment_id=attachment.pk) is None
    internal_file = ThreadAttachment.objects.get(message=note)
    assert attachment_for_guardian(guardian=family.maria, attachment_id=internal_file.pk) is None


# ---- the city answers ---------------------------------------------------------------------------------------------


def test_the_citys_answer_is_told_by_sms_else_email_without_personal_data(family: Family, planner: User) -> None:
    family.karin.phone = ""
    family.karin.save()
    thread = start(family)
    with clock.frozen_at(NOW + dt.timedelta(minutes=30)):
        guardian_reply(guardian=family.karin, thread=thread, body="Also eggs.")
    with clock.frozen_at(LATER):
        staff_reply(user=planner, thread=thread, body="Thank you, we told the unit.")
    sent = {m.guardian_id: m for m in Message.objects.filter(template_key=NEW_MESSAGE_TEMPLATE)}
    assert set(sent) == {family.maria.pk, family.karin.pk}
    assert (sent[family.maria.pk].channel, sent[family.maria.pk].recipient) == (Channel.SMS, family.maria.phone)
    assert (sent[family.karin.pk].channel, sent[family.karin.pk].recipient) == (Channel.EMAIL, "karin@example.org")
    assert sent[family.maria.pk].language == "fi" and sent[family.karin.pk].language == "sv"
    for message in sent.values():
        text = f"{message.subject} {message.body}"
        assert "/messages/" in text
        for private in ("Leo", "Virtanen", "allergy", "nuts", "Pia", "Thank you"):
            assert private not in text
    thread.refresh_from_db()
    assert (thread.staff_unread, thread.assigned_to, thread.last_message_at) == (False, planner, LATER)


def test_internal_notes_are_never_shown_to_the_family(family: Family, planner: User) -> None:
    thread = start(family)
    with clock.frozen_at(LATER):
        staff_reply(user=planner, thread=thread, body="Call the unit first", internal=True)
    assert [m.body for m in messages_for_guardian(thread=thread)] == ["Leo cannot eat nuts."]
    assert not Message.objects.filter(template_key=NEW_MESSAGE_TEMPLATE).exists()
    assert guardian_unread_count(guardian=family.maria) == 0
    thread.refresh_from_db()
    assert thread.last_message_at == NOW  # a note does not move the thread in the family's list


def test_unread_until_each_guardian_opens_the_thread(family: Family, planner: User) -> None:
    thread = start(family)
    assert guardian_unread_count(guardian=family.maria) == 0  # their own message
    assert guardian_unread_count(guardian=family.karin) == 0  # a guardian's message is not the city's
    with clock.frozen_at(LATER):
        staff_reply(user=planner, thread=thread, body="We will call you.")
    assert guardian_unread_count(guardian=family.maria) == 1
    assert guardian_unread_count(guardian=family.karin) == 1
    assert [t.unread for t in threads_for_guardian(guardian=family.maria)] == [True]  # type: ignore[attr-defined]
    with clock.frozen_at(LATER + dt.timedelta(minutes=5)):
        thread_read_by_guardian(guardian=family.maria, thread=thread)
    assert guardian_unread_count(guardian=family.maria) == 0
    assert guardian_unread_count(guardian=family.karin) == 1  # each guardian reads for themselves
    with clock.frozen_at(LATER + dt.timedelta(hours=1)):
        staff_reply(user=planner, thread=thread, body="One more thing.")
    assert guardian_unread_count(guardian=family.maria) == 1


def test_threads_come_newest_first(family: Family, planner: User) -> None:
    first = start(family, title="First")
    second = start(family, title="Second", child=family.ella)
    assert list(threads_for_guardian(guardian=family.maria)) == [second, first]
    with clock.frozen_at(LATER):
        staff_reply(user=planner, thread=first, body="Answer")
    assert list(threads_for_guardian(guardian=family.maria)) == [first, second]


def test_a_guardian_reply_opens_a_closed_thread_for_staff(family: Family, planner: User) -> None:
    thread = start(family)
    Thread.objects.filter(pk=thread.pk).update(closed_at=NOW, staff_unread=False)
    with clock.frozen_at(LATER):
        guardian_reply(guardian=family.karin, thread=thread, body="One more question")
    thread.refresh_from_db()
    assert (thread.closed_at, thread.staff_unread, thread.last_message_at) == (None, True, LATER)
    assert guardians_to_notify(thread=thread) == [family.maria, family.karin]


# ---- a reply that needs a person ------------------------------------------------------------------------------------


def test_an_unclear_sms_reply_opens_one_thread_for_service_guidance(family: Family) -> None:
    inbound = InboundMessage.objects.create(
        gateway="simulated", channel=Channel.SMS, gateway_id="r-1", sender=family.maria.phone,
        text="Can we talk first?", received_at=LATER, guardian=family.maria,
    )  # fmt: skip
    follow_up = follow_up_add(reason=FollowUpReason.UNCLEAR_REPLY, guardian_id=family.maria.pk, inbound=inbound)
    again = follow_up_add(reason=FollowUpReason.UNCLEAR_REPLY, guardian_id=family.maria.pk, inbound=inbound)
    assert again == follow_up and FollowUp.objects.count() == 1
    thread = Thread.objects.get()
    assert (thread.origin, thread.follow_up, thread.unit, thread.guardian, thread.staff_unread) == (
        Origin.SMS_REPLY, follow_up, None, family.maria, True
    )  # fmt: skip
    message = ThreadMessage.objects.get(thread=thread)
    assert (message.body, message.inbound, message.author_kind) == ("Can we talk first?", inbound, AuthorKind.GUARDIAN)
    assert thread_for_guardian(guardian=family.maria, thread_id=thread.pk) == thread
    assert thread.display_title  # never an empty title in a list
