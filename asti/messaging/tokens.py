"""Authentication of the gateway's calls to us.

Kannel presents its secret as HTTP basic-auth credentials, never in the URL's path or query (which every access
log keeps): its HTTP client turns credentials in a URL (`http://user:secret@host/path`) into an
`Authorization: Basic` header. The reply forwarding (sms-service post-url) uses the shared
MESSAGING_KANNEL_INBOUND_TOKEN as the password of the user "kannel"; each delivery-report URL carries an HMAC of the
message id made with MESSAGING_CALLBACK_KEY as the password of the user "dlr", so a caller who does not have the key
cannot forge a report for any message, and a replayed report is stored once per message and status, so it changes
nothing. An email's reply address carries "<message id>-<HMAC of the id>" (made with SECRET_KEY): a reply to it
proves that its sender had that email. All are compared in constant time.
"""

from __future__ import annotations

import base64
import binascii
import hmac
import re
import urllib.parse

from django.conf import settings
from django.utils.crypto import salted_hmac

_DLR_SALT = "asti.messaging.dlr"
_EMAIL_REPLY_SALT = "asti.messaging.email_reply"
_EMAIL_REPLY_TOKEN = re.compile(r"([0-9]{1,12})-([0-9a-f]{20})")
INBOUND_USER = "kannel"
DLR_USER = "dlr"
# Kannel reads credentials in a URL as they are (no percent-decoding) up to the first "@" or ":", and a "%" in a
# delivery-report URL starts one of its escapes: a secret it is given keeps to these characters.
URL_SAFE_SECRET = re.compile(r"[A-Za-z0-9._~-]+")


def dlr_token(message_id: int) -> str:
    key: str = settings.MESSAGING_CALLBACK_KEY
    if not key:
        raise RuntimeError("MESSAGING_CALLBACK_KEY is not set")
    return salted_hmac(_DLR_SALT, f"dlr:{message_id}", secret=key, algorithm="sha256").hexdigest()[:32]


def _credentials_match(authorization: str, user: str, secret: str) -> bool:
    """Whether an Authorization header is "Basic" with exactly `user`:`secret`."""
    scheme, _, encoded = authorization.partition(" ")
    if scheme.lower() != "basic" or not secret:
        return False
    try:
        given = base64.b64decode(encoded.strip(), validate=True)
    except (binascii.Error, ValueError):
        return False
    return hmac.compare_digest(given, f"{user}:{secret}".encode())


def dlr_request_valid(message_id: int, authorization: str) -> bool:
    if not settings.MESSAGING_CALLBACK_KEY:
        return False
    return _credentials_match(authorization, DLR_USER, dlr_token(message_id))


def inbound_request_valid(authorization: str) -> bool:
    expected: str = settings.MESSAGING_KANNEL_INBOUND_TOKEN
    return _credentials_match(authorization, INBOUND_USER, expected)


def url_with_credentials(url: str, user: str, secret: str) -> str:
    """`url` with `user:secret@` before its host, as Kannel takes credentials for the Authorization header."""
    parts = urllib.parse.urlsplit(url)
    netloc = parts.netloc.rpartition("@")[2]
    return urllib.parse.urlunsplit(parts._replace(netloc=f"{user}:{secret}@{netloc}"))


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
