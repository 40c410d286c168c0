from __future__ import annotations

import datetime as dt

import pytest

from asti.offers.models import OfferRound
from asti.offers.selectors import eligible_children
from tests.factories import ChildFactory, UnitFactory

pytestmark = pytest.mark.django_db


def eligible_ids(year: int = 2027) -> set[str]:
    offer_round = OfferRound.objects.create(year=year, created_by="t")
    return set(eligible_children(offer_round=offer_round).values_list("child_id", flat=True))


def test_the_cohort_is_the_birth_year_six_years_before_the_round() -> None:
    ChildFactory(child_id="first", birth_date=dt.date(2021, 1, 1))
    ChildFactory(child_id="last", birth_date=dt.date(2021, 12, 31))
    ChildFactory(child_id="older", birth_date=dt.date(2020, 12, 31))
    ChildFactory(child_id="younger", birth_date=dt.date(2022, 1, 1))
    assert eligible_ids() == {"first", "last"}


def test_only_municipal_placements_in_the_municipality_without_round_the_clock_care() -> None:
    ChildFactory(child_id="yes")
    ChildFactory(child_id="private", current_unit=UnitFactory(provider="private", admission_area=None))
    ChildFactory(child_id="purchased", current_unit=UnitFactory(provider="purchased"))
    ChildFactory(child_id="none", current_unit=None, admission_area=None)
    ChildFactory(child_id="espoo", municipality_code="049")
    ChildFactory(child_id="24h", round_the_clock=True)
    ChildFactory(child_id="gone", active=False)
    assert eligible_ids() == {"yes"}


def test_a_current_unit_without_pre_primary_still_makes_the_child_eligible() -> None:
    ChildFactory(child_id="c", current_unit=UnitFactory(pre_primary=False, pre_primary_capacity=0))
    assert eligible_ids() == {"c"}


def test_factories_make_valid_protected_identity_codes() -> None:
    from stdnum.fi import hetu

    child = ChildFactory.create(birth_date=dt.date(2021, 3, 14))
    assert hetu.is_valid(child.hetu, allow_temporary=True)
    assert child.hetu.startswith("140321A9")
