"""Choosing places on the application forms (Django's test client): the unit picker keeps the wishes and
everything typed through searches and filters, shows each place's language, address and distance from home
(nearest first), never shows a distance that would locate a protected home, and no page has a long drop-down; the
receipt shows what was sent and what happens next."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.test import Client

from asti.applications.models import Application, ApplicationStatus
from asti.core import clock
from asti.offers.models import Offer
from asti.people.models import Guardian
from asti.units.models import School, Unit
from tests.citizen.application_family import NOW, Family
from tests.citizen.conftest import citizen_user
from tests.factories import AdmissionAreaFactory, UnitFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _frozen() -> Iterator[None]:
    with clock.frozen_at(NOW):
        yield


@pytest.fixture(autouse=True)
def _media(settings: Any, tmp_path: Path) -> None:
    settings.MEDIA_ROOT = str(tmp_path / "media")


@pytest.fixture
def family() -> Family:
    f = Family()
    # the family lives at 60.1845, 24.953: Vallila ~1.6 km north, Kallio ~0.3 km, Tölö ~1.9 km west
    Unit.objects.filter(pk=f.kallio.pk).update(lat=60.1860, lon=24.9490)
    Unit.objects.filter(pk=f.vallila.pk).update(lat=60.1990, lon=24.9560)
    Unit.objects.filter(pk=f.tolo.pk).update(lat=60.1800, lon=24.9200)
    return f


def login(guardian: Guardian, language: str = "en") -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE=language)
    client.force_login(citizen_user(guardian))
    client.cookies["django_language"] = language
    return client


def html(response: Any) -> str:
    return str(response.content.decode())


def wishes_in(page: str, prefix: str = "wish_") -> list[int]:
    """The wishes the page carries (its hidden fields), in order."""
    found = dict(re.findall(rf'<input type="hidden" name="{prefix}(\d)" value="(\d+)"', page))
    return [int(found[n]) for n in sorted(found)]


def places_found(page: str) -> list[str]:
    """The names in the list of places found, in order."""
    part = page.split('id="picker-results"', 1)[1].split("</ul>", 1)[0]
    return re.findall(r'<span class="citizen-place__name">([^<]+)</span>', part)


def select_sizes(page: str) -> list[int]:
    return [len(re.findall(r"<option\b", body)) for body in re.findall(r"<select\b.*?</select>", page, flags=re.S)]


def preschool_post(f: Family, **changes: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "education_language": "fi", "place_language": "", "order": "nearest", "q": "", "wish_1": "", "wish_2": "",
        "wish_3": "", "daily_start": "08:00", "daily_end": "16:00", "supplementary_ecec": "on",
        "phone": "040 123 4567", "email": "maria@example.org", "other_info": "Typed but not saved",
    }  # fmt: skip
    data.update(changes)
    return data


# ---------------------------------------------------------------------------------------------------------------
# the wishes survive searches and filters


def test_a_search_keeps_the_wishes_and_everything_typed(family: Family) -> None:
    client = login(family.maria)
    url = f"/children/{family.leo.pk}/apply/preschool/"
    post = preschool_post(family, wish_1=str(family.kallio.pk), wish_2=str(family.vallila.pk), q="Tölö",
                          action="search", other_info="Comes by bike")  # fmt: skip
    response = client.post(url, post)
    page = html(response)
    assert response.status_code == 200
    assert wishes_in(page) == [family.kallio.pk, family.vallila.pk]
    assert places_found(page) == ["Päiväkoti Tölö"]
    assert "Comes by bike" in page and 'value="040 123 4567"' in page and 'value="Tölö"' in page
    assert "The application was not sent." not in page and not Application.objects.exists()
    # the chosen places are listed as wishes whatever the search finds
    wishes = page.split('id="picker-wishes-title"', 1)[1].split('id="picker-found-title"', 1)[0]
    assert "Päiväkoti Kallio" in wishes and "Päiväkoti Vallila" in wishes and "Päiväkoti Tölö" not in wishes
    # and sending afterwards sends them in that order
    response = client.post(url, {**post, "action": "send"})
    assert response.status_code == 302
    application = Application.objects.get()
    assert [w.unit_id for w in application.wishes.all()] == [family.kallio.pk, family.vallila.pk]


def test_a_search_with_a_mistake_elsewhere_keeps_it_and_says_nothing_yet(family: Family) -> None:
    url = f"/children/{family.baby.pk}/apply/ecec/"
    post = {"education_language": "fi", "start_date": "1.13.2027", "wish_1": str(family.kallio.pk), "q": "",
            "action": "search", "other_info": "Typed"}  # fmt: skip
    response = login(family.maria).post(url, post)
    page = html(response)
    assert response.status_code == 200 and 'value="1.13.2027"' in page and "Typed" in page
    assert wishes_in(page) == [family.kallio.pk] and "The application was not sent." not in page


def test_wishes_are_added_moved_and_removed_in_order(family: Family) -> None:
    client = login(family.maria)
    url = f"/children/{family.leo.pk}/apply/preschool/"
    post = preschool_post(family)
    page = html(client.post(url, {**post, "wish_add": str(family.vallila.pk)}))
    assert wishes_in(page) == [family.vallila.pk]
    post.update(wish_1=str(family.vallila.pk))
    page = html(client.post(url, {**post, "wish_add": str(family.kallio.pk)}))
    assert wishes_in(page) == [family.vallila.pk, family.kallio.pk]
    assert "Typed but not saved" in page  # what was typed rides along
    post.update(wish_2=str(family.kallio.pk))
    page = html(client.post(url, {**post, "wish_up": "2"}))
    assert wishes_in(page) == [family.kallio.pk, family.vallila.pk]
    page = html(client.post(url, {**post, "wish_down": "1"}))
    assert wishes_in(page) == [family.kallio.pk, family.vallila.pk]
    page = html(client.post(url, {**post, "wish_remove": "1"}))
    assert wishes_in(page) == [family.kallio.pk]
    page = html(client.post(url, {**post, "wish_add": str(family.kallio.pk)}))
    assert wishes_in(page) == [family.vallila.pk, family.kallio.pk]
    assert "This place is already one of your wishes." in page
    full = {**post, "wish_3": str(family.tolo.pk)}
    page = html(client.post(url, {**full, "wish_add": str(family.kallio.pk + 1000)}))
    assert "You have chosen three places already." in page and "Add as a wish" not in page
    assert not Application.objects.exists()


def test_the_search_finds_by_name_area_street_and_postal_code(family: Family) -> None:
    client = login(family.maria)
    url = f"/children/{family.leo.pk}/apply/preschool/"
    for query, expected in [
        ("vallila", ["Päiväkoti Vallila"]),
        ("Kolmas linja", ["Päiväkoti Kallio"]),
        ("00250", ["Päiväkoti Tölö"]),
        ("Tölö", ["Päiväkoti Tölö"]),  # the Swedish admission area's name
    ]:
        page = html(client.post(url, preschool_post(family, q=query, action="search")))
        assert places_found(page) == expected, query
    page = html(client.post(url, preschool_post(family, q="nowhere", action="search")))
    assert places_found(page) == [] and "No places found." in page


def test_the_language_of_instruction_filters_and_each_place_says_its_language(family: Family) -> None:
    client = login(family.karin, "sv")
    url = f"/children/{family.leo.pk}/apply/preschool/"
    page = html(client.get(url))  # the filter starts from the child's language of education
    assert 'name="place_language" value="fi"' in page
    both = html(client.post(url, preschool_post(family, place_language="", action="search")))
    assert places_found(both) == ["Päiväkoti Kallio", "Päiväkoti Vallila", "Daghemmet Tölö"]
    assert "på finska" in both and "på svenska" in both
    swedish = html(client.post(url, preschool_post(family, place_language="sv", action="search")))
    assert places_found(swedish) == ["Daghemmet Tölö"]
    assert "Topeliuksenkatu 3, 00250" in swedish


def test_the_language_filter_follows_a_changed_language_of_education(family: Family) -> None:
    url = f"/children/{family.leo.pk}/apply/preschool/"
    post = preschool_post(family, education_language="sv", place_language="fi", place_language_for="fi",
                          action="search")  # fmt: skip
    page = html(login(family.karin, "sv").post(url, post))
    assert places_found(page) == ["Daghemmet Tölö"] and 'name="place_language_for" value="sv"' in page
    # a filter chosen on purpose stays while the language of education is the same
    page = html(login(family.karin, "sv").post(url, {**post, "place_language_for": "sv"}))
    assert places_found(page) == ["Päiväkoti Kallio", "Päiväkoti Vallila"]


def test_places_are_nearest_first_with_their_distance_from_home(family: Family) -> None:
    client = login(family.maria, "fi")
    url = f"/children/{family.leo.pk}/apply/preschool/"
    page = html(client.post(url, preschool_post(family, action="search")))
    assert places_found(page) == ["Päiväkoti Kallio", "Päiväkoti Vallila", "Päiväkoti Tölö"]
    assert re.search(r"suomeksi · [0-9]+ m kotoa", page) and "1,6 km kotoa" in page and "1,9 km kotoa" in page
    by_name = html(client.post(url, preschool_post(family, order="name", action="search")))
    assert places_found(by_name) == ["Päiväkoti Kallio", "Päiväkoti Tölö", "Päiväkoti Vallila"]
    en = html(login(family.maria, "en").post(url, preschool_post(family, action="search")))
    assert "1.6 km from home" in en


def test_only_twenty_places_are_listed_at_a_time_and_the_search_reaches_the_rest(family: Family) -> None:
    area = AdmissionAreaFactory(area_id="FI-9", name_fi="Kaukana")
    for n in range(40):
        UnitFactory(name_fi=f"Päiväkoti Kauko {n:02d}", lat=60.30 + n / 1000, lon=25.10, admission_area=area)
    page = html(login(family.maria).post(f"/children/{family.leo.pk}/apply/preschool/",
                                         preschool_post(family, action="search")))  # fmt: skip
    found = places_found(page)
    assert len(found) == 20 and found[:3] == ["Päiväkoti Kallio", "Päiväkoti Vallila", "Päiväkoti Tölö"]
    assert "Showing the 20 nearest of 43 places." in page
    page = html(login(family.maria).post(f"/children/{family.leo.pk}/apply/preschool/",
                                         preschool_post(family, q="Kauko 39", action="search")))  # fmt: skip
    assert places_found(page) == ["Päiväkoti Kauko 39"]


def test_the_script_gets_the_places_found_alone(family: Family) -> None:
    response = login(family.maria).post(
        f"/children/{family.leo.pk}/apply/preschool/", preschool_post(family, q="Vallila", action="search"),
        HTTP_X_ASTI_PICKER="1",
    )  # fmt: skip
    page = html(response)
    assert response.status_code == 200 and "<html" not in page and "Päiväkoti Vallila" in page
    assert "Päiväkoti Kallio" not in page and 'name="wish_add"' in page


def test_every_kind_offers_its_own_places(family: Family) -> None:
    client = login(family.maria)
    ecec = html(client.get(f"/children/{family.baby.pk}/apply/ecec/"))
    assert places_found(ecec) == ["Päiväkoti Kallio"]  # under 3: Vallila has no places for them
    shift = html(client.post(f"/children/{family.leo.pk}/apply/preschool/", preschool_post(family, action="search")))
    assert "Päiväkoti Vallila" in places_found(shift)
    afternoon = html(client.get(f"/children/{family.ella.pk}/apply/afternoon/"))
    assert places_found(afternoon) == ["Kallion ala-aste", "Vallilan ala-aste"]
    post = {"education_language": "fi", "first_grade_choice": "weighted", "weighted_curriculum": "music",
            "action": "search"}  # fmt: skip
    weighted = html(client.post(f"/children/{family.ella.pk}/apply/first_grade/", post))
    assert places_found(weighted) == ["Kallion ala-aste"]


# ---------------------------------------------------------------------------------------------------------------
# protected homes


def test_a_protected_guardian_sees_their_own_distances_and_the_other_custodian_none(family: Family) -> None:
    Guardian.objects.filter(pk=family.karin.pk).update(non_disclosure=True)
    url = f"/children/{family.leo.pk}/apply/preschool/"
    own = html(login(family.karin).post(url, preschool_post(family, action="search")))
    assert "km from home" in own and places_found(own)[0] == "Päiväkoti Kallio"
    assert 'name="order"' in own
    other = html(login(family.maria).post(url, preschool_post(family, action="search", order="nearest")))
    assert "from home" not in other and not re.search(r"\d km|\d m\b", other)
    assert 'name="order"' not in other
    # by name, not nearest first: the order alone would locate the home
    assert places_found(other) == sorted(places_found(other))
    assert family.leo.street_address not in other


def test_nobody_sees_distances_when_both_custodians_are_protected(family: Family) -> None:
    Guardian.objects.filter(pk__in=[family.karin.pk, family.maria.pk]).update(non_disclosure=True)
    url = f"/children/{family.leo.pk}/apply/preschool/"
    for guardian in (family.karin, family.maria):
        page = html(login(guardian).post(url, preschool_post(family, action="search")))
        assert "from home" not in page and 'name="order"' not in page


def test_the_child_s_own_order_hides_distances_from_unprotected_custodians(family: Family) -> None:
    type(family.leo).objects.filter(pk=family.leo.pk).update(non_disclosure=True)
    page = html(login(family.maria).get(f"/children/{family.leo.pk}/apply/preschool/"))
    assert "from home" not in page


# ---------------------------------------------------------------------------------------------------------------
# a city's worth of places: no long drop-downs anywhere


def test_no_drop_down_has_more_than_thirty_options_for_a_helsinki_sized_city(family: Family) -> None:
    areas = [AdmissionAreaFactory(area_id=f"FI-A{n}", name_fi=f"Alue {n}") for n in range(30)]
    for n in range(260):  # Helsinki's demo has some 250 municipal units
        UnitFactory(name_fi=f"Päiväkoti {n:03d}", admission_area=areas[n % 30], lat=60.15 + n / 2000,
                    lon=24.9, ecec_capacity_under3=10, ecec_capacity_over3=20,
                    language="sv" if n % 10 == 0 else "fi")  # fmt: skip
    School.objects.bulk_create(
        School(school_id=f"S{n}", name_fi=f"Koulu {n:03d}", lat=60.2, lon=24.9 + n / 1000, language="fi",
               first_grade_capacity=40, afternoon_activities=True, afternoon_capacity=20)
        for n in range(110)
    )  # fmt: skip
    client = login(family.maria)
    pages = {
        kind: html(client.get(f"/children/{child.pk}/apply/{kind}/"))
        for child, kind in ((family.baby, "ecec"), (family.leo, "preschool"), (family.ella, "first_grade"),
                            (family.ella, "afternoon"))
    }  # fmt: skip
    for kind, page in pages.items():
        assert max(select_sizes(page), default=0) <= 30, kind
        assert 0 < len(places_found(page)) <= 20, kind
    assert "Showing the 20 nearest of" in pages["preschool"]


def test_the_declined_offers_application_uses_the_picker(sent_round: Any) -> None:
    from tests.citizen.conftest import client_for, offer_of

    offer: Offer = offer_of("C1")
    client = client_for("G1")
    client.post(f"/offers/{offer.pk}/decline/")
    url = f"/offers/{offer.pk}/apply/"
    form = html(client.get(url))
    assert max(select_sizes(form), default=0) <= 30 and "from home" in form
    toolo, sornainen = Unit.objects.get(unit_id="PK-TOOLO"), Unit.objects.get(unit_id="PK-SORNAINEN")
    page = html(client.post(url, {"unit_1": str(toolo.pk), "q": "Sörnäinen", "place_language": "",
                                  "action": "search", "supplementary_ecec": "on"}))  # fmt: skip
    assert wishes_in(page, "unit_") == [toolo.pk] and "Päiväkoti Sörnäinen" in places_found(page)
    assert re.search(r'name="supplementary_ecec"[^>]*checked', page)
    page = html(client.post(url, {"unit_1": str(toolo.pk), "wish_add": str(sornainen.pk), "place_language": ""}))
    assert wishes_in(page, "unit_") == [toolo.pk, sornainen.pk]
    nothing = client.post(url, {"action": "send", "place_language": ""})
    assert nothing.status_code == 400 and "Choose at least one place." in html(nothing)
    response = client.post(url, {"unit_1": str(sornainen.pk), "unit_2": str(toolo.pk), "action": "send"})
    application = Application.objects.get()
    assert response["Location"] == f"/applications/{application.pk}/"
    assert [w.unit_id for w in application.wishes.all()] == [sornainen.pk, toolo.pk]


# ---------------------------------------------------------------------------------------------------------------
# the receipt


@pytest.mark.parametrize(
    ("language", "texts"),
    [
        ("fi", ["klo 10.00", "Käsittely alkaa hakuajan jälkeen 26. tammikuuta 2027.",
                "Päätökset lähetetään maaliskuussa"]),
        ("sv", ["kl. 10.00", "Behandlingen börjar efter ansökningstiden, 26 januari 2027.", "Besluten skickas i mars"]),
        ("en", ["10:00", "Processing starts after the application period, on Jan. 26, 2027.",
                "Decisions are sent in March"]),
    ],
)  # fmt: skip
def test_the_receipt_shows_everything_sent_and_what_happens_next(
    family: Family, language: str, texts: list[str]
) -> None:
    client = login(family.maria, language)
    url = f"/children/{family.leo.pk}/apply/preschool/"
    post = preschool_post(family, wish_1=str(family.vallila.pk), wish_2=str(family.kallio.pk), action="send",
                          other_info="Comes by bike")  # fmt: skip
    response = client.post(url, post)
    application = Application.objects.get()
    assert application.status == ApplicationStatus.SENT and application.reference
    receipt = html(client.get(response["Location"]))
    for text in [application.reference, "Leo Virtanen", "Comes by bike", "040 1234567", *texts]:
        assert text in receipt, text
    wishes = receipt.split('id="wishes-title"', 1)[1]
    assert wishes.index("Päiväkoti Vallila") < wishes.index("Päiväkoti Kallio")
    assert "data-print" in receipt and "receipt.js" in receipt
    detail = html(client.get(f"/applications/{application.pk}/"))
    assert texts[0] in detail and texts[1] in detail and "data-print" in detail


def test_an_ecec_receipt_names_the_day_the_place_is_ready(family: Family) -> None:
    client = login(family.maria)
    post = {"education_language": "fi", "start_date": "2027-05-17", "service_need": "full_time", "action": "send",
            "daily_start": "08:00", "daily_end": "16:00", "wish_1": str(family.kallio.pk)}  # fmt: skip
    receipt = html(client.get(client.post(f"/children/{family.baby.pk}/apply/ecec/", post)["Location"]))
    assert "Processing starts soon after the application arrives." in receipt
    assert "The place is arranged by May 17, 2027 at the latest." in receipt
