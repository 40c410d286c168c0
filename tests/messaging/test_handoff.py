"""The hand-off: a worker that dies, or loses its database, never makes a message go twice or get lost."""

from __future__ import annotations

import datetime as dt
import threading
import time
from typing import Any

import psycopg
import pytest
from django.db import OperationalError, connection

from asti.core import clock
from asti.messaging import handoff, reports
from asti.messaging.channels import OutboundMessage
from asti.messaging.channels.smtp import SmtpEmailBackend
from asti.messaging.models import Channel, Message, Status
from asti.messaging.worker import Worker, claim
from tests.messaging.conftest import RecordingBackend
from tests.messaging.test_outbox import enqueue

pytestmark = pytest.mark.django_db


def crash_mid_handoff(count: int, *, channel: str = Channel.SMS) -> list[int]:
    """A worker claims `count` rows, records that it is handing them over, and dies before recording more."""
    claimed = claim(worker_id="dead", lane="bulk", channel=channel, limit=count, lease_seconds=60)
    ids = [c.message.id for c in claimed]
    assert handoff.handoff_begin(worker_id="dead", ids=ids, lease_seconds=60) == ids
    return ids


def test_rows_handed_over_by_a_dead_worker_are_not_claimed_again_after_its_lease(
    recording: type[RecordingBackend],
) -> None:
    rows = [enqueue(f"+35840555{i:04d}") for i in range(3)]
    in_doubt = crash_mid_handoff(2)
    with clock.frozen_at(clock.now() + dt.timedelta(seconds=61)):
        assert Worker().run_once() == 1  # only the row that was never claimed
        assert [m.id for m in recording.sent] == [rows[2].pk]
        assert list(handoff.in_doubt().order_by("pk").values_list("pk", flat=True)) == in_doubt


def test_an_sms_in_doubt_with_a_delivery_report_counts_as_sent_and_is_never_sent_again(
    settings: Any, recording: type[RecordingBackend]
) -> None:
    settings.MESSAGING_SMS_IN_DOUBT_SECONDS = 600
    rows = [enqueue(f"+35840556{i:04d}") for i in range(2)]
    crash_mid_handoff(2)
    handed_at = Message.objects.get(pk=rows[0].pk).handed_at
    # the gateway had the first: the operator's acknowledgement comes back (Kannel's DLR 8)
    assert reports.delivery_report_receive(message_id=rows[0].pk, status_code=reports.DLR_ACK) == "recorded"
    with clock.frozen_at(clock.now() + dt.timedelta(seconds=61)):
        settled = handoff.in_doubt_settle()
    assert (settled.sent, settled.resent, settled.waiting) == (1, 0, 1)
    first = Message.objects.get(pk=rows[0].pk)
    assert (first.status, first.sent_at, first.claimed_by) == (Status.SENT, handed_at, "")
    # the second has no report: it waits, then goes again once the bound has passed without one
    with clock.frozen_at(clock.now() + dt.timedelta(seconds=300)):
        assert Worker().run_once() == 0
    assert recording.sent == []
    with clock.frozen_at(clock.now() + dt.timedelta(seconds=601)):
        assert Worker().run_once() == 1
    assert [m.id for m in recording.sent] == [rows[1].pk]
    assert Message.objects.get(pk=rows[1].pk).status == Status.SENT
    assert Message.objects.get(pk=rows[1].pk).attempts == 2


def test_a_late_final_report_for_an_sms_in_doubt_still_decides_it() -> None:
    (row,) = [enqueue("+358405570000")]
    crash_mid_handoff(1)
    assert reports.delivery_report_receive(message_id=row.pk, status_code=reports.DLR_DELIVERED) == "applied"
    assert Message.objects.get(pk=row.pk).status == Status.DELIVERED
    with clock.frozen_at(clock.now() + dt.timedelta(days=1)):
        assert not handoff.in_doubt_settle()
    assert Message.objects.get(pk=row.pk).status == Status.DELIVERED


def test_an_email_in_doubt_goes_again_at_once_with_the_same_message_id(recording: type[RecordingBackend]) -> None:
    row = enqueue("anna@example.fi", channel=Channel.EMAIL)
    crash_mid_handoff(1, channel=Channel.EMAIL)
    with clock.frozen_at(clock.now() + dt.timedelta(seconds=30)):
        assert Worker().run_once() == 0  # the lease still runs: the worker may only be slow
    with clock.frozen_at(clock.now() + dt.timedelta(seconds=61)):
        assert Worker().run_once() == 1  # settled, and sent again at once
    assert [m.id for m in recording.sent] == [row.pk]
    row.refresh_from_db()
    assert (row.status, row.attempts) == (Status.SENT, 2)
    smtp = SmtpEmailBackend()
    first, again = (smtp.build(OutboundMessage(row.pk, "email", row.recipient, "fi", "Paikka", "x", "")) for _ in "ab")
    assert first["Message-ID"] == again["Message-ID"]


def test_a_row_claimed_but_never_handed_over_goes_first_after_the_lease(recording: type[RecordingBackend]) -> None:
    early = enqueue("+358405580000")
    claim(worker_id="dead", lane="bulk", channel=Channel.SMS, limit=1, lease_seconds=60)
    later = [enqueue(f"+35840558{i:04d}") for i in range(1, 4)]
    with clock.frozen_at(clock.now() + dt.timedelta(seconds=61)):
        assert Worker(batch_size=1).run_once() == 4
    assert [m.id for m in recording.sent] == [early.pk, *(m.pk for m in later)]


@pytest.mark.django_db(transaction=True)  # outside a test transaction: a write inside a caller's one is not retried
def test_writes_are_retried_through_an_outage_then_given_up_within_the_budget() -> None:
    calls: list[float] = []

    def flaky() -> str:
        calls.append(time.monotonic())
        if len(calls) < 4:
            raise OperationalError("connection refused")
        return "written"

    assert handoff.with_db_retry(flaky, what="test write", budget=5) == "written"
    assert len(calls) == 4
    calls.clear()

    def down() -> None:
        calls.append(time.monotonic())
        raise OperationalError("connection refused")

    started = time.monotonic()
    with pytest.raises(OperationalError):
        handoff.with_db_retry(down, what="test write", budget=1.2)
    assert 0.8 < time.monotonic() - started <= 1.3 and len(calls) >= 4


@pytest.mark.django_db(transaction=True)
def test_recording_survives_the_database_dropping_the_workers_connection(recording: type[RecordingBackend]) -> None:
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL's pg_terminate_backend (CI runs the suite on PostgreSQL)")
    rows = [enqueue(f"+35840559{i:04d}") for i in range(40)]
    killer_ready = threading.Event()
    worker = Worker(batch_size=40, threads=4)
    original = worker._write_results
    killed: list[int] = []

    def write_after_a_drop(results: Any) -> None:
        if not killed:  # the first time: the database drops this connection just before the write
            pid = connection.cursor().connection.info.backend_pid
            killed.append(pid)
            db = connection.settings_dict
            with psycopg.connect(
                dbname=db["NAME"], user=db["USER"], host=db["HOST"], port=db["PORT"] or 5432, autocommit=True
            ) as other:
                other.execute("SELECT pg_terminate_backend(%s)", [pid])
            killer_ready.set()
        original(results)

    worker._write_results = write_after_a_drop  # type: ignore[method-assign]
    assert worker.run_once() == 40
    assert killed and killer_ready.is_set()
    assert sorted(m.id for m in recording.sent) == [m.pk for m in rows]  # each once
    assert Message.objects.filter(status=Status.SENT).count() == 40
    assert not Message.objects.filter(handed_at__isnull=True, status=Status.SENT).exists()


class MarkChecking(RecordingBackend):
    """Looks at each row as it is sent: it must already be marked as being handed over."""

    uses_database = True
    seen: list[tuple[int, bool]] = []

    def send(self, message: OutboundMessage) -> Any:
        row = Message.objects.get(pk=message.id)
        MarkChecking.seen.append((message.id, row.handed_at is not None and row.status == Status.SENDING))
        return super().send(message)


def test_a_chunk_is_marked_before_it_is_sent(settings: Any, recording: type[RecordingBackend]) -> None:
    settings.MESSAGING_HANDOFF_CHUNK = {"sms": 3, "email": 1}
    settings.MESSAGING_SMS_BACKEND = "tests.messaging.test_handoff.MarkChecking"
    MarkChecking.seen = []
    [enqueue(f"+35840560{i:04d}") for i in range(7)]
    assert Worker().run_once() == 7
    assert len(MarkChecking.seen) == 7 and all(marked for _, marked in MarkChecking.seen)


def test_the_settings_check_asks_for_the_operators_acknowledgement(settings: Any) -> None:
    from asti.messaging.checks import messaging_settings

    settings.MESSAGING_SMS_BACKEND = "kannel"
    settings.MESSAGING_KANNEL_DLR_MASK = 1 + 2 + 16
    assert "messaging.W002" in {m.id for m in messaging_settings()}
    settings.MESSAGING_KANNEL_DLR_MASK = 1 + 2 + 8 + 16
    assert "messaging.W002" not in {m.id for m in messaging_settings()}
