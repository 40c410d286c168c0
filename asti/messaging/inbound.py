"""Replies coming in: stored raw first, de-duplicated by the gateway's id, then handed to the registered handler.

Messaging never imports the app that owns the conversation. That app registers one handler when it is ready:

    from asti.messaging.inbound import Answer, InboundReply, ReplyOutcome, register_reply_handler

    def handle(reply: InboundReply) -> ReplyOutcome:
        ...  # runs inside the transaction that stored the reply; may write and enqueue messages itself
        return ReplyOutcome(result="accepted", answer=Answer("offers.confirmation", "fi", {...}))

    register_reply_handler(handle)

The handler's answer goes to the sender on the fast lane in the same transaction, on the channel the reply came
by. If the handler raises, its writes are rolled back (a savepoint), the raw reply stays, staff get a follow-up and
the sender a generic answer.

Who sent a reply: for SMS, the guardians who have the sender's number. For email, the guardian the answered email
was sent to, proved by the token of its reply address (asti.messaging.email_inbound); the answer then goes to that
email's address, never to whatever the From line says. An email without a valid token may be from anyone (a From
line is easy to forge): it is never handed to the handler, so it can never be taken as an answer. It is stored and
goes to staff, tied to the guardian whose address is in its From line when exactly one is, and only such a known
address gets the generic answer. Automatic emails (out of office, bounces) are stored and nothing more.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction

from asti.core import clock
from asti.messaging.models import Channel, FollowUpReason, HandlingResult, InboundMessage, Lane, Message
from asti.messaging.services import OutgoingMessage, follow_up_add, message_enqueue_bulk
from asti.messaging.sms import phone_e164
from asti.messaging.tokens import email_reply_message_id
from asti.people.models import Guardian

log = logging.getLogger(__name__)

MAX_STORED_TEXT = 20_000
STAFF_ANSWER_TEMPLATE = "messaging.reply_received"
SENDER_UNVERIFIED = "sender_unverified"  # an email reply without a valid token: staff read it
AUTOMATIC = "automatic"  # an out-of-office answer or a bounce: stored only


@dataclass(frozen=True)
class InboundReply:
    """What a handler gets: the stored reply and the guardians who sent it (see the module's docstring)."""

    id: int
    gateway: str
    sender: str  # SMS: E.164 when it could be read as a phone number, else as the gateway gave it; email: address
    receiver: str
    text: str  # for email, what the guardian wrote without the quoted original
    received_at: dt.datetime
    guardian_ids: tuple[int, ...]
    channel: str = Channel.SMS
    # email: what the answered email was about (its Message's subject_type and subject_id)
    subject_type: str = ""
    subject_id: str = ""


@dataclass(frozen=True)
class Answer:
    template_key: str
    language: str
    context: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class ReplyOutcome:
    """What the handler decided. `result` is a short code stored on the reply ("accepted", "not_understood"...).

    `answer` is sent to the sender on the fast lane; `needs_staff` puts the reply on the follow-up list;
    `subject_type`/`subject_id`/`guardian_id` tie the answer and the follow-up to what the reply was about.
    """

    result: str
    answer: Answer | None = None
    needs_staff: bool = False
    follow_up_reason: str = ""  # a FollowUpReason for the work list; "" = a reply needs a person
    subject_type: str = ""
    subject_id: str = ""
    guardian_id: int | None = None


ReplyHandler = Callable[[InboundReply], ReplyOutcome]
_handler: ReplyHandler | None = None


def register_reply_handler(handler: ReplyHandler, *, replace: bool = False) -> None:
    """Registers THE reply handler (one per project). A second registration is an error unless `replace`."""
    global _handler
    if _handler is not None and _handler is not handler and not replace:
        raise RuntimeError(f"a reply handler is registered already ({_handler!r})")
    _handler = handler


def get_reply_handler() -> ReplyHandler | None:
    return _handler


@contextmanager
def reply_handler_override(handler: ReplyHandler | None) -> Iterator[None]:
    """For tests and benchmarks: another handler for a while."""
    global _handler
    previous, _handler = _handler, handler
    try:
        yield
    finally:
        _handler = previous


@dataclass(frozen=True)
class Received:
    inbound: InboundMessage
    duplicate: bool


def dedup_key(*, sender: str, receiver: str, gateway_time: str, text: str) -> str:
    """The id of a reply whose gateway gave none: a hash of what identifies it."""
    digest = hashlib.sha256("\x1f".join((sender, receiver, gateway_time, text)).encode()).hexdigest()
    return "h:" + digest[:40]


def inbound_receive(
    *,
    gateway: str,
    gateway_id: str,
    sender: str,
    receiver: str = "",
    text: str,
    coding: str = "",
    charset: str = "",
    smsc: str = "",
    gateway_time: dt.datetime | None = None,
    raw: Mapping[str, str] | None = None,
    channel: str = Channel.SMS,
    reply_token: str = "",
    automatic: bool = False,
) -> Received:
    """Stores a reply (once per gateway id), lets the registered handler decide, and enqueues its answer.

    Email replies give `reply_token` (the +tag of the address they were sent to) and `automatic` for an
    out-of-office answer or a bounce."""
    if channel not in Channel.values:
        raise ValueError(f"unknown channel {channel!r}")
    now = clock.now()
    email = channel == Channel.EMAIL
    number = None if email else phone_e164(sender)
    text, receiver, sender = _clean(text), _clean(receiver), _clean(sender)
    raw = {_clean(k): _clean(v) for k, v in (raw or {}).items()}
    with transaction.atomic():
        try:
            with transaction.atomic():
                inbound = InboundMessage.objects.create(
                    gateway=gateway,
                    channel=channel,
                    gateway_id=gateway_id[:100],
                    sender=(number or sender.strip())[:254],
                    receiver=receiver.strip()[:254],
                    text=text[:MAX_STORED_TEXT],
                    coding=coding[:8],
                    charset=charset[:32],
                    smsc=smsc[:64],
                    gateway_time=gateway_time,
                    raw=raw,
                    received_at=now,
                )
        except IntegrityError:
            existing = InboundMessage.objects.get(gateway=gateway, gateway_id=gateway_id[:100])
            return Received(existing, duplicate=True)
        sent = _Sender.of_email(inbound, reply_token) if email else _Sender.of_sms(number)
        if len(sent.guardian_ids) == 1:
            inbound.guardian_id = sent.guardian_ids[0]
        reply = InboundReply(
            id=inbound.pk,
            gateway=gateway,
            sender=inbound.sender,
            receiver=inbound.receiver,
            text=inbound.text,
            received_at=now,
            guardian_ids=sent.guardian_ids,
            channel=channel,
            subject_type=sent.subject_type,
            subject_id=sent.subject_id,
        )
        if automatic:
            outcome = ReplyOutcome(result=AUTOMATIC)
        elif not sent.verified:
            outcome = ReplyOutcome(
                result=SENDER_UNVERIFIED,
                answer=Answer(STAFF_ANSWER_TEMPLATE, _language_of(reply)) if sent.answer_to else None,
                needs_staff=True,
            )
        else:
            outcome = _decide(reply, inbound)
        inbound.handling_result = outcome.result[:32]
        inbound.handled_at = clock.now()
        needs_staff = outcome.needs_staff
        if outcome.answer is not None and sent.answer_to:
            try:
                with transaction.atomic():
                    inbound.answer = _answer(channel, sent.answer_to, outcome, inbound)
            except Exception as exc:
                log.exception("could not enqueue the answer to inbound #%s", inbound.pk)
                inbound.error = f"answer: {type(exc).__name__}: {exc}"[:2000]
                needs_staff = True
        if needs_staff:
            follow_up_add(
                reason=FollowUpReason.HANDLER_ERROR
                if outcome.result == HandlingResult.HANDLER_ERROR
                else (outcome.follow_up_reason or FollowUpReason.REPLY_NEEDS_STAFF),
                guardian_id=outcome.guardian_id or inbound.guardian_id,
                subject_type=outcome.subject_type or sent.subject_type,
                subject_id=outcome.subject_id or sent.subject_id,
                inbound=inbound,
                detail=inbound.text[:500],
            )
        inbound.save()
    return Received(inbound, duplicate=False)


@dataclass(frozen=True)
class _Sender:
    """Who sent a reply, and where its answer goes."""

    guardian_ids: tuple[int, ...]
    answer_to: str  # a phone number or email address; "" = no answer
    verified: bool  # the handler may take the reply as an answer
    subject_type: str = ""
    subject_id: str = ""

    @classmethod
    def of_sms(cls, number: str | None) -> _Sender:
        if number is None:
            return cls((), "", verified=True)
        return cls(tuple(Guardian.objects.filter(phone=number).values_list("pk", flat=True)), number, verified=True)

    @classmethod
    def of_email(cls, inbound: InboundMessage, token: str) -> _Sender:
        message_id = email_reply_message_id(token) if token else None
        answered = (
            Message.objects.filter(pk=message_id, channel=Channel.EMAIL)
            .values("recipient", "guardian_id", "subject_type", "subject_id")
            .first()
            if message_id is not None
            else None
        )
        if answered is not None:
            guardian_id = answered["guardian_id"]
            return cls(
                (guardian_id,) if guardian_id is not None else (),
                answered["recipient"],
                verified=True,
                subject_type=answered["subject_type"],
                subject_id=answered["subject_id"],
            )
        # no proof of who sent it: the From address only routes it to staff
        known = (
            tuple(Guardian.objects.filter(email__iexact=inbound.sender).values_list("pk", flat=True))
            if inbound.sender
            else ()
        )
        return cls(known, inbound.sender if known else "", verified=False)


def _clean(value: str) -> str:
    """NUL cannot be stored in PostgreSQL text: it becomes U+FFFD, like any other unreadable byte."""
    return value.replace("\x00", "\ufffd")


def _decide(reply: InboundReply, inbound: InboundMessage) -> ReplyOutcome:
    handler = _handler
    generic = Answer(STAFF_ANSWER_TEMPLATE, _language_of(reply))
    if handler is None:
        return ReplyOutcome(result=HandlingResult.NO_HANDLER, answer=generic, needs_staff=True)
    try:
        with transaction.atomic():
            return handler(reply)
    except Exception as exc:
        log.exception("reply handler failed for inbound #%s", reply.id)
        inbound.error = f"{type(exc).__name__}: {exc}"[:2000]
        return ReplyOutcome(result=HandlingResult.HANDLER_ERROR, answer=generic, needs_staff=True)


def _language_of(reply: InboundReply) -> str:
    if len(reply.guardian_ids) == 1:
        language = Guardian.objects.filter(pk=reply.guardian_ids[0]).values_list("language", flat=True).first()
        if language:
            return language
    return str(settings.LANGUAGE_CODE)


def _answer(channel: str, recipient: str, outcome: ReplyOutcome, inbound: InboundMessage) -> Message:
    """The answer on the reply's channel; its templates see `channel` ("sms" or "email") besides the handler's
    context, and email answers take their subject from the template's Subject line."""
    assert outcome.answer is not None
    return message_enqueue_bulk(
        messages=[
            OutgoingMessage(
                channel=channel,
                recipient=recipient,
                template_key=outcome.answer.template_key,
                language=outcome.answer.language,
                context={**outcome.answer.context, "channel": channel},
                lane=Lane.FAST,
                subject_type=outcome.subject_type or "inbound",
                subject_id=outcome.subject_id or str(inbound.pk),
                guardian_id=outcome.guardian_id or inbound.guardian_id,
                follow_up_on_failure=False,
            )
        ]
    )[0]
