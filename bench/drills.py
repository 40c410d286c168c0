"""Fault drills for the outbox on PostgreSQL: real Kannel with its fake operator, a real SMTP server (aiosmtpd), the
real worker (`manage.py run_worker`) and the web server for Kannel's callbacks, with the faults caused for real.

Kannel is asked for delivery-report mask 8 only (the operator's acknowledgement; no instant final report, as with a
real operator whose final reports can take hours). Each drill enqueues a round, causes its fault while the round
is being sent, waits until the outbox is settled and counts what reached the operator and the mail server:

  baseline      no fault: the bulk send rate with Kannel and our lane unthrottled (messages handed over per second
                from the commit of the round), the figure to compare with bench_messaging's
  worker-kill   kill -9 of the worker in the middle of a bulk send, twice (SMS and email), then a new worker
  db-outage     every database connection of the worker dropped and new ones refused for 5 s, mid-send
  gateway-crash the operator stops reading for 2 s (SIGSTOP) so that Kannel queues, then kill -9 of bearerbox (its
                supervisor starts it again with its store), mid-send
  smtp-refuses  the mail server answers 451 to everything for 5 s, mid-send
  reply-storm   guardians' replies at 50/s through the fake operator, each also delivered to Asti a second time
                as the gateway does when it retries a callback; every reply must get exactly one confirmation

Per drill it prints expected, delivered, duplicated and lost (an email is identified by its Message-ID, an SMS by a
tag in its text), and for emails also how many the mail server took twice with the same Message-ID (a mailbox
files those as one message). A drill fails (exit status 1) when anything is lost or duplicated.
Usage: .venv/bin/python bench/drills.py [--drill all|baseline|worker-kill|db-outage|gateway-crash|
       smtp-refuses|reply-storm]
       [--messages 1500] [--emails 300]
PostgreSQL: BENCH_POSTGRES_URL (default postgres://postgres@127.0.0.1:5432/asti_drills, dropped and created).
"""

from __future__ import annotations

import argparse
import base64
import os
import re
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
import urllib.request
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bench_messaging import ANSWER, OFFER, OUR_NUMBER, TOKEN, base_env, percentile, process
from benchlib import django_setup, fresh_postgres_database

ROOT = Path(__file__).resolve().parent.parent
PG_DEFAULT = "postgres://postgres@127.0.0.1:5432/asti_drills"
LEASE_SECONDS = 10
SMS_IN_DOUBT_SECONDS = 20


# --- the parts the drills break ----------------------------------------------------------------------------------


class MailServer:
    """aiosmtpd on a free port: records every accepted email's Message-ID; can refuse everything for a while."""

    def __init__(self) -> None:
        from aiosmtpd.controller import Controller

        from asti.messaging.kannel_local import free_port

        self.accepted: list[str] = []
        self.refused = 0
        self.refusing_until = 0.0
        server = self

        class Handler:
            async def handle_DATA(self, _server: Any, _session: Any, envelope: Any) -> str:
                if time.monotonic() < server.refusing_until:
                    server.refused += 1
                    return "451 4.3.0 try again later"
                content = envelope.content.decode("utf-8", "replace")
                header = next((line for line in content.splitlines() if line.lower().startswith("message-id:")), "")
                server.accepted.append(header.split(":", 1)[1].strip())
                return "250 OK"

        self.port = free_port()
        self.controller = Controller(Handler(), hostname="127.0.0.1", port=self.port)
        self.controller.start()

    def refuse_for(self, seconds: float) -> None:
        self.refusing_until = time.monotonic() + seconds

    def stop(self) -> None:
        self.controller.stop()


class DatabaseProxy(threading.Thread):
    """A TCP proxy in front of PostgreSQL for the worker; `outage` drops its connections and refuses new ones."""

    def __init__(self, host: str, port: int) -> None:
        from asti.messaging.kannel_local import free_port

        super().__init__(daemon=True)
        self.target = (host, port)
        self.port = free_port()
        self.down_until = 0.0
        self.dropped = 0
        self._sockets: set[socket.socket] = set()
        self._lock = threading.Lock()
        self._listener = socket.create_server(("127.0.0.1", self.port))

    def run(self) -> None:
        while True:
            client, _ = self._listener.accept()
            if time.monotonic() < self.down_until:
                client.close()  # refused
                continue
            try:
                upstream = socket.create_connection(self.target)
            except OSError:
                client.close()
                continue
            with self._lock:
                self._sockets.update((client, upstream))
            for a, b in ((client, upstream), (upstream, client)):
                threading.Thread(target=self._pipe, args=(a, b), daemon=True).start()

    def _pipe(self, source: socket.socket, sink: socket.socket) -> None:
        try:
            while data := source.recv(65536):
                sink.sendall(data)
        except OSError:
            pass
        finally:
            for sock in (source, sink):
                with suppress(OSError):
                    sock.shutdown(socket.SHUT_RDWR)
                sock.close()
                with self._lock:
                    self._sockets.discard(sock)

    def outage(self, seconds: float) -> None:
        self.down_until = time.monotonic() + seconds
        with self._lock:
            sockets = list(self._sockets)
        self.dropped += len(sockets) // 2
        for sock in sockets:
            with suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)


def basic_auth(user: str, secret: str) -> str:
    return "Basic " + base64.b64encode(f"{user}:{secret}".encode()).decode()


# --- a drill's round and its count -------------------------------------------------------------------------------


@dataclass
class Round:
    tag: str
    sms: dict[str, int] = field(default_factory=dict)  # tag in the text -> message id
    emails: dict[int, str] = field(default_factory=dict)  # message id -> recipient


def enqueue(tag: str, sms: int, emails: int) -> Round:
    from django.db import transaction

    from asti.messaging.services import OutgoingMessage, message_enqueue_bulk

    out = Round(tag)
    rows = [
        OutgoingMessage(channel="sms", recipient=f"+3584{tag}{i:06d}", template_key="messaging.test", language="fi",
                        context={"text": OFFER.format(name=f"Lapsi{i}", token=f"{tag}x{i:08d}")}, subject_type=tag)
        for i in range(sms)
    ] + [
        OutgoingMessage(channel="email", recipient=f"huoltaja{i}@{tag}.example.fi", template_key="messaging.test",
                        language="fi", context={"text": f"Tarjous {tag}-{i}"}, subject_type=tag)
        for i in range(emails)
    ]  # fmt: skip
    with transaction.atomic():
        created = message_enqueue_bulk(messages=rows)
    for message in created:
        if message.channel == "sms":
            out.sms[f"{tag}x{int(message.recipient[-6:]):08d}"] = message.pk
        else:
            out.emails[message.pk] = message.recipient
    return out


def settled(tag: str) -> bool:
    from asti.messaging.models import Message

    return not Message.objects.filter(subject_type=tag, status__in=["created", "sending", "temporary_failure"]).exists()


def wait_until(predicate: Callable[[], bool], timeout: float, what: str) -> float:
    started = time.monotonic()
    while time.monotonic() - started < timeout:
        if predicate():
            return time.monotonic() - started
        time.sleep(0.25)
    raise SystemExit(f"drill: {what} did not happen within {timeout:.0f} s")


@dataclass
class Count:
    expected: int
    delivered: int
    duplicated: int
    lost: int
    note: str = ""

    def line(self, what: str) -> str:
        return (f"    {what:<6} expected {self.expected:>5}, delivered {self.delivered:>5}, duplicated "
                f"{self.duplicated:>3}, lost {self.lost:>3}{self.note}")  # fmt: skip

    @property
    def ok(self) -> bool:
        return self.duplicated == 0 and self.lost == 0 and self.delivered == self.expected


def count_sms(round_: Round, got: list[Any]) -> Count:
    from asti.messaging.kannel_local import join_parts

    seen: Counter[str] = Counter()
    texts = join_parts(got)
    for text in texts:
        start = text.find("/t/")
        if start >= 0:
            seen[text[start + 3 :].strip()] += 1
    got = {tag: seen[tag] for tag in round_.sms}
    delivered = sum(1 for n in got.values() if n)
    return Count(len(round_.sms), delivered, sum(n - 1 for n in got.values() if n > 1), len(round_.sms) - delivered)


def count_email(round_: Round, mail: MailServer) -> Count:
    from asti.messaging.email_inbound import original_message_id, sender_domain

    domain = sender_domain()
    wanted = {original_message_id(pk, domain): pk for pk in round_.emails}
    got = Counter(mid for mid in mail.accepted if mid in wanted)
    delivered = len(got)
    twice = sum(n - 1 for n in got.values() if n > 1)
    note = (
        f"; the mail server took {twice} twice with the same Message-ID (one message in the mailbox)" if twice else ""
    )
    return Count(len(wanted), delivered, 0, len(wanted) - delivered, note)


# --- the drills ---------------------------------------------------------------------------------------------------


@dataclass
class Stage:
    env: dict[str, str]
    workdir: Path
    kannel: Any
    phone: Any
    mail: MailServer
    results: list[tuple[str, Count]] = field(default_factory=list)

    def worker(self, name: str, env: dict[str, str] | None = None) -> subprocess.Popen[bytes]:
        log = (self.workdir / f"worker-{name}.log").open("ab")
        command = [sys.executable, "manage.py", "run_worker", "--worker-id", f"drill-{name}"]
        return subprocess.Popen(command, cwd=ROOT, env=env or self.env, stdout=log, stderr=subprocess.STDOUT)

    def finish(self, drill: str, round_: Round, *, timeout: float = 180) -> None:
        took = wait_until(lambda: settled(round_.tag), timeout, f"{drill}: the outbox settling")
        time.sleep(3)  # anything still on its way to the operator
        counts = (("SMS", count_sms(round_, self.phone.messages())), ("email", count_email(round_, self.mail)))
        for what, count in counts:
            if count.expected:
                self.results.append((f"{drill} {what}", count))
                print(count.line(what))
        print(f"    settled {took:.1f} s after the fault's end")


def sent_so_far(tag: str) -> int:
    from asti.messaging.models import Message

    return Message.objects.filter(subject_type=tag, sent_at__isnull=False).count()


def drill_baseline(stage: Stage, sms: int) -> None:
    from django.db.models import Max

    from asti.messaging.models import Message

    print(f"\n== baseline: {sms:,} SMS with no fault, Kannel and the bulk lane unthrottled")
    started = time.time()
    round_ = enqueue("50", sms, 0)
    with _running(stage.worker("baseline", dict(stage.env, MESSAGING_RATE_LIMITS=""))):
        wait_until(lambda: sent_so_far("50") >= sms, 300, "every SMS handed over")
        last = Message.objects.filter(subject_type="50").aggregate(last=Max("sent_at"))["last"].timestamp()
        print(f"    bulk send: {sms:,} SMS handed to Kannel in {last - started:.2f} s = {sms / (last - started):,.0f} "
              "msg/s (from the start of the round's commit)")  # fmt: skip
        stage.finish("baseline", round_)


def drill_worker_kill(stage: Stage, sms: int, emails: int) -> None:
    print(f"\n== worker-kill: kill -9 of the worker twice in a bulk send of {sms:,} SMS and {emails:,} emails")
    round_ = enqueue("51", sms, emails)
    total = sms + emails
    for kill in (1, 2):
        worker = stage.worker(f"kill{kill}")
        target = total * kill // 3
        wait_until(lambda target=target: sent_so_far("51") >= target, 120, f"{target} messages sent")  # type: ignore[misc]
        worker.send_signal(signal.SIGKILL)
        worker.wait()
        print(f"    kill -9 number {kill} after {sent_so_far('51'):,} of {total:,} were recorded as sent")
    with _running(stage.worker("after-kills")):
        stage.finish("worker-kill", round_, timeout=LEASE_SECONDS + SMS_IN_DOUBT_SECONDS + 180)


def drill_db_outage(stage: Stage, sms: int, emails: int, proxy: DatabaseProxy) -> None:
    print(f"\n== db-outage: the worker's database connections dropped and refused for 5 s ({sms:,} SMS, {emails:,} "
          "emails)")  # fmt: skip
    parts = urllib.parse.urlsplit(stage.env["DATABASE_URL"])
    through_proxy = dict(
        stage.env, DATABASE_URL=parts._replace(netloc=f"{parts.username}@127.0.0.1:{proxy.port}").geturl()
    )
    round_ = enqueue("52", sms, emails)
    with _running(stage.worker("db", through_proxy)):
        wait_until(lambda: sent_so_far("52") >= (sms + emails) // 3, 120, "a third sent")
        proxy.outage(5)
        print(f"    outage: {proxy.dropped} connections dropped, new ones refused for 5 s")
        time.sleep(5)
        stage.finish("db-outage", round_)


def drill_gateway_crash(stage: Stage, sms: int) -> None:
    print(f"\n== gateway-crash: the operator stops reading for 2 s, then kill -9 of bearerbox, in a send of {sms:,} "
          "SMS")  # fmt: skip
    round_ = enqueue("54", sms, 0)
    with _running(stage.worker("gateway")):
        wait_until(lambda: sent_so_far("54") >= sms // 3, 120, "a third sent")
        operator = stage.phone.process
        operator.send_signal(signal.SIGSTOP)  # the operator stops taking messages: Kannel queues them
        time.sleep(2)
        queued = _kannel_queued(stage.kannel)
        stage.kannel.crash("bearerbox")
        operator.send_signal(signal.SIGCONT)
        print(f"    bearerbox killed ({queued}); its supervisor starts it again")
        wait_until(stage.kannel.up, 90, "Kannel up again")
        stage.finish("gateway-crash", round_)


def _kannel_queued(kannel: Any) -> str:
    status = kannel.status()
    found = re.search(r"SMS: received \d+ \(\d+ queued\), sent \d+ \((\d+) queued\), store size (-?\d+)", status)
    return f"{found.group(1)} queued and {found.group(2)} in its store" if found else "status unknown"


def drill_smtp_refuses(stage: Stage, emails: int) -> None:
    print(f"\n== smtp-refuses: the mail server answers 451 for 5 s in a send of {emails:,} emails")
    round_ = enqueue("53", 0, emails)
    with _running(stage.worker("smtp")):
        wait_until(lambda: sent_so_far("53") >= emails // 4, 120, "a quarter sent")
        stage.mail.refuse_for(5)
        time.sleep(5)
        print(f"    refused {stage.mail.refused} deliveries")
        stage.finish("smtp-refuses", round_)


def drill_reply_storm(stage: Stage, replies: int, inbound_url: str) -> None:
    from asti.core import clock
    from asti.messaging.models import InboundMessage

    print(f"\n== reply-storm: {replies:,} replies at 50/s through the operator, each delivered to Asti twice")
    since = clock.now()
    with _running(stage.worker("replies")):
        typed: dict[str, float] = {}
        for i in range(replies):
            number = f"+358403{i:06d}"
            stage.phone.send(f"{number} {OUR_NUMBER} text Kyllä")
            typed[number] = time.time()
            time.sleep(0.02)
        wait_until(lambda: InboundMessage.objects.filter(received_at__gte=since).count() >= replies, 120, "replies in")
        again = 0
        for reply in InboundMessage.objects.filter(received_at__gte=since):  # the gateway delivers each once more
            headers = {"Authorization": basic_auth("kannel", TOKEN), "X-Kannel-From": reply.sender,
                       "X-Kannel-To": reply.receiver, "X-Kannel-Coding": reply.coding or "0",
                       "X-Kannel-SMSC": reply.smsc, "Content-Type": "text/plain; charset=UTF-8"}  # fmt: skip
            if reply.gateway_time is not None:
                headers["X-Kannel-Time"] = reply.gateway_time.strftime("%Y-%m-%d %H:%M:%S")
            query = urllib.parse.urlencode({"id": reply.gateway_id})
            request = urllib.request.Request(  # noqa: S310 (a local http URL)
                f"{inbound_url}?{query}", data=reply.text.encode(), headers=headers
            )
            with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310 (local)
                again += response.headers.get("X-Asti-Result") == "duplicate"
        wait_until(lambda: len([m for m in stage.phone.messages() if m.text == ANSWER]) >= replies, 120,
                   "every confirmation on the phone")  # fmt: skip
        time.sleep(3)
    stored = InboundMessage.objects.filter(received_at__gte=since).count()
    answers = Counter(m.receiver for m in stage.phone.messages() if m.text == ANSWER and m.receiver in typed)
    handed = [
        (r.answer.sent_at - r.received_at).total_seconds()
        for r in InboundMessage.objects.filter(received_at__gte=since).select_related("answer")
        if r.answer is not None and r.answer.sent_at is not None
    ]
    note = f"; replies stored {stored:,} (second deliveries: {again:,} recognised as already stored)"
    twice = sum(n - 1 for n in answers.values() if n > 1)
    count = Count(replies, len(answers), twice, replies - len(answers), note)
    stage.results.append(("reply-storm confirmations", count))
    print(count.line("answers"))
    if handed:
        print(f"    reply at Asti -> confirmation handed to Kannel: median {sorted(handed)[len(handed) // 2]:.3f} s, "
              f"p99 {percentile(handed, 0.99):.3f} s, max {max(handed):.3f} s")  # fmt: skip


@contextmanager
def _running(worker: subprocess.Popen[bytes]) -> Iterator[subprocess.Popen[bytes]]:
    try:
        yield worker
    finally:
        if worker.poll() is None:
            worker.send_signal(signal.SIGTERM)
            try:
                worker.wait(timeout=60)
            except subprocess.TimeoutExpired:
                worker.kill()
                worker.wait()


# --- the run -------------------------------------------------------------------------------------------------------


def child(url: str, args: argparse.Namespace, workdir: Path) -> int:
    env = dict(base_env(url), MESSAGING_EMAIL_BACKEND="smtp", MESSAGING_KANNEL_DLR_MASK="8",
               MESSAGING_LEASE_SECONDS=str(LEASE_SECONDS), MESSAGING_SMS_IN_DOUBT_SECONDS=str(SMS_IN_DOUBT_SECONDS),
               MESSAGING_RETRY_BASE_SECONDS="1", MESSAGING_RETRY_MAX_SECONDS="5", MESSAGING_WORKER_BATCH_SIZE="100",
               MESSAGING_RATE_LIMITS="sms.bulk=200;email.bulk=60")  # fmt: skip
    django_setup(env)
    from asti.messaging.kannel_local import LocalKannel, free_port, kannel_available, wait_for_port
    from asti.messaging.tokens import url_with_credentials

    if not kannel_available():
        sys.exit("Kannel is not installed: run scripts/install-system-packages")
    port = free_port()
    env["MESSAGING_CALLBACK_BASE_URL"] = f"http://127.0.0.1:{port}"
    inbound_url = f"http://127.0.0.1:{port}/messaging/kannel/inbound/"
    mail = MailServer()
    env.update(MESSAGING_SMTP_HOST="127.0.0.1", MESSAGING_SMTP_PORT=str(mail.port))
    db = urllib.parse.urlsplit(url)
    proxy = DatabaseProxy(db.hostname or "127.0.0.1", db.port or 5432)
    proxy.start()
    every = ["baseline", "worker-kill", "db-outage", "gateway-crash", "smtp-refuses", "reply-storm"]
    drills = args.drill.split(",") if args.drill != "all" else every
    with process([sys.executable, str(ROOT / "bench" / "bench_messaging.py"), "--serve", str(port)], env,
                 workdir / "server.log"):  # fmt: skip
        wait_for_port(port, timeout=30)
        kannel = LocalKannel(
            workdir=workdir / "kannel", inbound_url=url_with_credentials(inbound_url, "kannel", TOKEN), log_level=3
        ).start()
        env.update(MESSAGING_KANNEL_SENDSMS_URL=kannel.sendsms_url, MESSAGING_KANNEL_USERNAME=kannel.username,
                   MESSAGING_KANNEL_PASSWORD=kannel.password)  # fmt: skip
        phone = kannel.phone()
        stage = Stage(env, workdir, kannel, phone, mail)
        try:
            if "baseline" in drills:
                drill_baseline(stage, args.messages)
            if "worker-kill" in drills:
                drill_worker_kill(stage, args.messages, args.emails)
            if "db-outage" in drills:
                drill_db_outage(stage, args.messages, args.emails, proxy)
            if "gateway-crash" in drills:
                drill_gateway_crash(stage, args.messages)
            if "smtp-refuses" in drills:
                drill_smtp_refuses(stage, args.emails)
            if "reply-storm" in drills:
                drill_reply_storm(stage, args.replies, inbound_url)
        finally:
            phone.stop()
            kannel.stop()
            mail.stop()
    failed = [name for name, count in stage.results if not count.ok]
    print(f"\n{len(stage.results) - len(failed)} of {len(stage.results)} counts without loss or duplicate"
          + (f"; FAILED: {', '.join(failed)}" if failed else ""))  # fmt: skip
    print(f"logs: {workdir}")
    return 1 if failed else 0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--drill", default="all", help="comma-separated drills, or all")
    parser.add_argument("--messages", type=int, default=1500, help="SMS in each bulk drill")
    parser.add_argument("--emails", type=int, default=300, help="emails in each drill")
    parser.add_argument("--replies", type=int, default=500, help="replies in the reply storm")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    parser.add_argument("--workdir", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        sys.exit(child(args.child, args, args.workdir))
    url = os.environ.get("BENCH_POSTGRES_URL", PG_DEFAULT)
    fresh_postgres_database(url)
    workdir = Path(tempfile.mkdtemp(prefix="asti-drills-"))
    env = base_env(url)
    subprocess.run([sys.executable, "manage.py", "migrate", "-v0"], cwd=ROOT, env=env, check=True)
    rest = sys.argv[1:]
    done = subprocess.run([sys.executable, __file__, "--child", url, "--workdir", str(workdir), *rest], cwd=ROOT,
                          env=env, check=False)  # fmt: skip
    sys.exit(done.returncode)


if __name__ == "__main__":
    main()
