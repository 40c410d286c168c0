"""The round's send page: its settings, the offer as a real family gets it in fi/sv/en with part counts, a test
send to the planner's own phone or email, and the send that needs a ticked box naming the number of messages."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.urls import reverse

from asti.audit.models import AuditEvent
from asti.jobs.models import Job
from asti.messaging.models import Message, MessageText
from asti.messaging.sms import sms_encoding
from asti.messaging.templates import template_index
from asti.messaging.worker import Worker
from asti.offers.models import NoAnswerPolicy, Offer, OfferRound, Proposal
from asti.offers.notify import OFFER_TEMPLATE_KEYS
from asti.offers.sending import round_send
from asti.people.models import Guardian
from asti.staff.message_texts import round_offer_preview
from tests.staff.conftest import client_for

pytestmark = pytest.mark.django_db


def send_url(offer_round: OfferRound) -> str:
    return reverse("staff:round_send", args=[offer_round.pk])


def test_the_page_shows_the_rounds_settings(planner: User, allocated_round: OfferRound) -> None:
    OfferRound.objects.filter(pk=allocated_round.pk).update(answer_days=10, reminder_days_before=2)
    page = client_for(planner).get(send_url(allocated_round)).content.decode()
    assert "10 days after sending: if sent today, by" in page
    assert "2 days before the deadline" in page
    assert "The place is confirmed without an answer after the deadline" in page
    OfferRound.objects.filter(pk=allocated_round.pk).update(no_answer_policy=NoAnswerPolicy.STAFF)
    page = client_for(planner).get(send_url(allocated_round)).content.decode()
    assert "Families who do not answer by the deadline go on the follow-up list" in page
    assert "an SMS if they have a phone number, otherwise an email" in page
    assert 'id="setting-start"' in page


@pytest.mark.parametrize("language", ["fi", "sv", "en"])
def test_the_preview_shows_each_language_with_its_part_count(
    planner: User, allocated_round: OfferRound, language: str
) -> None:
    response = client_for(planner).get(send_url(allocated_round))
    family = response.context["family"]
    offer = next(p for p in family.languages if p.language == language)
    proposal = Proposal.objects.select_related("child", "unit").get(
        round=allocated_round, child__first_name=family.child_first_name
    )
    assert proposal.child.first_name in offer.sms.body and proposal.unit.name_in(language) in offer.sms.body
    assert offer.sms.version == template_index()[("offers.offer", language)].version
    assert offer.email.version == template_index()[("offers.offer_email", language)].version
    assert offer.sms_encoding == sms_encoding(offer.sms.body)
    page = response.content.decode()
    encoding = offer.sms_encoding
    assert f"{encoding.length} characters, {encoding.encoding}: {encoding.parts} part" in page
    assert offer.email.subject in page


LINK = re.compile(r"https?://\S+")


def test_the_preview_is_what_the_send_then_sends(planner: User, allocated_round: OfferRound) -> None:
    family = client_for(planner).get(send_url(allocated_round)).context["family"]
    round_send(round_id=allocated_round.pk, actor="test")
    offer = Offer.objects.get(round=allocated_round, child__first_name=family.child_first_name)
    sent = Message.objects.filter(subject_type="offer", subject_id=str(offer.pk), channel="sms").first()
    assert sent is not None
    shown = next(p for p in family.languages if p.language == sent.language)
    assert LINK.sub("<link>", sent.body) == LINK.sub("<link>", shown.sms.body)
    assert len(LINK.findall(shown.sms.body)) == 1 and "/o/" in shown.sms.body


def test_the_preview_uses_the_citys_own_text(planner: User, allocated_round: OfferRound) -> None:
    from asti.messaging.texts import message_text_save, text_rules

    rules = text_rules("offers.offer", "sv")
    body = "Hej! " + rules.default_body
    saved = message_text_save(key="offers.offer", language="sv", subject="Plats", body=body, actor="pia.planner")
    family = round_offer_preview(offer_round=allocated_round)
    assert family is not None
    sv = next(p for p in family.languages if p.language == "sv")
    assert sv.sms.body.startswith("Hej! ") and sv.sms.version == saved.version


def test_sending_needs_the_tick_that_names_the_number_of_messages(planner: User, allocated_round: OfferRound) -> None:
    client = client_for(planner)
    url = send_url(allocated_round)
    page = client.get(url)
    count = page.context["preview"]["messages"]
    assert f"I have checked the texts; send {count} messages" in page.content.decode()

    refused = client.post(url, {"action": "send", "messages": count})
    assert refused.status_code == 400
    assert "Tick the box to confirm that you have checked the texts. Nothing was sent." in refused.content.decode()
    assert not Job.objects.filter(kind="offers.send").exists()

    stale = client.post(url, {"action": "send", "messages": count + 5, "confirm": "on"})
    assert stale.status_code == 400 and f"it now sends {count} messages" in stale.content.decode()
    assert not Job.objects.filter(kind="offers.send").exists()

    sent = client.post(url, {"action": "send", "messages": count, "confirm": "on"})
    assert sent.status_code == 302 and sent["Location"].startswith("/staff/jobs/")
    assert Job.objects.filter(kind="offers.send").count() == 1


def test_a_test_send_goes_to_the_typed_address_only(
    planner: User, allocated_round: OfferRound, django_capture_on_commit_callbacks: Any
) -> None:
    client = client_for(planner)
    url = send_url(allocated_round)
    family = client.get(url).context["family"]
    guardians_before = list(Guardian.objects.order_by("pk").values())
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, {"action": "test", "recipient": "040 765 4321", "language": "sv"})
    assert response.status_code == 302
    sms = Message.objects.get()
    sv = next(p for p in family.languages if p.language == "sv")
    assert (sms.channel, sms.recipient, sms.language, sms.body) == ("sms", "+358407654321", "sv", sv.sms.body)
    assert sms.template_key == "messaging.test" and sms.guardian_id is None and sms.subject_type == ""
    assert sms.fallback is None and not sms.follow_up_on_failure

    with django_capture_on_commit_callbacks(execute=True):
        client.post(url, {"action": "test", "recipient": "pia@example.org", "language": "en"})
    email = Message.objects.exclude(pk=sms.pk).get()
    en = next(p for p in family.languages if p.language == "en")
    assert (email.channel, email.recipient, email.body) == ("email", "pia@example.org", en.email.body)

    # it is no message of the round: no offer, no family's message, nothing the dashboard counts
    assert not Offer.objects.exists()
    assert not Message.objects.filter(template_key__in=OFFER_TEMPLATE_KEYS).exists()
    assert not Message.objects.exclude(recipient__in=["+358407654321", "pia@example.org"]).exists()
    assert list(Guardian.objects.order_by("pk").values()) == guardians_before
    events = AuditEvent.objects.filter(operation="MESSAGE_TEST_SEND", actor="pia.planner")
    assert sorted(e.details["channel"] for e in events) == ["email", "sms"]

    # the worker sends it like any message
    Worker().run_once()
    assert set(Message.objects.values_list("status", flat=True)) <= {"sent", "delivered"}


def test_a_test_send_to_something_that_is_no_address_is_refused(planner: User, allocated_round: OfferRound) -> None:
    response = client_for(planner).post(
        send_url(allocated_round), {"action": "test", "recipient": "not a number", "language": "fi"}
    )
    assert response.status_code == 400
    assert "Write a phone number" in response.content.decode()
    assert not Message.objects.exists()


def test_a_unit_director_cannot_send_or_test(director: User, allocated_round: OfferRound) -> None:
    client = client_for(director)
    assert client.get(send_url(allocated_round)).status_code == 403
    assert client.post(send_url(allocated_round), {"action": "test", "recipient": "0401234567"}).status_code == 403
    assert not Message.objects.exists() and not MessageText.objects.exists()
