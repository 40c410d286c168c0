from __future__ import annotations

import datetime as dt
import threading
import time
from typing import Any

import pytest
from django.db import connection, transaction

from asti.core import clock
from asti.messaging import reports, services
from asti.messaging.channels import Outcome
from asti.messaging.models import Channel, FollowUp, Lane, Message, SimulatedMessage, Status
from asti.messaging.services import OutboxError, OutgoingMessage, message_enqueue, message_enqueue_bulk
from asti.messaging.worker import Worker, claim
from tests.messaging.conftest import RecordingBackend, make_guardian

pytestmark = pytest.mark.django_db


def enqueue(recipient: str = "+358401234567", **kwargs: Any) -> Message:
    defaults: dict[str, Any] = {
        "channel": Channel.SMS,
        "template_key": "messaging.test",
        "language": "fi",
        "context": {"text": "Hei"},
    }
    with transaction.atomic():
        return message_enqueue(recipient=recipient, **{**defaults, **kwargs})


@pytest.mark.django_db(transaction=True)
def test_enqueue_needs_the_callers_transaction() -> None:
    with pytest.raises(OutboxError, match="inside transaction"):
        message_enqueue(
            channel="sms",
            recipient="+358401234567",
            template_key="messaging.test",
            language="fi",
            context={"text": "x"},
        )


@pytest.mark.django_db(transaction=True)
def test_a_rolled_back_change_leaves_no_message() -> None:
    with pytest.raises(RuntimeError), transaction.atomic():
        message_enqueue(
            channel="sms",
            recipient="+358401234567",
            template_key="messaging.test",
            language="fi",
            context={"text": "x"},
        )
        raise RuntimeError("the change that caused the message failed")
    assert Message.objects.count() == 0


def test_an_sms_row_knows_its_text_encoding_and_template_version() -> None:
    guardian = make_guardian(phone="+358401234567")
    message = enqueue(
        "040 123 4567", context={"text": "Šárka " * 20}, guardian=guardian, subject_type="offer", subject_id=7
    )
    assert message.recipient == "+358401234567"
    assert (message.sms_encoding, message.sms_parts) == ("UCS-2", 2)
    assert message.status == Status.CREATED and message.attempts == 0
    assert message.template_version and message.subject_id == "7" and message.guardian == guardian
    assert message.next_attempt_at == message.created_at


def test_too_many_parts_is_refused() -> None:
    with pytest.raises(OutboxError, match="SMS parts"):
        enqueue(context={"text": "x" * 2000})


def test_email_needs_a_subject_and_valid_address_or_fails_at_once() -> None:
    message = enqueue("not-an-address", channel=Channel.EMAIL)
    assert message.status == Status.PERMANENT_FAILURE
    assert FollowUp.objects.get().message == message


def test_an_unreachable_number_falls_back_to_email_at_once() -> None:
    guardian = make_guardian(email="anna@example.fi")
    sms = enqueue(
        "not a number", fallback_email="anna@example.fi", guardian=guardian, subject_type="offer", subject_id="3"
    )
    assert sms.status == Status.PERMANENT_FAILURE
    email = Message.objects.get(fallback_of=sms)
    assert (email.channel, email.recipient, email.status) == (Channel.EMAIL, "anna@example.fi", Status.CREATED)
    assert (email.subject, email.body, email.subject_id) == ("Helsingin kaupunki – testiviesti", "Hei", "3")
    assert not FollowUp.objects.exists()


def test_bulk_enqueue_writes_many_rows() -> None:
    with transaction.atomic():
        rows = message_enqueue_bulk(
            messages=[
                OutgoingMessage(
                    channel="sms",
                    recipient=f"+35840000{i:04d}",
                    template_key="messaging.test",
                    language="sv",
                    context={"text": f"n{i}"},
                )
                for i in range(1200)
            ]
        )
    assert len(rows) == 1200 and all(r.pk for r in rows)
    assert Message.objects.filter(status=Status.CREATED, language="sv").count() == 1200


def test_claim_takes_due_rows_of_its_lane_once() -> None:
    due = [enqueue(f"+35840111{i:04d}") for i in range(3)]
    enqueue("+358401119999", lane=Lane.FAST)
    enqueue("+358401118888", not_before=clock.now() + dt.timedelta(hours=1))
    first = claim(worker_id="w1", lane=Lane.BULK, channel=Channel.SMS, limit=10, lease_seconds=60)
    assert [c.message.id for c in first] == [m.pk for m in due]
    assert claim(worker_id="w2", lane=Lane.BULK, channel=Channel.SMS, limit=10, lease_seconds=60) == []
    row = Message.objects.get(pk=due[0].pk)
    assert (row.status, row.claimed_by, row.attempts) == (Status.SENDING, "w1", 1)
    # the lease is claimed_until; the row keeps its place in the queue (next_attempt_at) for after a crash
    assert row.claimed_until is not None and row.claimed_until > row.next_attempt_at
    assert row.next_attempt_at == due[0].next_attempt_at and row.handed_at is None


def test_worker_sends_the_fast_lane_first(recording: type[RecordingBackend]) -> None:
    bulk = [enqueue(f"+35840222{i:04d}") for i in range(5)]
    fast = enqueue("+358402229999", lane=Lane.FAST)
    assert Worker(batch_size=2).run_once() == 6
    assert recording.sent[0].id == fast.pk
    assert sorted(m.id for m in recording.sent) == sorted([fast.pk, *(m.pk for m in bulk)])
    assert Message.objects.filter(status=Status.SENT, sent_at__isnull=False, claimed_by="").count() == 6


def test_temporary_failures_back_off_then_give_up_as_technical_failure(recording: type[RecordingBackend]) -> None:
    message = enqueue(fallback_email="anna@example.fi")
    recording.outcome = Outcome.TEMPORARY
    start = clock.now()
    delays = []
    for attempt in range(1, 5):
        with clock.frozen_at(start + dt.timedelta(hours=attempt)):
            Worker().run_once()
            row = Message.objects.get(pk=message.pk)
            if attempt < 4:
                assert (row.status, row.attempts) == (Status.TEMPORARY_FAILURE, attempt)
                delays.append((row.next_attempt_at - clock.now()).total_seconds())
    assert delays == [10.0, 20.0, 40.0]
    assert (row.status, row.attempts) == (Status.TECHNICAL_FAILURE, 4)
    assert Message.objects.get(fallback_of=message).channel == Channel.EMAIL


def test_a_temporary_failure_is_retried_when_due(recording: type[RecordingBackend]) -> None:
    message = enqueue()
    recording.outcome = Outcome.TEMPORARY
    Worker().run_once()
    recording.outcome = Outcome.SENT
    assert Worker().run_once() == 0  # not due yet
    with clock.frozen_at(clock.now() + dt.timedelta(seconds=11)):
        assert Worker().run_once() == 1
    row = Message.objects.get(pk=message.pk)
    assert (row.status, row.attempts, row.last_error) == (Status.SENT, 2, "")


def test_rows_of_a_crashed_worker_are_sent_after_its_lease(recording: type[RecordingBackend]) -> None:
    messages = [enqueue(f"+35840333{i:04d}") for i in range(10)]
    crashed = claim(worker_id="crashed", lane=Lane.BULK, channel=Channel.SMS, limit=4, lease_seconds=60)
    assert len(crashed) == 4  # ...and the worker dies here, before recording anything
    assert Worker().run_once() == 6  # the other six go at once; the four wait for the lease
    with clock.frozen_at(clock.now() + dt.timedelta(seconds=61)):
        assert Worker().run_once() == 4
    assert sorted(m.id for m in recording.sent) == [m.pk for m in messages]
    # the crashed worker coming back to life cannot record over the worker that took its rows
    assert services.messages_mark_sent(worker_id="crashed", ids=[c.message.id for c in crashed]) == 0
    assert set(Message.objects.values_list("attempts", flat=True)) == {1, 2}


def test_final_states_are_never_overwritten() -> None:
    message = enqueue()
    claim(worker_id="w", lane=Lane.BULK, channel=Channel.SMS, limit=1, lease_seconds=60)
    assert reports.delivery_report_receive(message_id=message.pk, status_code=1) == "applied"
    assert services.messages_mark_sent(worker_id="w", ids=[message.pk]) == 0
    assert reports.delivery_report_receive(message_id=message.pk, status_code=2) == "final"
    assert not services.message_mark_failed(worker_id="w", message_id=message.pk, error="late")
    row = Message.objects.get(pk=message.pk)
    assert row.status == Status.DELIVERED and row.sent_at is not None and row.delivered_at is not None


def test_simulated_channels_deliver_to_the_phone_and_fall_back_to_the_inbox(settings: Any) -> None:
    guardian = make_guardian(phone="+358404440000", email="anna@example.fi")
    settings.MESSAGING_SIMULATED_UNREACHABLE = ["+358404440001"]
    ok = enqueue("+358404440000", guardian=guardian)
    failing = enqueue("+358404440001", fallback_email="anna@example.fi", guardian=guardian)
    Worker().run_once()
    assert Message.objects.get(pk=ok.pk).status == Status.DELIVERED
    assert Message.objects.get(pk=failing.pk).status == Status.PERMANENT_FAILURE
    assert Message.objects.get(fallback_of=failing).status == Status.DELIVERED
    phone, inbox = SimulatedMessage.objects.filter(direction="out").order_by("channel")
    assert (phone.channel, phone.address, inbox.channel, inbox.address) == (
        "email",
        "anna@example.fi",
        "sms",
        "+358404440000",
    )
    assert not FollowUp.objects.exists()


def test_both_channels_failing_puts_the_family_on_the_follow_up_list(settings: Any) -> None:
    guardian = make_guardian(phone="+358404440001", email="gone@example.fi")
    settings.MESSAGING_SIMULATED_UNREACHABLE = ["+358404440001", "gone@example.fi"]
    sms = enqueue(
        "+358404440001", fallback_email="gone@example.fi", guardian=guardian, subject_type="offer", subject_id="9"
    )
    Worker().run_once()
    email = Message.objects.get(fallback_of=sms)
    follow_up = FollowUp.objects.get()
    assert (follow_up.reason, follow_up.guardian, follow_up.message, follow_up.subject_id) == (
        "unreachable",
        guardian,
        email,
        "9",
    )
    services.follow_up_resolve(follow_up=follow_up, actor="pia")
    assert FollowUp.objects.get().resolved_by == "pia"


def test_the_rate_limit_paces_a_lane(settings: Any, recording: type[RecordingBackend]) -> None:
    settings.MESSAGING_RATE_LIMITS = {"sms.bulk": 40.0}
    for i in range(40):
        enqueue(f"+35840555{i:04d}")
    enqueue("+358405559999", context={"text": "é" * 100})  # two UCS-2 parts: two slots
    started = time.monotonic()
    Worker().run_once()
    elapsed = time.monotonic() - started
    assert len(recording.sent) == 41
    assert 0.9 < elapsed < 2.5  # 42 slots at 40/s


@pytest.mark.django_db(transaction=True)
def test_two_workers_never_send_the_same_row(recording: type[RecordingBackend]) -> None:
    with transaction.atomic():
        message_enqueue_bulk(
            messages=[
                OutgoingMessage(
                    channel="sms",
                    recipient=f"+35840666{i:04d}",
                    template_key="messaging.test",
                    language="fi",
                    context={"text": "x"},
                )
                for i in range(300)
            ]
        )
    recording.delay = 0.002
    counts: dict[str, int] = {}

    def work(name: str) -> None:
        try:
            counts[name] = Worker(batch_size=20, threads=4, worker_id=name).run_once()
        finally:
            connection.close()

    threads = [threading.Thread(target=work, args=(f"w{i}",)) for i in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    ids = [m.id for m in recording.sent]
    assert len(ids) == len(set(ids)) == 300
    assert counts["w0"] > 0 and counts["w1"] > 0
    assert Message.objects.filter(status=Status.SENT).count() == 300
