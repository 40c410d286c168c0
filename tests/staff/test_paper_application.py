"""Staff enter an application that came on paper: the traditional channel beside the online one."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.urls import reverse

from asti.applications.models import Application, ApplicationChannel, EventKind
from asti.applications.selectors import applications_visible_for
from asti.audit.models import AuditEvent
from asti.core import clock
from asti.offers.models import Offer, OfferRound
from asti.offers.sending import round_send
from asti.people.models import Guardian
from tests.staff.conftest import client_for

pytestmark = pytest.mark.django_db


def paper(guardian: str = "G1", received: dt.date | None = None, **wishes: str) -> dict[str, Any]:
    day = received or clock.today_helsinki()
    data: dict[str, Any] = {
        "guardian": Guardian.objects.get(guardian_id=guardian).pk,
        "received_on": day.strftime("%d.%m.%Y"),
        "wish_1": "PK-TOOLO",
        "wish_2": "PK-SORNAINEN",
        "wish_3": "",
    }
    data.update(wishes)
    return data


def decline_by_phone(client: Any, child_id: str) -> Offer:
    offer = Offer.objects.get(child__child_id=child_id)
    response = client.post(
        reverse("staff:family_answer", args=[child_id]), {"offer": offer.pk, "answer": "decline", "channel": "paper"}
    )
    assert response.status_code == 302
    return offer


def test_planner_enters_a_paper_application_after_a_decline_audited_and_the_guardian_sees_it(
    planner: User, allocated_round: OfferRound, django_capture_on_commit_callbacks: Any
) -> None:
    round_send(round_id=allocated_round.pk, actor="test")
    client = client_for(planner)
    page = client.get(reverse("staff:family", args=["C1"])).content.decode()
    assert "record the guardian&#x27;s answer to it first" in page  # offer open: no form yet
    assert client.post(reverse("staff:family_application", args=["C1"]), paper()).status_code == 400
    assert not Application.objects.exists()

    offer = decline_by_phone(client, "C1")
    received = clock.today_helsinki() - dt.timedelta(days=3)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("staff:family_application", args=["C1"]),
            paper("G2", received, supplementary_ecec="on", wish_3="PK-KALLIO"),
        )
    assert response.status_code == 302, response.context["paper_form"].errors
    application = Application.objects.get()
    assert application.channel == ApplicationChannel.PAPER and application.recorded_by == "pia.planner"
    assert application.received_on == received and application.declined_offer == offer
    assert application.guardian.guardian_id == "G2" and application.supplementary_ecec
    assert [w.unit.unit_id for w in application.wishes.order_by("position")] == [
        "PK-TOOLO",
        "PK-SORNAINEN",
        "PK-KALLIO",
    ]
    assert [e.kind for e in application.events.all()] == [EventKind.RECEIVED_ON_PAPER]
    event = AuditEvent.objects.get(operation="APPLICATION_CREATE")
    assert event.actor == "pia.planner" and event.target_id == "C1"
    assert event.details["channel"] == "paper" and event.details["guardian"] == "G2"

    page = client.get(reverse("staff:family", args=["C1"])).content.decode()
    assert "entered by pia.planner" in page and received.strftime("%-d.%-m.%Y") in page
    assert "Paper application received" in page
    assert "The child already has an application being processed." in page  # no second form
    g1 = Guardian.objects.get(guardian_id="G1")
    assert list(applications_visible_for(guardian=g1)) == [application]  # the other guardian sees it too


def test_a_second_paper_application_for_the_same_child_is_refused_and_nothing_is_stored(
    planner: User, city: None
) -> None:
    client = client_for(planner)
    url = reverse("staff:family_application", args=["C2"])
    assert client.post(url, paper("G3")).status_code == 302
    application = Application.objects.get()
    assert application.declined_offer is None  # no round sent: an application of its own
    response = client.post(url, paper("G3", wish_1="PK-KALLIO", wish_2=""))
    assert response.status_code == 400
    assert "already has an application being processed" in response.content.decode()
    assert Application.objects.count() == 1


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"received_on": (clock.today_helsinki() + dt.timedelta(days=1)).strftime("%d.%m.%Y")}, "__all__"),
        ({"received_on": "yesterday"}, "received_on"),
        ({"wish_2": "PK-TOOLO"}, "wish_2"),
        ({"wish_2": "", "wish_3": "PK-KALLIO"}, "wish_3"),
        ({"wish_1": "PK-PIKKU"}, "wish_1"),  # no pre-primary there,
        ({"wish_1": "PRIV-OMENA"}, "wish_1"),  # private: not applied for here
        ({"wish_1": ""}, "wish_1"),
        ({"guardian": "G1"}, "guardian"),  # not a guardian of C2
    ],
)
def test_a_wrong_paper_application_is_shown_again_with_the_reason_and_nothing_is_stored(
    planner: User, city: None, change: dict[str, str], field: str
) -> None:
    data = paper("G3")
    if "guardian" in change:
        change = {"guardian": str(Guardian.objects.get(guardian_id=change["guardian"]).pk)}
    data.update(change)
    response = client_for(planner).post(reverse("staff:family_application", args=["C2"]), data)
    assert response.status_code == 400
    form = response.context["paper_form"]
    assert field in form.errors, form.errors
    assert not Application.objects.exists()
    assert not AuditEvent.objects.filter(operation="APPLICATION_CREATE").exists()


def test_a_unit_director_cannot_enter_an_application(director: User, city: None) -> None:
    response = client_for(director).post(reverse("staff:family_application", args=["C2"]), paper("G3"))
    assert response.status_code == 403
    assert not Application.objects.exists()
