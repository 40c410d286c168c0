"""Times of day as each language writes them: "klo 23.59" in Finnish, "kl. 23.59" in Swedish, "23:59" in English
(Kotus and Språkrådet style; Django's own formats give 23:59 in every language)."""

from __future__ import annotations

import datetime as dt

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
