"""Guardian pages under load: concurrent guardians on PostgreSQL open their offer and accept it.

Set-up (in this process, not timed with the load): a database of its own, migrations, the demo city
(`generate_demo_city` + `import_city_data`, Helsinki-sized by default), a round created, allocated and sent.
Then gunicorn serves the project on 127.0.0.1 (a free port; gthread, 4 workers × 2 threads by default) with the
demo's test identification switched on (ASTI_ENV=demo, ASTI_DEMO_LOGIN=true). The load generator is one asyncio
loop speaking HTTP/1.1 by hand: every virtual guardian a browser of its own (cookies, one keep-alive connection),
far cheaper per request than a thread per guardian, since it shares the machine's cores with the server.

  login       every guardian logs in through the test identification page (GET for the CSRF token, POST);
  unloaded    a few guardians one at a time: offer page, then accept (the latency without queueing);
  think time  N concurrent guardians (default 50) behaving like people, the figure the target is about. Each
              of the N lanes serves several people in turn, each a distinct guardian with a still open offer:
              the person arrives (after a think time), opens the offer page (/offers/<id>/), reads it (think
              time), opens the confirmation page (/offers/<id>/accept/), reads it (think time), POSTs the accept
              with that page's CSRF token and fetches the page it is redirected to at once, as a browser does.
              Think times are log-normal with a median of --think seconds (default 3; σ 0.5 of the logarithm,
              clipped to 1–10 s), drawn from random.Random(--seed × 1000 + lane), so every run sees the same
              sequence. Real people read an offer for longer: 3 s makes the load harsher, not kinder.
  saturation  the same N lanes with zero think time (a closed loop): offer page, then at once the accept POST,
              guardian after guardian. This measures the server's capacity, not what a guardian meets: with 50
              requests always waiting, p95 is mostly time in the queue.
  bare        the same N lanes and sessions against /healthz (a bare Django view with one `SELECT 1`) on the same
              server, also with zero think time, for 3 s (and at least as many requests as the saturation phase):
              the requests/s ratio of the saturation phase to this is the "beside a bare Django view" figure.

Prints p50/p95 per request kind and requests/s of each phase, and for each phase the CPU time per request of
gunicorn (master and workers), of this database's PostgreSQL backends, of the load generator itself and of the
whole machine (/proc/stat: anything else running, e.g. another benchmark or a test run, shows up there and skews
the figures; run benchmarks one at a time, e.g. under `flock /tmp/asti-bench.lock`).
Only 127.0.0.1; bounded in time (about a minute and a half with the defaults).
Usage: .venv/bin/python bench/bench_citizen.py [--guardians 50] [--people 4] [--think 3] [--seed 5]
       [--per-guardian 6] [--children 6600] [--workers 4] [--threads 2]
PostgreSQL is taken from BENCH_POSTGRES_URL (default postgres://postgres@127.0.0.1:5432/asti_bench_citizen,
dropped and created; the audit trail's database beside it).
"""

from __future__ import annotations

import argparse
import asyncio
import math
import os
import random
import re
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from io import StringIO
from pathlib import Path
from urllib.parse import urlencode

import requests
from benchlib import fresh_postgres_database, timed_step

ROOT = Path(__file__).resolve().parent.parent
PG_DEFAULT = "postgres://postgres@127.0.0.1:5432/asti_bench_citizen"
CSRF = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
TIME_LIMIT = 150.0  # seconds for the whole run; the load phases stop early rather than run over
# gunicorn's gthread workers and threads per worker: processes rather than threads, as only one thread of a
# process runs Python at a time; a few more processes than cores, as each also waits for PostgreSQL.
WORKERS, THREADS = 4, 2


def load_arguments(doc: str | None, *, people: int, unloaded: int) -> argparse.ArgumentParser:
    """The options every guardian-load benchmark takes: guardians, think time, city size, gunicorn."""
    parser = argparse.ArgumentParser(description=doc, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--guardians", type=int, default=50, help="concurrent guardians, default 50")
    parser.add_argument("--people", type=int, default=people, help="with think time: people each lane serves in turn")
    parser.add_argument("--think", type=float, default=3.0, help="median think time in seconds (default 3)")
    parser.add_argument("--seed", type=int, default=5, help="seed of the think times (default 5)")
    parser.add_argument("--children", type=int, default=6_600, help="rows in the demo city's children.csv")
    parser.add_argument("--workers", type=int, default=WORKERS, help=f"gunicorn workers (default {WORKERS})")
    parser.add_argument("--threads", type=int, default=THREADS, help=f"threads per worker (default {THREADS})")
    parser.add_argument("--unloaded", type=int, default=unloaded, help="guardians visiting one at a time first")
    return parser


BARE_SECONDS = 3.0  # how long the bare view is measured


def server_env(database_url: str) -> dict[str, str]:
    return dict(
        os.environ,
        DJANGO_SETTINGS_MODULE="config.settings",
        DATABASE_URL=database_url,
        ASTI_ENV="demo",
        ASTI_DEMO_LOGIN="true",
        DEBUG="false",
        LOG_LEVEL="WARNING",
        ALLOWED_HOSTS="127.0.0.1",
        # Every virtual guardian logs in from 127.0.0.1: the per-address login limit would otherwise stop them.
        ASTI_LOGIN_RATE_PER_IP="1000000",
        ASTI_LOGIN_RATE_PER_SESSION="1000000",
        MESSAGING_SMS_BACKEND="simulated",
        MESSAGING_EMAIL_BACKEND="simulated",
    )


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(q * (len(ordered) - 1))))]


def ms(values: list[float]) -> str:
    if not values:
        return "no samples"
    return (
        f"p50 {percentile(values, 0.5) * 1000:6.1f} ms   p95 {percentile(values, 0.95) * 1000:6.1f} ms   "
        f"max {max(values) * 1000:6.1f} ms   mean {statistics.fmean(values) * 1000:6.1f} ms   n={len(values)}"
    )


# --- set-up in this process ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Target:
    guardian_pk: int
    offer_pk: int


def prepare(children: int, workdir: Path) -> list[Target]:
    """Migrates, imports the demo city and sends a round; returns one open offer per distinct guardian."""
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connections

    from asti.core import clock
    from asti.offers import sending, services
    from asti.offers.models import Offer, OfferStatus
    from asti.people.models import Custody

    step = timed_step
    year = clock.today_helsinki().year + 1
    extract = workdir / "extract"
    quiet = StringIO()
    step("migrate", lambda: call_command("migrate", verbosity=0, stdout=quiet))
    step("migrate the audit trail", lambda: call_command("migrate", database="audit", verbosity=0, stdout=quiet))
    step(
        f"generate_demo_city ({children:,} children)",
        lambda: call_command("generate_demo_city", str(extract), children=children, year=year, stdout=quiet),
    )
    step("import_city_data", lambda: call_command("import_city_data", str(extract), stdout=quiet))
    offer_round = step("round create", lambda: services.round_create(year=year, actor="bench"))
    step("round allocate", lambda: services.round_allocate(round_id=offer_round.pk, actor="bench"))
    summary = step("round send", lambda: sending.round_send(round_id=offer_round.pk, actor="bench"))
    print(f"  {summary.offers:,} offers sent", flush=True)

    custodians: dict[int, list[int]] = {}
    for child_id, guardian_id in Custody.objects.filter(active=True, guardian__active=True).values_list(
        "child_id", "guardian_id"
    ):
        custodians.setdefault(child_id, []).append(guardian_id)
    targets: list[Target] = []
    used: set[int] = set()
    offers = Offer.objects.filter(round=offer_round, status=OfferStatus.OPEN, child__active=True).order_by("pk")
    for offer_pk, child_pk in offers.values_list("pk", "child_id"):
        guardian_pk = next((g for g in sorted(custodians.get(child_pk, [])) if g not in used), None)
        if guardian_pk is not None:
            used.add(guardian_pk)
            targets.append(Target(guardian_pk=guardian_pk, offer_pk=offer_pk))
    connections.close_all()
    return targets


# --- the server: gunicorn as a child process -----------------------------------------------------------------------


@contextmanager
def gunicorn(port: int, env: dict[str, str], workers: int, threads: int, log: Path) -> Iterator[tuple[str, int]]:
    """Serves the project on 127.0.0.1:port until the block ends; yields its URL and the master's process id."""
    command = [
        sys.executable, "-m", "gunicorn", "config.wsgi:application", "--bind", f"127.0.0.1:{port}",
        "--workers", str(workers), "--worker-class", "gthread", "--threads", str(threads),
        "--backlog", "2048", "--log-level", "warning",
    ]  # fmt: skip
    with log.open("ab") as out:
        proc = subprocess.Popen(command, cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            if proc.poll() is not None:
                raise SystemExit(f"gunicorn stopped: {log.read_text()[-2000:]}")
            try:
                if requests.get(f"{url}/healthz", timeout=5).ok:
                    break
            except requests.RequestException:  # not listening yet, or a worker still starting
                pass
            if time.monotonic() > deadline:
                raise SystemExit(f"gunicorn did not answer in 30 s: {log.read_text()[-2000:]}")
            time.sleep(0.1)
        yield url, proc.pid
    finally:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


# --- the load generator: one asyncio loop, HTTP/1.1 by hand ---------------------------------------------------------
# Every virtual guardian is a browser of its own: its cookies and one keep-alive connection at a time. A loop in
# one thread costs far less CPU per request than a thread per guardian with `requests`, and this machine's cores
# are shared with the server, so the generator's own CPU is measured and printed beside the figures.

IDLE_REOPEN = 1.0  # seconds: reopen a connection idle this long rather than race gunicorn's keep-alive (2 s)


@dataclass
class Response:
    status: int
    headers: dict[str, str]
    body: bytes

    @property
    def text(self) -> str:
        return self.body.decode("utf-8", "replace")


class Browser:
    """One guardian's browser: cookies, one connection at a time, plain HTTP/1.1 to 127.0.0.1."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.cookies: dict[str, str] = {}
        self.reader: asyncio.StreamReader | None = None
        self.writer: asyncio.StreamWriter | None = None
        self.last_used = 0.0

    async def close(self) -> None:
        if self.writer is not None:
            self.writer.close()
            with suppress(OSError):
                await self.writer.wait_closed()
        self.reader = self.writer = None

    async def request(self, method: str, path: str, form: dict[str, str] | None = None) -> Response:
        body = urlencode(form).encode() if form is not None else b""
        lines = [f"{method} {path} HTTP/1.1", f"Host: 127.0.0.1:{self.port}", "Accept-Language: fi"]
        if self.cookies:
            lines.append("Cookie: " + "; ".join(f"{k}={v}" for k, v in self.cookies.items()))
        if form is not None:
            lines += ["Content-Type: application/x-www-form-urlencoded", f"Content-Length: {len(body)}"]
        data = ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + body
        if self.writer is not None and time.monotonic() - self.last_used > IDLE_REOPEN:
            await self.close()
        reused = self.writer is not None
        try:
            return await self._exchange(data)
        except (ConnectionError, asyncio.IncompleteReadError) as exc:
            await self.close()
            # Only a reused connection that the server had closed before answering is tried again, once.
            if not reused or (isinstance(exc, asyncio.IncompleteReadError) and exc.partial):
                raise
            return await self._exchange(data)

    async def _exchange(self, data: bytes) -> Response:
        if self.writer is None:
            self.reader, self.writer = await asyncio.open_connection("127.0.0.1", self.port)
        assert self.reader is not None
        self.writer.write(data)
        head = (await self.reader.readuntil(b"\r\n\r\n")).decode("latin-1").split("\r\n")
        status = int(head[0].split(" ", 2)[1])
        headers: dict[str, str] = {}
        for line in head[1:]:
            if not line:
                continue
            name, _, value = line.partition(":")
            name, value = name.strip().lower(), value.strip()
            if name == "set-cookie":
                self._set_cookie(value)
            else:
                headers[name] = value
        if "content-length" in headers:
            body = await self.reader.readexactly(int(headers["content-length"]))
        elif headers.get("transfer-encoding", "").lower() == "chunked":
            parts = []
            while size := int((await self.reader.readuntil(b"\r\n")).split(b";")[0], 16):
                parts.append(await self.reader.readexactly(size))
                await self.reader.readexactly(2)
            await self.reader.readuntil(b"\r\n")
            body = b"".join(parts)
        else:
            body = await self.reader.read()
            headers["connection"] = "close"
        if headers.get("connection", "").lower() == "close":
            await self.close()
        self.last_used = time.monotonic()
        return Response(status, headers, body)

    def _set_cookie(self, value: str) -> None:
        pair, *attributes = value.split(";")
        name, _, cookie = pair.strip().partition("=")
        if not cookie or any(a.strip().lower() == "max-age=0" for a in attributes):
            self.cookies.pop(name, None)
        else:
            self.cookies[name] = cookie


@dataclass
class Guardian:
    target: Target
    browser: Browser

    @property
    def offer_path(self) -> str:
        return f"/offers/{self.target.offer_pk}/"


@dataclass
class Samples:
    """Seconds per request kind, and what went wrong."""

    times: dict[str, list[float]] = field(default_factory=dict)
    errors: list[str] = field(default_factory=list)

    def __getitem__(self, kind: str) -> list[float]:
        return self.times.get(kind, [])

    def count(self) -> int:
        return sum(len(v) for v in self.times.values())

    async def timed(self, kind: str, call: Awaitable[Response]) -> Response:
        started = time.perf_counter()
        response = await call
        self.times.setdefault(kind, []).append(time.perf_counter() - started)
        return response


async def log_in(guardian: Guardian) -> None:
    browser = guardian.browser
    page = await browser.request("GET", "/login/test/?q=-")
    token = CSRF.search(page.text)
    if page.status != 200 or token is None:
        raise RuntimeError(f"test identification page: {page.status}")
    form = {"csrfmiddlewaretoken": token.group(1), "guardian": str(guardian.target.guardian_pk)}
    response = await browser.request("POST", "/login/test/", {**form, "next": guardian.offer_path})
    if response.status != 302 or response.headers.get("location") != guardian.offer_path:
        raise RuntimeError(f"login: {response.status} {response.headers.get('location')}")


async def open_offer(guardian: Guardian, samples: Samples) -> str | None:
    """The offer page; returns the CSRF token of its forms, or None (and an error) when it is not as expected."""
    page = await samples.timed("offer page", guardian.browser.request("GET", guardian.offer_path))
    token = CSRF.search(page.text)
    if page.status != 200 or token is None or f"{guardian.offer_path}accept/" not in page.text:
        samples.errors.append(f"offer page {guardian.target.offer_pk}: {page.status}")
        return None
    return token.group(1)


async def accept(guardian: Guardian, samples: Samples, token: str) -> bool:
    path = f"{guardian.offer_path}accept/"
    answer = await samples.timed("accept POST", guardian.browser.request("POST", path, {"csrfmiddlewaretoken": token}))
    if answer.status != 302 or answer.headers.get("location") != f"{guardian.offer_path}accepted/":
        samples.errors.append(f"accept {guardian.target.offer_pk}: {answer.status} {answer.headers.get('location')}")
        return False
    return True


async def offer_and_accept(guardian: Guardian, samples: Samples) -> None:
    """Zero think time: the offer page, then at once the accept POST with the page's CSRF token."""
    token = await open_offer(guardian, samples)
    if token is not None:
        await accept(guardian, samples, token)


@dataclass(frozen=True)
class ThinkTime:
    """Seconds a person spends on a page before the next click: log-normal, clipped (see the module docstring)."""

    median: float
    sigma: float = 0.5
    low: float = 1.0
    high: float = 10.0

    def draw(self, rng: random.Random) -> float:
        return min(self.high, max(self.low, rng.lognormvariate(math.log(self.median), self.sigma)))


async def person(guardian: Guardian, samples: Samples, rng: random.Random, think: ThinkTime) -> None:
    """A guardian as a person: the offer page, read; the confirmation page, read; the accept POST; the page it
    redirects to (fetched at once, as a browser does)."""
    browser = guardian.browser
    if await open_offer(guardian, samples) is None:
        return
    await asyncio.sleep(think.draw(rng))
    path = f"{guardian.offer_path}accept/"
    confirm = await samples.timed("confirm page", browser.request("GET", path))
    token = CSRF.search(confirm.text)
    if confirm.status != 200 or token is None:
        samples.errors.append(f"confirm page {guardian.target.offer_pk}: {confirm.status}")
        return
    await asyncio.sleep(think.draw(rng))
    if await accept(guardian, samples, token.group(1)):
        done = await samples.timed("accepted page", browser.request("GET", f"{guardian.offer_path}accepted/"))
        if done.status != 200:
            samples.errors.append(f"accepted page {guardian.target.offer_pk}: {done.status}")
    await browser.close()  # the person leaves


async def bare(guardian: Guardian, samples: Samples) -> None:
    response = await samples.timed("/healthz", guardian.browser.request("GET", "/healthz"))
    if response.status != 200:
        samples.errors.append(f"healthz: {response.status}")


async def run_lanes(
    lanes: list[list[Guardian]], work: Callable[[int, Guardian], Awaitable[None]], deadline: float
) -> float:
    """One task per lane, started together; each works through its guardians in turn. Returns the wall time."""

    async def lane(index: int, guardians: list[Guardian]) -> None:
        for guardian in guardians:
            if time.monotonic() > deadline:
                return
            await work(index, guardian)

    started = time.perf_counter()
    await asyncio.gather(*(lane(i, guardians) for i, guardians in enumerate(lanes)))
    return time.perf_counter() - started


# --- CPU used by the server, the database and the load generator during a phase -----------------------------------

TICK = os.sysconf("SC_CLK_TCK")


def _cpu_seconds(pid: int) -> float:
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:  # the process has gone
        return 0.0
    return (int(fields[11]) + int(fields[12])) / TICK  # utime + stime


def _children(pid: int) -> list[int]:
    found: list[int] = []
    for task in Path(f"/proc/{pid}/task").glob("*/children"):
        with suppress(OSError):
            found += [int(p) for p in task.read_text().split()]
    return found


def _database_backends(names: tuple[str, ...]) -> list[int]:
    """PostgreSQL backends serving these databases: their process title is "postgres: [cluster:] user database
    client state"."""
    pids = []
    for proc in Path("/proc").glob("[0-9]*"):
        with suppress(OSError):
            title = (proc / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace").split()
            if title[:1] == ["postgres:"] and any(word in names for word in title[1:4]):
                pids.append(int(proc.name))
    return pids


def _machine_busy_seconds() -> float:
    """CPU seconds all cores spent on anything but idling and waiting for I/O, since boot (/proc/stat)."""
    fields = [int(v) for v in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    return (sum(fields[:8]) - fields[3] - fields[4]) / TICK


@dataclass
class CpuMeter:
    """CPU seconds of gunicorn (master and workers), of this database's PostgreSQL backends, of this process, and
    of the whole machine (everything else running on it included). A process that ends during a phase takes its
    share with it, so the gunicorn and PostgreSQL figures are lower bounds."""

    server_pid: int
    databases: tuple[str, ...]
    taken: dict[str, dict[int, float]] = field(default_factory=dict)

    def snapshot(self) -> dict[str, dict[int, float]]:
        server = [self.server_pid, *_children(self.server_pid)]
        return {
            "gunicorn": {p: _cpu_seconds(p) for p in server},
            "postgres": {p: _cpu_seconds(p) for p in _database_backends(self.databases)},
            "load generator": {0: time.process_time()},
            "whole machine": {0: _machine_busy_seconds()},
        }

    def start(self) -> None:
        self.taken = self.snapshot()

    def per_request(self, requests_done: int, wall: float) -> str:
        used = {
            kind: sum(seconds - self.taken.get(kind, {}).get(pid, 0.0) for pid, seconds in pids.items())
            for kind, pids in self.snapshot().items()
        }
        per = "   ".join(f"{k} {v / max(requests_done, 1) * 1000:5.2f} ms" for k, v in used.items())
        share = "   ".join(f"{k} {v / wall * 100:3.0f} %" for k, v in used.items())
        return f"  CPU per request: {per}\n  CPU share of one core: {share}"


def main() -> None:
    parser = load_arguments(__doc__, people=4, unloaded=20)
    parser.add_argument("--per-guardian", type=int, default=6, help="zero think time: offers each lane opens in turn")
    args = parser.parse_args()
    begun = time.monotonic()
    deadline = begun + TIME_LIMIT

    database_url = os.environ.get("BENCH_POSTGRES_URL", PG_DEFAULT)
    env = server_env(database_url)
    os.environ.update(env)
    sys.path.insert(0, str(ROOT))
    database = database_url.rsplit("/", 1)[1]
    print(f"== guardian pages on PostgreSQL ({database}); {os.cpu_count()} CPUs seen")
    fresh_postgres_database(database_url)
    with tempfile.TemporaryDirectory(prefix="asti-bench-citizen-") as tmp:
        workdir = Path(tmp)
        targets = prepare(args.children, workdir)
        n = args.guardians
        wanted = args.unloaded + n * (args.per_guardian + args.people)
        if len(targets) < wanted:
            raise SystemExit(f"only {len(targets)} guardians with an open offer; {wanted} wanted")
        port = free_port()
        guardians = [Guardian(target, Browser(port)) for target in targets[:wanted]]

        print(f"gunicorn on 127.0.0.1:{port}: {args.workers} workers × {args.threads} threads (gthread)", flush=True)
        with gunicorn(port, env, args.workers, args.threads, workdir / "gunicorn.log") as (_url, server_pid):
            meter = CpuMeter(server_pid, (database, f"{database}_audit"))
            errors = asyncio.run(load_phases(args, meter, guardians, deadline))
        print(f"  whole run {time.monotonic() - begun:.0f} s")
        if errors:
            sys.exit(1)


async def load_phases(args: argparse.Namespace, meter: CpuMeter, guardians: list[Guardian], deadline: float) -> int:
    """The load phases against the running server; prints the figures and returns the number of errors."""
    n = args.guardians
    unloaded = guardians[: args.unloaded]
    saturating = guardians[args.unloaded : args.unloaded + n * args.per_guardian]
    people = guardians[args.unloaded + n * args.per_guardian :]
    think = ThinkTime(median=args.think)
    started = time.perf_counter()
    await run_lanes([guardians[i::n] for i in range(n)], lambda _i, g: log_in(g), deadline)
    print(f"logged in {len(guardians)} guardians through the test identification page "
          f"in {time.perf_counter() - started:.1f} s", flush=True)  # fmt: skip

    # Warm-up: every server thread gets its database connections, the templates are compiled. (Opening
    # an offer page changes nothing but the audit trail; the offers stay open.)
    warm = Samples()
    warm_lanes = [[g] for g in saturating[: 2 * args.workers * args.threads]]

    async def warm_offer(_index: int, g: Guardian) -> None:
        await open_offer(g, warm)

    for _ in range(3):
        await run_lanes(warm_lanes, lambda _i, g: bare(g, warm), deadline)
        await run_lanes(warm_lanes, warm_offer, deadline)

    alone = Samples()
    meter.start()
    alone_started = time.perf_counter()
    for g in unloaded:
        await offer_and_accept(g, alone)
        await bare(g, alone)
    alone_cpu = meter.per_request(alone.count(), time.perf_counter() - alone_started)
    print(f"\nunloaded: one guardian at a time ({len(unloaded)} guardians)")
    for kind in ("offer page", "accept POST", "/healthz"):
        print(f"  {kind:<13} {ms(alone[kind])}")
    print(alone_cpu)

    paced = Samples()
    rngs = [random.Random(args.seed * 1_000 + i) for i in range(n)]
    lanes = [people[i::n] for i in range(n)]

    async def paced_person(index: int, g: Guardian) -> None:
        # People arrive spread out: each lane's first person after one think time of its own.
        await asyncio.sleep(think.draw(rngs[index]))
        await person(g, paced, rngs[index], think)

    meter.start()
    paced_wall = await run_lanes(lanes, paced_person, deadline)
    paced_cpu = meter.per_request(paced.count(), paced_wall)
    print(f"\nwith think time: {n} concurrent guardians as people, think time log-normal median "
          f"{think.median:g} s (σ {think.sigma:g}, {think.low:g}–{think.high:g} s), seed {args.seed}; "
          f"{len(paced['accept POST'])} offers accepted")  # fmt: skip
    for kind in ("offer page", "confirm page", "accept POST", "accepted page"):
        print(f"  {kind:<13} {ms(paced[kind])}")
    print(f"  {paced.count()} requests in {paced_wall:.1f} s: {paced.count() / paced_wall:.1f} requests/s")
    print(paced_cpu)

    load = Samples()
    meter.start()
    wall = await run_lanes([saturating[i::n] for i in range(n)], lambda _i, g: offer_and_accept(g, load), deadline)
    app_rate = load.count() / wall
    load_cpu = meter.per_request(load.count(), wall)
    print(f"\nsaturation, zero think time: {n} concurrent guardians, each lane opening and accepting "
          f"offers back to back; {len(load['accept POST'])} offers accepted")  # fmt: skip
    for kind in ("offer page", "accept POST"):
        print(f"  {kind:<13} {ms(load[kind])}")
    print(f"  {load.count()} requests in {wall:.2f} s: {app_rate:.1f} requests/s")
    print(load_cpu)

    baseline = Samples()
    # At least as many requests per lane as the guardian pages had, and for at least BARE_SECONDS.
    count = load.count() // n
    meter.start()
    bare_until = time.monotonic() + BARE_SECONDS

    async def bare_lane(g: Guardian) -> None:
        done = 0
        while (time.monotonic() < bare_until or done < count) and time.monotonic() < deadline + 15:
            await bare(g, baseline)
            done += 1

    bare_started = time.perf_counter()
    await asyncio.gather(*(bare_lane(lane[0]) for lane in (saturating[i::n] for i in range(n))))
    bare_wall = time.perf_counter() - bare_started
    bare_rate = baseline.count() / bare_wall
    bare_cpu = meter.per_request(baseline.count(), bare_wall)
    print(f"\nsaturation, bare Django view /healthz: {n} concurrent clients, the same sessions")
    print(f"  {'/healthz':<13} {ms(baseline['/healthz'])}")
    print(f"  {baseline.count()} requests in {bare_wall:.2f} s: {bare_rate:.1f} requests/s")
    print(bare_cpu)
    for g in guardians:
        await g.browser.close()

    errors = warm.errors + alone.errors + paced.errors + load.errors + baseline.errors
    print("\nsummary")
    print(f"  with think time ({n} guardians as people): offer page p95 "
          f"{percentile(paced['offer page'], 0.95) * 1000:.1f} ms, accept POST p95 "
          f"{percentile(paced['accept POST'], 0.95) * 1000:.1f} ms (target: under 100 ms)")  # fmt: skip
    print(f"  saturation ({n} guardians, zero think time): offer page p95 "
          f"{percentile(load['offer page'], 0.95) * 1000:.1f} ms, accept POST p95 "
          f"{percentile(load['accept POST'], 0.95) * 1000:.1f} ms")  # fmt: skip
    print(f"  saturation throughput: guardian pages {app_rate:.1f} requests/s vs bare view {bare_rate:.1f} "
          f"requests/s: ratio {app_rate / bare_rate:.2f}")  # fmt: skip
    print(f"  errors: {len(errors)}{' — ' + '; '.join(errors[:5]) if errors else ''}")
    return len(errors)


if __name__ == "__main__":
    main()
