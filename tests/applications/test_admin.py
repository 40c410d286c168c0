"""The applications admin: read-only (no add, change or delete), a family's draft never listed, lists audited."""

from __future__ import annotations

import datetime as dt

import pytest
from django.contrib.auth.models import Permission, User
from django.test import Client

from asti.applications.models import Application
from asti.applications.services import application_save_draft, application_send
from asti.applications.validation import ApplicationInput
from asti.audit.models import AuditEvent
from asti.core import clock
from tests.factories import ChildFactory, CustodyFactory, GuardianFactory, UnitFactory

pytestmark = pytest.mark.django_db(transaction=True)


def test_applications_admin_is_read_only_and_hides_drafts() -> None:
    unit = UnitFactory(ecec_capacity_under3=5, ecec_capacity_over3=5)
    g = GuardianFactory()
    child = ChildFactory(birth_date=dt.date(2025, 1, 1), current_unit=None, admission_area=unit.admission_area)
    CustodyFactory(child=child, guardian=g)
    data = ApplicationInput(
        education_language="fi", start_date=dt.date(2027, 6, 1), service_need="full_time",
        daily_start=dt.time(8), daily_end=dt.time(16), wishes=(unit.pk,),
    )  # fmt: skip
    with clock.frozen_at(dt.datetime(2026, 12, 3, 9, tzinfo=dt.UTC)):
        sent = application_send(
            guardian=g, application=application_save_draft(guardian=g, child=child, kind="ecec", data=data, actor="g"),
            actor="g",
        )  # fmt: skip
        draft = application_save_draft(guardian=g, child=child, kind="afternoon", data=ApplicationInput(), actor="g")
    user = User.objects.create_user(username="pia", is_staff=True)
    user.user_permissions.set(Permission.objects.filter(codename__in=["view_application", "change_application",
                                                                       "delete_application"]))  # fmt: skip
    client = Client()
    client.force_login(user)
    listing = client.get("/admin/applications/application/").content.decode()
    assert str(sent.reference) in listing and f"/{draft.pk}/change/" not in listing
    assert client.get(f"/admin/applications/application/{draft.pk}/change/").status_code == 302  # not found
    response = client.post(f"/admin/applications/application/{sent.pk}/change/", {"status": "decided"})
    assert response.status_code == 403
    assert client.post(f"/admin/applications/application/{sent.pk}/delete/", {"post": "yes"}).status_code == 403
    sent.refresh_from_db()
    assert sent.status == "sent" and Application.objects.count() == 2
    assert AuditEvent.objects.filter(actor="pia", operation="LIST", target_type="application").exists()
