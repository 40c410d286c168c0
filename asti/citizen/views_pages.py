"""Pages for everyone: the accessibility statement and the feedback channel (Act 306/2019), and the privacy notice
(GDPR articles 13 and 14)."""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import get_language, gettext, ngettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET

from asti.privacy.retention import retention_periods


def _contact() -> dict[str, str]:
    return {
        "accessibility_email": settings.ASTI_ACCESSIBILITY_EMAIL,
        "feedback_email": settings.ASTI_FEEDBACK_EMAIL,
    }


@require_GET
def accessibility(request: HttpRequest) -> HttpResponse:
    return render(request, "citizen/accessibility.html", _contact())


@require_GET
def feedback_channel(request: HttpRequest) -> HttpResponse:
    return render(request, "citizen/feedback_channel.html", _contact())


# What each retention rule removes and when, as the privacy notice says it (the rules: asti.privacy.retention).
RETENTION_TEXTS = [
    ("message", _("The text of SMS and email messages sent to you, and your phone number or email address in them"),
     _("%(period)s after sending")),
    ("reply", _("Your SMS and email replies"), _("%(period)s after they arrived")),
    ("conversation", _("Conversations with the city in the e-service, and notes of phone calls"),
     _("%(period)s after the last message")),
    ("feedback", _("Your comment in the feedback after answering an offer"), _("%(period)s after it was given")),
    ("draft", _("Applications you never sent (drafts)"), _("%(period)s after the last change")),
    ("login", _("Your login details (your name as the identification service gave it)"),
     _("%(period)s after your last login")),
    ("audit", _("The log of who used your data and when"), _("%(period)s after each use")),
]  # fmt: skip


@require_GET
def privacy_notice(request: HttpRequest) -> HttpResponse:
    """The privacy notice: the controller and contacts from the settings, the periods from the purge's own rules."""
    language = get_language() or "fi"
    controller = {"fi": settings.ASTI_DECISION_AUTHORITY_FI, "sv": settings.ASTI_DECISION_AUTHORITY_SV}.get(
        language[:2], settings.ASTI_PRIVACY_CONTROLLER_EN
    )
    periods = retention_periods()
    retention = [
        (what, (when % {"period": _period(periods[key])}) if periods[key] > 0 else gettext("not removed automatically"))
        for key, what, when in RETENTION_TEXTS
    ]
    return render(
        request,
        "citizen/privacy.html",
        {
            **_contact(),
            "controller": controller,
            "registry_address": settings.ASTI_DECISION_REGISTRY_ADDRESS,
            "dpo_email": settings.ASTI_PRIVACY_DPO_EMAIL,
            "retention": retention,
        },
    )


def _period(days: int) -> str:
    """A retention period as people say it: whole years, whole months, or days; '' when the rule is off."""
    if days <= 0:
        return ""
    if days % 365 == 0:
        return ngettext("%(count)d year", "%(count)d years", days // 365) % {"count": days // 365}
    if days % 30 == 0:
        return ngettext("%(count)d month", "%(count)d months", days // 30) % {"count": days // 30}
    return ngettext("%(count)d day", "%(count)d days", days) % {"count": days}
