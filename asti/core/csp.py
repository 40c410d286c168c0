"""A strict Content Security Policy on every response: nothing inline, nothing from elsewhere.

Scripts, styles, images and fonts come from this site only; no inline <script>, style attribute or on*= handler
runs. Forms post to this site only, plus the identity providers' origins (logout redirects to the provider's
end-session endpoint after a POST, and Chromium applies form-action to that redirect too). No page may be
framed. Paths in ASTI_CSP_RELAXED_STYLE_PREFIXES (the Django admin) may use inline styles, never scripts.
"""

from __future__ import annotations

from collections.abc import Callable
from urllib.parse import urlsplit

from django.conf import settings
from django.http import HttpRequest, HttpResponse

HEADER = "Content-Security-Policy"


def _origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}" if parts.scheme and parts.netloc else ""


def policy(*, relaxed_style: bool = False) -> str:
    providers = sorted(
        {
            origin
            for origin in (
                _origin(settings.ASTI_OIDC_GUARDIAN_ISSUER),
                _origin(settings.ASTI_OIDC_STAFF_ISSUER),
            )
            if origin
        }
    )
    style = "'self' 'unsafe-inline'" if relaxed_style else "'self'"
    directives = [
        "default-src 'self'",
        "script-src 'self'",
        f"style-src {style}",
        "img-src 'self' data:",
        "font-src 'self' data:",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'self'",
        "frame-ancestors 'none'",
        " ".join(["form-action 'self'", *providers]),
    ]
    return "; ".join(directives)


class ContentSecurityPolicyMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if HEADER not in response:
            prefixes: list[str] = settings.ASTI_CSP_RELAXED_STYLE_PREFIXES
            relaxed = any(request.path.startswith(prefix) for prefix in prefixes)
            response[HEADER] = policy(relaxed_style=relaxed)
        return response
