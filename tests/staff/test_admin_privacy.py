"""The Django admin cannot reveal a protected home or an identity code, cannot bypass the services, and audits
what it shows: every admin and every filter parameter on the protected fields, tried as a planner without the
permission to see protected addresses."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib import admin
from django.contrib.auth.models import Permission, User
from django.db import models
from django.db.models import Q
from django.test import Client
from django.urls import reverse

from asti.audit.admin import ReadOnlyMixin, SafeLookupsMixin, SettingAdmin
from asti.audit.models import AuditEvent
from asti.core import crypto
from asti.identity.models import Role
from asti.identity.roles import ROLE_PERMISSIONS
from asti.offers.models import OfferRound, Proposal
from asti.people.models import Child, Guardian
from asti.units.models import Unit
from tests.staff.conftest import client_for

pytestmark = pytest.mark.django_db

PROTECTED_FIELDS = ("street_address", "postal_code", "lat", "lon", "hetu_digest", "hetu_encrypted")
LOOKUPS = ("", "__exact", "__startswith", "__istartswith", "__contains", "__gt", "__lt", "__gte", "__in", "__regex")
ACTION_ONLY = {"FollowUpAdmin"}  # change permission for the list's action only (resolves through the service)


def project_admins() -> list[tuple[type[models.Model], admin.ModelAdmin[Any]]]:
    return [(m, a) for m, a in admin.site._registry.items() if m.__module__.startswith("asti.")]


def admin_staff(user: User) -> Client:
    """A planner as the identity provider's login makes them: staff, with the planner role's admin permissions."""
    user.is_staff = True
    user.save(update_fields=["is_staff"])
    wanted = Q()
    for app_label, codename in ROLE_PERMISSIONS[Role.PLANNER]:
        wanted |= Q(content_type__app_label=app_label, codename=codename)
    user.user_permissions.set(Permission.objects.filter(wanted))
    return client_for(User.objects.get(pk=user.pk))


@pytest.fixture
def protected(city: None) -> dict[str, Any]:
    """C1 under a non-disclosure order of their own; C2 living with a guardian under one."""
    c1 = Child.objects.get(child_id="C1")
    c1.non_disclosure = True
    c1.save(update_fields=["non_disclosure"])
    c2 = Child.objects.get(child_id="C2")
    guardian = c2.guardians.order_by("guardian_id").first()
    assert guardian is not None
    guardian.non_disclosure = True
    guardian.save(update_fields=["non_disclosure"])
    return {"children": [c1, c2], "guardian": guardian}


def test_every_admin_of_the_project_limits_its_lookups_and_writes_nothing(admin_user: User) -> None:
    admins = project_admins()
    assert len(admins) >= 15
    request = type("R", (), {"user": admin_user})()
    for model, model_admin in admins:
        name = type(model_admin).__name__
        assert isinstance(model_admin, SafeLookupsMixin), name
        if isinstance(model_admin, SettingAdmin):  # no personal data: the city keeps these here
            continue
        assert isinstance(model_admin, ReadOnlyMixin), name
        assert not model_admin.has_add_permission(request), name  # type: ignore[arg-type]
        assert not model_admin.has_delete_permission(request), name  # type: ignore[arg-type]
        assert not model_admin.has_change_permission(request, model()), name  # type: ignore[arg-type]
        if name not in ACTION_ONLY:
            assert not model_admin.has_change_permission(request), name  # type: ignore[arg-type]


def test_no_filter_parameter_reaches_a_protected_field(planner: User, protected: dict[str, Any]) -> None:
    """Django's admin by default filters on any field named in the query string; each such request is refused."""
    client = admin_staff(planner)
    c1 = protected["children"][0]
    values = {"street_address": c1.street_address[:4], "postal_code": c1.postal_code[:3], "lat": "60.18",
              "lon": "24.95", "hetu_digest": crypto.hetu_digest(c1.hetu)[:6], "hetu_encrypted": "a"}  # fmt: skip
    tried = refused = 0
    for model, _model_admin in project_admins():
        changelist = reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist")
        if client.get(changelist).status_code != 200:
            continue  # the planner may not list this model at all
        prefixes = [""] if model in (Child, Guardian) else []
        prefixes += [
            f"{f.name}__" for f in model._meta.get_fields()
            if f.is_relation and f.many_to_one and f.related_model in (Child, Guardian)
        ]  # fmt: skip
        for prefix in prefixes:
            for field in PROTECTED_FIELDS:
                for lookup in LOOKUPS:
                    response = client.get(changelist, {f"{prefix}{field}{lookup}": values[field]})
                    tried += 1
                    refused += response.status_code == 400
                    assert response.status_code == 400, (changelist, prefix, field, lookup, response.status_code)
    assert tried > 100 and refused == tried


def test_protected_home_and_identity_codes_never_shown_to_a_planner(planner: User, protected: dict[str, Any]) -> None:
    client = admin_staff(planner)
    secrets = []
    for child in protected["children"]:
        secrets += [child.hetu]
        if child.non_disclosure:
            secrets += [child.street_address, f"{child.lat}", f"{child.lon}"]
    secrets += [protected["guardian"].street_address, protected["guardian"].hetu]
    pages = [reverse("admin:people_child_changelist"), reverse("admin:people_guardian_changelist")]
    pages += [reverse("admin:people_child_change", args=[c.pk]) for c in protected["children"]]
    pages += [reverse("admin:people_guardian_change", args=[protected["guardian"].pk])]
    for page in pages:
        response = client.get(page)
        assert response.status_code == 200, page
        body = response.content.decode()
        for secret in secrets:
            assert secret not in body, (page, secret)


def test_proposal_distances_hidden_for_a_child_living_with_a_protected_guardian(
    planner: User, protected: dict[str, Any], allocated_round: OfferRound
) -> None:
    """Two distances from known units locate a home to a metre: not on the proposal page, the list of children
    changing unit or the proposal admin for a protected child (their own order or their guardian's)."""
    client = admin_staff(planner)
    for child in protected["children"]:
        proposal = Proposal.objects.get(round=allocated_round, child=child)
        page = client.get(reverse("staff:proposal", args=[allocated_round.pk, child.child_id])).content.decode()
        assert f"{proposal.distance_m} m<" not in page and "would locate the home" in page
        admin_page = client.get(reverse("admin:offers_proposal_change", args=[proposal.pk])).content.decode()
        assert str(proposal.distance_m) not in admin_page
    other = Proposal.objects.exclude(child__in=protected["children"]).filter(round=allocated_round).first()
    assert other is not None
    page = client.get(reverse("staff:proposal", args=[allocated_round.pk, other.child.child_id])).content.decode()
    assert f"{other.distance_m} m<" in page  # the rule hides only what it must


def test_unit_capacity_cannot_be_changed_in_the_admin(planner: User, city: None) -> None:
    client = admin_staff(planner)
    unit = Unit.objects.get(unit_id="PK-KALLIO")
    before = unit.pre_primary_capacity
    response = client.post(reverse("admin:units_unit_change", args=[unit.pk]), {"pre_primary_capacity": before + 9})
    assert response.status_code == 403
    unit.refresh_from_db()
    assert unit.pre_primary_capacity == before


def test_admin_lists_are_audited_with_filters_and_the_people_shown(
    planner: User, protected: dict[str, Any], django_capture_on_commit_callbacks: Any
) -> None:
    client = admin_staff(planner)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.get(reverse("admin:people_child_changelist"), {"non_disclosure__exact": "1"})
    assert response.status_code == 200
    events = AuditEvent.objects.filter(actor="pia.planner", operation="LIST", target_type="child")
    listed = sorted(Child.objects.filter(non_disclosure=True).values_list("child_id", flat=True))
    assert "C1" in listed and sorted(events.values_list("target_id", flat=True)) == listed
    assert {str(e.details["filters"]) for e in events} == {str({"non_disclosure__exact": "1"})}


def test_identity_code_searches_are_counted_audited_and_limited(
    planner: User, protected: dict[str, Any], settings: Any, django_capture_on_commit_callbacks: Any
) -> None:
    settings.ASTI_IDENTITY_CODE_SEARCHES_PER_HOUR = 2
    client = admin_staff(planner)
    c1 = protected["children"][0]
    url = reverse("admin:people_child_changelist")
    with django_capture_on_commit_callbacks(execute=True):
        for _ in range(2):
            assert f"/{c1.pk}/change/" in client.get(url, {"q": c1.hetu}).content.decode()
        third = client.get(url, {"q": c1.hetu}).content.decode()
    assert f"/{c1.pk}/change/" not in third and "Too many identity-code searches" in third
    lookups = AuditEvent.objects.filter(actor="pia.planner", operation="SEARCH_IDENTITY_CODE")
    assert list(lookups.order_by("at", "pk").values_list("status", flat=True)) == ["SUCCESS", "SUCCESS", "REFUSED"]
    # the family search on the staff pages counts against the same limit
    with django_capture_on_commit_callbacks(execute=True):
        found = client.get(reverse("staff:family_find"), {"q": c1.hetu}).content.decode()
    assert "searched by identity code many times" in found
    for event in AuditEvent.objects.all():
        assert c1.hetu not in str(event.details), event.operation
