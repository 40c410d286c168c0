from __future__ import annotations

from pathlib import Path

import pytest
from django.contrib.auth.models import Permission, User
from django.test import Client

from asti.audit.models import AuditEvent
from asti.people.models import Child, Guardian

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def imported(example_extract: Path) -> None:
    from django.core.management import call_command

    call_command("import_city_data", str(example_extract))


def staff_client(*, perms: tuple[str, ...] = ("view_child", "view_guardian"), username: str = "pia") -> Client:
    user = User.objects.create_user(username=username, password="not-used-here", is_staff=True)
    user.user_permissions.set(Permission.objects.filter(codename__in=perms))
    client = Client()
    client.force_login(user)
    return client


@pytest.mark.usefixtures("imported")
def test_staff_search_by_name_and_by_full_identity_code() -> None:
    client = staff_client()
    page = client.get("/admin/people/child/", {"q": "Nieminen"}).content.decode()
    assert "C3" in page and "C4" in page and "C1<" not in page
    page = client.get("/admin/people/child/", {"q": "140321a901x"}).content.decode()
    assert ">C1<" in page and "C3" not in page
    searches = AuditEvent.objects.filter(actor="pia", operation="SEARCH", target_type="child")
    assert sorted(searches.values_list("target_id", flat=True)) == ["C1", "C3", "C4"]  # one event per child shown
    assert AuditEvent.objects.filter(actor="pia", operation="SEARCH_IDENTITY_CODE", status="SUCCESS").count() == 1


@pytest.mark.usefixtures("imported")
def test_viewing_a_child_is_audited_and_shows_the_code_masked() -> None:
    client = staff_client()
    child = Child.objects.get(child_id="C1")
    page = client.get(f"/admin/people/child/{child.pk}/change/").content.decode()
    assert "140321A****" in page and "140321A901X" not in page
    assert "Kolmas linja 20" in page
    event = AuditEvent.objects.get(operation="VIEW")
    assert (event.actor, event.target_type, event.target_id) == ("pia", "child", "C1")


@pytest.mark.usefixtures("imported")
def test_non_disclosure_address_is_hidden_without_the_permission() -> None:
    c9 = Child.objects.get(child_id="C9")
    page = staff_client().get(f"/admin/people/child/{c9.pk}/change/").content.decode()
    assert "Salvor 1" not in page and "turvakielto" in page
    authorised = staff_client(perms=("view_child", "view_protected_address"), username="auth")
    page = authorised.get(f"/admin/people/child/{c9.pk}/change/").content.decode()
    assert "Salvor 1" in page


@pytest.mark.usefixtures("imported")
def test_registry_data_is_read_only_in_the_admin() -> None:
    client = staff_client(perms=("view_guardian", "change_guardian", "delete_guardian"))
    g1 = Guardian.objects.get(guardian_id="G1")
    response = client.post(f"/admin/people/guardian/{g1.pk}/change/", {"first_name": "Changed"})
    assert response.status_code == 403
    g1.refresh_from_db()
    assert g1.first_name == "Maria"
    assert client.post(f"/admin/people/guardian/{g1.pk}/delete/", {"post": "yes"}).status_code == 403


@pytest.mark.usefixtures("imported")
def test_staff_without_permission_see_nothing() -> None:
    client = staff_client(perms=())
    assert client.get("/admin/people/child/").status_code == 403
    assert client.get("/admin/audit/auditevent/").status_code == 403
