"""Replies by email: a sent round's offer emails carry a signed reply address; guardians reply through a real SMTP
session to receive_mail's server; what they wrote (not the quoted original) is read like an SMS reply."""

from __future__ import annotations

import email
import smtplib
from collections.abc import Iterator
from email import policy
from email.message import EmailMessage
from email.utils import make_msgid
from io import StringIO
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.core.management import CommandError, call_command
from django.db import transaction
from django.test import Client
from django.urls import reverse

from asti.conversations.models import Thread, ThreadMessage
from asti.conversations.services import thread_start_by_staff
from asti.identity.models import Role
from asti.messaging.email_inbound import ReplyMailHandler, reply_server, reply_text
from asti.messaging.inbound import AUTOMATIC, SENDER_UNVERIFIED
from asti.messaging.kannel_local import free_port
from asti.messaging.models import FollowUp, InboundMessage, Lane, Message, SimulatedMessage
from asti.messaging.services import message_enqueue_bulk
from asti.messaging.tokens import email_reply_message_id, email_reply_token
from asti.messaging.worker import Worker
from asti.offers.models import Offer, OfferStatus
from asti.offers.notify import messages_for
from asti.people.models import Child, Custody, Guardian
from tests.citizen.conftest import sent_round  # noqa: F401 (a fixture)
from tests.messaging.conftest import SmtpRecorder, family_staff
from tests.staff.conftest import staff_user

pytestmark = pytest.mark.django_db(transaction=True)

REPLY_ADDRESS = "vastaus@asti.example"
SANNA = "sanna@example.com"  # G3, English, email only: guardian of C2
KARIN = "karin@example.com"  # G6, Swedish: SMS with an email fallback, guardian of C6


@pytest.fixture
def replies(settings: Any) -> None:
    settings.MESSAGING_EMAIL_REPLY_ADDRESS = REPLY_ADDRESS
    settings.MESSAGING_INBOUND_EMAIL_MAX_BYTES = 1024 * 1024


@pytest.fixture
def receiver(replies: None) -> Iterator[int]:
    """receive_mail's SMTP server on a free port."""
    port = free_port()
    server = reply_server(host="127.0.0.1", port=port)
    server.start()
    try:
        yield port
    finally:
        server.stop()
        assert isinstance(server.handler, ReplyMailHandler)
        server.handler.close()


@pytest.fixture
def mailed(
    replies: None, smtp_server: SmtpRecorder, settings: Any, request: pytest.FixtureRequest
) -> dict[str, EmailMessage]:
    """The round sent with replies taken and its messages delivered: Karin's SMS fails for good, so she gets the
    offer by email too. The emails as the guardians' mail servers got them, by address."""
    request.getfixturevalue("sent_round")
    settings.MESSAGING_SIMULATED_UNREACHABLE = ["+358503334444"]
    Worker().run_once()
    return {address: mail for address, mail in received_mail(smtp_server).items()}


def received_mail(smtp_server: SmtpRecorder) -> dict[str, EmailMessage]:
    found: dict[str, EmailMessage] = {}
    for _, recipients, raw in smtp_server.messages:
        parsed = email.message_from_bytes(raw, policy=policy.default)
        assert isinstance(parsed, EmailMessage)
        found[recipients[0]] = parsed
    return found


def send(
    port: int,
    *,
    sender: str,
    to: str,
    text: str = "",
    html: str = "",
    message_id: str = "",
    headers: dict[str, str] | None = None,
) -> None:
    """A reply as a guardian's mail program sends it, through an SMTP session with receive_mail's server."""
    reply = EmailMessage()
    reply["From"] = f"Guardian <{sender}>"
    reply["To"] = to
    reply["Subject"] = "Re: offer"
    reply["Message-ID"] = message_id or make_msgid(domain="example.com")
    for name, value in (headers or {}).items():
        reply[name] = value
    if html:
        reply.set_content(html, subtype="html")
    else:
        reply.set_content(text)
    with smtplib.SMTP("127.0.0.1", port, timeout=10) as session:
        session.send_message(reply, from_addr=sender, to_addrs=[to])


def quoted(mail: EmailMessage) -> str:
    body = mail.get_content() if mail.get_content_type() == "text/plain" else ""
    assert isinstance(body, str)
    return "\n".join(f"> {line}" for line in body.splitlines())


def answer_mail(smtp_server: SmtpRecorder, address: str, before: int) -> EmailMessage:
    """The answer that went out to `address` after the first `before` emails."""
    Worker(lanes=[Lane.FAST]).run_once()
    later = SmtpRecorder()
    later.messages = smtp_server.messages[before:]
    return received_mail(later)[address]


def offer(child_id: str) -> Offer:
    return Offer.objects.select_related("answered_by").get(child__child_id=child_id)


def test_the_offer_email_says_to_reply_and_carries_a_signed_reply_address(mailed: dict[str, EmailMessage]) -> None:
    mail = mailed[SANNA]
    reply_to = str(mail["Reply-To"])
    local, _, domain = reply_to.partition("@")
    assert domain == "asti.example" and local.startswith("vastaus+")
    message_id = email_reply_message_id(local.removeprefix("vastaus+"))
    sent = Message.objects.get(pk=message_id)
    assert (sent.recipient, sent.template_key, sent.guardian) == (
        SANNA,
        "offers.offer_email",
        Guardian.objects.get(guardian_id="G3"),
    )
    assert str(mail["Message-ID"]) == f"<asti-{email_reply_token(sent.pk)}@asti.localhost>"
    assert "You can reply to this email: write YES to accept the place or NO to decline it" in mail.get_content()
    fallback = mailed[KARIN]  # the SMS's fallback email has the email text, in Swedish
    assert "Du kan svara på det här e-postmeddelandet" in fallback.get_content() and fallback["Reply-To"]


@pytest.mark.usefixtures("sent_round")
def test_without_a_reply_address_the_email_says_to_use_the_link(smtp_server: SmtpRecorder, settings: Any) -> None:
    settings.MESSAGING_EMAIL_REPLY_ADDRESS = ""
    Message.objects.filter(recipient=SANNA).delete()
    sanna = Guardian.objects.get(guardian_id="G3")
    with transaction.atomic():
        message_enqueue_bulk(messages=messages_for(offer("C2"), [sanna], template_key="offers.offer", lane=Lane.BULK))
    Worker(channels=["email"]).run_once()
    mail = received_mail(smtp_server)[SANNA]
    assert mail["Reply-To"] is None
    body = mail.get_content()
    assert "Answer by: " in body and "online: http" in body and "Replies to this email are not read." in body
    assert "YES" not in body


def test_kylla_above_the_quoted_original_accepts_and_the_answer_email_has_a_subject(
    mailed: dict[str, EmailMessage], receiver: int, smtp_server: SmtpRecorder
) -> None:
    mail = mailed[SANNA]
    before = len(smtp_server.messages)
    text = f"KYLLÄ\n\nOn Mon, 1 Mar 2027 at 10:00, Asti <noreply@asti.localhost> wrote:\n{quoted(mail)}\n"
    assert " NO " in text  # the quoted original says YES or NO: only what Sanna wrote counts
    send(receiver, sender=SANNA, to=str(mail["Reply-To"]), text=text)
    reply = InboundMessage.objects.get()
    assert (reply.channel, reply.gateway, reply.sender, reply.text) == ("email", "smtp", SANNA, "KYLLÄ")
    assert reply.handling_result == "accepted" and reply.guardian == Guardian.objects.get(guardian_id="G3")
    assert offer("C2").status == OfferStatus.ACCEPTED and offer("C2").answered_by == reply.guardian
    assert not FollowUp.objects.filter(inbound=reply).exists()
    answer = answer_mail(smtp_server, SANNA, before)
    assert answer["Subject"] == "Pre-primary place accepted" and answer["Reply-To"]
    assert "has been accepted" in answer.get_content()


def test_swedish_ja_reply_to_the_fallback_email(
    mailed: dict[str, EmailMessage], receiver: int, smtp_server: SmtpRecorder
) -> None:
    mail = mailed[KARIN]
    before = len(smtp_server.messages)
    text = f"Ja\n\nDen 1.3.2027 kl. 10.00 skrev Asti <noreply@asti.localhost>:\n{quoted(mail)}\n"
    send(receiver, sender=KARIN, to=str(mail["Reply-To"]), text=text)
    assert offer("C6").status == OfferStatus.ACCEPTED
    answer = answer_mail(smtp_server, KARIN, before)
    assert answer["Subject"] == "Förskoleplatsen mottagen"


def test_html_only_reply_reads_the_text_above_the_quote(mailed: dict[str, EmailMessage], receiver: int) -> None:
    html = (
        '<html><body><div dir="ltr">Kyll&auml; kiitos!</div><br>'
        '<div class="gmail_quote"><div class="gmail_attr">On Mon, 1 Mar 2027 Asti wrote:</div>'
        "<blockquote>write YES to accept the place or NO to decline it</blockquote></div></body></html>"
    )
    send(receiver, sender=SANNA, to=str(mailed[SANNA]["Reply-To"]), html=html)
    reply = InboundMessage.objects.get()
    assert reply.text == "Kyllä kiitos!" and offer("C2").status == OfferStatus.ACCEPTED


def test_ei_in_an_outlook_quote_without_markers_does_not_count(mailed: dict[str, EmailMessage], receiver: int) -> None:
    text = (
        "Kyllä\n\n________________________________\nLähettäjä: Asti <noreply@asti.localhost>\n"
        "Lähetetty: maanantai 1. maaliskuuta 2027 10.00\nAihe: Esiopetuspaikka\n\nVastaa KYLLÄ tai EI.\n"
    )
    send(receiver, sender=SANNA, to=str(mailed[SANNA]["Reply-To"]), text=text)
    assert InboundMessage.objects.get().text == "Kyllä" and offer("C2").status == OfferStatus.ACCEPTED


@pytest.mark.parametrize(
    "to",
    [REPLY_ADDRESS, "vastaus+99999-0123456789abcdef0123@asti.example", "vastaus+forged@asti.example"],
    ids=["no token", "forged token", "not a token"],
)
def test_a_reply_without_a_valid_token_is_never_an_answer_and_goes_to_staff(
    mailed: dict[str, EmailMessage], receiver: int, smtp_server: SmtpRecorder, to: str
) -> None:
    before = len(smtp_server.messages)
    send(receiver, sender=SANNA, to=to, text="KYLLÄ")  # the From line is Sanna's, but nothing proves it
    reply = InboundMessage.objects.get()
    assert reply.handling_result == SENDER_UNVERIFIED and reply.text == "KYLLÄ"
    assert offer("C2").status == OfferStatus.OPEN
    follow_up = FollowUp.objects.get(inbound=reply)
    assert follow_up.guardian == Guardian.objects.get(guardian_id="G3") and follow_up.resolved_at is None
    answer = answer_mail(smtp_server, SANNA, before)  # only to the address we know, and it promises a person
    assert answer["Subject"] == "Your message has been received"


def test_an_unknown_sender_is_stored_for_staff_and_not_answered(mailed: dict[str, EmailMessage], receiver: int) -> None:
    forged_in_reply_to = "<asti-1-0123456789abcdef0123@asti.localhost>"
    send(
        receiver,
        sender="someone@example.org",
        to=REPLY_ADDRESS,
        text="Yes",
        headers={"In-Reply-To": forged_in_reply_to},
    )
    reply = InboundMessage.objects.get()
    assert reply.handling_result == SENDER_UNVERIFIED and reply.guardian is None and reply.answer is None
    assert FollowUp.objects.filter(inbound=reply, guardian=None).exists()
    assert not Offer.objects.exclude(status=OfferStatus.OPEN).exists()


def test_the_same_message_id_is_stored_once(mailed: dict[str, EmailMessage], receiver: int) -> None:
    message_id = make_msgid(domain="example.com")
    for _ in range(2):
        send(receiver, sender=SANNA, to=str(mailed[SANNA]["Reply-To"]), text="KYLLÄ", message_id=message_id)
    reply = InboundMessage.objects.get()
    assert reply.gateway_id == message_id and reply.answer is not None
    assert Message.objects.filter(pk=reply.answer.pk).count() == 1
    assert Message.objects.filter(recipient=SANNA, template_key="offers.accepted").count() == 1


def test_a_huge_message_and_other_addresses_are_refused(mailed: dict[str, EmailMessage], receiver: int) -> None:
    with pytest.raises((smtplib.SMTPSenderRefused, smtplib.SMTPDataError)) as refused:
        send(receiver, sender=SANNA, to=str(mailed[SANNA]["Reply-To"]), text="KYLLÄ\n" + "x" * 1_200_000)
    assert refused.value.smtp_code == 552
    with pytest.raises(smtplib.SMTPRecipientsRefused):
        send(receiver, sender=SANNA, to="someone@asti.example", text="KYLLÄ")
    with pytest.raises(smtplib.SMTPRecipientsRefused):
        send(receiver, sender=SANNA, to="vastaus@elsewhere.example", text="KYLLÄ")
    assert not InboundMessage.objects.exists()


def test_an_out_of_office_answer_is_stored_and_nothing_more(mailed: dict[str, EmailMessage], receiver: int) -> None:
    send(
        receiver, sender=SANNA, to=str(mailed[SANNA]["Reply-To"]), text="I am away until Monday. Yes, back then.",
        headers={"Auto-Submitted": "auto-replied"},
    )  # fmt: skip
    reply = InboundMessage.objects.get()
    assert reply.handling_result == AUTOMATIC and reply.answer is None
    assert not FollowUp.objects.exists() and offer("C2").status == OfferStatus.OPEN


@pytest.mark.usefixtures("replies", "sent_round")
def test_the_demo_inbox_replies_through_the_same_path() -> None:
    Worker().run_once()  # the simulated channels: Sanna's offer lands in her simulated inbox
    staff = Client()
    staff.force_login(family_staff("pia"))
    sanna = Guardian.objects.get(guardian_id="G3")
    url = reverse("messaging:simulated_guardian", args=[sanna.pk])
    mail = SimulatedMessage.objects.get(address=SANNA, direction="out")
    assert "Vastaa huoltajana" in staff.get(url).content.decode()  # the staff page, in Finnish
    assert staff.post(url, {"mail": mail.pk, "text": " "}).status_code == 400
    response = staff.post(url, {"mail": mail.pk, "text": "Yes please"})
    assert response.status_code == 302
    reply = InboundMessage.objects.get()
    assert (reply.gateway, reply.channel, reply.text, reply.handling_result) == (
        "simulated", "email", "Yes please", "accepted",
    )  # fmt: skip
    assert "wrote:\n> The City of Helsinki" in reply.raw["full_text"]  # the quoted original was there, and cut
    Worker(lanes=[Lane.FAST]).run_once()
    page = staff.get(url).content.decode()
    assert page.index("Yes please") < page.index("Pre-primary place accepted")


def test_receive_mail_needs_a_reply_address(settings: Any) -> None:
    settings.MESSAGING_EMAIL_REPLY_ADDRESS = ""
    with pytest.raises(CommandError):
        call_command("receive_mail", stdout=StringIO())


@pytest.mark.parametrize(
    ("text", "written"),
    [
        ("Kyllä\n\nma 1.3.2027 klo 10.00 Asti <noreply@asti.localhost> kirjoitti:\n> Vastaa KYLLÄ tai EI", "Kyllä"),
        ("EI kiitos\n\nOn Mon, 1 Mar 2027 at 10:00, Asti <noreply@asti.localhost>\nwrote:\n> YES or NO", "EI kiitos"),
        ("> Vastaa KYLLÄ tai EI\n\nKyllä", "Kyllä"),
        ("JA\n\n-----Ursprungligt meddelande-----\nFrån: Asti\nSvara JA eller NEJ", "JA"),
        ("Yes\n-- \nAnna Virtanen\n040 123", "Yes"),
        ("Kyllä\n\nLähetetty iPhonesta", "Kyllä"),
        ("Kyllä\nFrom: Asti <noreply@asti.localhost>\nSent: Monday\nNO", "Kyllä"),
        ("Hei, mitä tarkoittaa esiopetus?\nTerveisin Anna", "Hei, mitä tarkoittaa esiopetus?\nTerveisin Anna"),
    ],
)
def test_what_the_guardian_wrote(text: str, written: str) -> None:
    assert reply_text(text) == written


def thread_prompt(
    smtp_server: SmtpRecorder, planner: User, child_id: str, guardian: Guardian
) -> tuple[Thread, EmailMessage]:
    """Staff write to the guardian; the email that tells them so, as their mail server got it."""
    thread = thread_start_by_staff(
        user=planner, child=Child.objects.get(child_id=child_id), guardian=guardian, title="Start", body="Which week?"
    )
    before = len(smtp_server.messages)
    Worker(lanes=[Lane.FAST]).run_once()
    later = SmtpRecorder()
    later.messages = smtp_server.messages[before:]
    prompt = received_mail(later)[SANNA]
    assert "Which week" not in prompt.get_content()  # the prompt holds no personal data
    return thread, prompt


def test_a_reply_to_the_new_message_email_goes_into_its_thread(
    mailed: dict[str, EmailMessage], receiver: int, smtp_server: SmtpRecorder
) -> None:
    sanna = Guardian.objects.get(guardian_id="G3")
    thread, prompt = thread_prompt(smtp_server, staff_user("pia.planner", Role.PLANNER), "C2", sanna)
    send(receiver, sender=SANNA, to=str(prompt["Reply-To"]), text=f"The second week.\n\n{quoted(prompt)}\n")
    reply = InboundMessage.objects.get()
    assert reply.handling_result == "not_about_offer" and offer("C2").status == OfferStatus.OPEN
    assert Thread.objects.count() == 1  # no thread of its own: the answer is in the one it answers
    last = ThreadMessage.objects.filter(thread=thread).order_by("-at", "-pk").first()
    assert last is not None and (last.body, last.guardian, last.inbound) == ("The second week.", sanna, reply)
    thread.refresh_from_db()
    assert thread.staff_unread and thread.closed_at is None
    follow_up = FollowUp.objects.get(inbound=reply)  # kept for the record, and done: the inbox holds the work
    assert follow_up.resolved_at is not None and follow_up.resolution_note == f"thread {thread.pk}"


def test_a_reply_about_a_thread_the_sender_no_longer_sees_opens_a_thread_of_its_own(
    mailed: dict[str, EmailMessage], receiver: int, smtp_server: SmtpRecorder
) -> None:
    sanna = Guardian.objects.get(guardian_id="G3")
    thread, prompt = thread_prompt(smtp_server, staff_user("pia.planner", Role.PLANNER), "C2", sanna)
    Custody.objects.filter(guardian=sanna, child__child_id="C2").update(active=False)  # custody ended meanwhile
    send(receiver, sender=SANNA, to=str(prompt["Reply-To"]), text="Still there?")
    reply = InboundMessage.objects.get()
    assert ThreadMessage.objects.filter(thread=thread).count() == 1
    opened = Thread.objects.exclude(pk=thread.pk).get()
    assert opened.follow_up is not None and opened.follow_up.inbound == reply and opened.child is None
    assert FollowUp.objects.get(inbound=reply).resolved_at is None
