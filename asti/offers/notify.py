"""The messages of an offer: what each guardian is sent, in their language, on the channels they have."""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Iterable
from typing import Any

from asti.core.clock import HELSINKI
from asti.messaging.email_inbound import replies_taken
from asti.messaging.models import Channel
from asti.messaging.services import OutgoingMessage, outgoing_to_guardian
from asti.offers.links import make_token, offer_url
from asti.offers.models import Offer
from asti.people.models import Guardian

LINK_GRACE = dt.timedelta(days=30)  # the link still opens the offer (read-only) a while after the deadline
# The messages that ask for an answer have an email text of their own (also the SMS's fallback): by email the answer
# is a reply to the email when replies are taken ({{ email_replies }}), else the link; the SMS text is unchanged.
EMAIL_TEXTS = {"offers.offer": "offers.offer_email", "offers.reminder": "offers.reminder_email"}
OFFER_TEMPLATE_KEYS = ("offers.offer", EMAIL_TEXTS["offers.offer"])  # the offer itself, by SMS or by email


def _date(day: dt.date | dt.datetime, language: str) -> str:
    if isinstance(day, dt.datetime):
        day = day.astimezone(HELSINKI).date()
    return f"{day.day}.{day.month}.{day.year}" if language != "en" else day.isoformat()


def offer_context(offer: Offer, guardian: Guardian, *, code: str = "") -> dict[str, Any]:
    """Template variables; never the child's home address (non-disclosure), only the unit's."""
    language = guardian.language
    unit = offer.unit
    token = make_token(offer_id=offer.pk, guardian_id=guardian.pk, expires_at=offer.deadline + LINK_GRACE)
    start = offer.round.first_day
    return {
        "child_first_name": offer.child.first_name,
        "unit_name": unit.name_in(language),
        "unit_address": f"{unit.street_address}, {unit.postal_code}".strip(", "),
        "start_date": _date(start, language),
        "deadline": _date(offer.deadline, language),
        "code": code,
        "link": offer_url(token),
        # what the deadline does without an answer: the place is confirmed, or service guidance calls
        "confirms_without_answer": offer.round.confirms_without_answer,
    }


def messages_for(
    offer: Offer,
    guardians: Iterable[Guardian],
    *,
    template_key: str,
    lane: str,
    codes: dict[int, str] | None = None,
    extra: dict[str, Any] | None = None,
) -> list[OutgoingMessage]:
    """One message per guardian: SMS with an email fallback where there is a number, else email.

    A guardian with neither gets no message; the caller puts the family on the follow-up list.
    """
    out: list[OutgoingMessage] = []
    email_key = EMAIL_TEXTS.get(template_key, template_key)
    email_replies = replies_taken()
    for guardian in guardians:
        context = {
            **offer_context(offer, guardian, code=(codes or {}).get(guardian.pk, "")),
            "email_replies": email_replies,
            **(extra or {}),
        }
        common: dict[str, Any] = {
            "template_key": template_key,
            "fallback_template_key": email_key,
            "language": guardian.language,
            "context": context,
            "lane": lane,
            "subject_type": "offer",
            "subject_id": str(offer.pk),
            "guardian_id": guardian.pk,
        }
        message = outgoing_to_guardian(guardian, **common)
        if message is not None and message.channel == Channel.EMAIL:
            message = dataclasses.replace(message, template_key=email_key)
        if message is not None:
            out.append(message)
    return out
