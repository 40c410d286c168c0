"""Authentication of the gateway's calls to us.

Delivery-report URLs carry an HMAC of the message id made with MESSAGING_CALLBACK_KEY: a caller who does not have
the key cannot forge a report for any message, and a replayed report is stored once per message and status, so it
changes nothing. Kannel's reply forwarding (sms-service get-url) carries the shared MESSAGING_KANNEL_INBOUND_TOKEN.
An email's reply address carries "<message id>-<HMAC of the id>" (made with SECRET_KEY): a reply to it proves that
its sender had that email. All are compared in constant time.
"""

from __future__ import annotations

import hmac
import re

from django.conf import settings
from django.utils.crypto import salted_hmac

_DLR_SALT = "asti.messaging.dlr"
_EMAIL_REPLY_SALT = "asti.messaging.email_reply"
_EMAIL_REPLY_TOKEN = re.compile(r"([0-9]{1,12})-([0-9a-f]{20})")


def dlr_token(message_id: int) -> str:
    key: str = settings.MESSAGING_CALLBACK_KEY
    if not key:
        raise RuntimeError("MESSAGING_CALLBACK_KEY is not set")
    return salted_hmac(_DLR_SALT, f"dlr:{message_id}", secret=key, algorithm="sha256").hexdigest()[:32]


def dlr_token_valid(message_id: int, token: str) -> bool:
    if not settings.MESSAGING_CALLBACK_KEY:
        return False
    return hmac.compare_digest(dlr_token(message_id).encode(), token.encode())


def inbound_token_valid(token: str) -> bool:
    expected: str = settings.MESSAGING_KANNEL_INBOUND_TOKEN
    if not expected:
        return False
    return hmac.compare_digest(expected.encode(), token.encode())


def email_reply_token(message_id: int) -> str:
    """The tag of an email's reply address: lower-case letters, digits and a hyphen (mail systems keep those)."""
    mac = salted_hmac(_EMAIL_REPLY_SALT, f"reply:{message_id}", algorithm="sha256").hexdigest()[:20]
    return f"{message_id}-{mac}"


def email_reply_message_id(token: str) -> int | None:
    """The outbox Message whose reply address carried `token`, or None for a token we did not make."""
    match = _EMAIL_REPLY_TOKEN.fullmatch(token.strip().lower())
    if match is None:
        return None
    message_id = int(match.group(1))
    if not hmac.compare_digest(email_reply_token(message_id).encode(), match.group(0).encode()):
        return None
    return message_id
