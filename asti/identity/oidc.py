"""The OpenID Connect relying party: authorization code flow with PKCE (S256), state and nonce.

authlib builds the authorization request and exchanges the code (client_secret_basic, PKCE verifier); joserfc
verifies the ID token's signature against the provider's keys, and authlib's CodeIDToken checks its claims.
On top of authlib's defaults the checks are made strict: the issuer must be the configured one (in the
discovery document, in the callback's `iss` parameter and in the token), the audience exactly our client id,
`exp`/`iat` present, the nonce the one we sent, and the signature algorithm one of the configured few.
"""

from __future__ import annotations

import enum
import logging
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

import requests
from authlib.common.security import generate_token
from authlib.integrations.requests_client import OAuth2Session, OAuthError
from authlib.oidc.core import CodeIDToken
from django.conf import settings
from django.core.cache import cache
from joserfc import jwt
from joserfc.errors import JoseError
from joserfc.jwk import KeySet
from joserfc.jws import JWSRegistry

from asti.core import clock

logger = logging.getLogger(__name__)

METADATA_TTL = 3600
LEEWAY_SECONDS = 60


class Flow(enum.StrEnum):
    """Which client of the identity provider: guardians (Suomi.fi) or staff (the city's directory)."""

    GUARDIAN = "guardian"
    STAFF = "staff"


class OidcError(Exception):
    """The provider could not be used, or what it answered failed a check."""


class ProviderUnavailable(OidcError):
    pass


class TokenInvalid(OidcError):
    pass


class RefreshRefused(OidcError):
    """The provider answered a refresh with an error: the grant was revoked or has expired, the person was
    disabled or removed, or the session at the provider ended (OAuth `invalid_grant` and the like)."""


@dataclass(frozen=True)
class TokenSet:
    """What a token response gives us: the verified claims, and the refresh token ("" when none was issued)."""

    claims: dict[str, Any]
    refresh_token: str

    def __repr__(self) -> str:  # neither the claims (an identity code) nor the token in a traceback
        return f"TokenSet(sub={self.claims.get('sub')!r}, refresh_token={'yes' if self.refresh_token else 'no'})"


@dataclass(frozen=True)
class OidcClient:
    flow: Flow
    issuer: str
    discovery_url: str
    client_id: str
    client_secret: str
    scope: str

    def __repr__(self) -> str:
        return f"OidcClient(flow={self.flow!r}, issuer={self.issuer!r}, client_id={self.client_id!r})"


def client_for(flow: Flow) -> OidcClient | None:
    """The configured client of a flow, or None when that login is not configured here."""
    prefix = f"ASTI_OIDC_{flow.upper()}_"
    issuer: str = getattr(settings, prefix + "ISSUER", "")
    client_id: str = getattr(settings, prefix + "CLIENT_ID", "")
    if not issuer or not client_id:
        return None
    discovery = getattr(settings, prefix + "DISCOVERY_URL", "") or (
        issuer.rstrip("/") + "/.well-known/openid-configuration"
    )
    return OidcClient(
        flow=flow,
        issuer=issuer,
        discovery_url=discovery,
        client_id=client_id,
        client_secret=getattr(settings, prefix + "CLIENT_SECRET", ""),
        scope=getattr(settings, prefix + "SCOPE", "openid profile"),
    )


def _http_get_json(url: str) -> dict[str, Any]:
    try:
        response = requests.get(url, timeout=settings.ASTI_OIDC_HTTP_TIMEOUT)
        response.raise_for_status()
        data = response.json()
    except (requests.RequestException, ValueError) as exc:
        raise ProviderUnavailable(f"GET {url} failed: {exc}") from exc
    if not isinstance(data, dict):
        raise ProviderUnavailable(f"GET {url} did not answer a JSON object")
    return data


def provider_metadata(client: OidcClient) -> dict[str, Any]:
    """The provider's discovery document, checked against the configured issuer, cached for an hour."""
    key = f"asti:oidc:metadata:{client.discovery_url}"
    metadata: dict[str, Any] | None = cache.get(key)
    if metadata is None:
        metadata = _http_get_json(client.discovery_url)
        cache.set(key, metadata, METADATA_TTL)
    if metadata.get("issuer") != client.issuer:
        raise TokenInvalid(f"discovery document names issuer {metadata.get('issuer')!r}, expected {client.issuer!r}")
    for name in ("authorization_endpoint", "token_endpoint", "jwks_uri"):
        if not isinstance(metadata.get(name), str):
            raise ProviderUnavailable(f"discovery document has no {name}")
    return metadata


def _key_set(metadata: Mapping[str, Any], *, refresh: bool = False) -> KeySet:
    uri: str = metadata["jwks_uri"]
    key = f"asti:oidc:jwks:{uri}"
    data: dict[str, Any] | None = None if refresh else cache.get(key)
    if data is None:
        data = _http_get_json(uri)
        cache.set(key, data, METADATA_TTL)
    try:
        return KeySet.import_key_set(data)  # type: ignore[arg-type]
    except (JoseError, ValueError, TypeError) as exc:
        raise ProviderUnavailable(f"the provider's keys could not be read: {exc}") from exc


@dataclass(frozen=True)
class AuthorizationRequest:
    url: str
    state: str
    nonce: str
    code_verifier: str


def _session(client: OidcClient, *, redirect_uri: str) -> OAuth2Session:
    return OAuth2Session(
        client_id=client.client_id,
        client_secret=client.client_secret,
        token_endpoint_auth_method="client_secret_basic",  # noqa: S106 (a method name, not a secret)
        scope=client.scope,
        redirect_uri=redirect_uri,
        code_challenge_method="S256",
        default_timeout=settings.ASTI_OIDC_HTTP_TIMEOUT,
    )


def authorization_begin(*, client: OidcClient, redirect_uri: str, ui_locales: str = "") -> AuthorizationRequest:
    """The URL to send the browser to, with fresh state, nonce and PKCE verifier (S256 challenge)."""
    metadata = provider_metadata(client)
    state, nonce, verifier = generate_token(32), generate_token(32), generate_token(64)
    extra = {"ui_locales": ui_locales} if ui_locales else {}
    with _session(client, redirect_uri=redirect_uri) as session:
        url, _ = session.create_authorization_url(
            metadata["authorization_endpoint"], state=state, nonce=nonce, code_verifier=verifier, **extra
        )
    return AuthorizationRequest(url=url, state=state, nonce=nonce, code_verifier=verifier)


def authorization_complete(
    *, client: OidcClient, code: str, redirect_uri: str, nonce: str, code_verifier: str, iss_param: str | None
) -> TokenSet:
    """Exchanges the code (with the PKCE verifier): the verified ID token's claims and the refresh token."""
    metadata = provider_metadata(client)
    if iss_param is not None and iss_param != client.issuer:  # RFC 9207: a mix-up of providers
        raise TokenInvalid(f"authorization response from issuer {iss_param!r}")
    try:
        with _session(client, redirect_uri=redirect_uri) as session:
            token = session.fetch_token(
                metadata["token_endpoint"],
                grant_type="authorization_code",
                code=code,
                code_verifier=code_verifier,
                redirect_uri=redirect_uri,
            )
    except requests.RequestException as exc:
        raise ProviderUnavailable(f"token request failed: {exc}") from exc
    except (OAuthError, ValueError) as exc:  # the provider refused the code, or answered nonsense
        raise TokenInvalid(f"token request refused: {exc}") from exc
    id_token = token.get("id_token")
    if not isinstance(id_token, str):
        raise TokenInvalid("no id_token in the token response")
    claims = id_token_verify(
        id_token=id_token,
        metadata=metadata,
        client=client,
        nonce=nonce,
        access_token=token.get("access_token"),
    )
    refresh_token = token.get("refresh_token")
    return TokenSet(claims=claims, refresh_token=refresh_token if isinstance(refresh_token, str) else "")


def tokens_refresh(*, client: OidcClient, refresh_token: str, subject: str, nonce: str) -> TokenSet:
    """The refresh-token grant (RFC 6749 section 6, OpenID Connect Core section 12): the person's claims as the
    provider gives them now, and the refresh token to use next time (the new one when the provider rotates it).

    No scope is sent, so the grant keeps the scope of the login. The claims come from the new ID token, checked as
    at login (signature, issuer, audience exactly us, expiry) and against the login: the same subject, and the
    login's nonce where the provider repeats one (Keycloak does, others leave it out). A provider that answers no
    ID token is asked at its userinfo endpoint with the new access token.

    ProviderUnavailable: the provider could not be reached or failed (a 5xx answer, a timeout). RefreshRefused:
    it said no. TokenInvalid: what it answered fails a check.
    """
    metadata = provider_metadata(client)
    try:
        with OAuth2Session(
            client_id=client.client_id,
            client_secret=client.client_secret,
            token_endpoint_auth_method="client_secret_basic",  # noqa: S106 (a method name, not a secret)
            default_timeout=settings.ASTI_OIDC_HTTP_TIMEOUT,
        ) as session:
            token = session.refresh_token(metadata["token_endpoint"], refresh_token=refresh_token)
    except requests.RequestException as exc:
        raise ProviderUnavailable(f"refresh failed: {exc}") from exc
    except (OAuthError, ValueError) as exc:
        raise RefreshRefused(f"refresh refused: {exc}") from exc
    access_token = token.get("access_token")
    id_token = token.get("id_token")
    if isinstance(id_token, str):
        claims = id_token_verify(
            id_token=id_token, metadata=metadata, client=client, nonce=None, access_token=access_token
        )
        if claims.get("nonce", nonce) != nonce:
            raise TokenInvalid("refreshed ID token names another nonce than the login's")
    elif isinstance(access_token, str) and access_token:
        claims = _userinfo(metadata, access_token=access_token)
    else:
        raise TokenInvalid("neither an ID token nor an access token in the refresh response")
    if claims.get("sub") != subject:
        raise TokenInvalid("refreshed claims name another subject than the login's")
    renewed = token.get("refresh_token")
    return TokenSet(claims=claims, refresh_token=renewed if isinstance(renewed, str) and renewed else refresh_token)


def _userinfo(metadata: Mapping[str, Any], *, access_token: str) -> dict[str, Any]:
    endpoint = metadata.get("userinfo_endpoint")
    if not isinstance(endpoint, str):
        raise TokenInvalid("no ID token in the refresh response and no userinfo endpoint")
    try:
        response = requests.get(
            endpoint, headers={"Authorization": f"Bearer {access_token}"}, timeout=settings.ASTI_OIDC_HTTP_TIMEOUT
        )
    except requests.RequestException as exc:
        raise ProviderUnavailable(f"userinfo failed: {exc}") from exc
    if response.status_code >= 500:
        raise ProviderUnavailable(f"userinfo answered {response.status_code}")
    if response.status_code != 200:
        raise RefreshRefused(f"userinfo answered {response.status_code}")
    try:
        data = response.json()
    except ValueError as exc:
        raise TokenInvalid("userinfo did not answer JSON (signed userinfo is not supported)") from exc
    if not isinstance(data, dict) or not isinstance(data.get("sub"), str):
        raise TokenInvalid("userinfo answered no subject")
    return data


def _decode(id_token: str, key_set: KeySet) -> jwt.Token:
    algorithms = list(settings.ASTI_OIDC_SIGNING_ALGORITHMS)
    return jwt.decode(id_token, key_set, algorithms=algorithms, registry=JWSRegistry(algorithms=algorithms))


def id_token_verify(
    *,
    id_token: str,
    metadata: Mapping[str, Any],
    client: OidcClient,
    nonce: str | None,
    access_token: str | None = None,
    key_set: KeySet | None = None,
) -> dict[str, Any]:
    """The claims of an ID token whose signature, issuer, audience, expiry and nonce all check out.

    `nonce` None: an ID token from a refresh, which need not carry one (the caller compares it when present).
    """
    try:
        try:
            token = _decode(id_token, key_set or _key_set(metadata))
        except JoseError:
            if key_set is not None:
                raise
            token = _decode(id_token, _key_set(metadata, refresh=True))  # the provider may have rotated its keys
        options: dict[str, Any] = {
            "iss": {"essential": True, "value": client.issuer},
            "aud": {"essential": True, "value": client.client_id},
            "exp": {"essential": True},
            "iat": {"essential": True},
        }
        params: dict[str, Any] = {"client_id": client.client_id}
        if nonce is not None:
            options["nonce"] = {"essential": True, "value": nonce}
            params["nonce"] = nonce
        if access_token:
            params["access_token"] = access_token
        claims = CodeIDToken(token.claims, token.header, options, params)
        claims.validate(now=int(clock.now().timestamp()), leeway=LEEWAY_SECONDS)
    except JoseError as exc:
        raise TokenInvalid(f"ID token rejected: {exc}") from exc
    # One audience, ours: a token also meant for other parties is not accepted here.
    if claims["aud"] not in (client.client_id, [client.client_id]):
        raise TokenInvalid(f"ID token audience {claims['aud']!r} is not only {client.client_id!r}")
    if not isinstance(claims.get("sub"), str) or not claims["sub"]:
        raise TokenInvalid("ID token has no subject")
    return dict(claims)


def end_session_url(*, client: OidcClient, post_logout_redirect_uri: str) -> str | None:
    """RP-initiated logout at the provider, when its discovery document offers it.

    The ID token is not kept after login (it carries the identity code), so the provider is told the client
    id instead of an id_token_hint; Keycloak then asks the person to confirm.
    """
    try:
        metadata = provider_metadata(client)
    except OidcError:
        logger.warning("provider of %s not reachable for logout", client.flow)
        return None
    endpoint = metadata.get("end_session_endpoint")
    if not isinstance(endpoint, str):
        return None
    query = urlencode({"client_id": client.client_id, "post_logout_redirect_uri": post_logout_redirect_uri})
    return f"{endpoint}{'&' if '?' in endpoint else '?'}{query}"
