"""Where to go after login: only a path on this site, never another host (no open redirect)."""

from __future__ import annotations

from django.conf import settings
from django.shortcuts import resolve_url
from django.utils.http import url_has_allowed_host_and_scheme


def default_next() -> str:
    return str(resolve_url(settings.LOGIN_REDIRECT_URL))


def safe_next(value: str | None, *, default: str | None = None) -> str:
    """`value` when it is a local absolute path such as /offers/12/?lang=sv; otherwise the default."""
    fallback = default if default is not None else default_next()
    if not value or len(value) > 2000:
        return fallback
    if not value.startswith("/") or value.startswith(("//", "/\\")):
        return fallback
    if any(ord(c) < 33 or ord(c) == 127 for c in value):  # control characters and spaces: never in a good URL
        return fallback
    if not url_has_allowed_host_and_scheme(value, allowed_hosts=set(), require_https=False):
        return fallback
    return value
