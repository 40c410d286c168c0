from __future__ import annotations

import email
from email import policy
from typing import Any

import pytest
from django.db import transaction

from asti.messaging.kannel_local import free_port
from asti.messaging.models import Channel, FollowUp, Message, Status
from asti.messaging.reports import delivery_report_receive
from asti.messaging.services import message_enqueue
from asti.messaging.worker import Worker
from tests.messaging.conftest import SmtpRecorder, make_guardian

pytestmark = pytest.mark.django_db


def enqueue_email(recipient: str, **kwargs: Any) -> Message:
    with transaction.atomic():
        return message_enqueue(
            channel=Channel.EMAIL,
            recipient=recipient,
            template_key="messaging.test",
            language="sv",
            context={"text": "Hej Anna,\nplatsen är din."},
            **kwargs,
        )


def test_email_goes_out_through_smtp(smtp_server: SmtpRecorder) -> None:
    message = enqueue_email("anna@example.fi")
    assert Worker().run_once() == 1
    ((sender, recipients, raw),) = smtp_server.messages
    parsed = email.message_from_bytes(raw, policy=policy.default)
    assert recipients == ["anna@example.fi"] and sender == "noreply@asti.localhost"
    assert parsed["Subject"] == "Helsingfors stad – testmeddelande" and parsed["Content-Language"] == "sv"
    assert parsed["From"] == "Helsingfors stad <noreply@asti.localhost>"  # the city writes, not the software
    assert parsed.get_content().replace("\r\n", "\n").strip() == "Hej Anna,\nplatsen är din."
    row = Message.objects.get(pk=message.pk)
    assert row.status == Status.SENT and row.gateway_message_id == parsed["Message-ID"]


def test_a_refused_recipient_is_a_permanent_failure_and_a_follow_up(smtp_server: SmtpRecorder) -> None:
    smtp_server.refuse["gone@example.fi"] = "550 5.1.1 <gone@example.fi>: Recipient address rejected"
    guardian = make_guardian(email="gone@example.fi")
    refused = enqueue_email("gone@example.fi", guardian=guardian)
    fine = enqueue_email("anna@example.fi")
    Worker().run_once()
    row = Message.objects.get(pk=refused.pk)
    assert row.status == Status.PERMANENT_FAILURE and "550" in row.last_error
    assert Message.objects.get(pk=fine.pk).status == Status.SENT  # the session went on after the refusal
    follow_up = FollowUp.objects.get()
    assert (follow_up.reason, follow_up.guardian, follow_up.message) == ("unreachable", guardian, row)


def test_sms_failing_and_then_email_refused_puts_the_family_on_the_list(smtp_server: SmtpRecorder) -> None:
    smtp_server.refuse["gone@example.fi"] = "550 5.1.1 no such user"
    guardian = make_guardian(phone="+358401234567", email="gone@example.fi")
    with transaction.atomic():
        sms = message_enqueue(
            channel="sms",
            recipient="+358401234567",
            template_key="messaging.test",
            language="fi",
            context={"text": "x"},
            fallback_email="gone@example.fi",
            guardian=guardian,
            subject_type="offer",
            subject_id="5",
        )
    Message.objects.filter(pk=sms.pk).update(status=Status.SENT)
    assert delivery_report_receive(message_id=sms.pk, status_code=2) == "applied"
    Worker().run_once()
    fallback = Message.objects.get(fallback_of=sms)
    assert fallback.status == Status.PERMANENT_FAILURE
    follow_up = FollowUp.objects.get()
    assert (follow_up.guardian, follow_up.subject_type, follow_up.subject_id) == (guardian, "offer", "5")


def test_a_4xx_refusal_is_retried_later(smtp_server: SmtpRecorder) -> None:
    smtp_server.refuse["busy@example.fi"] = "450 4.2.1 mailbox busy, try later"
    message = enqueue_email("busy@example.fi")
    Worker().run_once()
    row = Message.objects.get(pk=message.pk)
    assert row.status == Status.TEMPORARY_FAILURE and "450" in row.last_error
    assert not FollowUp.objects.exists()


def test_an_smtp_server_that_is_down_is_a_temporary_failure(settings: Any) -> None:
    settings.MESSAGING_EMAIL_BACKEND = "smtp"
    settings.MESSAGING_SMTP_HOST = "127.0.0.1"
    settings.MESSAGING_SMTP_PORT = free_port()
    message = enqueue_email("anna@example.fi")
    Worker().run_once()
    row = Message.objects.get(pk=message.pk)
    assert row.status == Status.TEMPORARY_FAILURE and "unreachable" in row.last_error
