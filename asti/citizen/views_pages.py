"""Pages for everyone: the accessibility statement and the feedback channel (Act 306/2019)."""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET


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
