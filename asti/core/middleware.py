"""Requests refused before any view: a NUL byte in the path or a parameter (PostgreSQL cannot store or compare
text with one, so it would become a server error deep in a query)."""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest


def refuse_nul_bytes(get_response: Callable[[HttpRequest], HttpResponse]) -> Callable[[HttpRequest], HttpResponse]:
    def middleware(request: HttpRequest) -> HttpResponse:
        if "\x00" in request.path or _has_nul(request):
            return HttpResponseBadRequest("A NUL character is not allowed in a request.", content_type="text/plain")
        return get_response(request)

    return middleware


def _has_nul(request: HttpRequest) -> bool:
    params = [request.GET]
    if request.method == "POST" and request.content_type in (
        "application/x-www-form-urlencoded",
        "multipart/form-data",
    ):
        params.append(request.POST)
    return any("\x00" in key or any("\x00" in value for value in values) for qd in params for key, values in qd.lists())
