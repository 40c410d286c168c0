"""The guardian pages with Django's test client: visibility, links, answers, application, CSRF, language."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.test import Client

from asti.applications.models import Application, ApplicationStatus
from asti.core import clock
from asti.core.clock import HELSINKI
from asti.messaging.models import Message
from asti.offers.links import make_token
from asti.offers.models import AnswerChannel, Feedback, OfferRound, OfferStatus, Proposal, Reason
from asti.units.models import Unit
from tests.citizen.conftest import client_for, guardian, offer_of, token_for

pytestmark = pytest.mark.django_db(transaction=True)


def test_front_page_lists_only_children_in_custody(sent_round: OfferRound) -> None:
    page = client_for("G1").get("/").content.decode()
    assert "Aino Virtanen" in page and "Elias Virtanen" in page
    assert "Eino" not in page and "Onni" not in page
    assert f'href="/offers/{offer_of("C1").pk}/"' in page


def test_anonymous_guardian_goes_to_login_with_next() -> None:
    response = Client().get("/offers/1/")
    assert response.status_code == 302 and response["Location"] == "/login/?next=/offers/1/"


def test_offer_page_shows_unit_reason_hours_and_helsinki_deadline(sent_round: OfferRound) -> None:
    offer = offer_of("C1")
    page = client_for("G1").get(f"/offers/{offer.pk}/").content.decode()
    assert "Päiväkoti Kallio" in page and "Kolmas linja 10, 00530" in page
    assert "https://www.openstreetmap.org/?mlat=60.18410&amp;mlon=24.95060" in page
    assert "Your child keeps their current unit." in page
    assert sent_round.daily_hours in page
    helsinki = offer.deadline.astimezone(clock.HELSINKI)
    assert helsinki.strftime("%H:%M") == "23:59" and "23:59" in page
    assert 'action="/offers/' not in page  # answering starts from a confirmation page, not a one-click form


def test_offer_page_shows_the_units_own_hours_where_its_director_set_them(sent_round: OfferRound) -> None:
    offer = offer_of("C1")
    Unit.objects.filter(pk=offer.unit_id).update(pre_primary_hours="8.15–12.15")
    page = client_for("G1").get(f"/offers/{offer.pk}/").content.decode()
    assert "8.15–12.15" in page and sent_round.daily_hours not in page


PATHS = [
    "/offers/{id}/",
    "/offers/{id}/accept/",
    "/offers/{id}/decline/",
    "/offers/{id}/apply/",
    "/offers/{id}/accepted/",
]


@pytest.mark.parametrize("path", PATHS)
def test_another_familys_offer_is_not_found(sent_round: OfferRound, path: str) -> None:
    offer = offer_of("C1")
    client = client_for("G3")
    assert client.get(path.format(id=offer.pk)).status_code == 404
    assert client.post(f"/offers/{offer.pk}/accept/").status_code == 404
    assert client.post(f"/offers/{offer.pk}/feedback/", {"score": 5}).status_code == 404
    assert offer_of("C1").status == OfferStatus.OPEN


def test_another_familys_application_is_not_found(sent_round: OfferRound) -> None:
    offer = offer_of("C1")
    client = client_for("G1")
    client.post(f"/offers/{offer.pk}/decline/")
    kallio = Unit.objects.get(unit_id="PK-SORNAINEN")
    response = client.post(f"/offers/{offer.pk}/apply/", {"unit_1": kallio.pk})
    application = Application.objects.get()
    assert response["Location"] == f"/applications/{application.pk}/"
    assert client_for("G3").get(f"/applications/{application.pk}/").status_code == 404
    assert client_for("G2").get(f"/applications/{application.pk}/").status_code == 200  # the other guardian


def test_link_leads_through_login_to_the_offer(sent_round: OfferRound) -> None:
    offer = offer_of("C1")
    token = token_for(offer, "G1")
    anonymous = Client().get(f"/o/{token}")
    assert anonymous.status_code == 302 and anonymous["Location"].startswith("/login/?next=/o/")
    response = client_for("G1").get(f"/o/{token}")
    assert response.status_code == 302 and response["Location"] == f"/offers/{offer.pk}/"


def test_tampered_expired_and_someone_elses_links_are_refused(sent_round: OfferRound) -> None:
    offer = offer_of("C1")
    token = token_for(offer, "G1")
    tampered = token.replace(f"{offer.pk}.", f"{offer_of('C2').pk}.", 1)
    page = Client(HTTP_ACCEPT_LANGUAGE="en").get(f"/o/{tampered}")
    assert page.status_code == 403 and "This link is not valid" in page.content.decode()
    expired = make_token(offer_id=offer.pk, guardian_id=guardian("G1").pk, expires_at=clock.now() - dt.timedelta(1))
    page = Client(HTTP_ACCEPT_LANGUAGE="en").get(f"/o/{expired}")
    assert page.status_code == 403 and "This link has expired" in page.content.decode()
    page = client_for("G2").get(f"/o/{token}")  # the other guardian, with Maria's link
    assert page.status_code == 403 and "sent to another person" in page.content.decode()
    page = client_for("G3").get(f"/o/{token}")
    assert page.status_code == 403


def test_accept_confirms_records_and_asks_one_question(sent_round: OfferRound) -> None:
    offer = offer_of("C1")
    client = client_for("G1")
    confirm = client.get(f"/offers/{offer.pk}/accept/").content.decode()
    assert "Accept the place?" in confirm and f'action="/offers/{offer.pk}/accept/"' in confirm
    before = Message.objects.count()
    response = client.post(f"/offers/{offer.pk}/accept/")
    assert response["Location"] == f"/offers/{offer.pk}/accepted/"
    offer.refresh_from_db()
    assert offer.status == OfferStatus.ACCEPTED and offer.answer_channel == AnswerChannel.LINK
    assert offer.answered_by == guardian("G1")
    assert Message.objects.count() > before  # the confirmation (and the other guardian's notice)
    done = client.get(response["Location"]).content.decode()
    assert "Place accepted" in done and "Very satisfied" in done
    client.post(f"/offers/{offer.pk}/feedback/", {"score": 4, "comment": " fine ", "next": "/"})
    feedback = Feedback.objects.get()
    assert (feedback.score, feedback.comment, feedback.guardian) == (4, "fine", guardian("G1"))
    again = client.post(f"/offers/{offer.pk}/decline/")  # a contradicting second answer changes nothing
    assert again["Location"] == f"/offers/{offer.pk}/"
    assert offer_of("C1").status == OfferStatus.ACCEPTED


def test_decline_leads_to_a_prefilled_application_shown_as_sent(sent_round: OfferRound) -> None:
    offer = offer_of("C1")
    client = client_for("G1")
    response = client.post(f"/offers/{offer.pk}/decline/")
    assert response["Location"] == f"/offers/{offer.pk}/apply/"
    form = client.get(response["Location"]).content.decode()
    assert "Aino Virtanen" in form and "Kolmas linja 20, 00530" in form and "Juha Virtanen" in form
    search = client.post(f"/offers/{offer.pk}/apply/", {"q": "Töölö", "action": "search"}).content.decode()
    added = re.findall(r'name="wish_add" value="(\d+)"', search)
    assert [Unit.objects.get(pk=pk).unit_id for pk in added] == ["PK-TOOLO"] and "<select" not in search
    toolo, sornainen = Unit.objects.get(unit_id="PK-TOOLO"), Unit.objects.get(unit_id="PK-SORNAINEN")
    same = client.post(f"/offers/{offer.pk}/apply/", {"unit_1": toolo.pk, "unit_2": toolo.pk})
    assert same.status_code == 400 and "Choose each unit only once." in same.content.decode()
    response = client.post(
        f"/offers/{offer.pk}/apply/", {"unit_1": toolo.pk, "unit_2": sornainen.pk, "supplementary_ecec": "on"}
    )
    application = Application.objects.get()
    assert application.status == ApplicationStatus.SENT and application.supplementary_ecec
    assert [w.unit.unit_id for w in application.wishes.all()] == ["PK-TOOLO", "PK-SORNAINEN"]
    page = client.get(response["Location"]).content.decode()
    assert "Sent" in page and "Application sent" in page and "Päiväkoti Töölö" in page
    assert client.get(f"/offers/{offer.pk}/apply/")["Location"] == f"/applications/{application.pk}/"
    assert f"/applications/{application.pk}/" in client.get("/").content.decode()


def test_csrf_is_enforced_on_answers(sent_round: OfferRound) -> None:
    offer = offer_of("C1")
    client = client_for("G1", enforce_csrf_checks=True)
    assert client.post(f"/offers/{offer.pk}/accept/").status_code == 403
    assert client.post(f"/offers/{offer.pk}/feedback/", {"score": 5}).status_code == 403
    assert offer_of("C1").status == OfferStatus.OPEN


def test_login_on_the_offer_link_path_is_rate_limited(sent_round: OfferRound, settings: object) -> None:
    settings.ASTI_ENV, settings.ASTI_DEMO_LOGIN = "demo", True  # type: ignore[attr-defined]
    settings.ASTI_LOGIN_RATE_PER_SESSION = 3  # type: ignore[attr-defined]
    token = token_for(offer_of("C1"), "G1")
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    login = client.get(f"/o/{token}")["Location"]
    assert login == f"/login/?next=/o/{token}"
    client.get(login)  # (the demo's login redirects to the test identification)
    statuses = [
        client.post("/login/test/", {"guardian": guardian("G1").pk, "next": f"/o/{token}"}).status_code
        for _ in range(5)
    ]
    assert statuses[:3] == [302, 302, 302] and statuses[-1] == 429  # per session (the first had none yet)


def test_the_registry_language_is_remembered_until_the_guardian_switches(sent_round: OfferRound) -> None:
    from tests.citizen.conftest import citizen_user

    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(citizen_user(guardian("G6")))  # Karin: Swedish in the registry
    response = client.get("/")
    assert "Mina barn" in response.content.decode() and response.cookies["django_language"].value == "sv"
    switched = client.post("/i18n/setlang/", {"language": "fi", "next": "/"})
    assert switched.status_code == 302
    assert "Omat lapset" in client.get("/").content.decode()


def test_every_page_has_a_strict_content_security_policy(sent_round: OfferRound) -> None:
    client = client_for("G1")
    for path in ["/", f"/offers/{offer_of('C1').pk}/", "/accessibility/", "/feedback/"]:
        response = client.get(path)
        policy = response["Content-Security-Policy"]
        assert "script-src 'self'" in policy and "frame-ancestors 'none'" in policy
        assert "unsafe-inline" not in policy
        html = response.content.decode()
        assert not re.search(r"<script(?![^>]*\bsrc=)", html) and " style=" not in html
        assert not re.search(r"\son[a-z]+=", html)


def test_non_disclosure_child_page_shows_no_home_distance_or_address(sent_round: OfferRound) -> None:
    offer = offer_of("C9")  # Onni Laine: non-disclosure
    client = client_for("G9")
    page = client.get(f"/offers/{offer.pk}/").content.decode()
    assert " m." not in page and " km." not in page and "Salvor" not in page
    client.post(f"/offers/{offer.pk}/decline/")
    form = client.get(f"/offers/{offer.pk}/apply/").content.decode()
    assert "Salvor" not in form and "Not shown (non-disclosure)" in form


@pytest.mark.parametrize(
    ("language", "form"), [("fi", "klo {h}.{m:02d}"), ("sv", "kl. {h}.{m:02d}"), ("en", "{h:02d}:{m:02d}")]
)
def test_the_deadline_time_is_written_as_each_language_writes_it(
    sent_round: OfferRound, language: str, form: str
) -> None:
    offer = offer_of("C1")
    local = offer.deadline.astimezone(HELSINKI)
    page = client_for("G1", language=language).get(f"/offers/{offer.pk}/").content.decode()
    assert form.format(h=local.hour, m=local.minute) in page
    if language != "en":
        assert f"{local.hour:02d}:{local.minute:02d}" not in page


def test_the_units_phone_number_is_written_as_people_write_it(sent_round: OfferRound) -> None:
    offer = offer_of("C1")
    offer.unit.phone = "+358931000001"
    offer.unit.save(update_fields=["phone"])
    page = client_for("G1", language="fi").get(f"/offers/{offer.pk}/").content.decode()
    assert ">09 31000001</a>" in page and 'href="tel:+358931000001"' in page


def test_the_other_custodian_of_a_child_living_with_a_protected_guardian_sees_no_distance(
    sent_round: OfferRound,
) -> None:
    """The rule for the custodian without an order (docs/privacy.md): the child lives with the protected guardian,
    so the child's home is protected from them too: no distance from it, no address."""
    offer = offer_of("C1")  # custodians G1 and G2; proposed as the nearest unit in the area, 1.2 km away
    Proposal.objects.filter(pk=offer.proposal_id).update(
        reason=Reason.IN_AREA, detail="nearest_in_area_with_room", distance_m=1234
    )
    client = client_for("G1")
    before = client.get(f"/offers/{offer.pk}/").content.decode()
    assert "1.2 km" in before  # shown while nobody is protected
    protected = guardian("G2")
    protected.non_disclosure = True
    protected.save(update_fields=["non_disclosure"])
    page = client.get(f"/offers/{offer.pk}/").content.decode()
    assert "1.2 km" not in page and offer.child.street_address not in page
    client.post(f"/offers/{offer.pk}/decline/")
    form = client.get(f"/offers/{offer.pk}/apply/").content.decode()
    assert offer.child.street_address not in form and protected.street_address not in form


def test_a_paper_application_entered_by_staff_shows_on_the_guardians_page_with_the_day_it_arrived(
    sent_round: OfferRound,
) -> None:
    from asti.applications.services import paper_application_create
    from asti.offers.answers import offer_answer

    offer = offer_of("C1")
    offer_answer(offer_id=offer.pk, accept=False, guardian=guardian("G2"), channel=AnswerChannel.PAPER, actor="pia")
    received = dt.date(2026, 11, 20)
    application = paper_application_create(
        child=offer.child, guardian=guardian("G2"), unit_ids=[Unit.objects.get(unit_id="PK-TOOLO").pk],
        supplementary_ecec=False, received_on=received, actor="pia.planner",
    )  # fmt: skip
    page = client_for("G1", language="fi").get(f"/applications/{application.pk}/").content.decode()
    assert "Paperihakemus saapui</strong> – 20. marraskuuta 2026<" in page and "Päiväkoti Töölö" in page
