"""The guardian's page links in the header (with the number of unread messages), and the time of a message."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import template
from django.utils.formats import date_format, time_format
from django.utils.timezone import localtime
from django.utils.translation import gettext as _

from asti.citizen.access import guardian_of
from asti.conversations.selectors import guardian_unread_count

register = template.Library()

MESSAGE_PAGES = {"messages", "message_new", "thread"}


@register.inclusion_tag("citizen/_guardian_nav.html", takes_context=True)
def guardian_nav(context: template.Context) -> dict[str, Any]:
    """Nothing on a public page; on a guardian's page the links, the unread count costing one query."""
    request = context.get("request")
    guardian = guardian_of(request) if request is not None else None
    if guardian is None:
        return {"show": False}
    match = getattr(request, "resolver_match", None)
    page = match.url_name if match is not None and match.app_name == "citizen" else ""
    return {
        "show": True,
        "unread": guardian_unread_count(guardian=guardian),
        "on_front": page == "front",
        "on_messages": page in MESSAGE_PAGES,
    }


@register.filter
def message_time(at: dt.datetime | None) -> str:
    """ "3.12.2026 klo 9.05": the short date and the time in the page's language, in Helsinki time."""
    if at is None:
        return ""
    local = localtime(at)
    return _("%(day)s at %(time)s") % {
        "day": date_format(local, "SHORT_DATE_FORMAT"),
        "time": time_format(local, "TIME_FORMAT"),
    }
