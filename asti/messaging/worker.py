"""The outbox worker: claims due messages in batches, hands them to the gateway, records how it went.

Claiming is one atomic UPDATE ... RETURNING that moves rows to 'sending' with a lease (claimed_by, claimed_until).
On PostgreSQL its inner SELECT takes FOR UPDATE SKIP LOCKED, so workers on several machines claim disjoint rows
without waiting for each other; on SQLite the statement runs under the database's single write lock. A claimed
row keeps its place in the queue (next_attempt_at): if its worker dies before handing it over, it is the first to
go again once the lease runs out. The hand-off itself goes a few messages at a time through asti.messaging.handoff,
which records it before it happens, so a crash or a database outage never sends a message twice.

Each (lane, channel) pair has its own thread, so the fast lane (answers, confirmations) never waits behind a bulk
send. Sending runs on a small thread pool per pair; the database is touched only from the pair's own thread. An
upkeep thread applies delivery reports and settles the rows a dead worker left in doubt.
A rate limit per "channel.lane" (MESSAGING_RATE_LIMITS, messages per second) is shared by all workers through a
ChannelThrottle row: a worker reserves the slots for the batch it claimed and paces its sends into them.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import socket
import threading
import time
import uuid
from collections import defaultdict
from collections.abc import Callable, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field

from django.conf import settings
from django.db import IntegrityError, connection, transaction

from asti.core import clock
from asti.messaging import services
from asti.messaging.channels import Backend, OutboundMessage, Outcome, SendResult, get_backend
from asti.messaging.handoff import handoff_begin, handoff_chunk, handoff_overlaps, in_doubt_settle, with_db_retry
from asti.messaging.models import CLAIMABLE_STATUSES, Channel, ChannelThrottle, Lane, Message, Status
from asti.messaging.reports import delivery_reports_apply

log = logging.getLogger(__name__)

_CLAIM_SQL = """
UPDATE {table}
   SET status = %s, claimed_by = %s, claimed_until = %s, sending_at = %s, handed_at = NULL,
       attempts = attempts + 1
 WHERE id IN (
       SELECT id FROM {table}
        WHERE lane = %s AND channel = %s AND status IN (%s, %s, %s) AND next_attempt_at <= %s
          AND (status <> %s OR (claimed_until <= %s AND handed_at IS NULL))
        ORDER BY next_attempt_at, id
        LIMIT %s {lock})
RETURNING id, channel, recipient, language, subject, body, sms_encoding, attempts, sms_parts
"""


def new_worker_id() -> str:
    return f"{socket.gethostname()[:40]}:{os.getpid()}:{uuid.uuid4().hex[:8]}"


@dataclass(frozen=True)
class Claimed:
    message: OutboundMessage
    attempts: int
    weight: int  # what the rate limit counts: SMS parts, or 1


def claim(*, worker_id: str, lane: str, channel: str, limit: int, lease_seconds: float) -> list[Claimed]:
    """Atomically moves up to `limit` due rows of a lane and channel to 'sending' for this worker."""
    now = clock.now()
    until = now + dt.timedelta(seconds=lease_seconds)
    lock = "FOR UPDATE SKIP LOCKED" if connection.vendor == "postgresql" else ""
    sql = _CLAIM_SQL.format(table=connection.ops.quote_name(Message._meta.db_table), lock=lock)
    adapt = connection.ops.adapt_datetimefield_value
    params = [
        Status.SENDING, worker_id, adapt(until), adapt(now),
        lane, channel, *CLAIMABLE_STATUSES, adapt(now), Status.SENDING, adapt(now), limit,
    ]  # fmt: skip
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    claimed = [
        Claimed(OutboundMessage(id=r[0], channel=r[1], recipient=r[2], language=r[3], subject=r[4], body=r[5],
                                sms_encoding=r[6]), attempts=r[7], weight=max(1, r[8] or 0))
        for r in rows
    ]  # fmt: skip
    claimed.sort(key=lambda c: c.message.id)
    return claimed


def throttle_reserve(*, key: str, count: int, rate: float) -> dt.datetime:
    """Reserves `count` send slots at `rate` per second on a budget shared by all workers; returns the first."""
    now = clock.now()
    with transaction.atomic():
        row = ChannelThrottle.objects.select_for_update().filter(key=key).first()
        if row is None:
            try:
                with transaction.atomic():
                    row = ChannelThrottle.objects.create(key=key, next_free_at=now)
            except IntegrityError:
                row = ChannelThrottle.objects.select_for_update().get(key=key)
        start = max(row.next_free_at, now)
        row.next_free_at = start + dt.timedelta(seconds=count / rate)
        row.save(update_fields=["next_free_at"])
    return start


@dataclass
class Worker:
    lanes: Sequence[str] = (Lane.FAST, Lane.BULK)
    channels: Sequence[str] = (Channel.SMS, Channel.EMAIL)
    batch_size: int = 0
    threads: int = 0
    worker_id: str = field(default_factory=new_worker_id)
    backend_factory: Callable[[str], Backend] = get_backend
    _backends: dict[str, Backend] = field(default_factory=dict)
    _pools: dict[tuple[str, str], ThreadPoolExecutor] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.batch_size = self.batch_size or settings.MESSAGING_WORKER_BATCH_SIZE
        self.threads = self.threads or settings.MESSAGING_WORKER_THREADS
        self.lease_seconds: float = settings.MESSAGING_LEASE_SECONDS
        self._lock = threading.Lock()

    # --- the two ways to run -------------------------------------------------------------------------------------

    def run_once(self) -> int:
        """Settles rows in doubt, sends everything due now (the fast lane first), applies the delivery reports
        stored so far, and returns how many messages were tried."""
        total = 0
        try:
            self.upkeep()
            while True:
                done = sum(
                    self.process_batch(lane, channel) for lane in self._ordered_lanes() for channel in self.channels
                )
                total += done
                if done == 0:
                    break
            self.upkeep()
            return total
        finally:
            self.close()

    def run_forever(self, stop: threading.Event) -> None:
        """One thread per (lane, channel) and one for upkeep until `stop` is set; each finishes its batch first."""
        threads = [
            threading.Thread(target=self._loop, args=(lane, channel, stop), name=f"outbox-{lane}-{channel}")
            for lane in self._ordered_lanes()
            for channel in self.channels
        ]
        threads.append(threading.Thread(target=self._upkeep_loop, args=(stop,), name="outbox-upkeep"))
        for thread in threads:
            thread.start()
        try:
            while any(t.is_alive() for t in threads):
                for thread in threads:
                    thread.join(timeout=0.5)
        finally:
            stop.set()
            for thread in threads:
                thread.join()
            self.close()

    def _ordered_lanes(self) -> list[str]:
        return sorted(self.lanes, key=lambda lane: lane != Lane.FAST)

    def _loop(self, lane: str, channel: str, stop: threading.Event) -> None:
        idle: float = settings.MESSAGING_POLL_SECONDS_FAST if lane == Lane.FAST else settings.MESSAGING_POLL_SECONDS
        try:
            while not stop.is_set():
                try:
                    done = self.process_batch(lane, channel)
                except Exception:
                    log.exception("outbox %s/%s: batch failed; retrying shortly", lane, channel)
                    connection.close()
                    done = 0
                    stop.wait(max(idle, 1.0))
                if done == 0:
                    stop.wait(idle)
        finally:
            connection.close()

    def upkeep(self) -> int:
        """Applies stored delivery reports, then settles rows in doubt; returns how much it did."""
        done = 0
        if Channel.SMS in self.channels:
            while (applied := delivery_reports_apply()) > 0:
                done += applied
        settled = in_doubt_settle(channels=self.channels)
        return done + settled.sent + settled.resent

    def _upkeep_loop(self, stop: threading.Event) -> None:
        idle: float = settings.MESSAGING_POLL_SECONDS
        try:
            while not stop.is_set():
                try:
                    done = self.upkeep()
                except Exception:
                    log.exception("outbox: upkeep (delivery reports, rows in doubt) failed; retrying shortly")
                    connection.close()
                    done = 0
                if done == 0:
                    stop.wait(idle)
        finally:
            connection.close()

    # --- one batch ------------------------------------------------------------------------------------------------

    def process_batch(self, lane: str, channel: str) -> int:
        rate = float(settings.MESSAGING_RATE_LIMITS.get(f"{channel}.{lane}", 0) or 0)
        limit = self.batch_size if rate <= 0 else max(1, min(self.batch_size, int(rate)))
        batch = claim(
            worker_id=self.worker_id, lane=lane, channel=channel, limit=limit, lease_seconds=self.lease_seconds
        )
        if not batch:
            return 0
        max_attempts: int = settings.MESSAGING_MAX_ATTEMPTS
        worn_out = [c for c in batch if c.attempts > max_attempts]
        for c in worn_out:
            services.message_mark_failed(
                worker_id=self.worker_id, message_id=c.message.id, error="attempts used up",
                status=Status.TECHNICAL_FAILURE,
            )  # fmt: skip
        to_send = [c for c in batch if c.attempts <= max_attempts]
        weight = sum(c.weight for c in to_send)
        start = throttle_reserve(key=f"{channel}.{lane}", count=weight, rate=rate) if rate > 0 and to_send else None
        pacer = _Pacer(start=start, rate=rate)
        step = handoff_chunk(channel)
        parts = [to_send[first : first + step] for first in range(0, len(to_send), step)]
        if handoff_overlaps(channel):
            # The database work of one step overlaps the sends of the step before: while part k is on its way,
            # its predecessor's results are recorded and part k+1 is marked. At most two steps are ever in doubt.
            results: list[tuple[OutboundMessage, SendResult]] = []
            mine = set(self._record_then_begin([], _ids(parts[0]))) if parts else set()
            for k, part in enumerate(parts):
                sending = self._submit(lane, channel, [c for c in part if c.message.id in mine], pacer)
                mine = set(self._record_then_begin(results, _ids(parts[k + 1]) if k + 1 < len(parts) else []))
                results = _results(sending)
            self._record_then_begin(results, [])
        else:
            # Each step recorded as soon as it is sent: only what is on its way at a crash is in doubt.
            for part in parts:
                mine = set(self._record_then_begin([], _ids(part)))
                sent = _results(self._submit(lane, channel, [c for c in part if c.message.id in mine], pacer))
                self._record_then_begin(sent, [])
        log.debug("outbox %s/%s: %d tried by %s", lane, channel, len(batch), self.worker_id)
        return len(batch)

    def _record_then_begin(self, results: list[tuple[OutboundMessage, SendResult]], ids: list[int]) -> list[int]:
        """One committed step: records the last step's results and marks the next step's messages as being handed
        over (asti.messaging.handoff); retried through a database outage. Returns the ids that may be sent."""
        if not results and not ids:
            return []

        def step() -> list[int]:
            with transaction.atomic():
                if results:
                    self._write_results(results)
                return handoff_begin(worker_id=self.worker_id, ids=ids, lease_seconds=self.lease_seconds)

        return with_db_retry(step, what=f"recording {len(results)} results and handing over {len(ids)}")

    def _backend(self, channel: str) -> Backend:
        with self._lock:
            if channel not in self._backends:
                self._backends[channel] = self.backend_factory(channel)
            return self._backends[channel]

    def _pool(self, lane: str, channel: str) -> ThreadPoolExecutor:
        with self._lock:
            if (lane, channel) not in self._pools:
                size = self.threads if lane == Lane.BULK else max(2, self.threads // 4)
                self._pools[(lane, channel)] = ThreadPoolExecutor(size, thread_name_prefix=f"send-{lane}-{channel}")
            return self._pools[(lane, channel)]

    def _submit(
        self, lane: str, channel: str, batch: list[Claimed], pacer: _Pacer
    ) -> list[tuple[OutboundMessage, SendResult | Future[SendResult]]]:
        """Starts sending these messages (each in its reserved slot when the lane is rate-limited): on the pair's
        thread pool, or at once on this thread for a backend that uses the database."""
        backend = self._backend(channel)
        pool = None if backend.uses_database else self._pool(lane, channel)
        started: list[tuple[OutboundMessage, SendResult | Future[SendResult]]] = []
        for claimed in batch:
            pacer.wait(claimed.weight)
            if pool is None:
                started.append((claimed.message, _safe_send(backend, claimed.message)))
            else:
                started.append((claimed.message, pool.submit(_safe_send, backend, claimed.message)))
        return started

    def _write_results(self, results: list[tuple[OutboundMessage, SendResult]]) -> None:
        """Records a chunk's results in one transaction, its rows locked in id order first (see messages_lock)."""
        by_outcome: dict[Outcome, list[tuple[OutboundMessage, SendResult]]] = defaultdict(list)
        for message, result in results:
            by_outcome[result.outcome].append((message, result))
        with transaction.atomic():
            services.messages_lock([m.id for m, _ in results])
            sent = by_outcome[Outcome.SENT]
            plain = [m.id for m, r in sent if not r.gateway_message_id]
            if plain:
                services.messages_mark_sent(worker_id=self.worker_id, ids=plain)
            for message, result in sent:
                if result.gateway_message_id:
                    services.message_mark_sent_with_id(
                        worker_id=self.worker_id, message_id=message.id, gateway_message_id=result.gateway_message_id
                    )
            delivered = [m.id for m, _ in by_outcome[Outcome.DELIVERED]]
            if delivered:
                services.messages_mark_sent(worker_id=self.worker_id, ids=delivered, delivered=True)
            temporary = {m.id: r.error for m, r in by_outcome[Outcome.TEMPORARY]}
            if temporary:
                log.warning("outbox: %d temporary failures, e.g. %s", len(temporary), next(iter(temporary.values())))
                services.messages_mark_temporary_failure(worker_id=self.worker_id, failures=temporary)
            for message, result in by_outcome[Outcome.PERMANENT]:
                services.message_mark_failed(worker_id=self.worker_id, message_id=message.id, error=result.error)

    def close(self) -> None:
        with self._lock:
            pools, self._pools = self._pools, {}
            backends, self._backends = self._backends, {}
        for pool in pools.values():
            pool.shutdown(wait=True)
        for backend in backends.values():
            backend.close()


def _ids(part: list[Claimed]) -> list[int]:
    return [c.message.id for c in part]


def _results(
    sending: list[tuple[OutboundMessage, SendResult | Future[SendResult]]],
) -> list[tuple[OutboundMessage, SendResult]]:
    return [(message, result if isinstance(result, SendResult) else result.result()) for message, result in sending]


class _Pacer:
    """Spaces sends at `rate` per second from the first reserved slot (no pacing when the rate is 0)."""

    def __init__(self, *, start: dt.datetime | None, rate: float) -> None:
        self.rate = rate
        self.first_slot = time.monotonic() + ((start - clock.now()).total_seconds() if start is not None else 0.0)
        self.used = 0

    def wait(self, weight: int) -> None:
        if self.rate > 0:
            delay = self.first_slot + self.used / self.rate - time.monotonic()
            if delay > 0:
                time.sleep(delay)
        self.used += weight


def _safe_send(backend: Backend, message: OutboundMessage) -> SendResult:
    try:
        return backend.send(message)
    except Exception as exc:  # a backend bug must not lose the batch: the row is retried
        log.exception("backend failed on message #%s", message.id)
        return SendResult(Outcome.TEMPORARY, error=f"{type(exc).__name__}: {exc}")
