"""A second city without code changes: Tampere's profile on the guardian and staff pages and in the texts sent
to families, in fi, sv and en, with no trace of Helsinki; and the profiles themselves."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path
from typing import Any

import pytest
from django.core.checks import run_checks
from django.test import Client

from asti.core import city
from asti.identity.models import Role
from asti.messaging.channels import email_from
from asti.messaging.models import Message
from asti.messaging.sms import GSM7, sms_encoding
from asti.messaging.templates import render_template
from asti.offers.models import Offer, OfferRound
from asti.offers.notify import offer_context
from asti.people.models import Guardian
from tests.citizen.conftest import citizen_user
from tests.staff.conftest import staff_user

LANGUAGES = ("fi", "sv", "en")
HELSINKI = re.compile(r"helsin", re.IGNORECASE)  # Helsinki, Helsingin, Helsingfors, helsinki.kirjaamo@hel.fi


def no_helsinki(text: str, where: str) -> None:
    found = [text[max(0, m.start() - 60) : m.end() + 40] for m in HELSINKI.finditer(text)]
    assert not found, f"{where}: {found}"


def an_offer() -> tuple[Offer, Guardian]:
    offer = Offer.objects.select_related("child", "unit", "round").order_by("pk").first()
    assert offer is not None
    guardian = offer.child.custodies.select_related("guardian").first().guardian  # type: ignore[union-attr]
    return offer, guardian


def client(user: Any, language: str) -> Client:
    c = Client(HTTP_ACCEPT_LANGUAGE=language)
    c.force_login(user)
    c.cookies["django_language"] = language
    return c


@pytest.mark.django_db(transaction=True)
def test_the_second_citys_pages_name_it_and_never_helsinki(tampere_round: OfferRound) -> None:
    offer, guardian = an_offer()
    planner = staff_user("pia.planner", Role.PLANNER)
    citizen = citizen_user(guardian)
    citizen_paths = ["/", f"/offers/{offer.pk}/", f"/offers/{offer.pk}/accept/", f"/offers/{offer.pk}/decline/",
                     "/accessibility/", "/feedback/", "/privacy/", "/no-such-page/"]  # fmt: skip
    staff_paths = ["/staff/", "/staff/rounds/", f"/staff/rounds/{tampere_round.pk}/",
                   f"/staff/rounds/{tampere_round.pk}/dashboard/", f"/staff/rounds/{tampere_round.pk}/send/",
                   f"/staff/families/{offer.child.child_id}/", "/staff/units/", "/staff/texts/",
                   "/staff/texts/offers.offer/fi/", "/staff/texts/offers.offer_email/sv/"]  # fmt: skip
    organisation = {"fi": "Tampereen kaupunki", "sv": "Tammerfors stad", "en": "City of Tampere"}
    for language in LANGUAGES:
        for user, paths in ((citizen, citizen_paths), (planner, staff_paths)):
            browser = client(user, language)
            for path in paths:
                response = browser.get(path)
                assert response.status_code in (200, 404), (path, response.status_code)
                page = response.content.decode()
                no_helsinki(page, f"{language} {path}")
                assert "<title>" in page and f"– {organisation[language]}</title>" in page, (language, path)
                assert 'href="/city.css"' in page
                assert user is planner or 'src="/city-logo"' in page  # the staff pages' header has no logo
        footer = client(citizen, language).get("/feedback/").content.decode()
        # the desk's number as the city writes it, the same as in its messages; the link dials it
        assert f"{organisation[language]} – " in footer and '<a href="tel:+358356500000">03 565 00000</a>' in footer
        assert city.load("tampere").contact.hours.get(language) in footer
        notice = client(citizen, language).get("/privacy/").content.decode()  # the controller and its officer
        assert organisation[language].split()[0][:5] in notice and "tietosuoja@tampere.example" in notice
        assert "hel.fi" not in notice
    dashboard = client(planner, "en").get(f"/staff/rounds/{tampere_round.pk}/dashboard/").content.decode()
    assert "the reference 90 % replied" in dashboard  # Tampere's reference figures, not Helsinki's 93 %
    csv = client(planner, "en").get(f"/staff/rounds/{tampere_round.pk}/dashboard.csv").content.decode()
    (row,) = [line for line in csv.splitlines() if line.startswith("figures,response_rate,")]
    assert row.endswith(",0.9")


@pytest.mark.django_db(transaction=True)
def test_the_texts_sent_to_families_name_the_second_city(tampere_round: OfferRound) -> None:
    sent = list(Message.objects.all())
    assert sent, "the round sent its offers"
    for message in sent:
        no_helsinki(message.subject + message.body, f"message {message.pk}")
    openings = ("Tampereen kaupunki tarjoaa", "Tammerfors stad erbjuder", "The City of Tampere offers")
    offers = [m for m in sent if m.template_key.startswith("offers.offer")]
    assert offers and all(any(opening in m.body for opening in openings) for m in offers)
    offer, guardian = an_offer()
    assert offer.round.answer_days == 10 and offer.round.reminder_days_before == 2  # Tampere's calendar
    expected = {"fi": "huhtikuussa", "sv": "i april", "en": "in April"}
    for language in LANGUAGES:
        guardian.language = language
        context = {**offer_context(offer, guardian, code="AB"), "email_replies": True, "asks": True}
        for key in ("offers.offer", "offers.offer_email", "offers.reminder", "offers.reminder_email",
                    "offers.accepted", "messaging.test"):  # fmt: skip
            text = render_template(key, language, {**context, "text": "."})
            no_helsinki(text.subject + text.body, f"{key}.{language}")
        accepted = render_template("offers.accepted", language, context).body
        assert expected[language] in accepted
        sender = email_from(language)
        no_helsinki(sender, "From")
        assert sender.endswith("<noreply@asti.localhost>") and ("Tamp" in sender or "Tammerfors" in sender)


LONG = {
    "child_first_name": "Aleksandra-Josefiina",
    "unit_name": "Päiväkoti Pikku-Huopalahden Satakieli",
    "unit_address": "Kolmannenlinjankuja 123, 00530",
    "start_date": "10.8.2027",
    "deadline": "14.1.2027",
    "code": "AB",
    "link": "https://asti.example.fi/o/" + "x" * 80,
}


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_bundled_citys_offer_sms_keeps_helsinkis_part_count_and_gsm7(settings: Any, language: str) -> None:
    settings.ASTI_CITY_PROFILE = city.load("helsinki")
    helsinki = sms_encoding(render_template("offers.offer", language, LONG).body)
    assert helsinki.encoding == GSM7
    for slug in city.bundled():
        settings.ASTI_CITY_PROFILE = city.load(slug)
        body = render_template("offers.offer", language, LONG).body
        encoding = sms_encoding(body)
        assert city.load(slug).organisation.get(language) in body
        assert encoding.encoding == GSM7 and encoding.parts <= helsinki.parts, (slug, body)


def test_helsinki_is_the_default_and_keeps_its_words() -> None:
    profile = city.active()
    assert profile.slug == "helsinki" and profile.municipality_codes == ("091",)
    assert city.texts("fi").organisation == "Helsingin kaupunki" and city.texts("sv").name == "Helsingfors"
    assert profile.reference == {"response_rate": 0.93, "acceptance_rate": 0.89, "satisfaction_rate": 0.87}
    assert profile.css_colours() == {"header": "var(--color-engel)", "header_text": "var(--color-black)",
                                     "link": "var(--color-bus)", "accent": "var(--color-coat-of-arms)"}  # fmt: skip


def write_profile(folder: Path, **changes: str) -> Path:
    text = (city.CITIES_DIR / "tampere" / "city.toml").read_text(encoding="utf-8")
    text = text.replace('logo = "logo.svg"', 'logo = ""')
    for old, new in changes.items():
        assert old in text
        text = text.replace(old, new)
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "city.toml").write_text(text, encoding="utf-8")
    return folder


def test_a_city_outside_the_repository_is_a_folder(tmp_path: Path) -> None:
    folder = write_profile(tmp_path / "espoo", **{'"837"': '"049"', '"Tampere"': '"Espoo"'})
    profile = city.load(str(folder))
    assert profile.slug == "espoo" and profile.municipality_codes == ("049",) and profile.name.fi == "Espoo"


@pytest.mark.parametrize(
    ("old", "new", "complaint"),
    [
        ('"837"', '"83"', "municipality_codes"),
        ('header = "#1a3a6b"', 'header = "url(x)"', "[colours] header"),
        ('school_year_starts = "08-01"', 'school_year_starts = "8/1"', "school_year_starts"),
        ("response_rate = 0.9", "response_rate = 93", "[reference] response_rate"),
        ('sv = "Tammerfors stad"', 'sv = ""', "[organisation]"),
        ('time_zone = "Europe/Helsinki"', 'time_zone = "Europe/Tampere"', "time_zone"),
        ("answer_days = 10", "answer_days = 2", "answer_days"),
        ('preschool = "01-13/01-26"', 'preschool = "13.1.–26.1."', "application_periods] preschool"),
        ('\nphone = "03 565 00000"', '\nphone = "03 565"', "phone '03 565' is not a phone number"),
        ('contact_phone = "03 565 00000"', 'contact_phone = "ring us"', "contact_phone 'ring us'"),
    ],
)
def test_a_wrong_profile_is_refused_naming_the_field(tmp_path: Path, old: str, new: str, complaint: str) -> None:
    folder = write_profile(tmp_path / f"city-{abs(hash(old))}", **{old: new})
    with pytest.raises(city.ProfileError, match=re.escape(complaint)):
        city.load(str(folder))


def test_an_unknown_city_stops_the_start() -> None:
    with pytest.raises(city.ProfileError, match="bundled: helsinki, tampere"):
        city.load("oulu")


def test_the_colours_and_the_logo_are_served(settings: Any, tampere_profile: city.CityProfile) -> None:
    css = Client().get("/city.css")
    assert css["Content-Type"].startswith("text/css")
    assert "--asti-header: #1a3a6b;" in css.content.decode() and "--asti-header-text: #ffffff;" in css.content.decode()
    assert "--color-bus: #1a3a6b;" in css.content.decode()  # HDS's buttons take the city's colour
    logo = Client().get("/city-logo")
    assert logo.status_code == 200 and logo["Content-Type"] == "image/svg+xml"
    settings.ASTI_CITY_PROFILE = city.load("helsinki")
    assert Client().get("/city-logo").status_code == 404
    helsinki = Client().get("/city.css").content.decode()
    assert "--asti-header: var(--color-engel);" in helsinki and "--color-bus:" not in helsinki  # HDS tokens as they are


@pytest.mark.parametrize(
    ("organisation", "fits"),
    [("Tampereen kaupunki", True), ("Anáran gielda", False), ("Kaupunki jonka nimi on pidempi kuin SMS kestää", False)],
)
def test_a_city_name_that_would_change_the_sms_parts_fails_the_checks(
    settings: Any, tmp_path: Path, organisation: str, fits: bool
) -> None:
    folder = write_profile(tmp_path / "city", **{'fi = "Tampereen kaupunki"': f'fi = "{organisation}"'})
    settings.ASTI_CITY_PROFILE = city.load(str(folder))
    errors = [m.msg for m in run_checks() if m.id == "messaging.E004"]
    assert (errors == []) is fits, errors


def test_the_demo_periods_are_the_citys(settings: Any) -> None:
    from asti.demo.services import period_dates

    today = dt.date(2026, 11, 20)
    assert period_dates("preschool", 2027, today=today, mode="city") == (dt.date(2027, 1, 8), dt.date(2027, 1, 21))
    settings.ASTI_CITY_PROFILE = city.load("tampere")
    assert period_dates("preschool", 2027, today=today, mode="city") == (dt.date(2027, 1, 13), dt.date(2027, 1, 26))
    assert period_dates("afternoon", 2027, today=today, mode="city") == (dt.date(2027, 3, 2), dt.date(2027, 3, 29))


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_page_for_a_broken_server_names_the_second_city(tampere_profile: city.CityProfile, language: str) -> None:
    from django.template import loader
    from django.utils import translation

    with translation.override(language):
        page = loader.get_template("500.html").render()  # as Django renders it: no request, no context processors
    no_helsinki(page, f"500 {language}")
    assert f'<span class="asti-header__city">{tampere_profile.organisation.get(language)}</span>' in page
    assert 'href="/city.css"' in page and 'src="/city-logo"' in page


def test_the_demo_city_is_city_sized() -> None:
    from asti.demo.management.commands.generate_demo_city import city_sized

    assert city_sized("091", None) == 6600  # the Helsinki demo as it always was
    assert city_sized("Tampere", None) == city_sized("837", None) == 2300
