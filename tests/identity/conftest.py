"""Fixtures for the login tests: a real local OpenID Provider (tools/oidc-provider, npm oidc-provider v9) with
test persons, the Django settings pointing at it, and a small registry."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import time
from collections.abc import Iterator
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

    @property
    def discovery_url(self) -> str:
        return f"{self.issuer}/.well-known/openid-configuration"


def _node_or_skip() -> str:
    node = shutil.which("node")
    if node and (ROOT / "node_modules" / "oidc-provider" / "package.json").is_file():
        return node
    message = "node or node_modules/oidc-provider missing: run scripts/install-node-packages"
    if os.environ.get("CI") == "true":
        pytest.fail(message)
    pytest.skip(message)


@pytest.fixture(scope="session")
def oidc_provider(
    django_db_setup: None, live_server: Any, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[LocalProvider]:
    """The OpenID Provider as a node process on a free port, until the end of the test session.

    (Asking for django_db_setup first makes the live server stop before the test database is dropped.)
    """
    node = _node_or_skip()
    # Live-server request threads close their database connection after each request (not after CONN_MAX_AGE):
    # a thread idling on a keep-alive socket would otherwise keep the test database from being dropped.
    for database in connections.settings.values():
        database["CONN_MAX_AGE"] = 0
    base = live_server.url
    directory = tmp_path_factory.mktemp("oidc-provider")
    clients = [
        {
            "client_id": client_id,
            "client_secret": secret,
            "redirect_uris": [f"{base}/login/callback/", f"{base}/login/staff/callback/"],
            "post_logout_redirect_uris": [f"{base}/logout/done/"],
        }
        for client_id, secret in (GUARDIAN_CLIENT, STAFF_CLIENT, OTHER_CLIENT)
    ]
    config = directory / "config.json"
    config.write_text(json.dumps({"host": "127.0.0.1", "port": 0, "clients": clients, "accounts": ACCOUNTS}))
    stdout, stderr = directory / "stdout.txt", directory / "stderr.txt"
    with stdout.open("wb") as out, stderr.open("wb") as err:
        process = subprocess.Popen([node, str(PROVIDER_SCRIPT), str(config)], stdout=out, stderr=err, cwd=ROOT)
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
        yield LocalProvider(issuer=issuer, process=process)
    finally:
        process.terminate()
        try:
            process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


@pytest.fixture
def oidc(settings: Any, oidc_provider: LocalProvider) -> LocalProvider:
    """Django configured for the local provider: guardians and staff as two clients of it."""
    for flow, (client_id, secret) in (("GUARDIAN", GUARDIAN_CLIENT), ("STAFF", STAFF_CLIENT)):
        setattr(settings, f"ASTI_OIDC_{flow}_ISSUER", oidc_provider.issuer)
        setattr(settings, f"ASTI_OIDC_{flow}_DISCOVERY_URL", "")
        setattr(settings, f"ASTI_OIDC_{flow}_CLIENT_ID", client_id)
        setattr(settings, f"ASTI_OIDC_{flow}_CLIENT_SECRET", secret)
        setattr(settings, f"ASTI_OIDC_{flow}_SCOPE", "openid profile")
    settings.ASTI_OIDC_HETU_CLAIM = "national_id"
    settings.ASTI_OIDC_LOA_CLAIM = "loa"
    settings.ASTI_OIDC_STAFF_GROUPS_CLAIM = "groups"
    settings.ASTI_OIDC_STAFF_UNITS_CLAIM = "unit_ids"
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
