"""The guardian's side of the simulated channels: typing an answer on the simulated phone."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import transaction

from asti.core import clock
from asti.messaging.channels import backend_path
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
