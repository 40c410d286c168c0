"""Signed, expiring, single-purpose links in offer messages: /o/<token> opens one guardian's offer.

The token names the offer, the guardian it was sent to and when it expires, signed with the project's secret
under a salt of its own, so it cannot be altered, used for another offer or person, or reused for another
purpose. It stays short enough for an SMS.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.conf import settings
from django.core import signing

from asti.core import clock

SALT = "asti.offers.link"


@dataclass(frozen=True)
class OfferLink:
    offer_id: int
    guardian_id: int
    expires_at: dt.datetime


class LinkError(Exception):
    """The link is forged, altered, meant for something else, or expired."""


def make_token(*, offer_id: int, guardian_id: int, expires_at: dt.datetime) -> str:
    payload = f"{offer_id}.{guardian_id}.{int(expires_at.timestamp())}"
    return signing.Signer(salt=SALT, sep="~").sign(payload)


def read_token(token: str) -> OfferLink:
    try:
        payload = signing.Signer(salt=SALT, sep="~").unsign(token)
        offer_id, guardian_id, expires = (int(part) for part in payload.split("."))
    except (signing.BadSignature, ValueError):
        raise LinkError("invalid link") from None
    expires_at = dt.datetime.fromtimestamp(expires, tz=dt.UTC)
    if clock.now() > expires_at:
        raise LinkError("expired link")
    return OfferLink(offer_id=offer_id, guardian_id=guardian_id, expires_at=expires_at)


def offer_url(token: str) -> str:
    return f"{settings.ASTI_PUBLIC_BASE_URL.rstrip('/')}/o/{token}"
