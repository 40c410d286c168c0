"""The outbox worker: claims due messages in batches, sends them, records how it went.

Claiming is one atomic UPDATE ... RETURNING that moves rows to 'sending' with a lease (claimed_by, claimed_until,
and next_attempt_at = the lease's end). On PostgreSQL its inner SELECT takes FOR UPDATE SKIP LOCKED, so workers on
several machines claim disjoint rows without waiting for each other; on SQLite the statement runs under the
database's single write lock. A row whose lease runs out (its worker crashed) is due again and another worker takes
it: every message is sent, and only those in flight at the crash can go twice.

Each (lane, channel) pair has its own thread, so the fast lane (answers, confirmations) never waits behind a bulk
send. Sending runs on a small thread pool per pair; the database is touched only from the pair's own thread.
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
from django.db import DatabaseError, IntegrityError, close_old_connections, connection, transaction

from asti.core import clock
from asti.messaging import services
from asti.messaging.channels import Backend, OutboundMessage, Outcome, SendResult, get_backend
from asti.messaging.models import CLAIMABLE_STATUSES, Channel, ChannelThrottle, Lane, Message, Status
from asti.messaging.reports import delivery_reports_apply

log = logging.getLogger(__name__)

_CLAIM_SQL = """
UPDATE {table}
   SET status = %s, claimed_by = %s, claimed_until = %s, next_attempt_at = %s, sending_at = %s,
       attempts = attempts + 1
 WHERE id IN (
       SELECT id FROM {table}
        WHERE lane = %s AND channel = %s AND status IN (%s, %s, %s) AND next_attempt_at <= %s
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
        Status.SENDING, worker_id, adapt(until), adapt(until), adapt(now),
        lane, channel, *CLAIMABLE_STATUSES, adapt(now), limit,
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
        """Sends everything due now (the fast lane first), applies the delivery reports stored so far, and returns
        how many messages were tried."""
        total = 0
        try:
            while True:
                done = sum(
                    self.process_batch(lane, channel) for lane in self._ordered_lanes() for channel in self.channels
                )
                total += done
                if done == 0:
                    break
            if Channel.SMS in self.channels:
                while delivery_reports_apply() > 0:
                    pass
            return total
        finally:
            self.close()

    def run_forever(self, stop: threading.Event) -> None:
        """One thread per (lane, channel) until `stop` is set; each finishes its batch before stopping."""
        threads = [
            threading.Thread(target=self._loop, args=(lane, channel, stop), name=f"outbox-{lane}-{channel}")
            for lane in self._ordered_lanes()
            for channel in self.channels
        ]
        if Channel.SMS in self.channels:
            threads.append(threading.Thread(target=self._reports_loop, args=(stop,), name="outbox-reports"))
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
                    close_old_connections()
                    done = 0
                    stop.wait(max(idle, 1.0))
                if done == 0:
                    stop.wait(idle)
        finally:
            connection.close()

    def _reports_loop(self, stop: threading.Event) -> None:
        """Applies the delivery reports that the callback view stored."""
        idle: float = settings.MESSAGING_POLL_SECONDS
        try:
            while not stop.is_set():
                try:
                    done = delivery_reports_apply()
                except Exception:
                    log.exception("outbox: applying delivery reports failed; retrying shortly")
                    close_old_connections()
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
        results = self._send(lane, channel, to_send, start=start, rate=rate)
        self._record(results)
        log.debug("outbox %s/%s: %d tried by %s", lane, channel, len(batch), self.worker_id)
        return len(batch)

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

    def _send(
        self, lane: str, channel: str, batch: list[Claimed], *, start: dt.datetime | None, rate: float
    ) -> list[tuple[OutboundMessage, SendResult]]:
        """Sends a batch, each message in its reserved slot when the lane is rate-limited."""
        backend = self._backend(channel)
        first_slot = time.monotonic() + ((start - clock.now()).total_seconds() if start is not None else 0.0)
        used = 0

        def pace(claimed: Claimed) -> None:
            nonlocal used
            if rate > 0:
                delay = first_slot + used / rate - time.monotonic()
                if delay > 0:
                    time.sleep(delay)
            used += claimed.weight

        if backend.uses_database:
            results = []
            for claimed in batch:
                pace(claimed)
                results.append((claimed.message, _safe_send(backend, claimed.message)))
            return results
        pool = self._pool(lane, channel)
        futures: list[tuple[OutboundMessage, Future[SendResult]]] = []
        for claimed in batch:
            pace(claimed)
            futures.append((claimed.message, pool.submit(_safe_send, backend, claimed.message)))
        return [(message, future.result()) for message, future in futures]

    def _record(self, results: list[tuple[OutboundMessage, SendResult]]) -> None:
        """Writes the results; a write that fails (a lock timeout, a deadlock) is tried again, since a batch left
        in 'sending' would be sent a second time after its lease."""
        for attempt in range(1, 4):
            try:
                self._write_results(results)
                return
            except DatabaseError:
                if attempt == 3:
                    raise
                log.warning("outbox: recording %d results failed (try %d); retrying", len(results), attempt)
                close_old_connections()
                time.sleep(0.2 * attempt)

    def _write_results(self, results: list[tuple[OutboundMessage, SendResult]]) -> None:
        by_outcome: dict[Outcome, list[tuple[OutboundMessage, SendResult]]] = defaultdict(list)
        for message, result in results:
            by_outcome[result.outcome].append((message, result))
        sent = by_outcome[Outcome.SENT]
        services.messages_mark_sent(worker_id=self.worker_id, ids=[m.id for m, r in sent if not r.gateway_message_id])
        with transaction.atomic():
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


def _safe_send(backend: Backend, message: OutboundMessage) -> SendResult:
    try:
        return backend.send(message)
    except Exception as exc:  # a backend bug must not lose the batch: the row is retried
        log.exception("backend failed on message #%s", message.id)
        return SendResult(Outcome.TEMPORARY, error=f"{type(exc).__name__}: {exc}")
