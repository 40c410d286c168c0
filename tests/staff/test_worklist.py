"""The follow-up work list: what it shows and to whom, its filters and counts, and taking, giving and closing."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.template.loader import render_to_string
from django.test import Client
from django.urls import reverse
from django.utils import translation

from asti.audit.models import AuditEvent
from asti.core import clock
from asti.identity.models import Role
from asti.messaging.models import FollowUp, FollowUpReason, InboundMessage
from asti.messaging.services import follow_up_add, follow_up_assign, follow_up_resolve
from asti.offers.models import Offer, OfferRound
from asti.offers.sending import round_send
from asti.people.models import Guardian
from asti.staff.worklist import worklist_counts
from tests.staff.conftest import client_for, staff_user

pytestmark = pytest.mark.django_db


def _follow_up(child_id: str, guardian_id: str, reason: str, *, days_old: int, detail: str = "") -> FollowUp:
    offer = Offer.objects.get(child__child_id=child_id)
    follow_up = follow_up_add(
        reason=reason, guardian_id=Guardian.objects.get(guardian_id=guardian_id).pk, subject_type="offer",
        subject_id=str(offer.pk), detail=detail,
    )  # fmt: skip
    FollowUp.objects.filter(pk=follow_up.pk).update(created_at=clock.now() - dt.timedelta(days=days_old, hours=1))
    follow_up.refresh_from_db()
    return follow_up


@pytest.fixture
def follow_ups(allocated_round: OfferRound) -> dict[str, FollowUp]:
    round_send(round_id=allocated_round.pk, actor="test")
    return {
        "unclear": _follow_up("C1", "G1", FollowUpReason.UNCLEAR_REPLY, days_old=2, detail="kyllä ja ei"),
        "unreachable": _follow_up("C5", "G5", FollowUpReason.UNREACHABLE, days_old=5),
        "disagree": _follow_up("C3", "G4", FollowUpReason.GUARDIANS_DISAGREE, days_old=0),
    }


@pytest.fixture
def colleague(city: None) -> User:
    user = staff_user("outi.colleague", Role.PLANNER)
    user.first_name, user.last_name = "Outi", "Ohjaaja"
    user.save()
    return user


def test_the_list_shows_what_waits_oldest_first_with_child_guardian_age_and_counts(
    planner: User, follow_ups: dict[str, FollowUp], django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        response = client_for(planner).get(reverse("staff:worklist"))
    assert response.status_code == 200
    rows = response.context["rows"]
    assert [r.follow_up.pk for r in rows] == [follow_ups[k].pk for k in ("unreachable", "unclear", "disagree")]
    assert [r.child.child_id for r in rows] == ["C5", "C1", "C3"]
    assert [r.age for r in rows] == ["5\xa0days", "2\xa0days", "1\xa0hour"]
    page = response.content.decode()
    assert "a reply that is not a clear answer".capitalize() in page and "kyllä ja ei" in page
    assert "Maria Virtanen" in page and reverse("staff:family", args=["C1"]) in page
    counts = response.context["counts"]
    assert (counts.open, counts.unassigned, counts.mine) == (3, 3, 0)
    assert dict((reason, n) for reason, _, n in counts.by_reason)[FollowUpReason.UNREACHABLE] == 1
    seen = set(AuditEvent.objects.filter(operation="SEARCH", actor="pia.planner").values_list("target_id", flat=True))
    assert seen == {"C1", "C3", "C5", "G1", "G4", "G5"}


def test_the_age_is_in_the_language_of_the_page(planner: User, follow_ups: dict[str, FollowUp]) -> None:
    page = client_for(planner).get(reverse("staff:worklist"), HTTP_ACCEPT_LANGUAGE="fi").content.decode()
    assert "5\xa0päivää" in page


def test_filters_by_reason_owner_and_state(planner: User, colleague: User, follow_ups: dict[str, FollowUp]) -> None:
    follow_up_assign(follow_up=follow_ups["unclear"], owner=planner, actor="test")
    follow_up_assign(follow_up=follow_ups["disagree"], owner=colleague, actor="test")
    follow_up_resolve(follow_up=follow_ups["unreachable"], actor="test", note="called")
    client = client_for(planner)
    url = reverse("staff:worklist")

    def shown(**query: str) -> list[int]:
        return [r.follow_up.pk for r in client.get(url, query).context["rows"]]

    assert shown() == [follow_ups["unclear"].pk, follow_ups["disagree"].pk]
    assert shown(reason=FollowUpReason.GUARDIANS_DISAGREE) == [follow_ups["disagree"].pk]
    assert shown(owner="mine") == [follow_ups["unclear"].pk]
    assert shown(owner="unassigned") == []
    assert shown(state="done") == [follow_ups["unreachable"].pk]
    assert "called" in client.get(url, {"state": "done"}).content.decode()


def test_taking_one_makes_it_mine_and_a_second_taker_is_told(
    planner: User, colleague: User, follow_ups: dict[str, FollowUp], django_capture_on_commit_callbacks: Any
) -> None:
    follow_up = follow_ups["unclear"]
    with django_capture_on_commit_callbacks(execute=True):
        response = client_for(planner).post(
            reverse("staff:worklist_take", args=[follow_up.pk]), {"back": "reason=unclear_reply&x=<y>"}
        )
    assert response.status_code == 302
    assert (
        response["Location"] == reverse("staff:worklist") + f"?reason=unclear_reply&x=%3Cy%3E#follow-up-{follow_up.pk}"
    )
    follow_up.refresh_from_db()
    assert follow_up.owner == planner
    event = AuditEvent.objects.get(operation="FOLLOW_UP_ASSIGN")
    assert (event.actor, event.target_id, event.details["to"]) == ("pia.planner", str(follow_up.pk), "pia.planner")

    other = client_for(colleague)
    response = other.post(reverse("staff:worklist_take", args=[follow_up.pk]), follow=True)
    assert "Someone else took it already" in response.content.decode()
    follow_up.refresh_from_db()
    assert follow_up.owner == planner
    assert client_for(planner).get(reverse("staff:worklist"), {"owner": "mine"}).context["counts"].mine == 1


def test_giving_one_to_a_colleague_and_only_to_service_guidance(
    planner: User, colleague: User, director: User, follow_ups: dict[str, FollowUp]
) -> None:
    follow_up = follow_ups["unreachable"]
    client = client_for(planner)
    page = client.get(reverse("staff:worklist")).content.decode()
    assert "Outi Ohjaaja" in page and "ulla.director" not in page
    client.post(reverse("staff:worklist_assign", args=[follow_up.pk]), {"owner": colleague.pk})
    follow_up.refresh_from_db()
    assert follow_up.owner == colleague
    response = client.post(reverse("staff:worklist_assign", args=[follow_up.pk]), {"owner": director.pk}, follow=True)
    assert "Choose someone from service guidance" in response.content.decode()
    follow_up.refresh_from_db()
    assert follow_up.owner == colleague
    client.post(reverse("staff:worklist_assign", args=[follow_up.pk]), {"owner": ""})
    follow_up.refresh_from_db()
    assert follow_up.owner is None


def test_done_needs_a_note_and_only_the_first_one_counts(
    planner: User, colleague: User, follow_ups: dict[str, FollowUp], django_capture_on_commit_callbacks: Any
) -> None:
    follow_up = follow_ups["unclear"]
    url = reverse("staff:worklist_done", args=[follow_up.pk])
    response = client_for(planner).post(url, {"note": "  "}, follow=True)
    assert "Write a short note" in response.content.decode()
    follow_up.refresh_from_db()
    assert follow_up.resolved_at is None

    with django_capture_on_commit_callbacks(execute=True):
        client_for(planner).post(url, {"note": "Soitin äidille, vastaus kirjattu."})
    follow_up.refresh_from_db()
    assert follow_up.resolved_at is not None and follow_up.resolved_by == "pia.planner"
    assert follow_up.resolution_note == "Soitin äidille, vastaus kirjattu."
    assert AuditEvent.objects.filter(operation="RESOLVE", target_id=str(follow_up.pk)).count() == 1

    response = client_for(colleague).post(url, {"note": "me too"}, follow=True)
    assert "pia.planner already marked it done" in response.content.decode()
    follow_up.refresh_from_db()
    assert follow_up.resolved_by == "pia.planner" and follow_up.resolution_note == "Soitin äidille, vastaus kirjattu."
    taken = client_for(colleague).post(reverse("staff:worklist_take", args=[follow_up.pk]), follow=True)
    assert "already marked done" in taken.content.decode()
    assert FollowUp.objects.get(pk=follow_up.pk).owner is None
    assert follow_up.pk not in [
        r.follow_up.pk for r in client_for(planner).get(reverse("staff:worklist")).context["rows"]
    ]


def test_the_services_change_an_open_follow_up_once(
    planner: User, colleague: User, follow_ups: dict[str, FollowUp]
) -> None:
    follow_up = follow_ups["disagree"]
    assert follow_up_assign(follow_up=follow_up, owner=planner, actor="a", only_if_unassigned=True)
    assert follow_up_assign(follow_up=follow_up, owner=planner, actor="a", only_if_unassigned=True)  # already mine
    assert not follow_up_assign(follow_up=follow_up, owner=colleague, actor="b", only_if_unassigned=True)
    assert follow_up_resolve(follow_up=follow_up, actor="a", note="ok")
    assert not follow_up_resolve(follow_up=follow_up, actor="b", note="again")
    assert not follow_up_assign(follow_up=follow_up, owner=colleague, actor="b")
    follow_up.refresh_from_db()
    assert (follow_up.owner, follow_up.resolved_by, follow_up.resolution_note) == (planner, "a", "ok")


@pytest.mark.parametrize("who", ["director", "nobody"])
def test_only_service_guidance_has_a_work_list(
    who: str, director: User, nobody: User, follow_ups: dict[str, FollowUp]
) -> None:
    user = {"director": director, "nobody": nobody}[who]
    client = client_for(user)
    follow_up = follow_ups["unclear"]
    assert client.get(reverse("staff:worklist")).status_code == 403
    for name in ("worklist_take", "worklist_assign", "worklist_done"):
        assert client.post(reverse(f"staff:{name}", args=[follow_up.pk]), {"note": "x"}).status_code == 403
    assert worklist_counts(user) is None
    follow_up.refresh_from_db()
    assert follow_up.owner is None and follow_up.resolved_at is None


def test_an_unknown_follow_up_is_404(planner: User, follow_ups: dict[str, FollowUp]) -> None:
    assert client_for(planner).post(reverse("staff:worklist_take", args=[999999])).status_code == 404
    assert Client().get(reverse("staff:worklist")).status_code == 302  # to the login


def test_a_reply_that_became_a_thread_links_to_it(planner: User, follow_ups: dict[str, FollowUp]) -> None:
    offer = Offer.objects.get(child__child_id="C2")
    guardian = Guardian.objects.get(guardian_id="G3")
    inbound = InboundMessage.objects.create(
        gateway="simulated", gateway_id="h:1", sender="+358401111111", text="mitä tämä tarkoittaa?",
        received_at=clock.now(), guardian=guardian,
    )  # fmt: skip
    follow_up = follow_up_add(
        reason=FollowUpReason.REPLY_NEEDS_STAFF, guardian_id=guardian.pk, subject_type="offer",
        subject_id=str(offer.pk), inbound=inbound,
    )  # fmt: skip
    thread = follow_up.thread  # the conversations app opened one for it
    page = client_for(planner).get(reverse("staff:worklist")).content.decode()
    assert "mitä tämä tarkoittaa?" in page
    assert f'href="{reverse("staff:thread", args=[thread.pk])}"' in page


def test_the_home_page_counts(planner: User, follow_ups: dict[str, FollowUp]) -> None:
    follow_up_assign(follow_up=follow_ups["unclear"], owner=planner, actor="test")
    counts = worklist_counts(planner)
    assert counts is not None and (counts.open, counts.unassigned, counts.mine) == (3, 2, 1)
    with translation.override("en"):
        html = render_to_string("staff/_home_worklist.html", {"worklist_counts": counts})
    assert "3 open follow-ups" in html and "2 with nobody yet" in html and "1 yours" in html
    assert f"{reverse('staff:worklist')}?reason=unreachable" in html
    assert render_to_string("staff/_home_worklist.html", {"worklist_counts": None}).strip() == ""


@pytest.mark.parametrize(
    ("language", "label"),
    [
        ("fi", "Operaattorilta ei toimitusraporttia"),
        ("sv", "Ingen leveransrapport från operatören"),
        ("en", "No delivery report from the operator"),
    ],
)
def test_an_sms_without_a_delivery_report_is_named_in_every_language(
    planner: User, follow_ups: dict[str, FollowUp], language: str, label: str
) -> None:
    _follow_up("C1", "G1", FollowUpReason.NO_DELIVERY_REPORT, days_old=1, detail="sms to +358401234567")
    response = client_for(planner).get(
        reverse("staff:worklist"), {"reason": FollowUpReason.NO_DELIVERY_REPORT}, HTTP_ACCEPT_LANGUAGE=language
    )
    assert len(response.context["rows"]) == 1
    assert label in response.content.decode()
