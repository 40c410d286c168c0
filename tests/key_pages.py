"""The key pages of the service for families and for staff, on fixed data and a frozen clock, with logged-in
browser contexts for them: what the screenshots (tests/visual), the 320 px layout check and the axe-core check
all visit. The data is the example extract (tests/people/fixtures) with next year's round and a few answers,
applications, messages and decisions made through the services; ids restart for each test (reset_sequences),
so the pages look the same on every run and on every database."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass
from io import StringIO
from pathlib import Path
from typing import Any

from django.apps import apps
from django.conf import settings
from django.contrib.auth.models import Group, User
from django.core.management import call_command
from django.test import Client

from asti.applications.models import Application
from asti.applications.services import application_save_draft, application_send
from asti.applications.validation import ApplicationInput
from asti.conversations.services import staff_reply, thread_start_by_guardian
from asti.core.models import TimeStampedModel
from asti.decisions.models import Decision
from asti.decisions.services import (
    decision_batch_approve,
    decision_batch_prepare,
    decision_batch_render,
    decision_batches_release_due,
)
from asti.identity.models import Role
from asti.offers.answers import offer_answer
from asti.offers.models import Offer
from asti.offers.sending import round_send
from asti.offers.services import round_allocate, round_create
from asti.people.models import Child, Guardian
from asti.units.models import Unit
from tests.citizen.conftest import citizen_user
from tests.staff.applications_helpers import places_in_city
from tests.staff.conftest import staff_user

EXTRACT = Path(__file__).parent / "people" / "fixtures" / "example-extract"
# A Thursday in January: next year's pre-primary round goes out, the ECEC application is for May.
NOW = dt.datetime(2027, 1, 14, 8, 0, tzinfo=dt.UTC)
LANGUAGES = ("fi", "sv", "en")
STAFF = "staff"

# every page, in the order visited; a page's name is the start of its screenshot's file name
NAMES = (
    "staff-round-plan", "staff-round-send", "staff-proposal",
    "guardian-front", "guardian-offer", "guardian-decline", "guardian-accepted", "guardian-application-form",
    "guardian-application-receipt", "guardian-decision", "guardian-messages", "guardian-privacy",
    "guardian-accessibility", "guardian-404",
    "staff-home", "staff-dashboard", "staff-family", "staff-inbox-thread",
)  # fmt: skip


@dataclass(frozen=True)
class KeyPage:
    name: str
    path: str
    who: str  # a guardian's id in the extract, or STAFF
    status: int = 200


def _everyone() -> User:
    """A staff member with every role (the pages show all they can)."""
    user = staff_user("pia.planner", Role.PLANNER, ("PK-KALLIO",))
    for role in Role:
        user.groups.add(Group.objects.get_or_create(name=role.value)[0])
    return user


def _same_timestamps() -> None:
    """created_at/updated_at are set by the database layer from the real clock: set them to the frozen one."""
    for model in apps.get_models():
        if issubclass(model, TimeStampedModel) and not model._meta.abstract:
            model._base_manager.update(created_at=NOW, updated_at=NOW)


def _guardian(guardian_id: str) -> Guardian:
    return Guardian.objects.get(guardian_id=guardian_id)


def _offer(child_id: str) -> Offer:
    return Offer.objects.get(child__child_id=child_id)


def key_page_phases() -> Iterator[list[KeyPage]]:
    """Builds the data and yields the pages in two steps: the round's planning pages while it is allocated, then
    (after sending it and some answers, an application, a thread and a released decision) all the others.
    Run it with the clock frozen at NOW (the live server runs in this process and reads the same clock)."""
    call_command("import_city_data", str(EXTRACT), stdout=StringIO())
    staff = _everyone()
    offer_round = round_create(year=2027, actor="test")
    round_allocate(round_id=offer_round.pk, actor="test")
    rid = offer_round.pk
    _same_timestamps()
    yield [
        KeyPage("staff-round-plan", f"/staff/rounds/{rid}/", STAFF),
        KeyPage("staff-round-send", f"/staff/rounds/{rid}/send/", STAFF),
        KeyPage("staff-proposal", f"/staff/rounds/{rid}/children/C1/", STAFF),
    ]

    round_send(round_id=rid, actor="test")
    # Pekka accepted both twins' places: Leo's decision is out, Lilja's place waits for its decision
    offer_answer(offer_id=_offer("C3").pk, accept=True, guardian=_guardian("G4"), channel="link", actor="test")
    batch = decision_batch_prepare(
        title="Esiopetus 2027", decided_on=NOW.date(), decision_maker="Maija Päättäjä, johtaja",
        decision_maker_username="maija", prepared_by="pia.planner", offer_round=offer_round,
    ).batch  # fmt: skip
    decision_batch_render(batch_id=batch.pk)
    decision_batch_approve(batch_id=batch.pk, approver="maija", release_at=NOW)
    decision_batches_release_due(actor="clock")
    offer_answer(offer_id=_offer("C4").pk, accept=True, guardian=_guardian("G4"), channel="link", actor="test")
    # Sanna sent an application for early childhood education in another unit
    places_in_city()
    sanna, eino = _guardian("G3"), Child.objects.get(child_id="C2")
    wish = Unit.objects.get(unit_id="PK-KALLIO").pk
    data = ApplicationInput(
        education_language="fi", start_date=dt.date(2027, 6, 1), service_need="full_time", daily_start=dt.time(8),
        daily_end=dt.time(16), wishes=(wish,),
    )  # fmt: skip
    draft = application_save_draft(guardian=sanna, child=eino, kind="ecec", data=data, actor="test")
    application = application_send(guardian=sanna, application=draft, actor="test")
    # Maria asked service guidance about Aino's place and was answered
    maria, aino = _guardian("G1"), Child.objects.get(child_id="C1")
    thread = thread_start_by_guardian(
        guardian=maria, child=aino, title="Esiopetuksen alkaminen",
        body="Hei! Milloin esiopetus alkaa elokuussa, ja saako Aino jatkaa samassa ryhmässä?",
    )  # fmt: skip
    staff_reply(user=staff, thread=thread, body="Hei! Esiopetus alkaa 11.8.2027. Ryhmät kerrotaan kesäkuussa.")
    decision = Decision.objects.get(child__child_id="C3")
    elias = Child.objects.get(child_id="C11")
    _same_timestamps()
    aino_offer, lilja_offer = _offer("C1").pk, _offer("C4").pk
    assert Application.objects.filter(pk=application.pk, status="sent").exists()
    yield [
        KeyPage("guardian-front", "/", "G1"),
        KeyPage("guardian-offer", f"/offers/{aino_offer}/", "G1"),
        KeyPage("guardian-decline", f"/offers/{aino_offer}/decline/", "G1"),
        KeyPage("guardian-accepted", f"/offers/{lilja_offer}/accepted/", "G4"),
        KeyPage("guardian-application-form", f"/children/{elias.pk}/apply/ecec/", "G1"),
        KeyPage("guardian-application-receipt", f"/applications/{application.pk}/sent/", "G3"),
        KeyPage("guardian-decision", f"/decisions/{decision.pk}/", "G4"),
        KeyPage("guardian-messages", f"/messages/{thread.pk}/", "G1"),
        KeyPage("guardian-privacy", "/privacy/", "G1"),
        KeyPage("guardian-accessibility", "/accessibility/", "G1"),
        KeyPage("guardian-404", "/no-such-page/", "G1", status=404),
        KeyPage("staff-home", "/staff/", STAFF),
        KeyPage("staff-dashboard", f"/staff/rounds/{rid}/dashboard/", STAFF),
        KeyPage("staff-family", "/staff/families/C1/", STAFF),
        KeyPage("staff-inbox-thread", f"/staff/inbox/{thread.pk}/", STAFF),
    ]


class Sessions:
    """One logged-in session per person (made once), for the browser contexts."""

    def __init__(self, base: str) -> None:
        self.base = base
        self._keys: dict[str, str] = {}

    def cookie(self, who: str) -> dict[str, Any]:
        if who not in self._keys:
            user = User.objects.get(username="pia.planner") if who == STAFF else citizen_user(_guardian(who))
            client = Client()
            client.force_login(user)
            self._keys[who] = client.cookies[settings.SESSION_COOKIE_NAME].value
        return {"name": settings.SESSION_COOKIE_NAME, "value": self._keys[who], "url": self.base}

    def context(self, chromium: Any, who: str, language: str, width: int, **options: Any) -> Any:
        """A browser context as `who`, in `language` (the language switch's cookie), `width` px wide. It may
        inject scripts and styles (bypass_csp: the pages' strict policy rightly refuses them)."""
        context = chromium.new_context(
            viewport={"width": width, "height": 900}, locale=f"{language}-FI", bypass_csp=True,
            reduced_motion="reduce", **options,
        )  # fmt: skip
        context.add_cookies([self.cookie(who), {"name": "django_language", "value": language, "url": self.base}])
        context.set_default_timeout(10000)
        return context


def visit(page: Any, base: str, key_page: KeyPage, language: str) -> None:
    """Opens a key page and checks it is the page asked for, in the language asked for."""
    response = page.goto(f"{base}{key_page.path}")
    assert response is not None and response.status == key_page.status, f"{key_page.name}: {page.url}"
    assert page.url == f"{base}{key_page.path}", f"{key_page.name}: went to {page.url}"
    assert page.locator("html").get_attribute("lang") == language, key_page.name


def tour(
    chromium: Any, base: str, languages: tuple[str, ...], widths: tuple[int, ...], **options: Any
) -> Iterator[tuple[Any, KeyPage, str, int]]:
    """Every key page in every language and width, opened and checked: (page, key page, language, width).
    Call it with the clock frozen at NOW; one browser context per person, language and width."""
    sessions = Sessions(base)
    for phase in key_page_phases():
        people = list(dict.fromkeys(p.who for p in phase))
        for language in languages:
            for width in widths:
                for who in people:
                    context = sessions.context(chromium, who, language, width, **options)
                    page = context.new_page()
                    for key_page in (p for p in phase if p.who == who):
                        visit(page, base, key_page, language)
                        yield page, key_page, language, width
                    context.close()
