"""SMS that Kannel took but never reported on go to staff once, after MESSAGING_DELIVERY_REPORT_WAIT_HOURS."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.db import transaction

from asti.audit.models import AuditEvent
from asti.core import clock
from asti.jobs.registry import PERIODIC
from asti.messaging.models import Channel, FollowUp, FollowUpReason, Message, Status
from asti.messaging.reconcile import unreported_messages_follow_up
from asti.messaging.reports import delivery_report_receive
from asti.messaging.services import message_enqueue
from tests.messaging.conftest import make_guardian

pytestmark = pytest.mark.django_db(databases=["default", "audit"])
T0 = dt.datetime(2026, 11, 23, 9, 0, tzinfo=dt.UTC)


def handed_over(channel: str = Channel.SMS, *, hours_ago: float, status: str = Status.SENT, **kwargs: Any) -> Message:
    guardian = make_guardian(phone="+358401234567", email="anna@example.fi")
    with transaction.atomic():
        message = message_enqueue(
            channel=channel,
            recipient=guardian.phone if channel == Channel.SMS else guardian.email,
            template_key="messaging.test",
            language="fi",
            context={"text": "Tarjous"},
            guardian=guardian,
            subject_type="offer",
            subject_id="17",
            **kwargs,
        )
    Message.objects.filter(pk=message.pk).update(status=status, sent_at=T0 - dt.timedelta(hours=hours_ago))
    return Message.objects.get(pk=message.pk)


def test_an_sms_without_a_final_report_goes_to_staff_once(settings: Any) -> None:
    settings.MESSAGING_DELIVERY_REPORT_WAIT_HOURS = 24
    late = handed_over(hours_ago=25)
    handed_over(hours_ago=23)  # may still come
    handed_over(hours_ago=30, status=Status.DELIVERED)
    handed_over(hours_ago=30, status=Status.PERMANENT_FAILURE)
    handed_over(Channel.EMAIL, hours_ago=30)  # email never gets a report: "sent" is its last word
    with clock.frozen_at(T0):
        assert unreported_messages_follow_up() == 1
        assert unreported_messages_follow_up() == 0  # once
    follow_up = FollowUp.objects.get()
    assert (follow_up.reason, follow_up.message, follow_up.guardian_id) == (
        FollowUpReason.NO_DELIVERY_REPORT,
        late,
        late.guardian_id,
    )
    assert (follow_up.subject_type, follow_up.subject_id) == ("offer", "17")
    assert "25 h ago" in follow_up.detail and follow_up.resolved_at is None
    assert Message.objects.get(pk=late.pk).status == Status.SENT  # not sent again: it may have reached the phone
    with clock.frozen_at(T0 + dt.timedelta(hours=2)):
        assert unreported_messages_follow_up() == 1  # the 23-hour one's time is up now
    settings.MESSAGING_DELIVERY_REPORT_WAIT_HOURS = 1
    with clock.frozen_at(T0 + dt.timedelta(hours=2)):
        assert unreported_messages_follow_up() == 0


def test_batches_cover_every_message() -> None:
    for _ in range(5):
        handed_over(hours_ago=48)
    with clock.frozen_at(T0):
        assert unreported_messages_follow_up(batch=2) == 5
    assert FollowUp.objects.count() == 5


def test_a_delivered_report_after_all_closes_the_follow_up(django_capture_on_commit_callbacks: Any) -> None:
    message = handed_over(hours_ago=30)
    with clock.frozen_at(T0):
        unreported_messages_follow_up()
    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        assert delivery_report_receive(message_id=message.pk, status_code=1) == "applied"
    follow_up = FollowUp.objects.get()
    assert follow_up.resolved_at is not None and follow_up.resolved_by == "system: delivery report"
    assert "delivered after all" in follow_up.resolution_note
    assert AuditEvent.objects.filter(operation="RESOLVE", target_id=str(follow_up.pk)).exists()


def test_the_reconciliation_is_a_periodic_job() -> None:
    handed_over(hours_ago=48)
    with clock.frozen_at(T0):
        assert PERIODIC["messaging.reconcile"].run() == {"followed_up": 1}
