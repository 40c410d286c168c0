"""Messages with the city through the guardian's pages (Django's test client): the list, writing a new message, a
thread with its replies and files, in Finnish, Swedish and English; bad input refused next to its field with
nothing stored; someone else's thread not found; and the list's cost not growing with the threads."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from asti.audit.models import AuditEvent
from asti.conversations.models import Thread, ThreadAttachment, ThreadMessage, ThreadRead, Topic
from asti.conversations.selectors import guardian_unread_count
from asti.conversations.services import guardian_reply, staff_reply, thread_start_by_guardian
from asti.core import clock
from asti.identity.models import Role
from asti.people.models import Guardian
from tests.citizen.application_family import NOW, PNG, Family
from tests.citizen.conftest import citizen_user
from tests.staff.conftest import staff_user

pytestmark = pytest.mark.django_db

LATER = NOW + dt.timedelta(hours=1, minutes=5)  # 14.1.2027 at 11.05 in Helsinki


@pytest.fixture(autouse=True)
def _frozen() -> Iterator[None]:
    with clock.frozen_at(NOW):
        yield


@pytest.fixture(autouse=True)
def _media(settings: Any, tmp_path: Path) -> None:
    settings.MEDIA_ROOT = str(tmp_path / "media")
    settings.ASTI_ATTACHMENTS_PER_MESSAGE = 2


@pytest.fixture
def family() -> Family:
    return Family()


@pytest.fixture
def planner(family: Family) -> User:
    user = staff_user("pia.planner", Role.PLANNER)
    user.first_name = "Pia"
    user.save()
    return user


@pytest.fixture
def director(family: Family) -> User:
    return staff_user("ulla.director", Role.UNIT_DIRECTOR, ("PK-KALLIO",))


def login(guardian: Guardian, language: str) -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE=language)
    client.force_login(citizen_user(guardian))
    client.cookies["django_language"] = language
    return client


def page(response: Any) -> str:
    return response.content.decode()


def errors(html: str) -> list[str]:
    return re.findall(r'<p class="asti-error">([^<]+)</p>', html)


def radios(html: str, name: str) -> list[str]:
    return re.findall(rf'<input type="radio" name="{name}" value="([^"]+)"', html)


def answered_thread(family: Family, planner: User, **changes: Any) -> Thread:
    """Maria asked about Leo with a photo; service guidance answered an hour later."""
    values: dict[str, Any] = {
        "guardian": family.maria, "child": family.leo, "title": "Leo's allergy", "body": "Leo cannot eat nuts.",
        "files": [SimpleUploadedFile("allergy.png", PNG)],
    }  # fmt: skip
    values.update(changes)
    thread = thread_start_by_guardian(**values)
    with clock.frozen_at(LATER):
        staff_reply(user=planner, thread=thread, body="Thank you, we told the unit.")
    return thread


def new_post(f: Family, **changes: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "child": str(f.leo.pk), "recipient": "guidance", "topic": Topic.PLACEMENT, "title": "Leo's allergy",
        "body": "Leo cannot eat nuts.",
    }  # fmt: skip
    data.update(changes)
    return data


# ---- the list -------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("language", "heading", "new", "when", "team", "write"),
    [
        ("fi", "Viestit", "Uusi", "14.1.2027 klo 11.05", "Palveluohjaus", "Kirjoita kaupungille"),
        ("sv", "Meddelanden", "Ny", "2027-01-14 kl. 11:05", "Servicehandledningen", "Skriv till staden"),
        ("en", "Messages", "New", "01/14/2027 at 11:05 a.m.", "Service guidance", "Write to the city"),
    ],
)
def test_the_list_shows_each_thread_with_its_child_team_time_and_unread_mark(
    family: Family, planner: User, language: str, heading: str, new: str, when: str, team: str, write: str
) -> None:
    thread = answered_thread(family, planner)
    html = page(login(family.karin, language).get("/messages/"))
    assert f"<h1>{heading}</h1>" in html
    assert f'href="/messages/{thread.pk}/">Leo&#x27;s allergy</a>' in html
    assert f'<strong class="citizen-new">{new}</strong>' in html  # a word, not only a colour
    assert "Leo" in html and team in html and when in html
    assert f'href="/messages/new/"><span class="hds-button__label">{write}</span>' in html
    assert f"{heading} <strong>(1 " in html  # the header's link with the unread count
    assert "Kolmas linja" not in html and "Mäkelänkatu" not in html  # never an address


def test_the_list_is_newest_first_and_names_the_unit_in_the_page_language(
    family: Family, planner: User, director: User
) -> None:
    older = answered_thread(family, planner)
    Thread.objects.filter(pk=older.pk).update(unit=family.tolo)  # (a unit with a Swedish name)
    with clock.frozen_at(LATER + dt.timedelta(hours=1)):
        newer = thread_start_by_guardian(guardian=family.maria, child=None, title="Moving", body="We move in May")
    html = page(login(family.maria, "sv").get("/messages/"))
    assert html.index(f"/messages/{newer.pk}/") < html.index(f"/messages/{older.pk}/")
    assert "Daghemmet Tölö" in html and "Päiväkoti Tölö" not in html
    assert "Päiväkoti Tölö" in page(login(family.maria, "fi").get("/messages/"))


def test_a_guardian_with_no_threads_sees_how_to_write(family: Family) -> None:
    html = page(login(family.neighbour, "en").get("/messages/"))
    assert "You have no messages yet." in html and 'href="/messages/new/"' in html
    assert "Messages</a>" in html  # no count when nothing is unread


def test_the_list_takes_as_many_queries_for_twenty_threads_as_for_one(family: Family, planner: User) -> None:
    client = login(family.maria, "fi")
    answered_thread(family, planner)
    client.get("/messages/")  # the session's first use
    with CaptureQueriesContext(connection) as one:
        assert client.get("/messages/").status_code == 200
    for i in range(19):
        child = (family.leo, family.ella, None)[i % 3]
        answered_thread(family, planner, title=f"Question {i}", child=child)
    with CaptureQueriesContext(connection) as twenty:
        html = page(client.get("/messages/"))
    assert html.count('class="citizen-threads__item') == 20
    assert len(twenty) == len(one), [q["sql"] for q in twenty.captured_queries]


def test_the_front_page_links_to_the_messages(family: Family, planner: User) -> None:
    answered_thread(family, planner)
    html = page(login(family.maria, "en").get("/"))
    assert 'href="/messages/"' in html and "Read and write messages" in html
    assert "(1 new)" in html


def test_public_pages_have_no_guardian_links(family: Family) -> None:
    html = page(Client(HTTP_ACCEPT_LANGUAGE="en").get("/accessibility/"))
    assert 'href="/messages/"' not in html


# ---- writing to the city -------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("language", "heading", "child_label", "send"),
    [
        ("fi", "Kirjoita kaupungille", "Mitä lasta viesti koskee?", "Lähetä viesti"),
        ("sv", "Skriv till staden", "Vilket barn gäller meddelandet?", "Skicka meddelandet"),
        ("en", "Write to the city", "Which child is the message about?", "Send the message"),
    ],
)
def test_the_form_offers_the_children_and_the_units_they_may_write_to(
    family: Family, director: User, language: str, heading: str, child_label: str, send: str
) -> None:
    html = page(login(family.maria, language).get("/messages/new/"))
    assert f"<h1>{heading}</h1>" in html and f"<legend>{child_label}</legend>" in html and send in html
    children = [str(c.pk) for c in (family.ella, family.leo, family.baby)]  # the eldest first
    assert radios(html, "child") == [*children, "none"]  # never the neighbour's child
    assert radios(html, "recipient") == ["guidance", str(family.kallio.pk)]  # only the unit where theirs are
    assert re.search(r"Päiväkoti Kallio, [^<(]+\([^)<]*Ella, Leo\)", html)  # the children it can be about
    assert 'multiple accept=".pdf,' in html and "5" not in errors(html)


def test_a_new_message_with_a_file_is_sent_and_shown(family: Family) -> None:
    client = login(family.maria, "fi")
    data = new_post(family, files=[SimpleUploadedFile("allergy.png", PNG, content_type="image/png")])
    response = client.post("/messages/new/", data)
    thread = Thread.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/messages/{thread.pk}/"
    assert (thread.child, thread.unit, thread.topic, thread.title) == (family.leo, None, "placement", "Leo's allergy")
    assert ThreadAttachment.objects.get().original_name == "allergy.png"
    html = page(client.get(response["Location"]))
    assert "Viestisi on lähetetty. Saat vastauksen tänne." in html
    assert "Leo cannot eat nuts." in html and ">allergy.png</a>" in html and "Sinä" in html


def test_a_message_to_the_childs_unit(family: Family, director: User) -> None:
    response = login(family.maria, "en").post("/messages/new/", new_post(family, recipient=str(family.kallio.pk)))
    assert response.status_code == 302
    assert Thread.objects.get().unit == family.kallio


def test_a_unit_for_another_child_is_refused_next_to_the_recipient(family: Family, director: User) -> None:
    data = new_post(family, child=str(family.baby.pk), recipient=str(family.kallio.pk))
    response = login(family.maria, "en").post("/messages/new/", data)
    html = page(response)
    assert response.status_code == 400 and not Thread.objects.exists()
    assert errors(html) == [
        "You can write to a unit only about a child who is in the unit or has a place there. Choose that child, "
        "or write to service guidance."
    ]
    assert 'href="#field-recipient"' in html and "The message was not sent." in html


@pytest.mark.parametrize(
    ("language", "summary", "title_error", "body_error"),
    [
        ("fi", "Viestiä ei lähetetty.", "Anna viestille otsikko.", "Kirjoita viestisi."),
        ("sv", "Meddelandet skickades inte.", "Ge meddelandet en rubrik.", "Skriv ditt meddelande."),
        ("en", "The message was not sent.", "Give the message a title.", "Write your message."),
    ],
)
def test_missing_fields_are_shown_next_to_them_with_a_summary(
    family: Family, language: str, summary: str, title_error: str, body_error: str
) -> None:
    data = new_post(family, title="", body="", files=[SimpleUploadedFile("a.png", PNG)])
    response = login(family.maria, language).post("/messages/new/", data)
    html = page(response)
    assert response.status_code == 400 and not Thread.objects.exists() and not ThreadAttachment.objects.exists()
    assert summary in html and errors(html) == [title_error, body_error]
    assert f'<a href="#field-title">{title_error}</a>' in html and f'<a href="#field-body">{body_error}</a>' in html
    assert 'aria-describedby="id_title-error" aria-invalid="true"' in html
    assert "Leo cannot eat nuts." not in html  # (the body was empty)
    assert 'value="Leo&#x27;s allergy"' not in html


def test_a_child_of_another_family_is_not_a_choice(family: Family) -> None:
    response = login(family.maria, "en").post("/messages/new/", new_post(family, child=str(family.neighbours_child.pk)))
    assert response.status_code == 400 and not Thread.objects.exists()
    assert errors(page(response)) == ["Choose one of the options."]


@pytest.mark.parametrize(
    ("files", "text"),
    [
        (3, "A message may have at most 2 attachments."),
        (0, "This type of file cannot be added. Only PDF, JPEG and PNG files are accepted."),
    ],
)
def test_refused_files_refuse_the_whole_message(family: Family, files: int, text: str) -> None:
    uploads = (
        [SimpleUploadedFile(f"{i}.png", PNG) for i in range(files)]
        if files
        else [SimpleUploadedFile("virus.pdf", b"MZ\x90\x00 not a pdf")]
    )
    response = login(family.maria, "en").post("/messages/new/", new_post(family, files=uploads))
    html = page(response)
    assert response.status_code == 400
    assert not Thread.objects.exists() and not ThreadMessage.objects.exists() and not ThreadAttachment.objects.exists()
    assert errors(html) == [text]
    assert "The files you chose were not kept. Please choose them again." in html
    assert 'value="Leo&#x27;s allergy"' in html and "Leo cannot eat nuts.</textarea>" in html  # the text is kept


# ---- a thread -------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("language", "you", "when", "reply"),
    [
        ("fi", "Sinä", "14.1.2027 klo 10.00", "Lähetä vastaus"),
        ("sv", "Du", "2027-01-14 kl. 10:00", "Skicka svaret"),
        ("en", "You", "01/14/2027 at 10 a.m.", "Send the reply"),
    ],
)
def test_a_thread_shows_who_wrote_what_and_when(
    family: Family, planner: User, language: str, you: str, when: str, reply: str
) -> None:
    thread = answered_thread(family, planner)
    with clock.frozen_at(LATER):
        staff_reply(user=planner, thread=thread, body="Only for staff: call the unit", internal=True)
    html = page(login(family.maria, language).get(f"/messages/{thread.pk}/"))
    assert f"{you} <span" in html and when in html and reply in html
    assert html.index("Leo cannot eat nuts.") < html.index("Thank you, we told the unit.")
    assert "Pia, " in html  # the staff signature and the team
    assert "Only for staff" not in html
    attachment = ThreadAttachment.objects.get()
    assert f'href="/messages/files/{attachment.pk}/">allergy.png</a>' in html
    assert "Kolmas linja" not in html and "00530" not in html


def test_the_other_custodian_sees_and_answers_the_thread(family: Family, planner: User) -> None:
    thread = answered_thread(family, planner)
    client = login(family.karin, "sv")
    html = page(client.get(f"/messages/{thread.pk}/"))
    assert "Maria <span" in html and "Leo cannot eat nuts." in html  # the other guardian by first name
    response = client.post(f"/messages/{thread.pk}/", {"body": "Also eggs."})
    assert response.status_code == 302 and response["Location"] == f"/messages/{thread.pk}/"
    assert ThreadMessage.objects.filter(thread=thread, guardian=family.karin).get().body == "Also eggs."
    assert "Ditt meddelande har skickats." in page(client.get(response["Location"]))


def test_opening_a_thread_marks_it_read_for_that_guardian_only_and_is_audited(
    family: Family, planner: User, django_capture_on_commit_callbacks: Any
) -> None:
    thread = answered_thread(family, planner)
    client = login(family.maria, "en")
    assert guardian_unread_count(guardian=family.maria) == 1
    with clock.frozen_at(LATER + dt.timedelta(minutes=1)), django_capture_on_commit_callbacks(execute=True):
        html = page(client.get(f"/messages/{thread.pk}/"))
    view = AuditEvent.objects.get(operation="VIEW", actor="guardian:G1")
    assert (view.target_type, view.target_id, view.details) == ("child", "C2", {"thread": thread.pk, "page": "thread"})
    assert "new)" not in html  # the header counts after the read
    assert guardian_unread_count(guardian=family.maria) == 0
    assert guardian_unread_count(guardian=family.karin) == 1
    assert ThreadRead.objects.filter(thread=thread, guardian=family.maria).exists()


def test_someone_elses_thread_and_its_files_are_not_found(family: Family, planner: User) -> None:
    thread = answered_thread(family, planner)
    attachment = ThreadAttachment.objects.get()
    client = login(family.neighbour, "en")
    assert client.get(f"/messages/{thread.pk}/").status_code == 404
    assert client.post(f"/messages/{thread.pk}/", {"body": "Hi"}).status_code == 404
    assert client.get(f"/messages/files/{attachment.pk}/").status_code == 404
    assert ThreadMessage.objects.filter(thread=thread).count() == 2
    own = thread_start_by_guardian(guardian=family.maria, child=None, title="Only mine", body="Private")
    assert login(family.karin, "en").get(f"/messages/{own.pk}/").status_code == 404


def test_a_reply_with_errors_is_shown_next_to_the_field(family: Family, planner: User) -> None:
    thread = answered_thread(family, planner)
    client = login(family.maria, "fi")
    response = client.post(f"/messages/{thread.pk}/", {"body": "  "})
    assert response.status_code == 400 and errors(page(response)) == ["Kirjoita viestisi."]
    bad = SimpleUploadedFile("x.png", b"GIF89a not a png")
    response = client.post(f"/messages/{thread.pk}/", {"body": "Here it is", "files": [bad]})
    assert response.status_code == 400
    assert errors(page(response)) == [
        "Tämäntyyppistä tiedostoa ei voi lisätä. Vain PDF-, JPEG- ja PNG-tiedostot hyväksytään."
    ]
    assert ThreadMessage.objects.filter(thread=thread).count() == 2


def test_a_reply_with_a_file(family: Family, planner: User) -> None:
    thread = answered_thread(family, planner)
    client = login(family.maria, "en")
    pdf = SimpleUploadedFile("certificate.pdf", b"%PDF-1.4\n" + b"0" * 64)
    assert client.post(f"/messages/{thread.pk}/", {"body": "The certificate", "files": [pdf]}).status_code == 302
    assert ThreadAttachment.objects.filter(message__body="The certificate").get().content_type == "application/pdf"


def test_an_attachment_is_downloaded_never_inline_nor_cached_and_audited(
    family: Family, planner: User, django_capture_on_commit_callbacks: Any
) -> None:
    thread = answered_thread(family, planner)
    guardian_reply(guardian=family.karin, thread=thread, body="Mine too", files=[SimpleUploadedFile("k.png", PNG)])
    attachment = ThreadAttachment.objects.get(original_name="allergy.png")
    with django_capture_on_commit_callbacks(execute=True):
        response = login(family.karin, "en").get(f"/messages/files/{attachment.pk}/")
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == PNG  # type: ignore[attr-defined]
    assert (
        response["Content-Disposition"].startswith("attachment;") and "allergy.png" in response["Content-Disposition"]
    )
    assert response["Content-Type"] == "image/png"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "no-store" in response["Cache-Control"]
    read = AuditEvent.objects.get(operation="THREAD_ATTACHMENT_READ")
    assert (read.actor, read.target_type, read.target_id) == ("guardian:G2", "child", family.leo.child_id)
    assert read.details["attachment"] == attachment.pk


def test_a_thread_begun_by_an_sms_reply_has_a_title_for_the_guardian(family: Family) -> None:
    thread = Thread.objects.create(
        title="", child=family.leo, guardian=family.maria, origin="sms_reply", created_at=NOW, last_message_at=NOW
    )
    ThreadMessage.objects.create(thread=thread, at=NOW, author_kind="guardian", guardian=family.maria, body="Maybe")
    html = page(login(family.maria, "en").get("/messages/"))
    assert "Your text message reply</a>" in html
