"""Times and phone numbers as people write them: "klo 23.59" in Finnish, "kl. 23.59" in Swedish, "23:59" in
English (Django's own formats give 23:59 in every language); a Finnish number as "040 1234567", not E.164."""

from __future__ import annotations

import datetime as dt

import phonenumbers
from django import template
from django.utils import timezone
from django.utils.translation import get_language

from asti.core.clock import HELSINKI

register = template.Library()


def time_of_day(moment: dt.datetime | dt.time, language: str | None = None) -> str:
    if isinstance(moment, dt.datetime):
        moment = moment.astimezone(HELSINKI).time() if timezone.is_aware(moment) else moment.time()
    language = (language or get_language() or "fi")[:2]
    if language == "fi":
        return f"klo {moment.hour}.{moment.minute:02d}"
    if language == "sv":
        return f"kl. {moment.hour}.{moment.minute:02d}"
    return f"{moment.hour:02d}:{moment.minute:02d}"


@register.filter(name="time_of_day")
def time_of_day_filter(moment: dt.datetime | dt.time | None) -> str:
    return time_of_day(moment) if moment is not None else ""


@register.filter(name="phone")
def phone_display(number: str | None) -> str:
    """A Finnish number in the national form ("09 31000001"), any other in the international one."""
    if not number:
        return ""
    try:
        parsed = phonenumbers.parse(number, "FI")
    except phonenumbers.NumberParseException:
        return number
    if not phonenumbers.is_valid_number(parsed):
        return number
    style = (
        phonenumbers.PhoneNumberFormat.NATIONAL
        if parsed.country_code == 358
        else phonenumbers.PhoneNumberFormat.INTERNATIONAL
    )
    return str(phonenumbers.format_number(parsed, style))
