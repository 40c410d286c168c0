"""The channels behind one small interface: a backend sends one message and says how it went.

MESSAGING_SMS_BACKEND and MESSAGING_EMAIL_BACKEND choose the backend: "kannel", "smtp", "simulated", or the dotted
path of a class taking no arguments (tests, benchmarks). Network backends are called from a worker's sender threads
and must not touch the database; a backend with `uses_database = True` is called from the worker's own thread.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from email.utils import formataddr, parseaddr
from typing import Protocol

from django.conf import settings
from django.utils.module_loading import import_string

from asti.core import city


class Outcome(enum.StrEnum):
    SENT = "sent"  # the gateway took it; a delivery report may follow
    DELIVERED = "delivered"  # delivered as far as we will ever know (simulated channel)
    TEMPORARY = "temporary"  # try again later
    PERMANENT = "permanent"  # will never work (recipient refused, not routable)


@dataclass(frozen=True)
class OutboundMessage:
    """What a backend needs of a Message row (a plain value: safe to hand to another thread)."""

    id: int
    channel: str
    recipient: str
    language: str
    subject: str
    body: str
    sms_encoding: str


@dataclass(frozen=True)
class SendResult:
    outcome: Outcome
    gateway_message_id: str = ""
    error: str = ""


class Backend(Protocol):
    uses_database: bool

    def send(self, message: OutboundMessage) -> SendResult: ...

    def close(self) -> None: ...


_NAMES = {
    "kannel": "asti.messaging.channels.kannel.KannelSmsBackend",
    "smtp": "asti.messaging.channels.smtp.SmtpEmailBackend",
    "simulated": "asti.messaging.channels.simulated.SimulatedBackend",
}


def backend_path(channel: str) -> str:
    name: str = settings.MESSAGING_SMS_BACKEND if channel == "sms" else settings.MESSAGING_EMAIL_BACKEND
    return _NAMES.get(name, name)


def get_backend(channel: str) -> Backend:
    """A new backend instance for a channel, as the settings say now."""
    backend: Backend = import_string(backend_path(channel))()
    return backend


def email_from(language: str) -> str:
    """The From of an email: MESSAGING_EMAIL_FROM as given when it names a sender, else its address under the
    city's name in the message's language ("Helsingin kaupunki <noreply@…>"), so families see who writes."""
    configured = str(settings.MESSAGING_EMAIL_FROM)
    name, address = parseaddr(configured)
    if name or not address:
        return configured
    return formataddr((city.texts(language).organisation, address))
