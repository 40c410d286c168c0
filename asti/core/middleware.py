"""Requests refused before any view, and sessions that end when idle.

* A NUL byte in the path or a parameter: PostgreSQL cannot store or compare text with one, so it would become a
  server error deep in a query; refused with 400. A body that is not a form is not read here: the SMS gateway's
  UCS-2 replies (UTF-16BE, full of NUL bytes) come as text/plain and are decoded by their view.
* Idle sessions: the session's expiry moves to SESSION_COOKIE_AGE from now on a request, at most once a minute.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest

FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")
REFRESH_SECONDS = 60


class RefuseNulBytes:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_view(
        self, request: HttpRequest, view: Callable[..., Any], args: Any, kwargs: dict[str, Any]
    ) -> HttpResponse | None:
        if "\x00" in request.path or _has_nul(request):
            return HttpResponseBadRequest("A NUL character is not allowed in a request.", content_type="text/plain")
        return None


def _has_nul(request: HttpRequest) -> bool:
    params = [request.GET]
    if request.method == "POST" and request.content_type in FORM_TYPES:
        params.append(request.POST)
    return any("\x00" in key or any("\x00" in v for v in values) for qd in params for key, values in qd.lists())


def idle_sessions(get_response: Callable[[HttpRequest], HttpResponse]) -> Callable[[HttpRequest], HttpResponse]:
    def middleware(request: HttpRequest) -> HttpResponse:
        response = get_response(request)
        session = getattr(request, "session", None)
        if session is not None and session.session_key and not session.is_empty():
            now = int(time.time())
            if now - int(session.get("_seen", 0)) >= REFRESH_SECONDS:
                session["_seen"] = now  # a modified session is saved with a new expiry (SessionMiddleware)
        return response

    return middleware
