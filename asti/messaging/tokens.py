"""Authentication of the gateway's calls to us.

Delivery-report URLs carry an HMAC of the message id made with MESSAGING_CALLBACK_KEY: a caller who does not have
the key cannot forge a report for any message, and a replayed report is stored once per message and status, so it
changes nothing. Kannel's reply forwarding (sms-service get-url) carries the shared MESSAGING_KANNEL_INBOUND_TOKEN.
Both are compared in constant time.
"""

from __future__ import annotations

import hmac

from django.conf import settings
from django.utils.crypto import salted_hmac

_DLR_SALT = "asti.messaging.dlr"


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
