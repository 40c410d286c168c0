"""Writes to the outbox: enqueue (inside the caller's transaction), delivery reports, failures, follow-ups.

Every status change is a conditional UPDATE that names the state it moves from, so a late or repeated event never
overwrites a final state and a worker whose lease ran out cannot record over the worker that took its rows.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.db.models import Q

from asti.audit.services import audit_log
from asti.core import clock
from asti.messaging.models import (
    Channel,
    FollowUp,
    FollowUpReason,
    InboundMessage,
    Lane,
    Message,
    Status,
)
from asti.messaging.sms import phone_e164, sms_encoding, sms_text
from asti.messaging.templates import CityTexts, TemplateError, city_texts, render_template
from asti.people.models import Guardian

log = logging.getLogger(__name__)


class OutboxError(Exception):
    """A message that cannot be enqueued as asked (outside a transaction, too long, no subject for email...)."""


@dataclass(frozen=True)
class OutgoingMessage:
    """One message to enqueue; the fields of message_enqueue, for message_enqueue_bulk."""

    channel: str
    recipient: str
    template_key: str
    language: str
    context: Mapping[str, Any] = field(default_factory=dict)
    lane: str = Lane.BULK
    subject_type: str = ""
    subject_id: str = ""
    guardian_id: int | None = None
    fallback_email: str = ""
    fallback_template_key: str = ""
    follow_up_on_failure: bool = True
    not_before: dt.datetime | None = None


def outgoing_to_guardian(guardian: Guardian, **common: Any) -> OutgoingMessage | None:
    """The one rule for reaching a guardian: SMS with an email fallback where there is a number, else email; None
    for a guardian with neither (the caller puts the family on the follow-up list or relies on the e-service)."""
    common.setdefault("guardian_id", guardian.pk)
    if guardian.phone:
        return OutgoingMessage(channel=Channel.SMS, recipient=guardian.phone, fallback_email=guardian.email, **common)
    if guardian.email:
        return OutgoingMessage(channel=Channel.EMAIL, recipient=guardian.email, **common)
    return None


def message_enqueue(
    *,
    channel: str,
    recipient: str,
    template_key: str,
    language: str,
    context: Mapping[str, Any],
    lane: str = Lane.BULK,
    subject_type: str = "",
    subject_id: str | int = "",
    guardian: Guardian | None = None,
    fallback_email: str = "",
    fallback_template_key: str = "",
    follow_up_on_failure: bool = True,
    not_before: dt.datetime | None = None,
) -> Message:
    """Writes one message to the outbox. Call it inside the transaction of the change that causes the message.

    An SMS with `fallback_email` also renders the email (`fallback_template_key`, default the same key, needs a
    Subject line) that is sent instead if the SMS fails for good. A recipient that cannot be reached at all
    (an invalid number or address) gives a row that has failed already, with its fallback or follow-up.
    """
    return message_enqueue_bulk(
        messages=[
            OutgoingMessage(
                channel=channel,
                recipient=recipient,
                template_key=template_key,
                language=language,
                context=context,
                lane=lane,
                subject_type=subject_type,
                subject_id=str(subject_id),
                guardian_id=guardian.pk if guardian is not None else None,
                fallback_email=fallback_email,
                fallback_template_key=fallback_template_key,
                follow_up_on_failure=follow_up_on_failure,
                not_before=not_before,
            )
        ]
    )[0]


def message_enqueue_bulk(*, messages: Sequence[OutgoingMessage]) -> list[Message]:
    """message_enqueue for many messages with one INSERT per 500 rows (a whole round's offers)."""
    if not transaction.get_connection().in_atomic_block:
        raise OutboxError("enqueue messages inside transaction.atomic(), with the change that causes them")
    now = clock.now()
    texts = city_texts()  # the city's own wordings in use, read once for the whole batch
    rows = [_build(out, now=now, texts=texts) for out in messages]
    created = Message.objects.bulk_create(rows, batch_size=500)
    for message in created:
        if message.status == Status.PERMANENT_FAILURE:
            after_final_failure(message, now=now)
    return created


def _build(out: OutgoingMessage, *, now: dt.datetime, texts: CityTexts) -> Message:
    if out.channel not in Channel.values:
        raise OutboxError(f"unknown channel {out.channel!r}")
    if out.lane not in Lane.values:
        raise OutboxError(f"unknown lane {out.lane!r}")
    if out.language not in {code for code, _ in settings.LANGUAGES}:
        raise OutboxError(f"unknown language {out.language!r}")
    rendered = render_template(out.template_key, out.language, out.context, texts=texts)
    message = Message(
        channel=out.channel,
        lane=out.lane,
        recipient=out.recipient.strip(),
        language=out.language,
        template_key=out.template_key,
        template_version=rendered.version,
        subject=rendered.subject[:300],
        body=rendered.body,
        subject_type=out.subject_type,
        subject_id=out.subject_id,
        guardian_id=out.guardian_id,
        follow_up_on_failure=out.follow_up_on_failure,
        next_attempt_at=max(out.not_before or now, now),
        created_at=now,
    )
    if out.channel == Channel.SMS:
        message.body = sms_text(rendered.body)  # what is counted is what is sent
        encoding = sms_encoding(message.body)
        max_parts: int = settings.MESSAGING_SMS_MAX_PARTS
        if encoding.parts > max_parts:
            raise OutboxError(
                f"{out.template_key}.{out.language}: {encoding.parts} SMS parts ({encoding.encoding}), "
                f"at most {max_parts} allowed"
            )
        message.sms_encoding, message.sms_parts = encoding.encoding, encoding.parts
        number = phone_e164(out.recipient)
        if number is None:
            _fail_at_once(message, f"not a phone number: {out.recipient!r}", now=now)
        else:
            message.recipient = number
        if out.fallback_email:
            message.fallback = _render_fallback(out, texts)
    else:
        if not rendered.subject:
            raise OutboxError(f"{out.template_key}.{out.language}: an email template needs a 'Subject:' line")
        if not _email_valid(message.recipient):
            _fail_at_once(message, f"not an email address: {out.recipient!r}", now=now)
    return message


def _render_fallback(out: OutgoingMessage, texts: CityTexts) -> dict[str, str]:
    key = out.fallback_template_key or out.template_key
    rendered = render_template(key, out.language, out.context, texts=texts)
    if not rendered.subject:
        raise OutboxError(f"{key}.{out.language}: the fallback email template needs a 'Subject:' line")
    return {
        "recipient": out.fallback_email.strip(),
        "subject": rendered.subject[:300],
        "body": rendered.body,
        "template_key": key,
        "template_version": rendered.version,
    }


def _email_valid(address: str) -> bool:
    try:
        validate_email(address)
    except ValidationError:
        return False
    return True


def _fail_at_once(message: Message, error: str, *, now: dt.datetime) -> None:
    message.status = Status.PERMANENT_FAILURE
    message.failed_at = now
    message.last_error = error


def after_final_failure(message: Message, *, now: dt.datetime) -> None:
    """The SMS failed for good: send its email instead, or put the family on the follow-up list."""
    if message.channel == Channel.SMS and message.fallback and not Message.objects.filter(fallback_of=message).exists():
        fallback = message.fallback
        email = Message(
            channel=Channel.EMAIL,
            lane=message.lane,
            recipient=str(fallback["recipient"]),
            language=message.language,
            template_key=str(fallback["template_key"]),
            template_version=str(fallback["template_version"]),
            subject=str(fallback["subject"]),
            body=str(fallback["body"]),
            subject_type=message.subject_type,
            subject_id=message.subject_id,
            guardian_id=message.guardian_id,
            fallback_of=message,
            follow_up_on_failure=message.follow_up_on_failure,
            next_attempt_at=now,
            created_at=now,
        )
        if not _email_valid(email.recipient):
            _fail_at_once(email, f"not an email address: {email.recipient!r}", now=now)
        email.save()
        if email.status == Status.PERMANENT_FAILURE:
            after_final_failure(email, now=now)
        return
    if message.follow_up_on_failure:
        follow_up_add(
            reason=FollowUpReason.UNREACHABLE,
            guardian_id=message.guardian_id,
            subject_type=message.subject_type,
            subject_id=message.subject_id,
            message=message,
            detail=f"{message.channel} to {message.recipient}: {message.last_error or message.status}",
        )


# --- results of a send attempt (called by the worker) -----------------------------------------------------------


def retry_delay(attempts: int) -> dt.timedelta:
    """Exponential back-off: base * 2^(attempts-1), capped."""
    base: float = settings.MESSAGING_RETRY_BASE_SECONDS
    cap: float = settings.MESSAGING_RETRY_MAX_SECONDS
    return dt.timedelta(seconds=min(cap, base * 2 ** max(0, attempts - 1)))


def messages_lock(ids: Collection[int], *, skip_locked: bool = False) -> list[int]:
    """Locks these messages (inside the caller's transaction) in the order of their ids, and returns the ids locked.

    Every writer that changes several messages in one transaction (the worker recording a step, the delivery
    reports) locks them this way first, so that two of them never wait for each other in a circle. With
    `skip_locked`, messages another transaction holds are left out instead of waited for.
    """
    rows = Message.objects.select_for_update(skip_locked=skip_locked).filter(pk__in=list(ids)).order_by("pk")
    return list(rows.values_list("pk", flat=True))


def messages_mark_sent(*, worker_id: str, ids: Sequence[int], delivered: bool = False) -> int:
    """The gateway took these messages (or, for the simulated channel, delivered them)."""
    now = clock.now()
    changes: dict[str, Any] = {"status": Status.SENT, "sent_at": now, "claimed_by": "", "claimed_until": None}
    if delivered:
        changes.update(status=Status.DELIVERED, delivered_at=now)
    with transaction.atomic():
        return Message.objects.filter(pk__in=ids, status=Status.SENDING, claimed_by=worker_id).update(
            last_error="", **changes
        )


def message_mark_sent_with_id(*, worker_id: str, message_id: int, gateway_message_id: str) -> int:
    now = clock.now()
    return Message.objects.filter(pk=message_id, status=Status.SENDING, claimed_by=worker_id).update(
        status=Status.SENT, sent_at=now, claimed_by="", claimed_until=None, gateway_message_id=gateway_message_id[:100]
    )


def messages_mark_temporary_failure(*, worker_id: str, failures: Mapping[int, str]) -> None:
    """A try failed but may work later: back off, or give up after MESSAGING_MAX_ATTEMPTS (technical failure)."""
    now = clock.now()
    max_attempts: int = settings.MESSAGING_MAX_ATTEMPTS
    with transaction.atomic():
        rows = Message.objects.filter(pk__in=list(failures), status=Status.SENDING, claimed_by=worker_id)
        for message in rows.only("pk", "attempts"):
            error = failures[message.pk][:2000]
            if message.attempts >= max_attempts:
                message_mark_failed(
                    worker_id=worker_id, message_id=message.pk, error=error, status=Status.TECHNICAL_FAILURE
                )
                continue
            Message.objects.filter(pk=message.pk, status=Status.SENDING, claimed_by=worker_id).update(
                status=Status.TEMPORARY_FAILURE,
                next_attempt_at=now + retry_delay(message.attempts),
                claimed_by="",
                claimed_until=None,
                last_error=error,
            )


def message_mark_failed(*, worker_id: str, message_id: int, error: str, status: str = Status.PERMANENT_FAILURE) -> bool:
    """A final failure found while sending (recipient refused, number not routable, attempts used up)."""
    now = clock.now()
    with transaction.atomic():
        changed = Message.objects.filter(pk=message_id, status=Status.SENDING, claimed_by=worker_id).update(
            status=status, failed_at=now, claimed_by="", claimed_until=None, last_error=error[:2000]
        )
        if changed:
            after_final_failure(Message.objects.get(pk=message_id), now=now)
    return bool(changed)


# --- follow-up list ---------------------------------------------------------------------------------------------


def follow_up_add(
    *,
    reason: str,
    guardian_id: int | None = None,
    subject_type: str = "",
    subject_id: str = "",
    message: Message | None = None,
    inbound: InboundMessage | None = None,
    detail: str = "",
) -> FollowUp:
    """Puts a family on the staff follow-up list (once per failed message or per reply)."""
    values: dict[str, Any] = {
        "created_at": clock.now(),
        "reason": reason,
        "guardian_id": guardian_id,
        "subject_type": subject_type,
        "subject_id": subject_id,
        "detail": detail[:2000],
    }
    if message is not None:
        follow_up, _ = FollowUp.objects.get_or_create(message=message, defaults=values)
    elif inbound is not None:
        follow_up, _ = FollowUp.objects.get_or_create(inbound=inbound, defaults=values)
    else:
        follow_up = FollowUp.objects.create(**values)
    return follow_up


MAX_RESOLUTION_NOTE = 2000


def follow_up_resolve(*, follow_up: FollowUp, actor: str, note: str = "") -> bool:
    """Marks a follow-up done, with a note of what was done; False when it already was (the first one counts)."""
    note = note.strip()
    if len(note) > MAX_RESOLUTION_NOTE:
        raise ValueError(f"a resolution note is at most {MAX_RESOLUTION_NOTE} characters")
    with transaction.atomic():
        changed = FollowUp.objects.filter(pk=follow_up.pk, resolved_at__isnull=True).update(
            resolved_at=clock.now(), resolved_by=actor[:200], resolution_note=note
        )
        if changed:
            audit_log(
                actor=actor, operation="RESOLVE", target_type="follow_up", target_id=str(follow_up.pk),
                details={"reason": follow_up.reason, "with_note": bool(note)},
            )  # fmt: skip
    return bool(changed)


def follow_up_assign(*, follow_up: FollowUp, owner: User | None, actor: str, only_if_unassigned: bool = False) -> bool:
    """Gives an open follow-up to a staff member (None: to nobody). With only_if_unassigned ("I take it") it
    succeeds only while nobody else has it, so two people taking it at once cannot both get it. False when
    nothing changed (done already, or someone else has it)."""
    with transaction.atomic():
        rows = FollowUp.objects.filter(pk=follow_up.pk, resolved_at__isnull=True)
        if only_if_unassigned:
            rows = rows.filter(Q(owner__isnull=True) | Q(owner=owner))
        changed = rows.update(owner=owner)
        if changed:
            audit_log(
                actor=actor, operation="FOLLOW_UP_ASSIGN", target_type="follow_up", target_id=str(follow_up.pk),
                details={"to": owner.get_username() if owner is not None else ""},
            )  # fmt: skip
    return bool(changed)


__all__ = [
    "OutboxError",
    "OutgoingMessage",
    "TemplateError",
    "follow_up_add",
    "follow_up_assign",
    "follow_up_resolve",
    "message_enqueue",
    "message_enqueue_bulk",
]
