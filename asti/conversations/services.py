"""Writing in threads: a guardian starts or answers one, staff answer, note, assign and close, and a reply that
needs a person becomes a thread of its own.

Every write locks the thread, keeps `last_message_at` and `staff_unread` right, writes the audit trail, and, when
the city writes to the family, tells the guardians by SMS (else email) in the same transaction. The prompt holds
no personal data: only that there is a message, and the link to the e-service.
"""

from __future__ import annotations

import enum
from collections.abc import Sequence
from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth.models import User
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import F, Value
from django.db.models.fields.files import FieldFile
from django.db.models.functions import Greatest
from django.urls import reverse

from asti.audit.services import audit_log
from asti.conversations.models import (
    MAX_BODY,
    AnswerTemplate,
    AuthorKind,
    Origin,
    Thread,
    ThreadAttachment,
    ThreadMessage,
    ThreadRead,
    Topic,
)
from asti.conversations.selectors import guardians_to_notify, recipients_for
from asti.core import clock
from asti.core.uploads import TOO_MANY, AttachmentRefused, CheckedUpload, checked_upload
from asti.messaging.models import Channel, FollowUp, InboundMessage, Lane
from asti.messaging.services import OutgoingMessage, follow_up_resolve, message_enqueue_bulk, outgoing_to_guardian
from asti.offers.selectors import children_visible_for
from asti.people.models import Child, Guardian
from asti.units.models import Unit

NEW_MESSAGE_TEMPLATE = "conversations.new_message"
MAX_TITLE = 200


class ConversationErrorCode(enum.StrEnum):
    EMPTY = "empty"
    TOO_LONG = "too_long"
    NO_TITLE = "no_title"
    NOT_GUARDIAN = "not_guardian"
    UNKNOWN_TEAM = "unknown_team"
    CLOSED = "closed"
    NO_FAMILY = "no_family"
    NOT_ASSIGNABLE = "not_assignable"


@dataclass
class ConversationError(Exception):
    code: ConversationErrorCode

    def __str__(self) -> str:
        return self.code.value


def max_attachments() -> int:
    return int(settings.ASTI_ATTACHMENTS_PER_MESSAGE)


def _clean_body(body: str) -> str:
    body = body.replace("\x00", "").replace("\r\n", "\n").strip()
    if not body:
        raise ConversationError(ConversationErrorCode.EMPTY)
    if len(body) > MAX_BODY:
        raise ConversationError(ConversationErrorCode.TOO_LONG)
    return body


def _clean_title(title: str) -> str:
    title = " ".join(title.replace("\x00", "").split())
    if not title:
        raise ConversationError(ConversationErrorCode.NO_TITLE)
    return title[:MAX_TITLE]


def _checked_files(files: Sequence[UploadedFile]) -> list[CheckedUpload]:
    """Every file checked before anything is written: one refused file refuses the message."""
    if len(files) > max_attachments():
        raise AttachmentRefused(TOO_MANY)
    return [checked_upload(upload) for upload in files]


def _store(message: ThreadMessage, files: list[CheckedUpload], *, actor: str) -> None:
    stored: list[FieldFile] = []
    try:
        for checked in files:
            attachment = ThreadAttachment(
                message=message,
                original_name=checked.name,
                content_type=checked.content_type,
                size=checked.size,
                sha256=checked.sha256,
                uploaded_by=actor,
                uploaded_at=message.at,
            )
            checked.save_to(attachment.file)
            stored.append(attachment.file)
            attachment.save()
    except Exception:
        for field in stored:
            field.delete(save=False)
        raise


def _staff_name(user: User) -> str:
    return (user.first_name or user.get_username())[:200]


def _guardian_actor(guardian: Guardian) -> str:
    return f"guardian:{guardian.guardian_id}"


def _audit(actor: str, operation: str, thread: Thread, **details: object) -> None:
    target_type, target_id = ("child", thread.child.child_id) if thread.child else ("guardian", "")
    if thread.child is None and thread.guardian is not None:
        target_id = thread.guardian.guardian_id
    audit_log(
        actor=actor, operation=operation, target_type=target_type, target_id=target_id,
        details={"thread": thread.pk, **details},
    )  # fmt: skip


def thread_url() -> str:
    return settings.ASTI_PUBLIC_BASE_URL.rstrip("/") + reverse("citizen:messages")


def _notify(thread: Thread) -> None:
    """Tells the family there is a message from the city (no personal data in the prompt)."""
    out: list[OutgoingMessage] = []
    for guardian in guardians_to_notify(thread=thread):
        message = outgoing_to_guardian(
            guardian, template_key=NEW_MESSAGE_TEMPLATE, language=guardian.language, context={"link": thread_url()},
            lane=Lane.FAST, subject_type="thread", subject_id=str(thread.pk), follow_up_on_failure=False,
        )  # fmt: skip
        if message is not None:
            out.append(message)
    if out:
        message_enqueue_bulk(messages=out)


def _locked(thread: Thread) -> Thread:
    return Thread.objects.select_for_update(of=("self",)).select_related("child", "guardian").get(pk=thread.pk)


# ---- the family's side ---------------------------------------------------------------------------------------


def thread_start_by_guardian(
    *,
    guardian: Guardian,
    child: Child | None,
    title: str,
    body: str,
    topic: str = Topic.GENERAL,
    unit: Unit | None = None,
    files: Sequence[UploadedFile] = (),
) -> Thread:
    """A guardian writes to service guidance, or to a unit the child is in or has a place in."""
    title, body = _clean_title(title), _clean_body(body)
    if topic not in Topic.values:
        topic = Topic.GENERAL
    if child is not None and not children_visible_for(guardian=guardian).filter(pk=child.pk).exists():
        raise ConversationError(ConversationErrorCode.NOT_GUARDIAN)
    if unit is not None and unit not in recipients_for(guardian=guardian, child=child):
        raise ConversationError(ConversationErrorCode.UNKNOWN_TEAM)
    checked = _checked_files(files)
    now = clock.now()
    with transaction.atomic():
        thread = Thread.objects.create(
            title=title, topic=topic, child=child, guardian=guardian, unit=unit, origin=Origin.PORTAL,
            created_at=now, last_message_at=now, staff_unread=True,
        )  # fmt: skip
        message = ThreadMessage.objects.create(
            thread=thread, at=now, author_kind=AuthorKind.GUARDIAN, guardian=guardian, body=body
        )
        _store(message, checked, actor=_guardian_actor(guardian))
        ThreadRead.objects.create(thread=thread, guardian=guardian, read_at=now)
        _audit(_guardian_actor(guardian), "THREAD_START", thread, message=message.pk)
    return thread


def guardian_reply(
    *, guardian: Guardian, thread: Thread, body: str, files: Sequence[UploadedFile] = ()
) -> ThreadMessage:
    """A guardian answers in a thread they see; a closed thread opens again for staff."""
    from asti.conversations.selectors import thread_for_guardian

    body = _clean_body(body)
    if thread_for_guardian(guardian=guardian, thread_id=thread.pk) is None:
        raise ConversationError(ConversationErrorCode.NOT_GUARDIAN)
    checked = _checked_files(files)
    now = clock.now()
    with transaction.atomic():
        thread = _locked(thread)
        message = ThreadMessage.objects.create(
            thread=thread, at=now, author_kind=AuthorKind.GUARDIAN, guardian=guardian, body=body
        )
        _store(message, checked, actor=_guardian_actor(guardian))
        Thread.objects.filter(pk=thread.pk).update(last_message_at=now, staff_unread=True, closed_at=None)
        ThreadRead.objects.update_or_create(thread=thread, guardian=guardian, defaults={"read_at": now})
        _audit(_guardian_actor(guardian), "THREAD_WRITE", thread, message=message.pk)
    return message


def thread_read_by_guardian(*, guardian: Guardian, thread: Thread) -> None:
    """The guardian opened the thread: read up to now, and audited like their other views of the child."""
    ThreadRead.objects.update_or_create(thread=thread, guardian=guardian, defaults={"read_at": clock.now()})
    _audit(_guardian_actor(guardian), "VIEW", thread, page="thread")


# ---- staff ---------------------------------------------------------------------------------------------------


def thread_read_by_staff(*, user: User, thread: Thread) -> None:
    """Staff opened the thread: audited with the people it shows, and no longer unread for the team."""
    from asti.conversations.selectors import thread_family

    guardians = [guardian.guardian_id for guardian in thread_family(thread=thread)]
    _audit(user.get_username(), "VIEW", thread, page="thread", guardians=guardians)
    if thread.staff_unread:
        Thread.objects.filter(pk=thread.pk, last_message_at__lte=clock.now()).update(staff_unread=False)


def staff_reply(
    *, user: User, thread: Thread, body: str, internal: bool = False, files: Sequence[UploadedFile] = ()
) -> ThreadMessage:
    """Staff write in a thread: to the family (who are told by SMS or email), or an internal note."""
    body = _clean_body(body)
    checked = _checked_files(files)
    now = clock.now()
    with transaction.atomic():
        thread = _locked(thread)
        if not internal and thread.child_id is None and thread.guardian_id is None:
            raise ConversationError(ConversationErrorCode.NO_FAMILY)
        message = ThreadMessage.objects.create(
            thread=thread, at=now, author_kind=AuthorKind.STAFF, staff_user=user, staff_name=_staff_name(user),
            body=body, internal=internal,
        )  # fmt: skip
        _store(message, checked, actor=user.get_username())
        changes: dict[str, object] = {"staff_unread": False}
        if not internal:
            changes["last_message_at"] = now
        if thread.assigned_to_id is None:
            changes["assigned_to"] = user
        Thread.objects.filter(pk=thread.pk).update(**changes)
        _audit(user.get_username(), "THREAD_NOTE" if internal else "THREAD_WRITE", thread, message=message.pk)
        if not internal:
            _notify(thread)
    return message


def thread_start_by_staff(
    *,
    user: User,
    child: Child,
    title: str,
    body: str,
    guardian: Guardian | None = None,
    unit: Unit | None = None,
    topic: str = Topic.GENERAL,
    files: Sequence[UploadedFile] = (),
) -> Thread:
    """Staff write to a family about a child (to one guardian, or to every custodian)."""
    title = _clean_title(title)
    if guardian is not None and not children_visible_for(guardian=guardian).filter(pk=child.pk).exists():
        raise ConversationError(ConversationErrorCode.NOT_GUARDIAN)
    now = clock.now()
    with transaction.atomic():
        thread = Thread.objects.create(
            title=title, topic=topic if topic in Topic.values else Topic.GENERAL, child=child, guardian=guardian,
            unit=unit, origin=Origin.STAFF, created_at=now, last_message_at=now, staff_unread=False,
            assigned_to=user,
        )  # fmt: skip
        staff_reply(user=user, thread=thread, body=body, files=files)
    return thread


def thread_assign(*, user: User, thread: Thread, assignee: User | None) -> None:
    from asti.conversations.selectors import assignees_for

    if assignee is not None and not assignees_for(thread=thread).filter(pk=assignee.pk).exists():
        raise ConversationError(ConversationErrorCode.NOT_ASSIGNABLE)
    with transaction.atomic():
        Thread.objects.filter(pk=thread.pk).update(assigned_to=assignee)
        _audit(user.get_username(), "THREAD_ASSIGN", thread, to=assignee.get_username() if assignee else "")


def thread_close(*, user: User, thread: Thread) -> None:
    with transaction.atomic():
        if Thread.objects.filter(pk=thread.pk, closed_at__isnull=True).update(
            closed_at=clock.now(), staff_unread=False
        ):
            _audit(user.get_username(), "THREAD_CLOSE", thread)


def thread_reopen(*, user: User, thread: Thread) -> None:
    with transaction.atomic():
        if Thread.objects.filter(pk=thread.pk, closed_at__isnull=False).update(closed_at=None):
            _audit(user.get_username(), "THREAD_REOPEN", thread)


def attachment_for_guardian(*, guardian: Guardian, attachment_id: int) -> ThreadAttachment | None:
    from asti.conversations.selectors import threads_for_guardian

    attachment = (
        ThreadAttachment.objects.filter(
            pk=attachment_id, message__internal=False, message__thread__in=threads_for_guardian(guardian=guardian)
        )
        .select_related("message__thread__child", "message__thread__guardian")
        .first()
    )
    if attachment is not None:
        _audit(_guardian_actor(guardian), "THREAD_ATTACHMENT_READ", attachment.message.thread, attachment=attachment.pk)
    return attachment


def attachment_for_staff(*, user: User, attachment_id: int) -> ThreadAttachment | None:
    from asti.conversations.selectors import threads_visible_for_staff

    attachment = (
        ThreadAttachment.objects.filter(pk=attachment_id, message__thread__in=threads_visible_for_staff(user=user))
        .select_related("message__thread__child", "message__thread__guardian")
        .first()
    )
    if attachment is not None:
        _audit(user.get_username(), "THREAD_ATTACHMENT_READ", attachment.message.thread, attachment=attachment.pk)
    return attachment


# ---- ready answers -------------------------------------------------------------------------------------------


def answer_template_save(
    *,
    user: User,
    template: AnswerTemplate | None,
    unit: Unit | None,
    title: str,
    body_fi: str,
    body_sv: str,
    body_en: str,
    active: bool = True,
) -> AnswerTemplate:
    """Creates a team's ready answer (`template` None, for `unit`: None is service guidance) or changes one (its
    own team kept); in every language, kept by the team's own staff."""
    from asti.conversations.selectors import can_keep_answers

    team = template.unit if template is not None else unit
    if not can_keep_answers(user=user, unit=team):
        raise ConversationError(ConversationErrorCode.UNKNOWN_TEAM)
    values = {
        "title": _clean_title(title), "body_fi": _clean_body(body_fi), "body_sv": _clean_body(body_sv),
        "body_en": _clean_body(body_en), "active": active, "updated_by": user.get_username()[:200],
        "updated_at": clock.now(),
    }  # fmt: skip
    with transaction.atomic():
        if template is None:
            saved = AnswerTemplate.objects.create(unit=team, **values)
        else:
            saved = AnswerTemplate.objects.select_for_update().get(pk=template.pk)
            for field, value in values.items():
                setattr(saved, field, value)
            saved.save()
        audit_log(
            actor=user.get_username(), operation="ANSWER_TEMPLATE_SAVE", target_type="answer_template",
            target_id=str(saved.pk),
            details={"unit": team.unit_id if team is not None else "", "created": template is None, "active": active},
        )  # fmt: skip
    return saved


# ---- a reply that needs a person -----------------------------------------------------------------------------


def thread_from_reply(*, follow_up: FollowUp) -> Thread | None:
    """A reply the e-service could not take as an answer (unclear, late, contradicting the other guardian, or from
    an unknown sender) opens a thread for service guidance holding the guardian's words, once per reply."""
    inbound: InboundMessage | None = follow_up.inbound
    if inbound is None or Thread.objects.filter(follow_up=follow_up).exists():
        return None
    answered = _thread_answered_by_email(follow_up=follow_up, inbound=inbound)
    if answered is not None:
        return answered
    child: Child | None = None
    if follow_up.subject_type == "offer" and follow_up.subject_id.isdigit():
        child = Child.objects.filter(offers__pk=int(follow_up.subject_id)).first()
    guardian_id = follow_up.guardian_id or inbound.guardian_id
    guardian = Guardian.objects.filter(pk=guardian_id).first() if guardian_id else None
    email = inbound.channel == Channel.EMAIL
    topic = Topic.OFFER if child is not None else Topic.GENERAL
    at = inbound.received_at
    thread = Thread.objects.create(
        title="",
        topic=topic, child=child, guardian=guardian, unit=None,
        origin=Origin.EMAIL_REPLY if email else Origin.SMS_REPLY, created_at=at, last_message_at=at,
        staff_unread=True, follow_up=follow_up,
    )  # fmt: skip
    ThreadMessage.objects.create(
        thread=thread, at=at, author_kind=AuthorKind.GUARDIAN, guardian=guardian, body=inbound.text or "—",
        inbound=inbound,
    )  # fmt: skip
    return thread


def _thread_answered_by_email(*, follow_up: FollowUp, inbound: InboundMessage) -> Thread | None:
    """A reply to the email that announced a new message goes into that thread (when its sender is one of the
    thread's guardians) instead of opening a new one; the follow-up is then done, the inbox holds the work."""
    from asti.conversations.selectors import thread_for_guardian

    if follow_up.subject_type != "thread" or not follow_up.subject_id.isdigit():
        return None
    guardian_id = follow_up.guardian_id or inbound.guardian_id
    guardian = Guardian.objects.filter(pk=guardian_id, active=True).first() if guardian_id else None
    if guardian is None:
        return None
    thread = thread_for_guardian(guardian=guardian, thread_id=int(follow_up.subject_id))
    if thread is None:
        return None
    at = inbound.received_at
    with transaction.atomic():
        thread = _locked(thread)
        message = ThreadMessage.objects.create(
            thread=thread, at=at, author_kind=AuthorKind.GUARDIAN, guardian=guardian, body=inbound.text or "—",
            inbound=inbound,
        )  # fmt: skip
        Thread.objects.filter(pk=thread.pk).update(
            last_message_at=Greatest(F("last_message_at"), Value(at)), staff_unread=True, closed_at=None
        )
        _audit(_guardian_actor(guardian), "THREAD_WRITE", thread, message=message.pk, channel=Channel.EMAIL)
        follow_up_resolve(follow_up=follow_up, actor="system", note=f"thread {thread.pk}")
    return thread
