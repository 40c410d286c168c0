"""A unit's name and address go into the city's official offer messages: a director cannot put a web or email
address there (a phishing link under the city's name), on the page or through the service."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.urls import reverse

from asti.offers.services import unit_details_update
from asti.units.models import Unit
from asti.units.validators import no_links
from tests.staff.conftest import client_for

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "text",
    ["Päiväkoti Kallio – vahvista henkilöllisyytesi https://kallio-tunnistus.example",
     "Kallio, ks. www.esimerkki.com", "Päiväkoti kallio.fi", "Kysy: johtaja@example.org"],
)  # fmt: skip
def test_links_and_addresses_are_refused(text: str) -> None:
    with pytest.raises(ValidationError):
        no_links(text)


@pytest.mark.parametrize("text", ["Päiväkoti Kallio", "Pohjoisesplanadi 11-13 A", "Daghemmet Ekorren r.f.", ""])
def test_ordinary_names_and_addresses_pass(text: str) -> None:
    no_links(text)


def test_the_director_is_told_and_nothing_is_saved(director: User) -> None:
    unit = Unit.objects.get(unit_id="PK-KALLIO")
    url = reverse("staff:unit", args=[unit.unit_id])
    response = client_for(director).post(url, {
        "name_fi": "Päiväkoti Kallio – vahvista tunnuksesi https://x.example", "name_sv": unit.name_sv,
        "street_address": unit.street_address, "postal_code": unit.postal_code, "email": unit.email,
        "phone": unit.phone, "opening_hours": unit.opening_hours, "pre_primary_hours": unit.pre_primary_hours,
        "language": unit.language, "pre_primary_capacity": unit.pre_primary_capacity,
    })  # fmt: skip
    assert response.status_code == 200 and "No web or email addresses here" in response.content.decode()
    assert Unit.objects.get(pk=unit.pk).name_fi == unit.name_fi
    with pytest.raises(ValidationError):
        unit_details_update(unit_id=unit.unit_id, changes={"street_address": "kallio.fi"}, actor="ulla")
    assert Unit.objects.get(pk=unit.pk).street_address == unit.street_address
