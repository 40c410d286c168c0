"""The demo's operator and mailbox: a sent message lands in the guardian's simulated phone or inbox at once.

Numbers and addresses listed in MESSAGING_SIMULATED_UNREACHABLE fail permanently, to show the email fallback and
the follow-up list. Answers typed on the simulated phone go through the same inbound path as Kannel's.
"""

from __future__ import annotations

from django.conf import settings

from asti.core import clock
from asti.messaging.channels import OutboundMessage, Outcome, SendResult, email_from
from asti.messaging.models import Channel, Direction, SimulatedMessage


class SimulatedBackend:
    uses_database = True

    def send(self, message: OutboundMessage) -> SendResult:
        unreachable: list[str] = settings.MESSAGING_SIMULATED_UNREACHABLE
        if message.recipient in unreachable:
            return SendResult(Outcome.PERMANENT, error="simulated: unreachable")
        counterpart = settings.MESSAGING_SMS_SENDER if message.channel == Channel.SMS else email_from(message.language)
        stored = SimulatedMessage.objects.create(
            created_at=clock.now(),
            direction=Direction.TO_GUARDIAN,
            channel=message.channel,
            address=message.recipient,
            counterpart=counterpart,
            subject=message.subject,
            body=message.body,
            message_id=message.id,
        )
        return SendResult(Outcome.DELIVERED, gateway_message_id=f"sim-{stored.pk}")

    def close(self) -> None:
        return None
