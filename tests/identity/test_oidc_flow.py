"""The whole login flow against a real OpenID Provider (oidc-provider v9 on node) and the live Django server."""

from __future__ import annotations

import base64
import hashlib
import secrets
from io import StringIO
from typing import Any
from urllib.parse import parse_qs, urlencode, urlparse

import pytest
import requests
from django.contrib.auth.models import User
from django.contrib.sessions.backends.db import SessionStore
from django.core.management import call_command

from asti.audit.models import AuditEvent
from asti.identity.login_flow import PENDING_KEY
from asti.identity.models import CitizenIdentity, Loa, StaffProfile
from asti.identity.oidc import Flow, TokenInvalid, client_for, id_token_verify, provider_metadata
from asti.identity.selectors import guardian_for_user, staff_roles_for_user, staff_units_for_user
from asti.identity.session import SESSION_KEY
from tests.identity.browser import Browser
from tests.identity.conftest import MARIA_HETU, OTHER_CLIENT, STRANGER_HETU, LocalProvider

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("registry")]


def stored_text() -> str:
    """What the login wrote: users, identities, staff profiles and the audit trail, as Django serialises it."""
    out = StringIO()
    call_command("dumpdata", "auth.user", "identity", "audit", stdout=out, format="json")
    return out.getvalue()


def provider_login(browser: Browser, start_url: str, account: str, *, stop_at: str | None = None) -> requests.Response:
    """Starts a login at `start_url`, presses the test person's button on the provider's login page."""
    page = browser.get(start_url)
    assert "Test identification" in page.text, page.text[:500]
    return browser.submit(page, button=("account", account), stop_at=stop_at)


def session_data(browser: Browser) -> dict[str, Any]:
    key = browser.cookie("sessionid")
    assert key
    return dict(SessionStore(session_key=key).load())


def authorization_request(browser: Browser, oidc: LocalProvider) -> dict[str, str]:
    url = next(u for u in browser.visited if u.startswith(f"{oidc.issuer}/auth?"))
    return {k: v[0] for k, v in parse_qs(urlparse(url).query).items()}


def test_guardian_logs_in_with_substantial_and_is_linked_to_the_registry(live_server: Any, oidc: LocalProvider) -> None:
    browser = Browser()
    page = provider_login(browser, f"{live_server.url}/login/?next=/healthz", "maria")
    assert page.status_code == 200 and page.url == f"{live_server.url}/healthz"

    params = authorization_request(browser, oidc)
    assert params["client_id"] == "asti-guardian" and params["response_type"] == "code"
    assert params["code_challenge_method"] == "S256" and len(params["code_challenge"]) == 43
    assert len(params["state"]) >= 32 and len(params["nonce"]) >= 32

    identity = CitizenIdentity.objects.select_related("user").get()
    assert (identity.user.first_name, identity.user.last_name) == ("Maria", "Virtanen")
    assert identity.last_loa == Loa.SUBSTANTIAL and not identity.user.has_usable_password()
    guardian = guardian_for_user(user=identity.user)
    assert guardian is not None and guardian.guardian_id == "G1"
    data = session_data(browser)
    assert data["_auth_user_id"] == str(identity.user.pk)
    assert data[SESSION_KEY]["loa"] == "substantial" and data[SESSION_KEY]["method"] == "oidc"
    assert not data.get(PENDING_KEY)

    event = AuditEvent.objects.get(operation="LOGIN")
    assert (event.actor, event.target_type, event.target_id) == (identity.user.username, "guardian", "G1")
    assert event.details["loa"] == "substantial" and event.details["in_registry"] is True
    # The identity code is nowhere in the database in the clear: not in users, audit or the session.
    assert MARIA_HETU not in stored_text() and MARIA_HETU not in str(data)


def test_high_level_is_accepted_and_a_second_login_reuses_the_account(live_server: Any, oidc: LocalProvider) -> None:
    for _ in range(2):
        page = provider_login(Browser(), f"{live_server.url}/login/?next=/healthz", "juha")
        assert page.url == f"{live_server.url}/healthz"
    identity = CitizenIdentity.objects.get()
    assert identity.last_loa == Loa.HIGH
    assert guardian_for_user(user=identity.user).guardian_id == "G2"  # type: ignore[union-attr]
    assert AuditEvent.objects.filter(operation="LOGIN").count() == 2


def test_citizen_not_in_the_registry_logs_in_but_is_no_guardian(live_server: Any, oidc: LocalProvider) -> None:
    page = provider_login(Browser(), f"{live_server.url}/login/?next=/healthz", "stranger")
    assert page.url == f"{live_server.url}/healthz"
    identity = CitizenIdentity.objects.get()
    assert guardian_for_user(user=identity.user) is None
    event = AuditEvent.objects.get(operation="LOGIN")
    assert event.target_type == "citizen" and event.details["in_registry"] is False
    assert STRANGER_HETU not in stored_text()


def test_low_level_of_assurance_is_refused_with_a_clear_page(live_server: Any, oidc: LocalProvider) -> None:
    browser = Browser()
    page = provider_login(browser, f"{live_server.url}/login/?next=/healthz", "sanna-low")
    assert page.status_code == 403
    assert "strong electronic identification" in page.text
    assert not User.objects.exists() and "_auth_user_id" not in session_data(browser)
    event = AuditEvent.objects.get(operation="LOGIN_REFUSED")
    assert event.details["reason"] == "loa_insufficient" and event.status == "REFUSED"


@pytest.mark.parametrize(
    ("language", "text"), [("fi", "vahvaa sähköistä tunnistautumista"), ("sv", "stark elektronisk identifiering")]
)
def test_the_refusal_page_speaks_the_persons_language(
    live_server: Any, oidc: LocalProvider, language: str, text: str
) -> None:
    page = provider_login(Browser(language=language), f"{live_server.url}/login/", "sanna-low")
    assert page.status_code == 403 and text in page.text and f'lang="{language}"' in page.text


def test_an_identification_without_the_identity_code_is_refused(live_server: Any, oidc: LocalProvider) -> None:
    page = provider_login(Browser(), f"{live_server.url}/login/", "no-code")
    assert page.status_code == 403 and "personal identity code" in page.text
    assert not User.objects.exists()


def test_cancelling_at_the_provider_shows_a_page(live_server: Any, oidc: LocalProvider) -> None:
    browser = Browser()
    page = browser.get(f"{live_server.url}/login/")
    page = browser.submit(page, button=("abort", "yes"))
    assert page.status_code == 403 and "cancelled" in page.text
    assert AuditEvent.objects.get(operation="LOGIN_REFUSED").details["reason"] == "cancelled"


def test_a_provider_naming_another_issuer_is_refused(live_server: Any, oidc: LocalProvider, settings: Any) -> None:
    settings.ASTI_OIDC_GUARDIAN_ISSUER = f"{oidc.issuer}/another-realm"
    settings.ASTI_OIDC_GUARDIAN_DISCOVERY_URL = oidc.discovery_url
    page = Browser().get(f"{live_server.url}/login/")
    assert page.status_code == 403 and page.url.startswith(live_server.url)
    event = AuditEvent.objects.get(operation="LOGIN_REFUSED")
    assert event.details["reason"] == "token_invalid" and "issuer" in event.details["detail"]


def test_an_answer_from_another_issuer_is_refused(live_server: Any, oidc: LocalProvider, settings: Any) -> None:
    """Expected issuer changed while the person is at the provider: its answer (iss, token) no longer matches."""
    browser = Browser()
    page = browser.get(f"{live_server.url}/login/")
    settings.ASTI_OIDC_GUARDIAN_ISSUER = f"{oidc.issuer}/another-realm"
    settings.ASTI_OIDC_GUARDIAN_DISCOVERY_URL = oidc.discovery_url
    page = browser.submit(page, button=("account", "maria"))
    assert page.status_code == 403 and not User.objects.exists()
    assert AuditEvent.objects.get(operation="LOGIN_REFUSED").details["reason"] == "token_invalid"


def test_a_real_id_token_for_another_client_is_refused(live_server: Any, oidc: LocalProvider) -> None:
    """A genuine, well-signed ID token of the same provider, issued to another client: the audience is wrong."""
    client_id, secret = OTHER_CLIENT
    metadata = requests.get(oidc.discovery_url, timeout=5).json()
    verifier, nonce = secrets.token_urlsafe(48), secrets.token_urlsafe(16)
    challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()
    callback = f"{live_server.url}/login/callback/"
    query = {
        "client_id": client_id, "response_type": "code", "scope": "openid profile", "state": "s", "nonce": nonce,
        "code_challenge": challenge, "code_challenge_method": "S256", "redirect_uri": callback,
    }  # fmt: skip
    browser = Browser()
    login_page = browser.get(f"{metadata['authorization_endpoint']}?{urlencode(query)}")
    answer = browser.submit(login_page, button=("account", "maria"), stop_at=callback)
    code = parse_qs(urlparse(answer.stopped_at).query)["code"][0]  # type: ignore[attr-defined]
    token = requests.post(
        metadata["token_endpoint"],
        data={"grant_type": "authorization_code", "code": code, "redirect_uri": callback, "code_verifier": verifier},
        auth=(client_id, secret),
        timeout=5,
    ).json()
    ours = client_for(Flow.GUARDIAN)
    assert ours is not None
    with pytest.raises(TokenInvalid, match="aud"):
        id_token_verify(id_token=token["id_token"], metadata=provider_metadata(ours), client=ours, nonce=nonce)
    # The same token passes for the client it was issued to: the refusal above is the audience alone.
    theirs = type(ours)(**{**ours.__dict__, "client_id": client_id, "client_secret": secret})
    assert id_token_verify(id_token=token["id_token"], metadata=metadata, client=theirs, nonce=nonce)["sub"] == "maria"


def test_pkce_verifier_is_kept_and_matches_the_challenge(live_server: Any, oidc: LocalProvider) -> None:
    browser = Browser()
    callback = f"{live_server.url}/login/callback/"
    answer = provider_login(browser, f"{live_server.url}/login/", "maria", stop_at=callback)
    params = authorization_request(browser, oidc)
    pending = session_data(browser)[PENDING_KEY][params["state"]]
    digest = hashlib.sha256(pending["code_verifier"].encode()).digest()
    assert base64.urlsafe_b64encode(digest).rstrip(b"=").decode() == params["code_challenge"]
    assert len(pending["code_verifier"]) >= 43
    page = browser.get(answer.stopped_at)  # type: ignore[attr-defined]
    assert page.url == f"{live_server.url}/" and CitizenIdentity.objects.exists()


def test_the_provider_requires_pkce(live_server: Any, oidc: LocalProvider) -> None:
    metadata = requests.get(oidc.discovery_url, timeout=5).json()
    assert metadata["code_challenge_methods_supported"] == ["S256"]
    query = {"client_id": "asti-guardian", "response_type": "code", "scope": "openid",
             "redirect_uri": f"{live_server.url}/login/callback/", "state": "s", "nonce": "n"}  # fmt: skip
    response = Browser().request("GET", f"{metadata['authorization_endpoint']}?{urlencode(query)}")
    answer = parse_qs(urlparse(response.headers["location"]).query)
    assert response.is_redirect and answer["error"] == ["invalid_request"] and "PKCE" in answer["error_description"][0]


def test_a_tampered_state_is_refused_and_the_genuine_answer_still_works(live_server: Any, oidc: LocalProvider) -> None:
    browser = Browser()
    callback = f"{live_server.url}/login/callback/"
    answer = provider_login(browser, f"{live_server.url}/login/?next=/healthz", "maria", stop_at=callback)
    genuine: str = answer.stopped_at  # type: ignore[attr-defined]
    state = parse_qs(urlparse(genuine).query)["state"][0]
    tampered = genuine.replace(f"state={state}", f"state={state[:-2]}xy")
    page = browser.get(tampered)
    assert page.status_code == 400 and "invalid or had expired" in page.text
    assert not User.objects.exists()
    assert AuditEvent.objects.get(operation="LOGIN_REFUSED").details["reason"] == "state_invalid"
    assert browser.get(genuine).url == f"{live_server.url}/healthz"
    # Replaying the same answer finds the state used up.
    assert browser.get(genuine).status_code == 400


def test_staff_groups_become_roles_and_the_director_gets_units(live_server: Any, oidc: LocalProvider) -> None:
    start = f"{live_server.url}/login/staff/?next=/admin/"
    page = provider_login(Browser(), start, "staff-director")
    assert page.status_code == 200 and page.url == f"{live_server.url}/admin/"
    director = User.objects.get(username="ulla")
    assert staff_roles_for_user(user=director) == {"unit_director"}
    assert director.is_staff and not director.is_superuser
    assert [u.unit_id for u in staff_units_for_user(user=director)] == ["PK-KALLIO"]
    profile = StaffProfile.objects.get(user=director)
    assert (profile.issuer, profile.subject) == (oidc.issuer, "staff-director")
    event = AuditEvent.objects.get(operation="LOGIN", actor="ulla")
    assert event.details["unit_ids"] == ["PK-KALLIO"] and event.details["unknown_unit_ids"] == ["PK-NOPE"]

    provider_login(Browser(), start, "staff-planner")
    planner = User.objects.get(username="pia")
    assert staff_roles_for_user(user=planner) == {"planner"} and not planner.is_superuser
    assert not staff_units_for_user(user=planner).exists()

    browser = Browser()
    page = provider_login(browser, start, "staff-admin")
    admin_user = User.objects.get(username="aki")
    assert admin_user.is_superuser and admin_user.is_staff and staff_roles_for_user(user=admin_user) == {"admin"}
    assert page.status_code == 200 and "Asti — staff administration" in page.text
    authorization = authorization_request(browser, oidc)
    assert authorization["client_id"] == "asti-staff"


def test_staff_without_a_role_are_refused(live_server: Any, oidc: LocalProvider) -> None:
    page = provider_login(Browser(), f"{live_server.url}/login/staff/", "staff-nobody")
    assert page.status_code == 403 and "no role" in page.text
    assert not User.objects.filter(is_staff=True).exists()
    assert AuditEvent.objects.get(operation="LOGIN_REFUSED").details["reason"] == "no_role"


def test_the_admin_sends_staff_to_the_staff_login(live_server: Any, oidc: LocalProvider) -> None:
    browser = Browser()
    page = browser.get(f"{live_server.url}/admin/people/guardian/")
    assert "Test identification" in page.text and "asti-staff" in page.text
    page = browser.submit(page, button=("account", "staff-admin"))
    assert page.url == f"{live_server.url}/admin/people/guardian/" and page.status_code == 200


def test_login_attempts_are_rate_limited_per_session(live_server: Any, oidc: LocalProvider, settings: Any) -> None:
    settings.ASTI_LOGIN_RATE_PER_SESSION = 3
    browser = Browser()
    browser.get(f"{live_server.url}/login/")  # a session with a pending login
    statuses = [browser.get(f"{live_server.url}/login/callback/?state=guess{i}&code=x").status_code for i in range(5)]
    assert statuses == [400, 400, 400, 429, 429]
    limited = browser.get(f"{live_server.url}/login/callback/?state=x&code=x")
    assert int(limited.headers["Retry-After"]) > 0 and "Too many login attempts" in limited.text
    refused = AuditEvent.objects.filter(operation="LOGIN_REFUSED")
    assert [e.details["reason"] for e in refused].count("rate_limited") == 1  # audited once per window


def test_login_attempts_are_rate_limited_per_address(live_server: Any, oidc: LocalProvider, settings: Any) -> None:
    settings.ASTI_LOGIN_RATE_PER_IP = 4
    statuses = [Browser().get(f"{live_server.url}/login/callback/?state=s&code=x").status_code for _ in range(6)]
    assert statuses == [400, 400, 400, 400, 429, 429]


@pytest.mark.parametrize(
    "target", ["https://evil.example/", "//evil.example/x", "/\\evil.example", "javascript:alert(1)"]
)
def test_next_never_leads_off_site(live_server: Any, oidc: LocalProvider, target: str) -> None:
    browser = Browser()
    page = provider_login(browser, f"{live_server.url}/login/?{urlencode({'next': target})}", "maria")
    assert page.url == f"{live_server.url}/"
    hosts = {urlparse(url).netloc for url in browser.visited}
    assert hosts == {urlparse(live_server.url).netloc, urlparse(oidc.issuer).netloc}
    assert CitizenIdentity.objects.exists()


def test_logout_ends_the_session_here_and_at_the_provider(live_server: Any, oidc: LocalProvider) -> None:
    browser = Browser()
    provider_login(browser, f"{live_server.url}/login/?next=/healthz", "maria")
    old_session = browser.cookie("sessionid")
    assert old_session
    page = browser.get(f"{live_server.url}/logout/")
    page = browser.submit(page, button=("", ""))
    assert page.url.startswith(f"{oidc.issuer}/session/end") and "Sign out" in page.text
    page = browser.submit(page, button=("logout", "yes"))
    assert page.url.startswith(f"{live_server.url}/logout/done/") and "You have logged out" in page.text
    assert not SessionStore(session_key=old_session).exists(old_session)
    assert AuditEvent.objects.filter(operation="LOGOUT").count() == 1
    # A new login asks again at the provider (its session ended too).
    again = browser.get(f"{live_server.url}/login/")
    assert "Test identification" in again.text
