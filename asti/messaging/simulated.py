"""The guardian's side of the simulated channels: typing an answer on the simulated phone, or replying to an email
in the simulated inbox."""

from __future__ import annotations

import datetime as dt
import uuid
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid

from django.conf import settings
from django.db import transaction

from asti.core import clock
from asti.core.clock import HELSINKI
from asti.messaging.channels import backend_path
from asti.messaging.email_inbound import email_receive, original_message_id, replies_taken, reply_address
from asti.messaging.inbound import Received, inbound_receive
from asti.messaging.models import Channel, Direction, SimulatedMessage

SIMULATED_BACKEND = "asti.messaging.channels.simulated.SimulatedBackend"


def simulated_enabled() -> bool:
    return SIMULATED_BACKEND in (backend_path(Channel.SMS), backend_path(Channel.EMAIL))


def simulated_reply(*, phone: str, text: str) -> Received:
    """The guardian answers by SMS: stored on their phone, then received exactly as a Kannel reply would be."""
    with transaction.atomic():
        received = inbound_receive(
            gateway="simulated",
            gateway_id=f"sim-{uuid.uuid4()}",
            sender=phone,
            receiver=settings.MESSAGING_SMS_SENDER,
            text=text,
            coding="0",
            charset="UTF-8",
        )
        SimulatedMessage.objects.create(
            created_at=clock.now(),
            direction=Direction.FROM_GUARDIAN,
            channel=Channel.SMS,
            address=received.inbound.sender,
            counterpart=settings.MESSAGING_SMS_SENDER,
            body=text,
            inbound=received.inbound,
        )
    return received


def simulated_email_repliable(mail: SimulatedMessage) -> bool:
    """An email in the simulated inbox that the guardian may answer by replying."""
    return replies_taken() and mail.direction == Direction.TO_GUARDIAN and mail.message_id is not None


def simulated_email_reply(*, mail: SimulatedMessage, text: str, language: str) -> Received:
    """The guardian replies to an email as a mail program would (a real RFC 5322 message quoting the original, to
    the email's reply address), received through the same path as manage.py receive_mail's."""
    if not simulated_email_repliable(mail):
        raise ValueError("this email cannot be answered by email")
    assert mail.message_id is not None
    to = reply_address(mail.message_id)
    reply = EmailMessage()
    reply["From"] = mail.address
    reply["To"] = to
    reply["Subject"] = f"Re: {mail.subject}"
    reply["Date"] = format_datetime(clock.now())
    reply["Message-ID"] = make_msgid(domain="guardian.simulated")
    reply["In-Reply-To"] = reply["References"] = original_message_id(mail.message_id)
    quoted = "\n".join(f"> {line}" if line else ">" for line in mail.body.splitlines())
    reply.set_content(f"{text.strip()}\n\n{_quote_header(mail, language)}\n{quoted}\n")
    with transaction.atomic():
        received = email_receive(reply.as_bytes(), recipients=[to], envelope_sender=mail.address, gateway="simulated")
        SimulatedMessage.objects.create(
            created_at=clock.now(),
            direction=Direction.FROM_GUARDIAN,
            channel=Channel.EMAIL,
            address=mail.address,
            counterpart=to,
            subject=str(reply["Subject"]),
            body=text.strip(),
            inbound=received.inbound,
        )
    return received


def _quote_header(mail: SimulatedMessage, language: str) -> str:
    """The line a mail program writes above the quoted original, in the guardian's language."""
    at: dt.datetime = mail.created_at.astimezone(HELSINKI)
    if language == "fi":
        return f"{at.day}.{at.month}.{at.year} klo {at:%H.%M} {mail.counterpart} kirjoitti:"
    if language == "sv":
        return f"Den {at.day}.{at.month}.{at.year} kl. {at:%H.%M} skrev {mail.counterpart}:"
    return f"On {at:%Y-%m-%d} at {at:%H:%M}, {mail.counterpart} wrote:"
