"""Fixtures for the staff pages: the example city, an allocated round, and one staff member per role."""

from __future__ import annotations

from io import StringIO
from pathlib import Path

import pytest
from django.contrib.auth.models import Group, User
from django.core.management import call_command
from django.test import Client

from asti.core import clock
from asti.identity.models import LoginMethod, Role, StaffProfile
from asti.offers.models import OfferRound
from asti.offers.services import round_allocate, round_create
from asti.units.models import Unit

DIRECTOR_UNITS = ("PK-KALLIO",)


@pytest.fixture
def city(example_extract: Path) -> None:
    call_command("import_city_data", str(example_extract), stdout=StringIO())


@pytest.fixture
def allocated_round(city: None) -> OfferRound:
    offer_round = round_create(year=2027, actor="test")
    round_allocate(round_id=offer_round.pk, actor="test")
    offer_round.refresh_from_db()
    return offer_round


def staff_user(username: str, role: Role | None, units: tuple[str, ...] = ()) -> User:
    user = User.objects.create_user(username=username)
    if role is not None:
        user.groups.add(Group.objects.get_or_create(name=role.value)[0])
    profile = StaffProfile.objects.create(
        user=user, issuer="test", subject=username, last_method=LoginMethod.OIDC, last_login_at=clock.now()
    )
    profile.units.set(Unit.objects.filter(unit_id__in=units))
    return user


@pytest.fixture
def planner(city: None) -> User:
    return staff_user("pia.planner", Role.PLANNER)


@pytest.fixture
def director(city: None) -> User:
    return staff_user("ulla.director", Role.UNIT_DIRECTOR, DIRECTOR_UNITS)


@pytest.fixture
def admin_user(city: None) -> User:
    return staff_user("aki.admin", Role.ADMIN)


@pytest.fixture
def nobody(city: None) -> User:
    """Logged in (e.g. a citizen) but with no staff role."""
    return User.objects.create_user(username="citizen-123")


def client_for(user: User) -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(user)
    return client
