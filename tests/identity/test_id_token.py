"""ID token checks on tokens signed here, one broken property at a time."""

from __future__ import annotations

import base64
import datetime as dt
import json
from typing import Any

import pytest
from joserfc import jwt
from joserfc.jwk import KeySet, OctKey, RSAKey

from asti.core import clock
from asti.identity.oidc import Flow, OidcClient, TokenInvalid, id_token_verify

ISSUER = "https://login.city.example/realms/asti"
CLIENT = OidcClient(flow=Flow.GUARDIAN, issuer=ISSUER, discovery_url=f"{ISSUER}/.well-known/openid-configuration",
                    client_id="asti-guardian", client_secret="s", scope="openid")  # fmt: skip
KEY = RSAKey.generate_key(2048, parameters={"kid": "k1", "alg": "RS256", "use": "sig"})
OTHER_KEY = RSAKey.generate_key(2048, parameters={"kid": "k1", "alg": "RS256", "use": "sig"})
KEYS = KeySet([RSAKey.import_key(KEY.as_dict(private=False))])
NOW = dt.datetime(2027, 2, 1, 9, 0, tzinfo=dt.UTC)


def claims(**changes: Any) -> dict[str, Any]:
    base = {"iss": ISSUER, "aud": "asti-guardian", "sub": "abc", "exp": int(NOW.timestamp()) + 300,
            "iat": int(NOW.timestamp()), "nonce": "n-1", "loa": "substantial"}  # fmt: skip
    base.update(changes)
    return {k: v for k, v in base.items() if v is not None}


def sign(payload: dict[str, Any], *, key: Any = KEY, alg: str = "RS256") -> str:
    return jwt.encode({"alg": alg, "kid": "k1"}, payload, key)


def verify(token: str, *, nonce: str = "n-1") -> dict[str, Any]:
    with clock.frozen_at(NOW):
        return id_token_verify(id_token=token, metadata={}, client=CLIENT, nonce=nonce, key_set=KEYS)


def test_a_good_token_gives_its_claims() -> None:
    assert verify(sign(claims()))["loa"] == "substantial"
    assert verify(sign(claims(aud=["asti-guardian"])))["sub"] == "abc"


@pytest.mark.parametrize(
    ("changes", "nonce"),
    [
        ({"iss": "https://evil.example/realms/asti"}, "n-1"),
        ({"iss": None}, "n-1"),
        ({"aud": "another-client"}, "n-1"),
        ({"aud": None}, "n-1"),
        ({"aud": ["asti-guardian", "another-client"], "azp": "asti-guardian"}, "n-1"),
        ({"exp": int(NOW.timestamp()) - 120}, "n-1"),
        ({"exp": None}, "n-1"),
        ({"iat": None}, "n-1"),
        ({"nonce": "n-2"}, "n-1"),
        ({"nonce": None}, "n-1"),
        ({"sub": None}, "n-1"),
        ({}, "another-nonce"),
    ],
)
def test_a_token_failing_any_check_is_refused(changes: dict[str, Any], nonce: str) -> None:
    with pytest.raises(TokenInvalid):
        verify(sign(claims(**changes)), nonce=nonce)


def test_a_token_signed_with_another_key_is_refused() -> None:
    with pytest.raises(TokenInvalid):
        verify(sign(claims(), key=OTHER_KEY))


def test_an_hmac_token_is_refused_even_with_the_public_key_as_secret() -> None:
    secret = OctKey.import_key(json.dumps(KEY.as_dict(private=False)).encode())
    with pytest.raises(TokenInvalid):
        verify(sign(claims(), key=secret, alg="HS256"))


def test_an_unsigned_token_is_refused() -> None:
    def part(data: dict[str, Any]) -> str:
        return base64.urlsafe_b64encode(json.dumps(data).encode()).rstrip(b"=").decode()

    with pytest.raises(TokenInvalid):
        verify(f"{part({'alg': 'none'})}.{part(claims())}.")


def test_a_tampered_payload_is_refused() -> None:
    header, _, signature = sign(claims()).split(".")
    payload = base64.urlsafe_b64encode(json.dumps(claims(loa="high")).encode()).rstrip(b"=").decode()
    with pytest.raises(TokenInvalid):
        verify(f"{header}.{payload}.{signature}")


@pytest.mark.parametrize("token", ["", "abc", "a.b.c", "eyJhbGciOiJSUzI1NiJ9.e30.AAAA", "x" * 5000])
def test_garbage_is_refused(token: str) -> None:
    with pytest.raises(TokenInvalid):
        verify(token)
