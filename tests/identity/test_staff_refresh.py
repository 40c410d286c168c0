"""Staff roles read again from the identity provider during a session: against the real local provider (refresh
tokens as a city's Keycloak gives them, rotated on every use) and the live Django server, with the clock moved on
past the interval instead of waiting."""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
import requests
from django.contrib.auth.models import User
from django.contrib.sessions.backends.db import SessionStore
from django.core.cache import cache

from asti.audit.models import AuditEvent
from asti.core import clock, crypto
from asti.identity import oidc as oidc_module
from asti.identity import refresh
from asti.identity.oidc import Flow, RefreshRefused, TokenInvalid, client_for, provider_metadata, tokens_refresh
from asti.identity.refresh import REFRESH_KEY
from asti.identity.selectors import staff_roles_for_user, staff_units_for_user
from asti.identity.session import SESSION_KEY
from tests.citizen.browser import assert_accessible
from tests.citizen.test_browser_layout import assert_no_sideways_scrolling
from tests.identity.browser import Browser
from tests.identity.conftest import STAFF_CLIENT, LocalProvider
from tests.identity.test_oidc_flow import provider_login, session_data

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("registry")]

INTERVAL = 300  # the default, ASTI_STAFF_ROLES_REFRESH_SECONDS
GRACE = 120  # the default, ASTI_STAFF_ROLES_REFRESH_GRACE_SECONDS


@pytest.fixture(autouse=True)
def _defaults(settings: Any) -> None:
    settings.ASTI_STAFF_ROLES_REFRESH_SECONDS = INTERVAL
    settings.ASTI_STAFF_ROLES_REFRESH_GRACE_SECONDS = GRACE


@pytest.fixture
def refreshes(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Every refresh-token grant Asti makes (the real one is made), by subject."""
    calls: list[str] = []
    real = refresh.tokens_refresh

    def counted(**kwargs: Any) -> Any:
        calls.append(kwargs["subject"])
        return real(**kwargs)

    monkeypatch.setattr(refresh, "tokens_refresh", counted)
    return calls


@contextmanager
def later(seconds: float) -> Iterator[None]:
    """The clock `seconds` on from now (the session's next check is due by Asti's clock)."""
    with clock.frozen_at(dt.datetime.now(tz=dt.UTC) + dt.timedelta(seconds=seconds)):  # noqa: TID251
        yield


def staff_login(live_server: Any, account: str) -> Browser:
    browser = Browser()
    page = provider_login(browser, f"{live_server.url}/login/staff/?next=/staff/", account)
    assert page.status_code == 200 and page.url == f"{live_server.url}/staff/", page.text[:300]
    return browser


def refresh_token_of(browser: Browser) -> str:
    return crypto.session_secret_decrypt(session_data(browser)[REFRESH_KEY]["token"])


def test_within_the_interval_the_provider_is_not_asked_and_after_it_once(
    live_server: Any, oidc: LocalProvider, refreshes: list[str]
) -> None:
    browser = staff_login(live_server, "staff-planner")
    rounds = f"{live_server.url}/staff/rounds/"
    for _ in range(3):
        assert browser.get(rounds).status_code == 200
    with later(INTERVAL - 5):
        assert browser.get(rounds).status_code == 200
    assert refreshes == []

    # The token is kept server-side and encrypted: not in any cookie, not in the clear in the session table.
    first = refresh_token_of(browser)
    assert first and first not in str(session_data(browser)) and first not in str(browser.session.cookies)
    ours = {c.name for c in browser.session.cookies if c.domain != "127.0.0.1"}  # not the provider's own
    assert ours and ours <= {"sessionid", "csrftoken", "django_language"}

    with later(INTERVAL + 1):
        assert browser.get(rounds).status_code == 200
        assert browser.get(rounds).status_code == 200
    assert refreshes == ["staff-planner"]
    second = refresh_token_of(browser)
    assert second != first  # the provider rotates it, and the new one is kept
    with later(2 * INTERVAL + 2):
        assert browser.get(rounds).status_code == 200  # (a used-up token would have ended the grant)
    assert refreshes == ["staff-planner"] * 2
    assert not AuditEvent.objects.filter(operation="STAFF_ROLES_CHANGE").exists()  # nothing changed


def test_a_role_removed_at_the_provider_is_gone_on_the_first_request_after_the_interval(
    live_server: Any, own_oidc: LocalProvider, refreshes: list[str]
) -> None:
    browser = staff_login(live_server, "staff-planner")
    rounds = f"{live_server.url}/staff/rounds/"
    assert browser.get(rounds).status_code == 200
    own_oidc.account_change("staff-planner", groups=["somebody-else"])
    assert browser.get(rounds).status_code == 200  # within the interval the session keeps what it had

    with later(INTERVAL + 1):
        response = browser.request("GET", rounds)
        assert response.status_code == 302
        assert response.headers["location"] == "/logout/ended/?reason=roles_ended"
        page = browser.follow(response)
        assert page.status_code == 200 and "no longer gives you a role" in page.text
        # The session is gone: the staff pages send the browser to the login.
        again = browser.request("GET", rounds)
        assert again.status_code == 302 and again.headers["location"].startswith("/login/staff/")

    planner = User.objects.get(username="pia")
    assert staff_roles_for_user(user=planner) == frozenset() and not planner.is_staff
    change = AuditEvent.objects.get(operation="STAFF_ROLES_CHANGE")
    assert (change.actor, change.target_type, change.target_id) == ("pia", "staff", str(planner.pk))
    assert change.details["roles_before"] == ["planner"] and change.details["roles"] == []
    assert change.details["source"] == "identity_provider"
    logout = AuditEvent.objects.get(operation="LOGOUT")
    assert logout.actor == "pia" and logout.details["reason"] == "roles_ended"
    assert refreshes == ["staff-planner"]


def test_a_role_changed_at_the_provider_keeps_the_session_with_what_remains(
    live_server: Any, own_oidc: LocalProvider
) -> None:
    """An administrator made a planner: superuser rights and the audit trail go at once, the planner's pages stay."""
    browser = staff_login(live_server, "staff-admin")
    audit, rounds = f"{live_server.url}/staff/audit/", f"{live_server.url}/staff/rounds/"
    assert browser.get(audit).status_code == 200 and browser.get(f"{live_server.url}/admin/").status_code == 200
    own_oidc.account_change("staff-admin", groups=["planner"])
    with later(INTERVAL + 1):
        assert browser.get(audit).status_code == 403  # this very request already has the new roles
        assert browser.get(rounds).status_code == 200
    aki = User.objects.get(username="aki")
    assert staff_roles_for_user(user=aki) == {"planner"} and not aki.is_superuser and aki.is_staff
    change = AuditEvent.objects.get(operation="STAFF_ROLES_CHANGE")
    assert (change.details["roles_before"], change.details["roles"]) == (["admin"], ["planner"])
    assert not AuditEvent.objects.filter(operation="LOGOUT").exists()


def test_a_unit_taken_from_a_director_at_the_provider_is_gone(live_server: Any, own_oidc: LocalProvider) -> None:
    browser = staff_login(live_server, "staff-director")
    director = User.objects.get(username="ulla")
    assert [u.unit_id for u in staff_units_for_user(user=director)] == ["PK-KALLIO"]
    assert browser.get(f"{live_server.url}/staff/units/PK-KALLIO/").status_code == 200
    own_oidc.account_change("staff-director", unit_ids=["PK-TOOLO"])
    with later(INTERVAL + 1):
        assert browser.get(f"{live_server.url}/staff/units/PK-KALLIO/").status_code == 404
        assert browser.get(f"{live_server.url}/staff/units/PK-TOOLO/").status_code == 200
    assert [u.unit_id for u in staff_units_for_user(user=director)] == ["PK-TOOLO"]
    change = AuditEvent.objects.get(operation="STAFF_ROLES_CHANGE")
    assert (change.details["unit_ids_before"], change.details["unit_ids"]) == (["PK-KALLIO"], ["PK-TOOLO"])
    assert change.details["roles_before"] == change.details["roles"] == ["unit_director"]


@pytest.mark.parametrize("how", ["person removed", "token revoked"])
def test_a_provider_refusing_the_refresh_ends_the_session(
    live_server: Any, own_oidc: LocalProvider, caplog: pytest.LogCaptureFixture, how: str
) -> None:
    browser = staff_login(live_server, "staff-planner")
    if how == "person removed":
        own_oidc.account_remove("staff-planner")
    else:
        metadata = requests.get(own_oidc.discovery_url, timeout=5).json()
        revoked = requests.post(
            metadata["revocation_endpoint"],
            data={"token": refresh_token_of(browser), "token_type_hint": "refresh_token"},
            auth=STAFF_CLIENT,
            timeout=5,
        )
        assert revoked.status_code == 200
    rounds = f"{live_server.url}/staff/rounds/"
    with later(INTERVAL + 1), caplog.at_level(logging.WARNING, logger="asti.identity.refresh"):
        response = browser.request("GET", rounds)
        assert response.status_code == 302
        assert response.headers["location"] == "/logout/ended/?reason=login_ended"
        page = browser.follow(response)
        assert "no longer valid" in page.text and "/login/staff/" in page.text
        assert browser.request("GET", rounds).headers["location"].startswith("/login/staff/")
    assert any("refused to refresh" in r.getMessage() and "invalid_grant" in r.getMessage() for r in caplog.records)
    assert AuditEvent.objects.get(operation="LOGOUT").details["reason"] == "login_ended"
    assert not AuditEvent.objects.filter(operation="STAFF_ROLES_CHANGE").exists()


def test_an_unreachable_provider_keeps_the_session_for_the_grace_then_ends_it(
    live_server: Any, own_oidc: LocalProvider, refreshes: list[str], caplog: pytest.LogCaptureFixture
) -> None:
    browser = staff_login(live_server, "staff-planner")
    rounds = f"{live_server.url}/staff/rounds/"
    own_oidc.stop()
    with caplog.at_level(logging.WARNING, logger="asti.identity.refresh"):
        with later(INTERVAL + 1):
            assert browser.get(rounds).status_code == 200
            assert browser.get(rounds).status_code == 200  # asked again only after RETRY_SECONDS
        assert refreshes == ["staff-planner"]
        assert any("does not answer" in r.getMessage() for r in caplog.records)
        with later(INTERVAL + 1 + refresh.RETRY_SECONDS):
            assert browser.get(rounds).status_code == 200
        assert len(refreshes) == 2
        with later(INTERVAL + 1 + GRACE):
            response = browser.request("GET", rounds)
    assert response.status_code == 302
    assert response.headers["location"] == "/logout/ended/?reason=provider_unreachable"
    assert "could not be reached" in browser.follow(response).text
    ended = [r for r in caplog.records if r.levelno == logging.ERROR]
    assert len(ended) == 1 and "has not answered for 120 s" in ended[0].getMessage()
    assert AuditEvent.objects.get(operation="LOGOUT").details["reason"] == "provider_unreachable"
    assert staff_roles_for_user(user=User.objects.get(username="pia")) == {"planner"}  # nothing said otherwise


def test_a_staff_login_without_a_refresh_token_ends_after_the_interval(
    live_server: Any, oidc: LocalProvider, refreshes: list[str]
) -> None:
    """A provider that issues no refresh token (the scope lacks what it needs) cannot be asked again."""
    browser = staff_login(live_server, "staff-planner")
    key = browser.cookie("sessionid")
    store = SessionStore(session_key=key)
    store[REFRESH_KEY] = {**store[REFRESH_KEY], "token": ""}
    store.save()
    assert browser.get(f"{live_server.url}/staff/rounds/").status_code == 200
    with later(INTERVAL + 1):
        response = browser.request("GET", f"{live_server.url}/staff/rounds/")
    assert response.headers["location"] == "/logout/ended/?reason=login_ended" and refreshes == []


def test_the_refreshed_claims_must_be_the_same_persons_and_a_used_token_is_refused(
    live_server: Any, oidc: LocalProvider
) -> None:
    client = client_for(Flow.STAFF)
    assert client is not None
    browser = staff_login(live_server, "staff-planner")
    token, nonce = refresh_token_of(browser), session_data(browser)[REFRESH_KEY]["nonce"]
    with pytest.raises(TokenInvalid, match="subject"):
        tokens_refresh(client=client, refresh_token=token, subject="staff-admin", nonce=nonce)
    # That refresh used the token up (the provider rotates): presented again, it is refused.
    with pytest.raises(RefreshRefused, match="invalid_grant"):
        tokens_refresh(client=client, refresh_token=token, subject="staff-planner", nonce=nonce)

    browser = staff_login(live_server, "staff-planner")
    with pytest.raises(TokenInvalid, match="nonce"):
        tokens_refresh(client=client, refresh_token=refresh_token_of(browser), subject="staff-planner", nonce="x")


def test_guardian_sessions_are_not_affected(live_server: Any, oidc: LocalProvider, refreshes: list[str]) -> None:
    browser = Browser()
    page = provider_login(browser, f"{live_server.url}/login/?next=/", "maria")
    assert page.status_code == 200 and REFRESH_KEY not in session_data(browser)
    with later(INTERVAL + GRACE + 1):
        page = browser.get(f"{live_server.url}/")
        assert page.status_code == 200 and page.url == f"{live_server.url}/"
    assert session_data(browser)[SESSION_KEY]["kind"] == "citizen" and refreshes == []


def test_demo_staff_sessions_are_not_read_again(
    live_server: Any, settings: Any, oidc: LocalProvider, refreshes: list[str]
) -> None:
    """The demo's test identification has no provider and no refresh token: its roles are read at login only."""
    settings.ASTI_ENV, settings.ASTI_DEMO_LOGIN = "demo", True
    browser = Browser()
    page = browser.get(f"{live_server.url}/login/test/")
    page = browser.submit(page, button=("staff", "planner"))
    assert page.status_code == 200 and page.url == f"{live_server.url}/staff/"
    with later(INTERVAL + GRACE + 1):
        assert browser.get(f"{live_server.url}/staff/rounds/").status_code == 200
    assert refreshes == [] and REFRESH_KEY not in session_data(browser)


@pytest.mark.parametrize(
    ("language", "heading"), [("fi", "Istuntosi on päättynyt"), ("sv", "Din session har avslutats"), ("en", "ended")]
)
def test_the_ended_page_speaks_the_staff_members_language(live_server: Any, language: str, heading: str) -> None:
    for reason in ("roles_ended", "login_ended", "provider_unreachable", "anything"):
        page = Browser(language=language).get(f"{live_server.url}/logout/ended/?reason={reason}")
        assert page.status_code == 200 and heading in page.text and f'lang="{language}"' in page.text


def test_the_ended_page_fits_a_phone_and_is_accessible(chromium: Any, live_server: Any) -> None:
    paths = [f"/logout/ended/?reason={reason}" for reason in ("roles_ended", "login_ended", "provider_unreachable")]
    assert_no_sideways_scrolling(chromium, live_server.url, paths, [])
    for language in ("fi", "sv", "en"):
        context = chromium.new_context(viewport={"width": 390, "height": 800}, locale=f"{language}-FI", bypass_csp=True)
        context.add_cookies([{"name": "django_language", "value": language, "url": live_server.url}])
        page = context.new_page()
        for path in paths:
            page.goto(f"{live_server.url}{path}")
            assert_accessible(page)
        context.close()


def test_a_provider_answering_again_within_the_grace_keeps_the_session(
    live_server: Any, oidc: LocalProvider, refreshes: list[str]
) -> None:
    """The token endpoint out of reach for a while (the discovery document cached with a closed port in it)."""
    browser = staff_login(live_server, "staff-planner")
    rounds = f"{live_server.url}/staff/rounds/"
    client = client_for(Flow.STAFF)
    assert client is not None
    key = f"asti:oidc:metadata:{client.discovery_url}"
    metadata = provider_metadata(client)
    cache.set(key, {**metadata, "token_endpoint": "http://127.0.0.1:9/token"}, 3600)
    with later(INTERVAL + 1):
        assert browser.get(rounds).status_code == 200
    assert session_data(browser)[REFRESH_KEY]["unreachable_since"] is not None
    cache.set(key, metadata, 3600)  # it answers again
    with later(INTERVAL + 1 + refresh.RETRY_SECONDS):
        assert browser.get(rounds).status_code == 200
    state = session_data(browser)[REFRESH_KEY]
    assert state["unreachable_since"] is None and len(refreshes) == 2
    # A later outage gets a whole grace of its own, from its own first failure.
    cache.set(key, {**metadata, "token_endpoint": "http://127.0.0.1:9/token"}, 3600)
    with later(INTERVAL + GRACE + 2 * INTERVAL):
        assert browser.get(rounds).status_code == 200
    assert not AuditEvent.objects.filter(operation="LOGOUT").exists()


def test_userinfo_gives_the_claims_for_an_access_token_and_refuses_a_bad_one(
    live_server: Any, oidc: LocalProvider
) -> None:
    """For a provider that answers a refresh without an ID token, the claims come from its userinfo endpoint."""
    browser = staff_login(live_server, "staff-planner")
    client = client_for(Flow.STAFF)
    assert client is not None
    metadata = provider_metadata(client)
    answer = requests.post(
        metadata["token_endpoint"],
        data={"grant_type": "refresh_token", "refresh_token": refresh_token_of(browser)},
        auth=STAFF_CLIENT,
        timeout=5,
    ).json()
    claims = oidc_module._userinfo(metadata, access_token=answer["access_token"])
    assert claims["sub"] == "staff-planner" and claims["groups"] == ["planner"]
    with pytest.raises(RefreshRefused, match="401"):
        oidc_module._userinfo(metadata, access_token="not-a-token")
