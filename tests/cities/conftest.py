"""The second city: Tampere's profile and a small Tampere generated from the Paavo data, with a sent round."""

from __future__ import annotations

from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command

from asti.core import city
from asti.offers.models import OfferRound
from tests.citizen.browser import chromium  # noqa: F401 (a fixture for the browser tests)

TAMPERE = "837"


@pytest.fixture
def tampere_profile(settings: Any) -> city.CityProfile:
    """The site serves Tampere, as with ASTI_CITY=tampere (the settings read from the profile follow it)."""
    profile = city.load("tampere")
    settings.ASTI_CITY_PROFILE = profile
    settings.ASTI_MUNICIPALITY_CODES = list(profile.municipality_codes)
    decisions = profile.decisions
    settings.ASTI_DECISION_AUTHORITY_FI, settings.ASTI_DECISION_AUTHORITY_SV = (
        decisions.authority.fi,
        decisions.authority.sv,
    )
    settings.ASTI_DECISION_REGISTRY_ADDRESS = decisions.registry_address
    settings.ASTI_PRIVACY_CONTROLLER_EN = decisions.authority.en
    settings.ASTI_PRIVACY_DPO_EMAIL = profile.contact.privacy_email
    return profile


@pytest.fixture
def tampere_round(tampere_profile: city.CityProfile, tmp_path: Path) -> OfferRound:
    """A Tampere of 300 children (the demo generator on Tampere's postal areas), imported, with a sent round."""
    extract = tmp_path / "tampere"
    call_command(
        "generate_demo_city", str(extract), "--children", "300", "--seed", "7", "--year", "2027", stdout=StringIO()
    )
    call_command("import_city_data", str(extract), stdout=StringIO())
    out = StringIO()
    call_command("offer_round", "create", "--year", "2027", stdout=out)
    round_id = int(out.getvalue().split()[-1])
    call_command("offer_round", "allocate", str(round_id), stdout=StringIO())
    call_command("offer_round", "send", str(round_id), stdout=StringIO())
    return OfferRound.objects.get(pk=round_id)
