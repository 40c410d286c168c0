"""Deployment checks (`manage.py check --deploy`) for what the login protections rely on."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.checks import CheckMessage, Tags, Warning, register

PER_PROCESS_CACHES = ("django.core.cache.backends.locmem.LocMemCache", "django.core.cache.backends.dummy.DummyCache")


@register(Tags.security, deploy=True)
def login_rate_limit_cache(app_configs: Any, **kwargs: Any) -> list[CheckMessage]:
    if settings.CACHES["default"]["BACKEND"] in PER_PROCESS_CACHES:
        return [
            Warning(
                "The login rate limit counts in a per-process cache: each web server process counts on its own.",
                hint="Set CACHE_URL to a shared cache, e.g. redis://127.0.0.1:6379/0.",
                id="asti.identity.W001",
            )
        ]
    return []


@register(Tags.security, deploy=True)
def client_address_header(app_configs: Any, **kwargs: Any) -> list[CheckMessage]:
    if not settings.ASTI_CLIENT_IP_HEADER:
        return [
            Warning(
                "The login rate limit counts per REMOTE_ADDR: behind a reverse proxy every client shares the "
                "proxy's address, so one client's attempts lock everyone out.",
                hint="Behind a proxy, set ASTI_CLIENT_IP_HEADER to the header it sets (e.g. HTTP_X_FORWARDED_FOR); "
                "serving directly, silence asti.identity.W002.",
                id="asti.identity.W002",
            )
        ]
    return []
