"""Guardian pages under load: concurrent guardians on PostgreSQL open their offer and accept it.

Set-up (in this process, not timed with the load): a database of its own, migrations, the demo city
(`generate_demo_city` + `import_city_data`, Helsinki-sized by default), a round created, allocated and sent.
Then gunicorn serves the project on 127.0.0.1 (a free port; 2 workers × 8 threads by default) with the demo's
test identification switched on (ASTI_ENV=demo, ASTI_DEMO_LOGIN=true), and a load generator of plain Python
threads with one requests session per guardian:

  login     every guardian logs in through the test identification page (GET for the CSRF token, POST);
  unloaded  a few guardians one at a time: offer page, then accept (the latency without queueing);
  loaded    N concurrent guardians (default 50), each in turn for several guardians of its own: GET the offer
            page (/offers/<id>/), then POST the accept (/offers/<id>/accept/ with the CSRF token from the page),
            no think time — every guardian a distinct person with a distinct, still open offer;
  bare      the same N threads, the same sessions and the same number of requests against /healthz (a bare
            Django view with one `SELECT 1`) on the same server.

Prints p50/p95 of the offer page and the accept POST, requests/s of both loads and their ratio.
Only 127.0.0.1; bounded in time (about a minute with the defaults).
Usage: .venv/bin/python bench/bench_citizen.py [--guardians 50] [--per-guardian 6] [--children 6600]
       [--workers 2] [--threads 8]
PostgreSQL is taken from BENCH_POSTGRES_URL (default postgres://postgres@127.0.0.1:5432/asti_bench_citizen,
dropped and created).
"""

from __future__ import annotations

import argparse
import os
import re
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from io import StringIO
from pathlib import Path
from typing import Any

import requests
from benchlib import fresh_postgres_database

ROOT = Path(__file__).resolve().parent.parent
PG_DEFAULT = "postgres://postgres@127.0.0.1:5432/asti_bench_citizen"
CSRF = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
TIME_LIMIT = 110.0  # seconds for the whole run; the load phases stop early rather than run over


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

    def step(label: str, work: Callable[[], Any]) -> Any:
        started = time.monotonic()
        result = work()
        print(f"  {label:<40} {time.monotonic() - started:6.1f} s", flush=True)
        return result

    year = clock.today_helsinki().year + 1
    extract = workdir / "extract"
    quiet = StringIO()
    step("migrate", lambda: call_command("migrate", verbosity=0, stdout=quiet))
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
def gunicorn(port: int, env: dict[str, str], workers: int, threads: int, log: Path) -> Iterator[str]:
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
        yield url
    finally:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


# --- the load generator --------------------------------------------------------------------------------------------


@dataclass
class Guardian:
    target: Target
    session: requests.Session = field(default_factory=requests.Session)

    def __post_init__(self) -> None:
        self.session.trust_env = False  # no proxies: only 127.0.0.1
        self.session.headers["Accept-Language"] = "fi"


@dataclass
class Samples:
    offer_page: list[float] = field(default_factory=list)
    accept: list[float] = field(default_factory=list)
    bare: list[float] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def add(self, kind: str, seconds: float) -> None:
        with self.lock:
            getattr(self, kind).append(seconds)

    def error(self, text: str) -> None:
        with self.lock:
            self.errors.append(text)


def log_in(url: str, guardian: Guardian) -> None:
    page = guardian.session.get(f"{url}/login/test/", params={"q": "-"}, timeout=30)
    token = CSRF.search(page.text)
    if page.status_code != 200 or token is None:
        raise RuntimeError(f"test identification page: {page.status_code}")
    next_url = f"/offers/{guardian.target.offer_pk}/"
    data = {"csrfmiddlewaretoken": token.group(1), "guardian": str(guardian.target.guardian_pk), "next": next_url}
    response = guardian.session.post(f"{url}/login/test/", data=data, allow_redirects=False, timeout=30)
    if response.status_code != 302 or response.headers.get("Location") != next_url:
        raise RuntimeError(f"login: {response.status_code} {response.headers.get('Location')}")


def offer_and_accept(url: str, guardian: Guardian, samples: Samples) -> None:
    offer = guardian.target.offer_pk
    started = time.perf_counter()
    page = guardian.session.get(f"{url}/offers/{offer}/", allow_redirects=False, timeout=30)
    samples.add("offer_page", time.perf_counter() - started)
    token = CSRF.search(page.text)
    if page.status_code != 200 or token is None or f"/offers/{offer}/accept/" not in page.text:
        samples.error(f"offer page {offer}: {page.status_code}")
        return
    started = time.perf_counter()
    answer = guardian.session.post(
        f"{url}/offers/{offer}/accept/", data={"csrfmiddlewaretoken": token.group(1)}, allow_redirects=False, timeout=30
    )
    samples.add("accept", time.perf_counter() - started)
    if answer.status_code != 302 or answer.headers.get("Location") != f"/offers/{offer}/accepted/":
        samples.error(f"accept {offer}: {answer.status_code} {answer.headers.get('Location')}")


def bare(url: str, guardian: Guardian, samples: Samples) -> None:
    started = time.perf_counter()
    response = guardian.session.get(f"{url}/healthz", allow_redirects=False, timeout=30)
    samples.add("bare", time.perf_counter() - started)
    if response.status_code != 200:
        samples.error(f"healthz: {response.status_code}")


def run_threads(lanes: list[list[Guardian]], work: Callable[[Guardian], object], deadline: float) -> float:
    """One thread per lane, started together; each works through its guardians. Returns the wall time."""
    barrier = threading.Barrier(len(lanes) + 1)

    def lane(guardians: list[Guardian]) -> None:
        barrier.wait()
        for guardian in guardians:
            if time.monotonic() > deadline:
                return
            work(guardian)

    threads = [threading.Thread(target=lane, args=(guardians,), daemon=True) for guardians in lanes]
    for thread in threads:
        thread.start()
    barrier.wait()
    started = time.perf_counter()
    for thread in threads:
        thread.join()
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--guardians", type=int, default=50, help="concurrent guardians (threads), default 50")
    parser.add_argument("--per-guardian", type=int, default=6, help="offers each thread opens and accepts in turn")
    parser.add_argument("--children", type=int, default=6_600, help="rows in the demo city's children.csv")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers (default 2)")
    parser.add_argument("--threads", type=int, default=8, help="gunicorn threads per worker (default 8)")
    parser.add_argument("--unloaded", type=int, default=20, help="guardians answering one at a time first")
    args = parser.parse_args()
    begun = time.monotonic()
    deadline = begun + TIME_LIMIT

    database_url = os.environ.get("BENCH_POSTGRES_URL", PG_DEFAULT)
    env = server_env(database_url)
    os.environ.update(env)
    sys.path.insert(0, str(ROOT))
    print(f"== guardian pages on PostgreSQL ({database_url.rsplit('/', 1)[1]}); {os.cpu_count()} CPUs seen")
    fresh_postgres_database(database_url)
    with tempfile.TemporaryDirectory(prefix="asti-bench-citizen-") as tmp:
        workdir = Path(tmp)
        targets = prepare(args.children, workdir)
        wanted = args.unloaded + args.guardians * args.per_guardian
        if len(targets) < wanted:
            raise SystemExit(f"only {len(targets)} guardians with an open offer; {wanted} wanted")
        guardians = [Guardian(target) for target in targets[:wanted]]
        unloaded, loaded = guardians[: args.unloaded], guardians[args.unloaded :]
        lanes = [loaded[i :: args.guardians] for i in range(args.guardians)]

        port = free_port()
        print(f"gunicorn on 127.0.0.1:{port}: {args.workers} workers × {args.threads} threads (gthread)", flush=True)
        with gunicorn(port, env, args.workers, args.threads, workdir / "gunicorn.log") as url:
            started = time.perf_counter()
            login_lanes = [guardians[i :: args.guardians] for i in range(args.guardians)]
            run_threads(login_lanes, lambda g: log_in(url, g), deadline)
            print(f"logged in {len(guardians)} guardians through the test identification page "
                  f"in {time.perf_counter() - started:.1f} s", flush=True)  # fmt: skip

            # Warm-up: every server thread gets its database connection, the templates are compiled. (Opening
            # an offer page changes nothing but the audit trail; the offers stay open.)
            warm = Samples()
            warm_lanes = [[g] for g in loaded[: 2 * args.workers * args.threads]]
            run_threads(warm_lanes, lambda g: bare(url, g, warm), deadline)
            run_threads(warm_lanes, lambda g: g.session.get(f"{url}/offers/{g.target.offer_pk}/", timeout=30), deadline)

            alone = Samples()
            for g in unloaded:
                offer_and_accept(url, g, alone)
                bare(url, g, alone)
            print(f"\nunloaded: one guardian at a time ({len(unloaded)} guardians)")
            print(f"  offer page   {ms(alone.offer_page)}")
            print(f"  accept POST  {ms(alone.accept)}")
            print(f"  /healthz     {ms(alone.bare)}")

            load = Samples()
            wall = run_threads(lanes, lambda g: offer_and_accept(url, g, load), deadline)
            requests_done = len(load.offer_page) + len(load.accept)
            print(f"\nloaded: {args.guardians} concurrent guardians, {len(load.accept)} offers opened and accepted")
            print(f"  offer page   {ms(load.offer_page)}")
            print(f"  accept POST  {ms(load.accept)}")
            app_rate = requests_done / wall
            print(f"  {requests_done} requests in {wall:.2f} s: {app_rate:.1f} requests/s")

            baseline = Samples()
            count = requests_done // args.guardians
            bare_lanes = [[lane[0]] * count for lane in lanes]
            bare_wall = run_threads(bare_lanes, lambda g: bare(url, g, baseline), deadline + 15)
            bare_rate = len(baseline.bare) / bare_wall
            print(f"\nbare Django view /healthz: {args.guardians} concurrent clients, the same sessions")
            print(f"  /healthz     {ms(baseline.bare)}")
            print(f"  {len(baseline.bare)} requests in {bare_wall:.2f} s: {bare_rate:.1f} requests/s")

        errors = warm.errors + alone.errors + load.errors + baseline.errors
        print("\nsummary")
        print(f"  offer page p95 {percentile(load.offer_page, 0.95) * 1000:.1f} ms, "
              f"accept POST p95 {percentile(load.accept, 0.95) * 1000:.1f} ms (target: under 100 ms)")  # fmt: skip
        print(f"  guardian pages {app_rate:.1f} requests/s vs bare view {bare_rate:.1f} requests/s: "
              f"ratio {app_rate / bare_rate:.2f}")  # fmt: skip
        print(f"  errors: {len(errors)}{' — ' + '; '.join(errors[:5]) if errors else ''}")
        print(f"  whole run {time.monotonic() - begun:.0f} s")
        if errors:
            sys.exit(1)


if __name__ == "__main__":
    main()
