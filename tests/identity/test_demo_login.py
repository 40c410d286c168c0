"""The demo's test identification page: off unless the demo (or development) switches it on."""

from __future__ import annotations

import os
import subprocess
import sys
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.test import Client as DjangoClient

from asti.audit.models import AuditEvent
from asti.identity.models import CitizenIdentity, LoginMethod, StaffProfile
from asti.identity.selectors import guardian_for_user, staff_roles_for_user, staff_units_for_user
from asti.identity.session import SESSION_KEY
from asti.people.models import Guardian
from tests.identity.conftest import ROOT

pytestmark = pytest.mark.django_db(transaction=True)

URL = "/login/test/"


class Client(DjangoClient):
    """Django's test client, asking for English pages."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(HTTP_ACCEPT_LANGUAGE="en", **kwargs)


@pytest.fixture
def demo(settings: Any) -> Any:
    settings.ASTI_ENV = "demo"
    settings.ASTI_DEMO_LOGIN = True
    return settings


def test_the_page_is_off_by_default_in_tests() -> None:
    assert Client().get(URL).status_code == 404
    assert Client().post(URL, {"staff": "admin"}).status_code == 404


@pytest.mark.parametrize(
    ("env", "enabled", "status"),
    [("production", True, 404), ("test", True, 404), ("demo", False, 404), ("development", False, 404),
     ("demo", True, 200), ("development", True, 200)],
)  # fmt: skip
def test_the_page_exists_only_in_the_demo_and_development_when_switched_on(
    settings: Any, env: str, enabled: bool, status: int
) -> None:
    settings.ASTI_ENV, settings.ASTI_DEMO_LOGIN = env, enabled
    assert Client().get(URL).status_code == status


def test_production_settings_refuse_the_demo_login() -> None:
    environment = {**os.environ, "ASTI_ENV": "production", "ASTI_DEMO_LOGIN": "true", "SECRET_KEY": "x" * 50,
                   "ASTI_HETU_KEY": "y" * 50, "DATABASE_URL": "sqlite:///:memory:", "ALLOWED_HOSTS": "asti.example",
                   "ASTI_PUBLIC_BASE_URL": "https://asti.example",
                   "ASTI_OIDC_GUARDIAN_ISSUER": "https://idp.example", "ASTI_OIDC_GUARDIAN_CLIENT_ID": "g",
                   "ASTI_OIDC_GUARDIAN_CLIENT_SECRET": "s", "ASTI_OIDC_STAFF_CLIENT_ID": "st",
                   "ASTI_OIDC_STAFF_CLIENT_SECRET": "s"}  # fmt: skip
    command = [sys.executable, "-c", "import config.settings"]
    refused = subprocess.run(command, env=environment, cwd=ROOT, capture_output=True, text=True, check=False)
    assert refused.returncode != 0 and "ASTI_DEMO_LOGIN" in refused.stderr
    environment["ASTI_DEMO_LOGIN"] = "false"
    accepted = subprocess.run(command, env=environment, cwd=ROOT, capture_output=True, text=True, check=False)
    # Other apps may require more of production; the identity settings themselves are satisfied.
    assert "ASTI_DEMO_LOGIN" not in accepted.stderr and "ASTI_OIDC" not in accepted.stderr, accepted.stderr
    del environment["ASTI_OIDC_STAFF_CLIENT_ID"]
    missing = subprocess.run(command, env=environment, cwd=ROOT, capture_output=True, text=True, check=False)
    assert missing.returncode != 0 and "ASTI_OIDC_STAFF_" in missing.stderr


@pytest.mark.usefixtures("demo", "registry")
def test_the_page_lists_guardians_searchable_by_name_and_the_demo_staff() -> None:
    page = Client().get(URL).content.decode()
    assert "Maria Virtanen" in page and "Sanna Korhonen" in page and "Suunnittelija" in page
    assert "<script" not in page and " on" + "click" not in page
    page = Client().get(URL, {"q": "korhonen"}).content.decode()
    assert "Sanna Korhonen" in page and "Maria Virtanen" not in page


@pytest.mark.usefixtures("demo")
def test_choosing_a_guardian_logs_in_the_same_way_as_oidc(registry: dict[str, Guardian]) -> None:
    client = Client(enforce_csrf_checks=True)
    client.get(URL)
    token = client.cookies["csrftoken"].value
    response = client.post(URL, {"guardian": registry["G3"].pk, "next": "/healthz", "csrfmiddlewaretoken": token})
    assert response.status_code == 302 and response["Location"] == "/healthz"
    user = User.objects.get(citizen_identity__isnull=False)
    assert guardian_for_user(user=user) == registry["G3"]
    assert client.session[SESSION_KEY]["loa"] == "substantial" and client.session[SESSION_KEY]["method"] == "demo"
    identity = CitizenIdentity.objects.get()
    assert (identity.last_loa, identity.last_method) == ("substantial", LoginMethod.DEMO)
    event = AuditEvent.objects.get(operation="LOGIN")
    assert event.target_id == "G3" and event.details["method"] == "demo" and event.details["loa"] == "substantial"


@pytest.mark.usefixtures("demo", "registry")
def test_posting_without_the_csrf_token_is_refused() -> None:
    client = Client(enforce_csrf_checks=True)
    assert client.post(URL, {"staff": "admin"}).status_code == 403
    assert not User.objects.exists()


@pytest.mark.usefixtures("demo", "registry")
def test_the_demo_staff_get_their_roles_and_the_director_units() -> None:
    client = Client()
    assert client.post(URL, {"staff": "director"})["Location"] == "/staff/"
    director = User.objects.get(username="demo.director")
    assert staff_roles_for_user(user=director) == {"unit_director"}
    assert [u.unit_id for u in staff_units_for_user(user=director)] == ["PK-KALLIO", "PK-TOOLO"]
    assert StaffProfile.objects.get(user=director).issuer == "asti-demo"
    admin_client = Client()
    admin_client.post(URL, {"staff": "admin"})
    assert admin_client.get("/admin/").status_code == 200
    assert User.objects.get(username="demo.admin").is_superuser


@pytest.mark.usefixtures("demo", "registry")
def test_a_citizen_outside_the_registry_can_log_in_and_is_no_guardian() -> None:
    client = Client()
    assert client.post(URL, {"citizen": "unregistered"}).status_code == 302
    user = User.objects.get()
    assert guardian_for_user(user=user) is None and client.session[SESSION_KEY]["kind"] == "citizen"


@pytest.mark.usefixtures("demo", "registry")
def test_unknown_persons_are_a_bad_request() -> None:
    for data in ({"guardian": "999999"}, {"guardian": "x"}, {"staff": "boss"}, {}):
        assert Client().post(URL, data).status_code == 400
    assert not User.objects.exists()


@pytest.mark.usefixtures("demo", "registry")
def test_the_test_identification_is_rate_limited(settings: Any) -> None:
    settings.ASTI_LOGIN_RATE_PER_IP = 3
    statuses = [Client().post(URL, {"staff": "planner"}).status_code for _ in range(5)]
    assert statuses == [302, 302, 302, 429, 429]


def test_without_any_login_configured_the_login_says_so(settings: Any) -> None:
    settings.ASTI_OIDC_GUARDIAN_ISSUER = ""
    response = Client().get("/login/")
    assert response.status_code == 503 and "not been set up" in response.content.decode()


@pytest.mark.usefixtures("demo")
def test_in_the_demo_an_unconfigured_login_leads_to_the_test_page(settings: Any) -> None:
    settings.ASTI_OIDC_STAFF_ISSUER = ""
    response = Client().get("/admin/", follow=True)
    assert [url for url, _ in response.redirect_chain] == [
        "/admin/login/?next=/admin/",
        "/login/staff/?next=%2Fadmin%2F",
        "/login/test/?next=%2Fadmin%2F",
    ]
    assert response.status_code == 200 and "Test identification" in response.content.decode()
