"""The login rate limit counts in Django's cache: with CACHE_URL naming Redis, the web server's processes share
one count; with the per-process default each counts alone (and `check --deploy` says so)."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import redis
from django.core.cache import cache
from django.core.checks import run_checks
from django.test import Client

ROOT = Path(__file__).resolve().parents[2]
URL = "/login/test/"
WINDOW = 86_400

ANOTHER_PROCESS = """
import django
django.setup()
from django.contrib.sessions.backends.base import SessionBase
from django.test import RequestFactory
from asti.identity.ratelimit import login_attempt
request = RequestFactory().post("/login/test/")
request.session = SessionBase()
decision = login_attempt(request)
print("allowed" if decision.allowed else "refused")
"""


def _redis_url(worker_id: str) -> str:
    index = 0 if worker_id == "master" else int(worker_id.removeprefix("gw"))
    return f"redis://127.0.0.1:6379/{10 + index}"  # a database of this test process's own


@pytest.fixture
def shared_cache(settings: Any, worker_id: str) -> Iterator[str]:
    url = _redis_url(worker_id)
    redis.Redis.from_url(url).ping()  # the suite runs against the machine's Redis
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": url}}
    cache.clear()
    yield url
    cache.clear()


def _attempt_in_another_process(cache_url: str) -> str:
    env = dict(
        os.environ, DJANGO_SETTINGS_MODULE="config.settings", ASTI_ENV="test", CACHE_URL=cache_url,
        ASTI_LOGIN_RATE_PER_IP="3", ASTI_LOGIN_RATE_WINDOW=str(WINDOW),
    )  # fmt: skip
    result = subprocess.run(
        [sys.executable, "-c", ANOTHER_PROCESS], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stderr
    return result.stdout.strip().splitlines()[-1]


def _three_logins(settings: Any) -> list[int]:
    settings.ASTI_ENV = "demo"
    settings.ASTI_DEMO_LOGIN = True
    settings.ASTI_LOGIN_RATE_PER_IP = 3
    settings.ASTI_LOGIN_RATE_WINDOW = WINDOW
    return [Client().post(URL, {"staff": "planner"}).status_code for _ in range(3)]


@pytest.mark.django_db
def test_with_redis_another_web_server_process_sees_the_same_count(settings: Any, shared_cache: str) -> None:
    assert _three_logins(settings) == [302, 302, 302]
    assert _attempt_in_another_process(shared_cache) == "refused"
    assert Client().post(URL, {"staff": "planner"}).status_code == 429


@pytest.mark.django_db
def test_with_the_per_process_cache_each_process_counts_alone(settings: Any) -> None:
    assert settings.CACHES["default"]["BACKEND"].endswith("LocMemCache")
    assert _three_logins(settings) == [302, 302, 302]
    assert _attempt_in_another_process("locmemcache://") == "allowed"


def test_deploy_check_warns_about_a_per_process_cache(settings: Any) -> None:
    assert "asti.identity.W001" in _deploy_check_ids()
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": "redis://x"}}
    assert "asti.identity.W001" not in _deploy_check_ids()


def _deploy_check_ids() -> list[str]:
    return [m.id or "" for m in run_checks(tags=["security"], include_deployment_checks=True)]
