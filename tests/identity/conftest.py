"""Fixtures for the login tests: a real local OpenID Provider (tools/oidc-provider, npm oidc-provider v9) with
test persons, the Django settings pointing at it, and a small registry."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import requests
from django.core.cache import cache
from django.db import connections

from asti.core import crypto
from asti.people.models import Guardian
from asti.units.models import Provider, Unit
from tests.citizen.browser import chromium  # noqa: F401 (a fixture for the browser tests)
from tests.identity import browser

ROOT = Path(__file__).resolve().parents[2]
PROVIDER_SCRIPT = ROOT / "tools" / "oidc-provider" / "server.mjs"
GUARDIAN_CLIENT = ("asti-guardian", "guardian-test-secret")
STAFF_CLIENT = ("asti-staff", "staff-test-secret")
OTHER_CLIENT = ("another-service", "another-test-secret")

MARIA_HETU = "010688-9018"  # G1 in the registry fixture
JUHA_HETU = "030286Y902U"  # G2
SANNA_HETU = "090990-903D"  # G3
STRANGER_HETU = "020202A9878"  # nobody in the registry


def _citizen(sub: str, label: str, given: str, family: str, hetu: str | None, loa: str) -> dict[str, Any]:
    claims: dict[str, Any] = {"given_name": given, "family_name": family, "loa": loa}
    if hetu:
        claims["national_id"] = hetu
    return {"sub": sub, "label": label, "acr": loa, "amr": ["suomi.fi"], "claims": claims}


def _staff(sub: str, label: str, username: str, groups: list[str], unit_ids: list[str] | None = None) -> dict[str, Any]:
    claims: dict[str, Any] = {
        "preferred_username": username,
        "given_name": label.split()[0],
        "family_name": label.split()[-1],
        "email": f"{username}@city.example",
        "groups": groups,
    }
    if unit_ids is not None:
        claims["unit_ids"] = unit_ids
    return {"sub": sub, "label": label, "amr": ["pwd"], "claims": claims}


ACCOUNTS = [
    _citizen("maria", "Maria Virtanen", "Maria", "Virtanen", MARIA_HETU, "substantial"),
    _citizen("juha", "Juha Virtanen (high)", "Juha", "Virtanen", JUHA_HETU, "high"),
    _citizen("sanna-low", "Sanna Korhonen (low)", "Sanna", "Korhonen", SANNA_HETU, "low"),
    _citizen("stranger", "Sami Ulkopuolinen", "Sami", "Ulkopuolinen", STRANGER_HETU, "substantial"),
    _citizen("no-code", "Nimetön Henkilö", "Nimetön", "Henkilö", None, "substantial"),
    _staff("staff-planner", "Pia Planner", "pia", ["planner"]),
    _staff("staff-director", "Ulla Director", "ulla", ["/unit_director"], ["PK-KALLIO", "PK-NOPE"]),
    _staff("staff-admin", "Aki Admin", "aki", ["admin", "somebody-else"]),
    _staff("staff-nobody", "Nora Nobody", "nora", ["somebody-else"]),
]


@dataclass(frozen=True)
class LocalProvider:
    issuer: str
    process: subprocess.Popen[bytes]
    config: Path

    @property
    def discovery_url(self) -> str:
        return f"{self.issuer}/.well-known/openid-configuration"

    def account_change(self, sub: str, **claims: Any) -> None:
        """Changes a test person's claims at the provider (it reads its accounts file on every use)."""
        data = json.loads(self.config.read_text())
        account = next(a for a in data["accounts"] if a["sub"] == sub)
        account["claims"].update(claims)
        self._write(data)

    def account_remove(self, sub: str) -> None:
        """The person is no longer at the provider (disabled or removed from the directory)."""
        data = json.loads(self.config.read_text())
        data["accounts"] = [a for a in data["accounts"] if a["sub"] != sub]
        self._write(data)

    def _write(self, data: dict[str, Any]) -> None:
        temporary = self.config.with_suffix(".tmp")
        temporary.write_text(json.dumps(data))
        temporary.replace(self.config)  # the provider never reads half a file

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


def _node_or_skip() -> str:
    node = shutil.which("node")
    if node and (ROOT / "node_modules" / "oidc-provider" / "package.json").is_file():
        return node
    message = "node or node_modules/oidc-provider missing: run scripts/install-node-packages"
    if os.environ.get("CI") == "true":
        pytest.fail(message)
    pytest.skip(message)


@contextmanager
def provider_running(base: str, directory: Path) -> Iterator[LocalProvider]:
    """The OpenID Provider as a node process on a free port, with the test persons and Asti's clients at `base`.

    Staff get refresh tokens (as from a city's Keycloak); guardians do not.
    """
    node = _node_or_skip()
    clients = [
        {
            "client_id": client_id,
            "client_secret": secret,
            "redirect_uris": [f"{base}/login/callback/", f"{base}/login/staff/callback/"],
            "post_logout_redirect_uris": [f"{base}/logout/done/"],
            "grant_types": ["authorization_code", *(["refresh_token"] if refresh else [])],
        }
        for client_id, secret, refresh in (
            (*GUARDIAN_CLIENT, False),
            (*STAFF_CLIENT, True),
            (*OTHER_CLIENT, False),
        )
    ]
    config = directory / "config.json"
    config.write_text(json.dumps({"host": "127.0.0.1", "port": 0, "clients": clients, "accounts": ACCOUNTS}))
    stdout, stderr = directory / "stdout.txt", directory / "stderr.txt"
    with stdout.open("wb") as out, stderr.open("wb") as err:
        process = subprocess.Popen([node, str(PROVIDER_SCRIPT), str(config)], stdout=out, stderr=err, cwd=ROOT)
    provider = LocalProvider(issuer="", process=process, config=config)
    try:
        issuer = ""
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline and process.poll() is None:
            line = stdout.read_text().strip()
            if line and not issuer:
                issuer = json.loads(line.splitlines()[0])["issuer"]
            if issuer:
                try:
                    if requests.get(f"{issuer}/.well-known/openid-configuration", timeout=2).ok:
                        break
                except requests.ConnectionError:
                    pass
            time.sleep(0.05)
        else:
            raise RuntimeError(f"the OpenID Provider did not start: {stderr.read_text()[-2000:]}")
        provider = LocalProvider(issuer=issuer, process=process, config=config)
        yield provider
    finally:
        provider.stop()


@pytest.fixture(scope="session")
def oidc_provider(
    django_db_setup: None, live_server: Any, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[LocalProvider]:
    """The OpenID Provider for the whole test session (its test persons never change).

    (Asking for django_db_setup first makes the live server stop before the test database is dropped.)
    """
    _node_or_skip()
    # Live-server request threads close their database connection after each request (not after CONN_MAX_AGE):
    # a thread idling on a keep-alive socket would otherwise keep the test database from being dropped.
    for database in connections.settings.values():
        database["CONN_MAX_AGE"] = 0
    with provider_running(live_server.url, tmp_path_factory.mktemp("oidc-provider")) as provider:
        yield provider


def oidc_configure(settings: Any, provider: LocalProvider) -> None:
    """Django configured for a local provider: guardians and staff as two clients of it."""
    for flow, (client_id, secret) in (("GUARDIAN", GUARDIAN_CLIENT), ("STAFF", STAFF_CLIENT)):
        setattr(settings, f"ASTI_OIDC_{flow}_ISSUER", provider.issuer)
        setattr(settings, f"ASTI_OIDC_{flow}_DISCOVERY_URL", "")
        setattr(settings, f"ASTI_OIDC_{flow}_CLIENT_ID", client_id)
        setattr(settings, f"ASTI_OIDC_{flow}_CLIENT_SECRET", secret)
        setattr(settings, f"ASTI_OIDC_{flow}_SCOPE", "openid profile")
    settings.ASTI_OIDC_HETU_CLAIM = "national_id"
    settings.ASTI_OIDC_LOA_CLAIM = "loa"
    settings.ASTI_OIDC_STAFF_GROUPS_CLAIM = "groups"
    settings.ASTI_OIDC_STAFF_UNITS_CLAIM = "unit_ids"


@pytest.fixture
def own_oidc(settings: Any, oidc_provider: LocalProvider, live_server: Any, tmp_path: Path) -> Iterator[LocalProvider]:
    """A provider of this test's own, whose test persons the test may change, or which it may stop."""
    with provider_running(live_server.url, tmp_path) as provider:
        oidc_configure(settings, provider)
        yield provider


@pytest.fixture
def oidc(settings: Any, oidc_provider: LocalProvider) -> LocalProvider:
    """Django configured for the session's local provider."""
    oidc_configure(settings, oidc_provider)
    return oidc_provider


@pytest.fixture(autouse=True)
def _browsers_closed() -> Iterator[None]:
    yield
    browser.close_all()


@pytest.fixture(autouse=True)
def _fresh_cache() -> Iterator[None]:
    """Rate-limit counters and the providers' cached discovery documents never leak between tests."""
    cache.clear()
    yield
    cache.clear()


def guardian_create(guardian_id: str, hetu: str, first_name: str, last_name: str) -> Guardian:
    return Guardian.objects.create(
        guardian_id=guardian_id,
        hetu_encrypted=crypto.hetu_encrypt(hetu),
        hetu_digest=crypto.hetu_digest(hetu),
        first_name=first_name,
        last_name=last_name,
    )


@pytest.fixture
def registry() -> dict[str, Guardian]:
    """Three registry guardians and two pre-primary units."""
    for unit_id, name in (("PK-KALLIO", "Päiväkoti Kallio"), ("PK-TOOLO", "Päiväkoti Töölö")):
        Unit.objects.create(
            unit_id=unit_id, name_fi=name, lat=60.18, lon=24.95, provider=Provider.MUNICIPAL, language="fi",
            pre_primary=True, pre_primary_capacity=10,
        )  # fmt: skip
    return {
        "G1": guardian_create("G1", MARIA_HETU, "Maria", "Virtanen"),
        "G2": guardian_create("G2", JUHA_HETU, "Juha", "Virtanen"),
        "G3": guardian_create("G3", SANNA_HETU, "Sanna", "Korhonen"),
    }
