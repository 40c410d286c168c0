"""One page per family: every child of the guardians, both guardians, one timeline, the threads, call notes."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.auth.models import User
from django.urls import reverse

from asti.audit.models import AuditEvent
from asti.conversations.models import CallNote, Origin, Thread
from asti.core import clock
from asti.offers.models import OfferRound
from asti.offers.sending import round_send
from asti.people.models import Child, Guardian
from tests.staff.conftest import client_for

pytestmark = pytest.mark.django_db


@pytest.fixture
def sent_round(allocated_round: OfferRound) -> OfferRound:
    round_send(round_id=allocated_round.pk, actor="test")
    return allocated_round


def test_the_page_shows_the_siblings_and_both_guardians(planner: User, allocated_round: OfferRound) -> None:
    response = client_for(planner).get(reverse("staff:family", args=["C1"]))
    page = response.content.decode()
    assert [c.child_id for c in response.context["family"].children] == ["C1", "C11"]  # the eldest first
    assert reverse("staff:family", args=["C11"]) in page and "19.8.2022" in page
    assert "Maria Virtanen" in page and "+358401234567" in page and "maria.virtanen@example.com" in page
    assert "Juha Virtanen" in page and "+358501234568" in page
    assert "Eino Korhonen" not in page


def test_the_timeline_merges_the_children_each_event_named(planner: User, sent_round: OfferRound) -> None:
    response = client_for(planner).get(reverse("staff:family", args=["C3"]))  # Leo and Lilja Nieminen, twins
    timeline = response.context["timeline"]
    sent = sorted(e["child"] for e in timeline if e["kind"] == "offer_sent")
    assert sent == ["Leo", "Lilja"]
    page = response.content.decode()
    assert "<strong>Lilja:</strong> Offer sent" in page and "<strong>Leo:</strong> Offer sent" in page
    assert [o.child.child_id for o in response.context["family"].offers] == ["C3"]  # the answer form: Leo's own


def test_the_view_is_audited_for_every_child_and_guardian_shown(
    planner: User, allocated_round: OfferRound, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        client_for(planner).get(reverse("staff:family", args=["C11"]))
    seen = {(e.target_type, e.target_id) for e in AuditEvent.objects.filter(operation="VIEW", actor="pia.planner")}
    assert seen == {("child", "C11"), ("child", "C1"), ("guardian", "G1"), ("guardian", "G2")}


def test_the_familys_threads_are_listed(planner: User, allocated_round: OfferRound) -> None:
    now = clock.now()
    sibling = Child.objects.get(child_id="C4")
    guardian = Guardian.objects.get(guardian_id="G4")
    about_sibling = Thread.objects.create(
        title="Lilja's start date", child=sibling, guardian=guardian, origin=Origin.PORTAL, created_at=now,
        last_message_at=now, staff_unread=True,
    )  # fmt: skip
    Thread.objects.create(
        title="About no child", guardian=guardian, origin=Origin.PORTAL, created_at=now, last_message_at=now,
        staff_unread=False,
    )  # fmt: skip
    Thread.objects.create(
        title="Another family", child=Child.objects.get(child_id="C2"), origin=Origin.PORTAL, created_at=now,
        last_message_at=now,
    )  # fmt: skip
    response = client_for(planner).get(reverse("staff:family", args=["C3"]))
    assert [t.title for t in response.context["threads"]] == ["About no child", "Lilja's start date"]
    page = response.content.decode()
    assert f'href="{reverse("staff:thread", args=[about_sibling.pk])}"' in page and "unread" in page
    assert "Another family" not in page


def test_a_call_note_about_one_of_the_twins_is_saved_and_listed_newest_first(
    planner: User, allocated_round: OfferRound, django_capture_on_commit_callbacks: Any
) -> None:
    client = client_for(planner)
    url = reverse("staff:family_note", args=["C3"])
    guardian = Guardian.objects.get(guardian_id="G4")
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            url, {"note-child": "C4", "note-guardian": guardian.pk, "note-channel": "phone", "note-text": "Isä soitti."}
        )
    assert response.status_code == 302 and response["Location"].endswith("#call-notes")
    client.post(
        url, {"note-child": "C3", "note-guardian": "", "note-channel": "visit", "note-text": "Kävi toimistolla."}
    )
    first, second = CallNote.objects.order_by("pk")
    assert (first.child.child_id, first.guardian, first.channel) == ("C4", guardian, "phone")
    assert (second.child.child_id, second.guardian, second.channel) == ("C3", None, "visit")
    assert first.written_by == second.written_by == "pia.planner"
    assert AuditEvent.objects.filter(operation="CALL_NOTE_ADD", target_id="C4").exists()
    page = client.get(reverse("staff:family", args=["C4"])).content.decode()
    assert page.index("Kävi toimistolla.") < page.index("Isä soitti.")
    assert "visit, pia.planner" in page and "phone call, pia.planner" in page


def test_a_call_note_is_refused_when_empty_or_about_someone_else(planner: User, allocated_round: OfferRound) -> None:
    client = client_for(planner)
    url = reverse("staff:family_note", args=["C1"])
    empty = client.post(url, {"note-child": "C1", "note-channel": "phone", "note-text": "   "})
    assert empty.status_code == 400
    stranger = Guardian.objects.get(guardian_id="G3")
    other = client.post(
        url, {"note-child": "C1", "note-guardian": stranger.pk, "note-channel": "phone", "note-text": "x"}
    )
    assert other.status_code == 400
    not_family = client.post(url, {"note-child": "C2", "note-channel": "phone", "note-text": "x"})
    assert not_family.status_code == 400
    assert not CallNote.objects.exists()


def test_an_only_child_needs_no_choice(planner: User, allocated_round: OfferRound) -> None:
    client = client_for(planner)
    assert "child" not in client.get(reverse("staff:family", args=["C2"])).context["note_form"].fields
    client.post(reverse("staff:family_note", args=["C2"]), {"note-channel": "other", "note-text": "Kirje tuli."})
    assert CallNote.objects.get().child.child_id == "C2"


def test_a_director_cannot_write_notes(director: User, allocated_round: OfferRound) -> None:
    response = client_for(director).post(
        reverse("staff:family_note", args=["C1"]), {"note-child": "C1", "note-channel": "phone", "note-text": "x"}
    )
    assert response.status_code == 403 and not CallNote.objects.exists()
