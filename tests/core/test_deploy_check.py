"""Production settings pass Django's deployment checks (HTTPS, HSTS, secure cookies, secrets, hosts) and ours."""

from __future__ import annotations

import os
import secrets
import subprocess
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]


def production_env(**changes: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("ASTI_", "MESSAGING_", "DJANGO_"))}
    env.update(
        ASTI_ENV="production",
        SECRET_KEY=secrets.token_urlsafe(50),
        ASTI_HETU_KEY=secrets.token_urlsafe(32),
        DATABASE_URL="postgres://asti@db.example.fi:5432/asti",
        ALLOWED_HOSTS="asti.example.fi",
        ASTI_PUBLIC_BASE_URL="https://asti.example.fi",
        ASTI_OIDC_GUARDIAN_ISSUER="https://login.example.fi/realms/citizens",
        ASTI_OIDC_GUARDIAN_CLIENT_ID="asti",
        ASTI_OIDC_GUARDIAN_CLIENT_SECRET=secrets.token_urlsafe(32),
        ASTI_OIDC_STAFF_CLIENT_ID="asti-staff",
        ASTI_OIDC_STAFF_CLIENT_SECRET=secrets.token_urlsafe(32),
        MESSAGING_KANNEL_PASSWORD=secrets.token_urlsafe(20),
        MESSAGING_KANNEL_INBOUND_TOKEN=secrets.token_urlsafe(20),
        MESSAGING_CALLBACK_KEY=secrets.token_urlsafe(32),
        MESSAGING_CALLBACK_BASE_URL="https://asti.example.fi",
        CACHE_URL="redis://cache.example.fi:6379/0",
        ASTI_CLIENT_IP_HEADER="HTTP_X_FORWARDED_FOR",
    )
    env.update(changes)
    return {k: v for k, v in env.items() if v}


def deploy_check(env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=120,
    )  # fmt: skip


def test_production_settings_pass_the_deployment_checks() -> None:
    result = deploy_check(production_env())
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_a_per_process_cache_fails_the_deployment_check() -> None:
    result = deploy_check(production_env(CACHE_URL=""))
    assert result.returncode != 0 and "asti.identity.W001" in result.stderr + result.stdout


def test_production_refuses_to_start_without_its_secrets() -> None:
    result = deploy_check(production_env(ASTI_HETU_KEY=""))
    assert result.returncode != 0 and "ASTI_HETU_KEY" in result.stderr


def test_in_production_every_cookie_is_secure_and_none_readable_by_scripts() -> None:
    code = (
        "from django.conf import settings as s; "
        "print(s.SESSION_COOKIE_SECURE, s.CSRF_COOKIE_SECURE, s.LANGUAGE_COOKIE_SECURE, "
        "s.SESSION_COOKIE_HTTPONLY, s.CSRF_COOKIE_HTTPONLY, s.LANGUAGE_COOKIE_HTTPONLY)"
    )
    result = subprocess.run(
        [sys.executable, "manage.py", "shell", "-c", code],
        cwd=ROOT, env=production_env(), capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().splitlines()[-1].split() == ["True"] * 6  # messages follow the session cookie


def test_the_language_cookie_is_http_only_and_same_site(client: Any) -> None:
    response = client.post("/i18n/setlang/", {"language": "sv", "next": "/"})
    cookie = response.cookies["django_language"]
    assert cookie.value == "sv" and cookie["httponly"] is True and cookie["samesite"] == "Lax"


def test_no_client_address_header_fails_the_deployment_check() -> None:
    """Behind a proxy every client would share its address in the login rate limit: the check says so."""
    result = deploy_check(production_env(ASTI_CLIENT_IP_HEADER=""))
    assert result.returncode != 0 and "asti.identity.W002" in result.stderr + result.stdout


def test_production_refuses_to_start_with_debug_on() -> None:
    result = deploy_check(production_env(DEBUG="true"))
    assert result.returncode != 0 and "DEBUG must be off in production" in result.stderr


def test_kannel_callbacks_over_plain_http_fail_the_deployment_check() -> None:
    result = deploy_check(production_env(MESSAGING_CALLBACK_BASE_URL="http://asti.example.fi"))
    assert result.returncode != 0 and "messaging.W003" in result.stderr + result.stdout
    assert deploy_check(production_env(MESSAGING_CALLBACK_BASE_URL="http://127.0.0.1:8000")).returncode == 0
