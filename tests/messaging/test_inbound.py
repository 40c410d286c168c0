from __future__ import annotations

import base64
import datetime as dt
from typing import Any

import pytest
from django.db import transaction
from django.test import Client
from django.urls import reverse

from asti.messaging.checks import messaging_settings
from asti.messaging.inbound import Answer, InboundReply, ReplyOutcome, reply_handler_override
from asti.messaging.models import (
    Channel,
    DeliveryReport,
    FollowUp,
    InboundMessage,
    Lane,
    Message,
    SimulatedMessage,
    Status,
)
from asti.messaging.replies import Verdict
from asti.messaging.reports import delivery_report_receive, delivery_reports_apply
from asti.messaging.services import message_enqueue
from asti.messaging.tokens import dlr_token
from asti.messaging.worker import Worker
from tests.messaging.conftest import INBOUND_TOKEN, RecordingHandler, make_guardian

pytestmark = pytest.mark.django_db


def inbound(
    client: Client,
    token: str = INBOUND_TOKEN,
    *,
    text: str | bytes = "KYLLÄ",
    content_type: str = 'text/plain; charset="UTF-8"',
    gateway_id: str = "2e7c1c1e-0001",
    **headers: str,
) -> Any:
    """A reply as Kannel's sms-service post-url sends it (send-sender = true)."""
    kannel_headers = {
        "X-Kannel-From": "+358401234567",
        "X-Kannel-To": "+358500000000",
        "X-Kannel-Time": "2026-11-23 10:03:17",
        "X-Kannel-SMSC": "fake",
        "X-Kannel-Coding": "0",
        "X-Kannel-Service": "default",
        **{name.replace("_", "-"): value for name, value in headers.items()},
    }
    url = reverse("messaging:kannel_inbound") + (f"?id={gateway_id}" if gateway_id else "")
    body = text.encode() if isinstance(text, str) else text
    authorization = {"Authorization": basic("kannel", token)} if token else {}
    return client.post(url, data=body, content_type=content_type, headers={**kannel_headers, **authorization})


def basic(user: str, password: str) -> str:
    return "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode()


def test_a_reply_is_stored_handled_and_answered_on_the_fast_lane(client: Client, handler: RecordingHandler) -> None:
    guardian = make_guardian(phone="+358401234567")
    response = inbound(client, text="Kyllä kiitos")
    assert response.status_code == 200 and response.content == b""
    reply = InboundMessage.objects.get()
    assert (reply.sender, reply.text, reply.guardian, reply.handling_result) == (
        "+358401234567",
        "Kyllä kiitos",
        guardian,
        "accept",
    )
    assert reply.gateway_time == dt.datetime(2026, 11, 23, 10, 3, 17, tzinfo=dt.UTC)
    assert (reply.gateway_id, reply.receiver, reply.smsc, reply.coding) == (
        "2e7c1c1e-0001",
        "+358500000000",
        "fake",
        "0",
    )
    assert reply.raw["X-Kannel-Service"] == "default"
    answer = reply.answer
    assert answer is not None
    assert (answer.lane, answer.channel, answer.recipient, answer.body) == (
        Lane.FAST,
        Channel.SMS,
        "+358401234567",
        "Paikka vahvistettu.",
    )
    assert handler.seen == [(reply.pk, Verdict.ACCEPT)]


def test_a_forged_reply_is_refused_and_nothing_is_stored(client: Client, handler: RecordingHandler) -> None:
    assert inbound(client, token="guess").status_code == 403
    assert inbound(client, token=INBOUND_TOKEN[:-1]).status_code == 403
    assert inbound(client, token="").status_code == 403  # no credentials
    for authorization in (basic("dlr", INBOUND_TOKEN), "Bearer " + INBOUND_TOKEN, "Basic !!!", basic("kannel", "")):
        assert inbound(client, token="", Authorization=authorization).status_code == 403
    old_path = "/messaging/kannel/inbound/" + INBOUND_TOKEN + "/"  # the token is no longer taken in the path
    assert (
        client.post(old_path, data=b"EI", content_type="text/plain", headers={"X-Kannel-From": "+3584"}).status_code
        == 404
    )
    assert not InboundMessage.objects.exists() and handler.seen == []


def test_a_gateway_retry_is_stored_and_handled_once(client: Client, handler: RecordingHandler) -> None:
    make_guardian(phone="+358401234567")
    assert inbound(client)["X-Asti-Result"] == "stored"
    duplicate = inbound(client)
    assert (duplicate.status_code, duplicate.content, duplicate["X-Asti-Result"]) == (200, b"", "duplicate")
    assert InboundMessage.objects.count() == 1 and len(handler.seen) == 1 and Message.objects.count() == 1


def test_without_a_gateway_id_sender_time_and_text_identify_a_reply(client: Client, handler: RecordingHandler) -> None:
    assert inbound(client, gateway_id="")["X-Asti-Result"] == "stored"
    assert inbound(client, gateway_id="")["X-Asti-Result"] == "duplicate"
    assert inbound(client, gateway_id="", X_Kannel_Time="2026-11-23 10:03:18")["X-Asti-Result"] == "stored"
    ids = list(InboundMessage.objects.values_list("gateway_id", flat=True))
    assert len(ids) == 2 and all(i.startswith("h:") for i in ids)


def test_a_ucs2_reply_in_utf16_is_read(client: Client, handler: RecordingHandler) -> None:
    """Without mo-recode Kannel posts a UCS-2 reply as it came: UTF-16BE, NUL bytes and all."""
    make_guardian(phone="+358401234567")
    raw = "Kyllä 👍 Šárka".encode("utf-16-be")
    response = inbound(client, text=raw, content_type='text/plain; charset="UTF-16BE"', X_Kannel_Coding="2")
    assert response.status_code == 200
    reply = InboundMessage.objects.get()
    assert (reply.text, reply.coding, reply.charset) == ("Kyllä 👍 Šárka", "2", "UTF-16BE")
    assert handler.seen[0][1] is Verdict.ACCEPT


def test_the_longest_reply_a_phone_sends_arrives_whole(client: Client, handler: RecordingHandler) -> None:
    """255 parts of UCS-2 (34,170 bytes as UTF-16BE, more as UTF-8) fit; a body beyond any SMS is refused."""
    text = "Hyvä päiväkoti, kiitos ääniviestistä 😊 " * 400
    assert inbound(client, text=text).status_code == 200
    assert InboundMessage.objects.get().text == text[:20_000]
    assert inbound(client, text="ä" * 40_000, gateway_id="too-long").status_code == 413
    assert InboundMessage.objects.count() == 1


def test_a_reply_must_come_by_post_with_its_sender(client: Client, handler: RecordingHandler) -> None:
    url = reverse("messaging:kannel_inbound") + "?from=%2B358401234567&text=KYLLÄ"
    assert client.get(url, headers={"Authorization": basic("kannel", INBOUND_TOKEN)}).status_code == 405
    assert inbound(client, X_Kannel_From="").status_code == 400
    assert not InboundMessage.objects.exists()


@pytest.mark.parametrize("text", ["", "😊👍", "\x00\x01garbage\ufffd", "Hei, mitä tämä on?", "x" * 30_000])
def test_replies_that_say_nothing_get_a_helpful_answer_and_go_to_staff(
    client: Client, handler: RecordingHandler, text: str
) -> None:
    make_guardian(phone="+358401234567")
    assert inbound(client, text=text).status_code == 200
    reply = InboundMessage.objects.get()
    assert reply.handling_result == "not_understood" and len(reply.text) <= 20_000
    assert reply.answer is not None and reply.answer.body == "Vastaa KYLLÄ tai EI."
    assert FollowUp.objects.get().inbound == reply


def test_an_unknown_number_is_answered_and_the_handler_knows_it(client: Client, handler: RecordingHandler) -> None:
    inbound(client, X_Kannel_From="0409998877")
    reply = InboundMessage.objects.get()
    assert (reply.sender, reply.guardian, reply.handling_result) == ("+358409998877", None, "unknown_sender")
    assert reply.answer is not None and reply.answer.recipient == "+358409998877"


def test_a_sender_that_is_not_a_number_is_stored_and_not_answered(client: Client, handler: RecordingHandler) -> None:
    inbound(client, X_Kannel_From="OPERATOR")
    reply = InboundMessage.objects.get()
    assert (reply.sender, reply.answer) == ("OPERATOR", None)


def test_without_a_handler_the_reply_waits_for_staff(client: Client) -> None:
    guardian = make_guardian(phone="+358401234567", language="sv")
    with reply_handler_override(None):
        inbound(client)
    reply = InboundMessage.objects.get()
    assert reply.handling_result == "no_handler"
    assert reply.answer is not None and reply.answer.language == "sv"
    assert FollowUp.objects.get().guardian == guardian


def test_a_failing_handler_rolls_back_its_writes_but_keeps_the_reply(client: Client) -> None:
    def broken(reply: InboundReply) -> ReplyOutcome:
        message_enqueue(
            channel="sms",
            recipient="+358401111111",
            template_key="messaging.test",
            language="fi",
            context={"text": "never sent"},
        )
        raise ValueError("bug in the handler")

    with reply_handler_override(broken):
        inbound(client)
    reply = InboundMessage.objects.get()
    assert reply.handling_result == "handler_error" and "bug in the handler" in reply.error
    assert list(Message.objects.values_list("recipient", flat=True)) == ["+358401234567"]  # the generic answer
    assert FollowUp.objects.get().reason == "handler_error"


def test_an_answer_that_cannot_be_rendered_keeps_the_reply(client: Client) -> None:
    with reply_handler_override(lambda r: ReplyOutcome(result="accept", answer=Answer("nope", "fi"))):
        inbound(client)
    reply = InboundMessage.objects.get()
    assert (reply.handling_result, reply.answer) == ("accept", None) and "nope" in reply.error
    assert FollowUp.objects.get().inbound == reply


# --- delivery reports ---------------------------------------------------------------------------------------------


def sms(**kwargs: Any) -> Message:
    with transaction.atomic():
        return message_enqueue(
            channel="sms",
            recipient="+358401234567",
            template_key="messaging.test",
            language="fi",
            context={"text": "x"},
            **kwargs,
        )


def dlr(client: Client, message_id: int, status: int | str, token: str | None = None, **params: str) -> Any:
    url = reverse("messaging:kannel_dlr", args=[message_id])
    authorization = basic("dlr", token or dlr_token(message_id))
    return client.get(url, {"status": status, **params}, headers={"Authorization": authorization})


def test_delivery_reports_are_stored_once_and_applied_by_the_worker(client: Client) -> None:
    message = sms()
    Message.objects.filter(pk=message.pk).update(status=Status.SENT)
    assert dlr(client, message.pk, 8, smsc_id="abc", answer="ACK/").content == b"stored"
    assert dlr(client, message.pk, 1).content == b"stored"
    assert dlr(client, message.pk, 1).content == b"duplicate"
    assert Message.objects.get(pk=message.pk).status == Status.SENT  # stored, not yet applied
    assert delivery_reports_apply() == 2
    assert dlr(client, message.pk, 2).content == b"stored"
    assert delivery_reports_apply() == 1
    assert delivery_reports_apply() == 0
    row = Message.objects.get(pk=message.pk)
    assert (row.status, row.gateway_message_id) == (Status.DELIVERED, "abc")
    assert sorted(DeliveryReport.objects.values_list("status_code", "applied")) == [(1, True), (2, False), (8, False)]
    assert not DeliveryReport.objects.filter(processed_at__isnull=True).exists()


def test_a_report_for_no_message_is_refused(client: Client) -> None:
    assert dlr(client, 999_999, 1).status_code == 404
    assert delivery_report_receive(message_id=999_999, status_code=1) == "unknown"


def test_forged_delivery_reports_are_refused(client: Client) -> None:
    message, other = sms(), sms()
    assert dlr(client, message.pk, 1, token="0" * 32).status_code == 403
    assert dlr(client, message.pk, 1, token=dlr_token(other.pk)).status_code == 403
    assert client.get(reverse("messaging:kannel_dlr", args=[message.pk]), {"status": 1}).status_code == 403
    authorization = basic("kannel", dlr_token(message.pk))  # the right password for another user
    assert (
        client.get(
            f"/messaging/kannel/dlr/{message.pk}/", {"status": 1}, headers={"Authorization": authorization}
        ).status_code
        == 403
    )
    assert dlr(client, message.pk, "x").status_code == 400
    assert dlr(client, message.pk, 3).status_code == 400
    assert not DeliveryReport.objects.exists()
    assert Message.objects.get(pk=message.pk).status == Status.CREATED


def test_a_failed_delivery_sends_the_email_instead(client: Client) -> None:
    message = sms(fallback_email="anna@example.fi")
    Message.objects.filter(pk=message.pk).update(status=Status.SENT)
    assert dlr(client, message.pk, 16, answer="NACK/0x0000000b/Invalid Destination Address").content == b"stored"
    Worker().run_once()  # applies the report: the SMS failed for good, so its email is enqueued
    row = Message.objects.get(pk=message.pk)
    assert row.status == Status.PERMANENT_FAILURE and "Invalid Destination" in row.last_error
    email = Message.objects.get(fallback_of=message)
    Worker().run_once()  # sends the email
    assert SimulatedMessage.objects.get(message=email).address == "anna@example.fi"


@pytest.mark.parametrize(
    ("token", "errors"), [("Ab9._~-x", []), ("has@sign", ["messaging.E003"]), ("a:b", ["messaging.E003"])]
)
def test_a_reply_token_kannel_cannot_carry_in_a_url_fails_the_checks(
    settings: Any, token: str, errors: list[str]
) -> None:
    settings.MESSAGING_SMS_BACKEND = "kannel"
    settings.MESSAGING_KANNEL_INBOUND_TOKEN = token
    assert [m.id for m in messaging_settings() if m.id == "messaging.E003"] == errors


def long_sms(parts: int = 2) -> Message:
    """A sent SMS of several parts, as Kannel splits it: it asks for a report on the first part only, and acks
    (8) or rejects (16) the whole once every part has been handed over."""
    message = sms()
    Message.objects.filter(pk=message.pk).update(status=Status.SENT, sms_parts=parts)
    return message


@pytest.mark.parametrize(
    ("reports", "status"),
    [
        ([1], Status.SENT),  # the first part delivered; nothing says the others went
        ([1, 8], Status.DELIVERED),
        ([8, 1], Status.DELIVERED),
        ([8], Status.SENT),  # every part taken by the operator, no final report yet
        ([1, 16], Status.PERMANENT_FAILURE),  # a later part refused
        ([8, 2], Status.PERMANENT_FAILURE),
    ],
)
def test_a_long_sms_is_delivered_only_when_every_part_is(client: Client, reports: list[int], status: str) -> None:
    message = long_sms()
    for code in reports:  # one batch per report: earlier reports count when a later one completes the proof
        assert dlr(client, message.pk, code).content == b"stored"
        delivery_reports_apply()
    assert Message.objects.get(pk=message.pk).status == status
    single = sms()
    Message.objects.filter(pk=single.pk).update(status=Status.SENT)
    assert delivery_report_receive(message_id=single.pk, status_code=1) == "applied"  # one part: its report decides


def test_the_reports_of_a_long_sms_in_one_batch(client: Client) -> None:
    message = long_sms(3)
    assert delivery_report_receive(message_id=message.pk, status_code=1) == "recorded"
    assert Message.objects.get(pk=message.pk).status == Status.SENT
    assert delivery_report_receive(message_id=message.pk, status_code=8) == "applied"
    assert Message.objects.get(pk=message.pk).status == Status.DELIVERED
    assert sorted(DeliveryReport.objects.values_list("status_code", "applied")) == [(1, False), (8, True)]


@pytest.mark.parametrize(("mask", "warned"), [(31, False), (8, False), (7, True), (3, True)])
def test_a_report_mask_without_the_operators_ack_is_warned_about(settings: Any, mask: int, warned: bool) -> None:
    settings.MESSAGING_SMS_BACKEND = "kannel"
    settings.MESSAGING_KANNEL_DLR_MASK = mask
    assert any(m.id == "messaging.W002" for m in messaging_settings()) is warned
