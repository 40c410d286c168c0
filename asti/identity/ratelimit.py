"""Login attempts counted per client address and per session in fixed windows, in Django's cache.

With CACHE_URL naming Redis the web server's processes share the counts and the limit is exact. Without it the
cache is per process (LocMem): each worker counts on its own, so the effective limit is the setting times the
number of workers (`check --deploy` warns).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest

from asti.core import clock


@dataclass(frozen=True)
class RateDecision:
    allowed: bool
    retry_after: int
    first_refusal: bool  # the first refused attempt of its window (audited once, not per flooded request)


def client_ip(request: HttpRequest) -> str:
    """The client's address: REMOTE_ADDR, or the header a trusted reverse proxy sets (last value)."""
    header: str = settings.ASTI_CLIENT_IP_HEADER
    if header:
        forwarded = request.META.get(header, "")
        if forwarded:
            return str(forwarded).split(",")[-1].strip()
    return str(request.META.get("REMOTE_ADDR", ""))


def window_count(key: str, *, window: int) -> int:
    """Counts one event under `key` in the cache; the count of its window so far."""
    cache.add(key, 0, timeout=window)
    try:
        return cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, timeout=window)
        return 1


def login_attempt(request: HttpRequest) -> RateDecision:
    """Counts one login attempt of this client; refused once its address or its session is over the limit."""
    window: int = settings.ASTI_LOGIN_RATE_WINDOW
    now = int(clock.now().timestamp())
    bucket = now // window
    retry_after = window - now % window
    limits: list[tuple[str, int]] = [(f"ip:{client_ip(request)}", settings.ASTI_LOGIN_RATE_PER_IP)]
    session_key = request.session.session_key
    if session_key:
        limits.append((f"session:{session_key}", settings.ASTI_LOGIN_RATE_PER_SESSION))
    allowed, first_refusal = True, False
    for subject, limit in limits:
        digest = hashlib.sha256(subject.encode()).hexdigest()[:32]
        count = window_count(f"asti:login-rate:{digest}:{bucket}", window=window)
        if count > limit:
            allowed = False
            first_refusal = first_refusal or count == limit + 1
    return RateDecision(allowed=allowed, retry_after=retry_after, first_refusal=first_refusal)
