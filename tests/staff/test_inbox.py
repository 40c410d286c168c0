"""The team inbox on the staff pages: who sees which threads, filters and counts, answers and internal notes,
assignment and closing, ready answers in the family's language, attachments, a new thread to a family, keeping the
ready answers, the audit trail, and a list that costs the same number of queries however many threads it shows."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from asti.audit.models import AuditEvent
from asti.conversations.models import AnswerTemplate, AuthorKind, Origin, Thread, ThreadMessage, Topic
from asti.conversations.services import NEW_MESSAGE_TEMPLATE, staff_reply, thread_start_by_guardian
from asti.core import clock
from asti.identity.models import Role
from asti.messaging.models import Channel, FollowUpReason, InboundMessage, Message
from asti.messaging.services import follow_up_add
from asti.people.models import Guardian
from tests.citizen.application_family import NOW, PNG, Family
from tests.staff.conftest import staff_user

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _media(settings: Any, tmp_path: Path) -> None:
    settings.MEDIA_ROOT = str(tmp_path / "media")


@pytest.fixture
def audited(django_capture_on_commit_callbacks: Any) -> Any:
    """Runs the audit trail's after-commit moves (the test's transaction never commits)."""
    return lambda: django_capture_on_commit_callbacks(execute=True)


@pytest.fixture
def family() -> Iterator[Family]:
    """(The clock stays at NOW through the test.)"""
    with clock.frozen_at(NOW):
        yield Family()


@pytest.fixture
def planner(family: Family) -> User:
    user = staff_user("pia.planner", Role.PLANNER)
    user.first_name, user.last_name = "Pia", "Planner"
    user.save()
    return user


@pytest.fixture
def colleague(family: Family) -> User:
    user = staff_user("olli.ohjaaja", Role.PLANNER)
    user.first_name, user.last_name = "Olli", "Ohjaaja"
    user.save()
    return user


@pytest.fixture
def director(family: Family) -> User:
    return staff_user("ulla.director", Role.UNIT_DIRECTOR, ("PK-KALLIO",))


def client_for(user: User) -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(user)
    return client


def write(family: Family, guardian: Guardian | None = None, **changes: Any) -> Thread:
    values: dict[str, Any] = {
        "guardian": guardian or family.maria, "child": family.leo, "title": "Leo's allergy",
        "body": "Leo cannot eat nuts.", "topic": Topic.PLACEMENT,
    }  # fmt: skip
    values.update(changes)
    return thread_start_by_guardian(**values)


def shown(response: Any) -> list[int]:
    return [t.pk for t, _origin, _team in response.context["threads"]]


def inbox_url(**query: str) -> str:
    return reverse("staff:inbox") + ("?" + "&".join(f"{k}={v}" for k, v in query.items()) if query else "")


# ---- who sees what ---------------------------------------------------------------------------------------------


def test_service_guidance_reads_its_own_threads_and_a_director_only_their_units(
    family: Family, planner: User, director: User
) -> None:
    guidance = write(family, title="To service guidance")
    kallio = write(family, title="To Kallio", unit=family.kallio)
    vallila = Thread.objects.create(
        title="To Vallila", child=family.leo, guardian=family.maria, unit=family.vallila, origin=Origin.PORTAL,
        created_at=NOW, last_message_at=NOW,
    )  # fmt: skip

    as_planner = client_for(planner)
    response = as_planner.get(inbox_url())
    assert response.status_code == 200
    assert shown(response) == [guidance.pk]
    assert "To service guidance" in response.text and "Leo Virtanen" in response.text
    assert as_planner.get(reverse("staff:thread", args=[kallio.pk])).status_code == 200  # sees every thread

    as_director = client_for(director)
    response = as_director.get(inbox_url())
    assert shown(response) == [kallio.pk]
    assert "Päiväkoti Kallio" in response.text
    assert as_director.get(reverse("staff:thread", args=[kallio.pk])).status_code == 200
    for other in (guidance, vallila):
        assert as_director.get(reverse("staff:thread", args=[other.pk])).status_code == 404
        assert as_director.post(reverse("staff:thread_reply", args=[other.pk]), {"body": "x"}).status_code == 404
    assert as_director.get(inbox_url(team="service_guidance")).status_code == 200
    assert shown(as_director.get(inbox_url(team="service_guidance"))) == [kallio.pk]  # not theirs: ignored


def test_the_inbox_needs_a_team(family: Family) -> None:
    nobody = staff_user("dora.decider", Role.DECISION_MAKER)
    assert client_for(nobody).get(inbox_url()).status_code == 403
    response = Client().get(inbox_url())
    assert response.status_code == 302 and "/login/staff/" in response["Location"]


# ---- filters and counts ------------------------------------------------------------------------------------------


def test_filters_and_counts(family: Family, planner: User, colleague: User) -> None:
    unread = write(family, title="Unread one")
    mine = write(family, title="Mine", topic=Topic.OFFER)
    staff_reply(user=planner, thread=mine, body="We are on it.")  # read, and mine
    theirs = write(family, title="Theirs")
    staff_reply(user=colleague, thread=theirs, body="Hello")
    closed = write(family, title="Closed")
    client = client_for(planner)
    client.post(reverse("staff:thread_close", args=[closed.pk]))

    response = client.get(inbox_url())
    counts = response.context["counts"]
    assert (counts.open, counts.unread, counts.unassigned, counts.mine) == (3, 1, 1, 1)
    assert response.context["page"].paginator.count == 3
    assert set(shown(response)) == {unread.pk, mine.pk, theirs.pk}
    assert shown(client.get(inbox_url(unread="on"))) == [unread.pk]
    assert shown(client.get(inbox_url(unassigned="on"))) == [unread.pk]
    assert shown(client.get(inbox_url(mine="on"))) == [mine.pk]
    assert shown(client.get(inbox_url(topic="offer"))) == [mine.pk]
    assert shown(client.get(inbox_url(state="closed"))) == [closed.pk]
    assert len(shown(client.get(inbox_url(state="all")))) == 4
    both = client.get(inbox_url(unread="on", mine="on"))
    assert shown(both) == [] and both.context["page"].paginator.count == 0
    assert 'id="count-unread"><a href="?team=service_guidance&amp;unread=on">1</a>' in response.text
    assert '<span class="staff-tag">unread</span>' in response.text  # a word, not only a colour


def test_the_list_is_audited_with_the_children_it_shows(family: Family, planner: User, audited: Any) -> None:
    write(family)
    write(family, child=family.ella, guardian=family.karin, title="Ella")
    write(family, child=None, title="About nothing in particular")
    with audited():
        client_for(planner).get(inbox_url())
    events = AuditEvent.objects.filter(actor="pia.planner", operation="SEARCH")
    assert sorted(events.filter(target_type="child").values_list("target_id", flat=True)) == ["C2", "C3"]
    assert list(events.filter(target_type="guardian").values_list("target_id", flat=True)) == ["G1"]


def test_the_list_costs_the_same_queries_for_one_thread_and_thirty(
    family: Family, planner: User, monkeypatch: pytest.MonkeyPatch
) -> None:
    client = client_for(planner)
    client.get(inbox_url())  # the session's first use extends it; not again within the hour below
    monkeypatch.setattr("asti.core.middleware.REFRESH_SECONDS", 3600)

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            response = client.get(inbox_url())
        assert response.status_code == 200
        return len(captured)

    write(family)
    one = queries()
    for n in range(29):
        thread = write(family, child=[family.leo, family.ella, family.baby][n % 3], title=f"Question {n}")
        if n % 4 == 0:
            staff_reply(user=planner, thread=thread, body="Answered")
    assert len(shown(client.get(inbox_url()))) == 30
    assert queries() == one


# ---- one thread ---------------------------------------------------------------------------------------------------


def test_the_thread_shows_the_family_and_is_audited_with_its_guardians(
    family: Family, planner: User, audited: Any
) -> None:
    family.maria.non_disclosure = True
    family.maria.save()
    thread = write(family)
    with audited():
        response = client_for(planner).get(reverse("staff:thread", args=[thread.pk]))
    assert response.status_code == 200
    text = response.text
    assert "Leo Virtanen" in text and "Maria Virtanen" in text and "Karin Virtanen" in text
    assert family.maria.phone in text and "karin@example.org" in text
    assert "Kolmas linja" not in text  # never an address
    assert reverse("staff:family", args=["C2"]) in text
    event = AuditEvent.objects.get(actor="pia.planner", operation="VIEW")
    assert (event.target_type, event.target_id) == ("child", "C2")
    assert event.details["guardians"] == ["G1", "G2"] and event.details["thread"] == thread.pk
    thread.refresh_from_db()
    assert not thread.staff_unread


def test_a_director_sees_no_family_link(family: Family, director: User) -> None:
    thread = write(family, unit=family.kallio)
    response = client_for(director).get(reverse("staff:thread", args=[thread.pk]))
    assert response.status_code == 200 and "Maria Virtanen" in response.text
    assert reverse("staff:family", args=["C2"]) not in response.text


def test_an_answer_tells_the_family_and_an_internal_note_does_not(family: Family, planner: User) -> None:
    thread = write(family)
    client = client_for(planner)
    url = reverse("staff:thread_reply", args=[thread.pk])

    response = client.post(url, {"body": "Only for us: call the unit first.", "internal": "1"})
    note = ThreadMessage.objects.get(thread=thread, author_kind=AuthorKind.STAFF)
    assert response.status_code == 302 and response["Location"].endswith(f"#message-{note.pk}")
    assert note.internal and not Message.objects.filter(template_key=NEW_MESSAGE_TEMPLATE).exists()

    response = client.post(
        url, {"body": "Thank you, we have noted it.", "send": "1", "files": SimpleUploadedFile("a.png", PNG)}
    )
    assert response.status_code == 302
    answer = ThreadMessage.objects.filter(thread=thread, internal=False, author_kind=AuthorKind.STAFF).get()
    assert answer.body == "Thank you, we have noted it." and answer.attachments.count() == 1
    told = Message.objects.filter(template_key=NEW_MESSAGE_TEMPLATE)
    assert list(told.values_list("guardian__guardian_id", flat=True)) == ["G1"]  # the guardian who wrote

    page = client.get(reverse("staff:thread", args=[thread.pk])).text
    assert "Internal note — not shown to the family" in page
    assert page.count("Internal note — not shown to the family") == 1
    assert "staff-msg-note" in page and "Thank you, we have noted it." in page


def test_a_refused_answer_keeps_the_text(family: Family, planner: User) -> None:
    thread = write(family)
    client = client_for(planner)
    url = reverse("staff:thread_reply", args=[thread.pk])
    response = client.post(url, {"body": "See the file", "files": SimpleUploadedFile("a.txt", b"plain text")})
    assert response.status_code == 400
    assert "Only PDF, JPEG and PNG files are accepted" in response.text and "See the file" in response.text
    response = client.post(url, {"body": "   "})
    assert response.status_code == 400 and "staff-error" in response.text
    assert not ThreadMessage.objects.filter(author_kind=AuthorKind.STAFF).exists()


def test_assign_close_and_reopen(family: Family, planner: User, colleague: User, director: User, audited: Any) -> None:
    thread = write(family)
    client = client_for(planner)
    assign = reverse("staff:thread_assign", args=[thread.pk])

    with audited():
        client.post(assign, {"assignee": str(planner.pk)})
    thread.refresh_from_db()
    assert thread.assigned_to == planner
    client.post(assign, {"assignee": str(colleague.pk)})
    thread.refresh_from_db()
    assert thread.assigned_to == colleague
    response = client.post(assign, {"assignee": str(director.pk)}, follow=True)  # not of the team
    assert "Choose someone from the team." in response.text
    thread.refresh_from_db()
    assert thread.assigned_to == colleague
    client.post(assign, {"assignee": ""})
    thread.refresh_from_db()
    assert thread.assigned_to is None

    with audited():
        response = client.post(reverse("staff:thread_close", args=[thread.pk]), follow=True)
    thread.refresh_from_db()
    assert thread.closed_at is not None and 'id="reopen-thread"' in response.text
    assert 'id="reply-form"' not in response.text
    assert shown(client.get(inbox_url())) == []
    with audited():
        client.post(reverse("staff:thread_reopen", args=[thread.pk]))
    thread.refresh_from_db()
    assert thread.closed_at is None
    operations = AuditEvent.objects.filter(actor="pia.planner").values_list("operation", flat=True)
    assert {"THREAD_ASSIGN", "THREAD_CLOSE", "THREAD_REOPEN"} <= set(operations)
    assert client.get(assign).status_code == 405


def test_a_ready_answer_fills_the_box_in_the_guardians_language(family: Family, planner: User) -> None:
    ours = AnswerTemplate.objects.create(
        title="Received", body_fi="Kiitos viestistä.", body_sv="Tack för meddelandet.", body_en="Thank you.",
        updated_at=NOW,
    )  # fmt: skip
    theirs = AnswerTemplate.objects.create(
        unit=family.kallio, title="Unit's", body_fi="Yksikön vastaus", body_sv="Enhetens svar", body_en="The unit's",
        updated_at=NOW,
    )  # fmt: skip
    thread = write(family, guardian=family.karin)  # Karin reads Swedish
    client = client_for(planner)
    url = reverse("staff:thread", args=[thread.pk])
    page = client.get(url).text
    assert "Received" in page and "Unit's" not in page
    filled = client.get(f"{url}?template={ours.pk}").text
    assert 'lang="sv"' in filled and ">\nTack för meddelandet.</textarea>" in filled
    not_ours = client.get(f"{url}?template={theirs.pk}").text
    assert "Enhetens svar" not in not_ours and "Tack för meddelandet.</textarea>" not in not_ours
    finnish = write(family, guardian=family.maria)
    in_finnish = client.get(reverse("staff:thread", args=[finnish.pk]) + f"?template={ours.pk}").text
    assert ">\nKiitos viestistä.</textarea>" in in_finnish


def test_a_thread_begun_by_a_reply_shows_its_follow_up(family: Family, planner: User) -> None:
    inbound = InboundMessage.objects.create(
        gateway="simulated", channel=Channel.SMS, gateway_id="r-1", sender=family.maria.phone,
        text="Can we talk first?", received_at=NOW, guardian=family.maria,
    )  # fmt: skip
    follow_up = follow_up_add(reason=FollowUpReason.UNCLEAR_REPLY, guardian_id=family.maria.pk, inbound=inbound)
    thread = Thread.objects.get(follow_up=follow_up)
    client = client_for(planner)
    listed = client.get(inbox_url()).text
    assert "SMS reply" in listed
    page = client.get(reverse("staff:thread", args=[thread.pk])).text
    assert "A reply that is not a clear answer" in page and "Can we talk first?" in page
    assert f"{reverse('staff:worklist')}#follow-up-{follow_up.pk}" in page


def test_attachments_download_with_the_applications_headers(
    family: Family, planner: User, director: User, audited: Any
) -> None:
    thread = write(family, files=[SimpleUploadedFile("scan.png", PNG, content_type="image/png")])
    attachment = ThreadMessage.objects.get(thread=thread).attachments.get()
    url = reverse("staff:thread_attachment", args=[thread.pk, attachment.pk])
    with audited():
        response = client_for(planner).get(url)
    assert response.status_code == 200 and b"".join(response.streaming_content) == PNG  # type: ignore[attr-defined]
    assert response["Content-Disposition"].startswith("attachment;") and "scan.png" in response["Content-Disposition"]
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Security-Policy"] == "default-src 'none'; sandbox"
    assert AuditEvent.objects.filter(operation="THREAD_ATTACHMENT_READ", actor="pia.planner").count() == 1
    other = write(family, title="Another")
    elsewhere = reverse("staff:thread_attachment", args=[other.pk, attachment.pk])
    assert client_for(planner).get(elsewhere).status_code == 404
    assert client_for(director).get(url).status_code == 404


# ---- a new thread to a family -----------------------------------------------------------------------------------


def test_service_guidance_writes_to_one_guardian_or_every_custodian(
    family: Family, planner: User, director: User
) -> None:
    client = client_for(planner)
    url = reverse("staff:thread_new", args=["C2"])
    page = client.get(url)
    assert page.status_code == 200 and "Karin Virtanen" in page.text and "Kolmas linja" not in page.text

    response = client.post(url, {"to": "all", "topic": "offer", "title": "The place", "body": "Please call us."})
    thread = Thread.objects.get(title="The place")
    assert response.status_code == 302 and response["Location"] == reverse("staff:thread", args=[thread.pk])
    assert (thread.origin, thread.guardian, thread.unit, thread.topic, thread.assigned_to) == (
        Origin.STAFF, None, None, "offer", planner
    )  # fmt: skip
    told = Message.objects.filter(template_key=NEW_MESSAGE_TEMPLATE)
    assert sorted(told.values_list("guardian__guardian_id", flat=True)) == ["G1", "G2"]

    client.post(url, {"to": "G2", "topic": "general", "title": "To Karin", "body": "Hej!"})
    assert Thread.objects.get(title="To Karin").guardian == family.karin
    refused = client.post(url, {"to": "G3", "topic": "general", "title": "To the neighbour", "body": "Hello"})
    assert refused.status_code == 400 and not Thread.objects.filter(title="To the neighbour").exists()
    assert client.post(url, {"to": "all", "topic": "general", "title": "", "body": "x"}).status_code == 400
    assert client.get(reverse("staff:thread_new", args=["NOPE"])).status_code == 404
    assert client_for(director).get(url).status_code == 403


# ---- ready answers -------------------------------------------------------------------------------------------------


def answer(**changes: str) -> dict[str, str]:
    return {"title": "Received", "body_fi": "Kiitos.", "body_sv": "Tack.", "body_en": "Thanks.", "active": "on"} | (
        changes
    )


def test_service_guidance_and_a_director_keep_their_own_ready_answers(
    family: Family, planner: User, director: User, audited: Any
) -> None:
    as_planner = client_for(planner)
    new = reverse("staff:answer_template_new")
    with audited():
        response = as_planner.post(new + "?team=service_guidance", answer())
    template = AnswerTemplate.objects.get()
    assert response.status_code == 302 and template.unit is None and template.updated_by == "pia.planner"
    assert as_planner.get(reverse("staff:answer_templates")).text.count("Received") >= 1
    edit = reverse("staff:answer_template", args=[template.pk])
    with audited():
        assert as_planner.post(edit, answer(title="Received, changed", active="")).status_code == 302
    template.refresh_from_db()
    assert (template.title, template.active) == ("Received, changed", False)
    saves = AuditEvent.objects.filter(operation="ANSWER_TEMPLATE_SAVE", target_id=str(template.pk))
    assert [e.details["created"] for e in saves.order_by("at", "id")] == [True, False]
    assert as_planner.post(new + "?team=service_guidance", answer(body_sv="")).status_code == 400
    assert as_planner.get(new + "?team=PK-KALLIO").status_code == 404

    as_director = client_for(director)
    assert as_director.get(edit).status_code == 404
    assert as_director.post(new + "?team=service_guidance", answer()).status_code == 404
    assert as_director.post(new + "?team=PK-KALLIO", answer(title="Unit answer")).status_code == 302
    assert AnswerTemplate.objects.get(title="Unit answer").unit == family.kallio
    listing = as_director.get(reverse("staff:answer_templates")).text
    assert "Unit answer" in listing and "Received, changed" not in listing


def test_home_partial_shows_the_counts(family: Family, planner: User) -> None:
    from django.template.loader import render_to_string
    from django.test import RequestFactory

    from asti.conversations.selectors import inbox_counts

    write(family)
    write(family, title="Second")
    request = RequestFactory().get("/staff/")
    request.user = planner
    html = render_to_string("staff/_home_inbox.html", {"inbox_counts": inbox_counts(user=planner)}, request=request)
    assert "2 open threads" in html and "2 unread" in html and "2 with nobody yet" in html and "yours" not in html


def test_service_guidance_inbox_leaves_out_the_units_threads_unless_it_directs_them(family: Family) -> None:
    both = staff_user("bea.both", Role.PLANNER, ("PK-KALLIO",))
    both.groups.add(*staff_user("tmp", Role.UNIT_DIRECTOR).groups.all())
    guidance = write(family)
    kallio = write(family, title="To Kallio", unit=family.kallio)
    Thread.objects.create(
        title="To Vallila", child=family.leo, guardian=family.maria, unit=family.vallila, origin=Origin.PORTAL,
        created_at=NOW, last_message_at=NOW - dt.timedelta(days=1),
    )  # fmt: skip
    client = client_for(both)
    response = client.get(inbox_url())
    assert set(shown(response)) == {guidance.pk, kallio.pk}
    assert [v for v, _ in response.context["teams"]] == ["", "service_guidance", "PK-KALLIO"]
    assert shown(client.get(inbox_url(team="PK-KALLIO"))) == [kallio.pk]
    assert shown(client.get(inbox_url(team="service_guidance"))) == [guidance.pk]
