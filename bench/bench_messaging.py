"""Messaging benchmark against a real Kannel (bearerbox + smsbox + fakesmsc), the real worker and a real web server.

Prints:
  (a) bulk: how fast our own pipeline (outbox -> worker -> Kannel sendsms) hands a round of offers (default 5,600
      two-part SMS) to an unthrottled Kannel: messages/s from the commit of the round to the last message accepted;
  (b) pacing: a round sent with Kannel's smsc group at throughput = 50 and our bulk lane limited to
      MESSAGING_RATE_LIMITS sms.bulk (parts/s): the rate at which messages are handed over and reach the operator;
  (c) reply -> confirmation: guardians' replies typed into the fake operator while the bulk send of (a) runs, and
      the time from a reply's arrival at Asti to its confirmation being handed to Kannel (median, p99), plus from
      the phone to the operator's delivery report of the confirmation. A dummy reply handler answers at once.

Everything runs on this machine: gunicorn (2 workers) for Kannel's callbacks, `manage.py run_worker` as the worker.
Usage: .venv/bin/python bench/bench_messaging.py [--messages 5600] [--paced-messages 600] [--rate 45]
       [--database sqlite|postgres|both]
PostgreSQL is taken from BENCH_POSTGRES_URL (default postgres://postgres@127.0.0.1:5432/asti_bench_messaging,
dropped and created).
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from benchlib import django_setup, fresh_postgres_database

ROOT = Path(__file__).resolve().parent.parent
PG_DEFAULT = "postgres://postgres@127.0.0.1:5432/asti_bench_messaging"
TOKEN = "bench-inbound-token"  # noqa: S105 (a local benchmark)
OUR_NUMBER = "+358500000000"
OFFER = (
    "Hei! Tarjoamme lapsellenne {name} esiopetuspaikkaa päiväkodista Käpylä, Metsäpurontie 3, alkaen 11.8.2026. "
    "Vastaa tähän viestiin KYLLÄ tai EI viimeistään 26.2.2026. Lisätietoja ja vastaaminen verkossa: "
    "https://asti.example.fi/t/{token}"
)
ANSWER = "Kiitos! Vastauksesi on kirjattu."


def base_env(database_url: str) -> dict[str, str]:
    return dict(
        os.environ,
        DATABASE_URL=database_url,
        ASTI_ENV="test",
        DEBUG="false",
        LOG_LEVEL="WARNING",
        MESSAGING_SMS_BACKEND="kannel",
        MESSAGING_EMAIL_BACKEND="simulated",
        MESSAGING_KANNEL_INBOUND_TOKEN=TOKEN,
        MESSAGING_CALLBACK_KEY="bench-callback-key",
        MESSAGING_SMS_SENDER=OUR_NUMBER,
        MESSAGING_RATE_LIMITS="",
        MESSAGING_WORKER_BATCH_SIZE="200",
        MESSAGING_WORKER_THREADS="8",
        MESSAGING_POLL_SECONDS="0.2",
        MESSAGING_POLL_SECONDS_FAST="0.05",
    )


# --- the web server for Kannel's callbacks (a child process) -----------------------------------------------------


def serve(port: int) -> None:
    """gunicorn with the project's WSGI app and a reply handler that answers at once."""
    from gunicorn.app.base import BaseApplication

    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    from django.core.wsgi import get_wsgi_application

    application = get_wsgi_application()  # sets Django up
    from asti.messaging.inbound import Answer, InboundReply, ReplyOutcome, register_reply_handler

    def answer_now(reply: InboundReply) -> ReplyOutcome:
        return ReplyOutcome(result="bench", answer=Answer("messaging.test", "fi", {"text": ANSWER}))

    register_reply_handler(answer_now, replace=True)

    class Server(BaseApplication):
        def load_config(self) -> None:
            for key, value in {"bind": f"127.0.0.1:{port}", "workers": 3, "worker_class": "sync", "threads": 1,
                               "accesslog": None, "loglevel": "warning", "backlog": 2048}.items():  # fmt: skip
                self.cfg.set(key, value)

        def load(self) -> Any:
            return application

    Server().run()


# --- one database: runs in its own process -----------------------------------------------------------------------


@contextmanager
def process(command: list[str], env: dict[str, str], log: Path) -> Iterator[subprocess.Popen[bytes]]:
    with log.open("ab") as out:
        proc = subprocess.Popen(command, cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT)
    try:
        yield proc
    finally:
        if proc.poll() is None:
            proc.send_signal(signal.SIGTERM)
            try:
                proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(q * (len(ordered) - 1))))]


def child(database_url: str, messages: int, paced_messages: int, rate: float, workdir: Path) -> None:
    env = base_env(database_url)
    django_setup(env)
    from django.db import connection

    from asti.messaging.kannel_local import LocalKannel, free_port, kannel_available, wait_for_port
    from asti.messaging.tokens import url_with_credentials

    if not kannel_available():
        sys.exit("Kannel is not installed: run scripts/install-system-packages")
    port = free_port()
    server_url = f"http://127.0.0.1:{port}"
    env["MESSAGING_CALLBACK_BASE_URL"] = server_url
    inbound_url = url_with_credentials(f"{server_url}/messaging/kannel/inbound/", "kannel", TOKEN)
    print(f"\n== {connection.vendor} ({messages:,} bulk messages; 2 cores: {os.cpu_count()} CPUs seen)")
    with process([sys.executable, __file__, "--serve", str(port)], env, workdir / "server.log"):
        wait_for_port(port, timeout=30)
        unthrottled = LocalKannel(workdir=workdir / "kannel-a", inbound_url=inbound_url, log_level=3).start()
        try:
            run_bulk_and_replies(env, unthrottled, workdir, messages)
        finally:
            unthrottled.stop()
        throttled = LocalKannel(workdir=workdir / "kannel-b", inbound_url=inbound_url, throughput=50, log_level=3)
        throttled.start()
        try:
            run_paced(env, throttled, workdir, paced_messages, rate)
        finally:
            throttled.stop()


def worker_env(env: dict[str, str], kannel: Any, rates: str = "") -> dict[str, str]:
    return dict(
        env,
        MESSAGING_KANNEL_SENDSMS_URL=kannel.sendsms_url,
        MESSAGING_KANNEL_USERNAME=kannel.username,
        MESSAGING_KANNEL_PASSWORD=kannel.password,
        MESSAGING_RATE_LIMITS=rates,
    )


def enqueue_round(count: int, tag: str) -> tuple[float, list[int]]:
    """One transaction: `count` offers, like `offer_round send` would write them. Returns (commit time, ids)."""
    from django.db import transaction

    from asti.messaging.services import OutgoingMessage, message_enqueue_bulk

    rows = [
        OutgoingMessage(channel="sms", recipient=f"+3584{tag}{i:06d}", template_key="messaging.test", language="fi",
                        context={"text": OFFER.format(name=f"Lapsi{i}", token=f"{i:012x}")}, subject_type=tag)
        for i in range(count)
    ]  # fmt: skip
    with transaction.atomic():
        created = message_enqueue_bulk(messages=rows)
    return time.time(), [m.pk for m in created]


def wait_sent(tag: str, count: int, timeout: float) -> None:
    from asti.messaging.models import Message

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if Message.objects.filter(subject_type=tag, sent_at__isnull=False).count() >= count:
            return
        time.sleep(0.2)
    raise SystemExit(f"not all {tag} messages were sent within {timeout} s")


class ReplyTyper(threading.Thread):
    """Guardians replying at a steady rate from distinct numbers while the bulk send runs."""

    def __init__(self, phone: Any, per_second: float) -> None:
        super().__init__(daemon=True)
        self.phone, self.spacing = phone, 1.0 / per_second
        self.stop = threading.Event()
        self.typed: dict[str, float] = {}

    def run(self) -> None:
        i = 0
        while not self.stop.is_set():
            number = f"+358402{i:06d}"
            self.phone.send(f"{number} {OUR_NUMBER} text Kyllä")
            self.typed[number] = time.time()
            i += 1
            self.stop.wait(self.spacing)


@dataclass
class Latencies:
    handed: list[float] = field(default_factory=list)  # reply at Asti -> confirmation handed to Kannel
    end_to_end: list[float] = field(default_factory=list)  # typed on the phone -> confirmation on the phone
    to_asti: list[float] = field(default_factory=list)  # typed on the phone -> reply at Asti
    to_phone: list[float] = field(default_factory=list)  # handed to Kannel -> on the phone
    missing: int = 0

    def print(self) -> None:
        print("    " + describe("reply at Asti -> confirmation handed to Kannel", self.handed))
        print("    " + describe("typed on the phone -> confirmation on the phone", self.end_to_end))
        print("      of which " + describe("phone -> Asti (Kannel and the web server)", self.to_asti))
        print("      and " + describe("handed to Kannel -> phone (fakesmsc reads at least 1/s)", self.to_phone))
        if self.missing:
            print(f"    {self.missing} replies in the window had no confirmation handed over yet")


def reply_latencies(since: float, until: float, typer: ReplyTyper, phone: Any) -> Latencies:
    """Latencies of the replies that arrived at Asti in the window."""
    from asti.messaging.models import InboundMessage

    on_phone = {m.receiver: m.at for m in phone.messages() if m.text == ANSWER}
    result = Latencies()
    window = (dt.datetime.fromtimestamp(since, tz=dt.UTC), dt.datetime.fromtimestamp(until, tz=dt.UTC))
    for reply in InboundMessage.objects.filter(received_at__range=window).select_related("answer"):
        answer = reply.answer
        if answer is None or answer.sent_at is None:
            result.missing += 1
            continue
        result.handed.append((answer.sent_at - reply.received_at).total_seconds())
        typed, shown = typer.typed.get(reply.sender), on_phone.get(reply.sender)
        if typed is not None and shown is not None:
            result.end_to_end.append(shown - typed)
            result.to_asti.append(reply.received_at.timestamp() - typed)
            result.to_phone.append(shown - answer.sent_at.timestamp())
    return result


def describe(label: str, values: list[float]) -> str:
    if not values:
        return f"{label}: no samples"
    return (f"{label}: n={len(values)}, median {statistics.median(values):.3f} s, "
            f"p99 {percentile(values, 0.99):.3f} s, max {max(values):.3f} s")  # fmt: skip


def cpu_by_component() -> Counter[str]:
    """CPU seconds used so far by the processes of this benchmark, by component."""
    import psutil

    names = {"bearerbox": "kannel", "smsbox": "kannel", "fakesmsc": "fake operator", "postgres": "postgresql"}
    totals: Counter[str] = Counter()
    for proc in psutil.process_iter(["name", "cmdline", "cpu_times"]):
        try:
            name, cmdline, times = proc.info["name"] or "", " ".join(proc.info["cmdline"] or []), proc.info["cpu_times"]
        except (psutil.NoSuchProcess, psutil.AccessDenied):
            continue
        if times is None:
            continue
        if "run_worker" in cmdline:
            component = "worker"
        elif "--serve" in cmdline:
            component = "web server (callbacks)"
        elif "--child" in cmdline:
            component = "benchmark (round, phone)"
        else:
            component = names.get(name, "")
        if component:
            totals[component] += times.user + times.system
    return totals


def run_bulk_and_replies(env: dict[str, str], kannel: Any, workdir: Path, count: int) -> None:
    from django.db.models import Max

    from asti.messaging.models import Message

    phone = kannel.phone()
    command = [sys.executable, "manage.py", "run_worker", "--lanes", "fast,bulk", "--channels", "sms"]
    with process(command, worker_env(env, kannel), workdir / "worker-a.log"):
        time.sleep(3)  # the worker is up and idle
        typer = ReplyTyper(phone, per_second=15)
        typer.start()
        time.sleep(1)
        committed, _ = enqueue_round(count, "11")
        cpu_before = cpu_by_component()
        wait_sent("11", count, timeout=600)
        done = time.time()
        cpu = cpu_by_component()
        cpu.subtract(cpu_before)
        typer.stop.set()
        typer.join()
        time.sleep(3)  # the last replies' answers
        last_sent: dt.datetime = Message.objects.filter(subject_type="11").aggregate(last=Max("sent_at"))["last"]
        last = last_sent.timestamp()
        parts = sum(Message.objects.filter(subject_type="11").values_list("sms_parts", flat=True))
        print(f"(a) bulk, Kannel unthrottled: {count:,} offers ({parts:,} SMS parts) handed to Kannel in "
              f"{last - committed:.2f} s from the commit of the round = "
              f"{count / (last - committed):,.0f} msg/s")  # fmt: skip
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            delivered = Message.objects.filter(subject_type="11", status="delivered").count()
            if delivered == count:
                break
            time.sleep(0.5)
        print(f"    delivery reports applied: {delivered:,}/{count:,} delivered, "
              f"{time.time() - done:.1f} s after the last hand-over")  # fmt: skip
        print("    CPU seconds during the bulk send: " + ", ".join(f"{k} {v:.1f}" for k, v in cpu.most_common()))
        print(f"(c) replies while the bulk ran ({len(typer.typed)} typed at 15/s):")
        reply_latencies(committed, done, typer, phone).print()
    phone.stop()


def run_paced(env: dict[str, str], kannel: Any, workdir: Path, count: int, rate: float) -> None:
    from asti.messaging.models import DeliveryReport, Message

    phone = kannel.phone()
    command = [sys.executable, "manage.py", "run_worker", "--lanes", "fast,bulk", "--channels", "sms"]
    with process(command, worker_env(env, kannel, rates=f"sms.bulk={rate}"), workdir / "worker-b.log"):
        time.sleep(3)
        typer = ReplyTyper(phone, per_second=2)
        typer.start()
        committed, ids = enqueue_round(count, "22")
        wait_sent("22", count, timeout=600)
        done = time.time()
        typer.stop.set()
        typer.join()
        time.sleep(3)
        sent = sorted(t.timestamp() for t in Message.objects.filter(pk__in=ids).values_list("sent_at", flat=True) if t)
        parts = Message.objects.get(pk=ids[0]).sms_parts
        reports = DeliveryReport.objects.filter(message_id__in=ids, status_code=1).values_list("received_at", flat=True)
        delivered = sorted(t.timestamp() for t in reports)
        per_second = Counter(int(t - sent[0]) for t in sent)
        full = [per_second[s] for s in range(1, int(sent[-1] - sent[0]))]  # whole seconds inside the run
        span = sent[-1] - sent[0]
        print(f"(b) paced: Kannel smsc throughput = 50, our sms.bulk limit {rate:g} parts/s; {count:,} offers of "
              f"{parts} parts: handed over in {span:.1f} s = {count / span:.1f} msg/s = {count * parts / span:.1f} "
              f"parts/s; per whole second min {min(full)} / median {statistics.median(full):g} / max {max(full)} "
              "messages")  # fmt: skip
        if delivered:
            d_span = delivered[-1] - delivered[0]
            print(f"    operator's delivery reports: {len(delivered):,}/{count:,}, "
                  f"{len(delivered) / max(d_span, 0.001):.1f} msg/s; phone (fakesmsc) got "
                  f"{len(phone.messages()):,} parts")  # fmt: skip
        print(f"    replies during the paced send ({len(typer.typed)} at 2/s):")
        reply_latencies(committed, done, typer, phone).print()
    phone.stop()


def run_database(kind: str, args: argparse.Namespace) -> None:
    workdir = Path(tempfile.mkdtemp(prefix=f"asti-bench-messaging-{kind}-"))
    if kind == "postgres":
        url = os.environ.get("BENCH_POSTGRES_URL", PG_DEFAULT)
        fresh_postgres_database(url)
    else:
        url = f"sqlite:///{workdir / 'bench.sqlite3'}"
    env = base_env(url)
    subprocess.run([sys.executable, "manage.py", "migrate", "-v0"], cwd=ROOT, env=env, check=True)
    subprocess.run(
        [sys.executable, __file__, "--child", url, "--messages", str(args.messages), "--paced-messages",
         str(args.paced_messages), "--rate", str(args.rate), "--workdir", str(workdir)],
        cwd=ROOT, env=env, check=True,
    )  # fmt: skip
    print(f"    logs: {workdir}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--messages", type=int, default=5600, help="bulk round size for (a) and (c)")
    parser.add_argument("--paced-messages", type=int, default=600, help="round size for (b)")
    parser.add_argument("--rate", type=float, default=45.0, help="our sms.bulk limit for (b), parts/s")
    parser.add_argument("--database", choices=["sqlite", "postgres", "both"], default="sqlite")
    parser.add_argument("--serve", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--child", help=argparse.SUPPRESS)
    parser.add_argument("--workdir", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve:
        serve(args.serve)
    elif args.child:
        child(args.child, args.messages, args.paced_messages, args.rate, args.workdir)
    else:
        for kind in ("sqlite", "postgres") if args.database == "both" else (args.database,):
            run_database(kind, args)


if __name__ == "__main__":
    main()
