"""Guardian application pages under load: concurrent guardians on PostgreSQL open their family's front page, an
application form, save a draft and follow an application.

Set-up (in this process, not timed with the load): a database of its own, migrations, the demo city
(`generate_demo_city` + `import_city_data`, Helsinki-sized by default) and `demo_services` (schools, places,
application periods open around today, a queue of applications of every kind). Each target is a guardian whose
family has a sent application and a child who may start an application of some kind now (a cohort child's early
childhood education, a school starter's afternoon activities …). gunicorn, the load generator, the think times and
the CPU meters are bench_citizen's (see its docstring): one asyncio loop, every virtual guardian a browser of its
own.

  login       every guardian logs in through the test identification page;
  unloaded    a few guardians one at a time (the latency without queueing);
  think time  N concurrent guardians (default 50) as people, each lane serving several in turn: the front page
              (/), read (think time), the application form (/children/<child>/apply/<kind>/, GET), filled in
              (think time), the draft saved (POST action=save, redirected to the form, which is fetched at once as
              a browser does: "form after save"), then (think time) the sent application's page
              (/applications/<pk>/);
  saturation  the same N lanes with zero think time: front page, form, draft POST, application page back to back,
              guardian after guardian (a saved draft is saved again: the form continues it).

Prints p50/p95 per step, requests/s and CPU per request of each phase.
Only 127.0.0.1; bounded in time (about two minutes with the defaults).
Usage: .venv/bin/python bench/bench_applications.py [--guardians 50] [--people 2] [--think 3] [--seed 5]
       [--rounds 2] [--children 6600] [--per-kind 60] [--workers 4] [--threads 2]
PostgreSQL is taken from BENCH_POSTGRES_URL (default postgres://postgres@127.0.0.1:5432/asti_bench_applications,
dropped and created; the audit trail's database beside it).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from io import StringIO
from pathlib import Path

from bench_citizen import (
    CSRF,
    Browser,
    CpuMeter,
    Samples,
    ThinkTime,
    free_port,
    gunicorn,
    load_arguments,
    log_in,
    ms,
    percentile,
    run_lanes,
    server_env,
)
from benchlib import fresh_postgres_database, timed_step

ROOT = Path(__file__).resolve().parent.parent
PG_DEFAULT = "postgres://postgres@127.0.0.1:5432/asti_bench_applications"
TIME_LIMIT = 180.0  # seconds for the load phases; they stop early rather than run over
STEPS = ("front page", "form GET", "draft POST", "form after save", "application page")


@dataclass(frozen=True)
class Target:
    guardian_pk: int
    child_pk: int
    kind: str
    application_pk: int


@dataclass
class Guardian:
    """A virtual guardian: what log_in (bench_citizen) needs, and where this one goes."""

    target: Target
    browser: Browser

    @property
    def offer_path(self) -> str:  # where the login sends them: the front page
        return "/"

    @property
    def form_path(self) -> str:
        return f"/children/{self.target.child_pk}/apply/{self.target.kind}/"

    @property
    def application_path(self) -> str:
        return f"/applications/{self.target.application_pk}/"


def prepare(children: int, per_kind: int, workdir: Path) -> list[Target]:
    """Migrates, imports the demo city and makes its services and queue; returns one target per guardian."""
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connections

    from asti.applications.family import family_overview
    from asti.applications.models import OPEN_STATUSES, Application
    from asti.core import clock
    from asti.people.models import Custody
    from asti.people.models import Guardian as Person

    step = timed_step
    extract = workdir / "extract"
    quiet = StringIO()
    step("migrate", lambda: call_command("migrate", verbosity=0, stdout=quiet))
    step("migrate the audit trail", lambda: call_command("migrate", database="audit", verbosity=0, stdout=quiet))
    step(
        f"generate_demo_city ({children:,} children)",
        lambda: call_command("generate_demo_city", str(extract), children=children, stdout=quiet),
    )
    step("import_city_data", lambda: call_command("import_city_data", str(extract), stdout=quiet))
    step(
        f"demo_services (--per-kind {per_kind})", lambda: call_command("demo_services", per_kind=per_kind, stdout=quiet)
    )

    today = clock.today_helsinki()
    sent = Application.objects.filter(status__in=OPEN_STATUSES).order_by("pk")
    custodians: dict[int, list[int]] = {}
    for child_pk, guardian_pk in Custody.objects.filter(active=True, guardian__active=True).values_list(
        "child_id", "guardian_id"
    ):
        custodians.setdefault(child_pk, []).append(guardian_pk)
    targets: list[Target] = []
    seen: set[int] = set()
    used: Counter[str] = Counter()
    for application_pk, child_pk in sent.values_list("pk", "child_id"):
        for guardian_pk in sorted(custodians.get(child_pk, [])):
            if guardian_pk in seen:
                continue
            seen.add(guardian_pk)
            guardian = Person.objects.get(pk=guardian_pk)
            startable = [
                (row.child.pk, item.kind)
                for row in family_overview(guardian=guardian, today=today)
                for item in row.applicable
                if item.can_start and item.draft is None
            ]
            if startable:  # the kind used least so far, so that every kind's form is measured
                child_pk, kind = min(startable, key=lambda s: used[s[1]])
                used[kind] += 1
                targets.append(Target(guardian_pk, child_pk, kind, application_pk))
    print(f"  {len(targets)} guardians with a sent application and something to apply for", flush=True)
    connections.close_all()
    return targets


async def front(g: Guardian, samples: Samples) -> bool:
    page = await samples.timed("front page", g.browser.request("GET", "/"))
    if page.status != 200 or g.form_path not in page.text:
        samples.errors.append(f"front page {g.target.guardian_pk}: {page.status}")
        return False
    return True


async def form(g: Guardian, samples: Samples, step: str = "form GET") -> str | None:
    page = await samples.timed(step, g.browser.request("GET", g.form_path))
    token = CSRF.search(page.text)
    if page.status != 200 or token is None:
        samples.errors.append(f"{step} {g.form_path}: {page.status}")
        return None
    return token.group(1)


async def save_draft(g: Guardian, samples: Samples, token: str) -> bool:
    fields = {"csrfmiddlewaretoken": token, "action": "save", "education_language": "fi", "other_info": "bench"}
    answer = await samples.timed("draft POST", g.browser.request("POST", g.form_path, fields))
    if answer.status != 302 or answer.headers.get("location") != g.form_path:
        samples.errors.append(f"draft POST {g.form_path}: {answer.status} {answer.headers.get('location')}")
        return False
    return await form(g, samples, "form after save") is not None


async def application_page(g: Guardian, samples: Samples) -> None:
    page = await samples.timed("application page", g.browser.request("GET", g.application_path))
    if page.status != 200:
        samples.errors.append(f"application page {g.target.application_pk}: {page.status}")


async def visit(g: Guardian, samples: Samples, pause: Callable[[], float] = lambda: 0.0) -> None:
    """The four steps; `pause` gives the think time before each next click."""
    if not await front(g, samples):
        return
    await asyncio.sleep(pause())
    token = await form(g, samples)
    if token is None:
        return
    await asyncio.sleep(pause())
    if not await save_draft(g, samples, token):
        return
    await asyncio.sleep(pause())
    await application_page(g, samples)


def report(title: str, samples: Samples, wall: float, cpu: str) -> None:
    print(f"\n{title}")
    for step in STEPS:
        print(f"  {step:<17} {ms(samples[step])}")
    print(f"  {samples.count()} requests in {wall:.1f} s: {samples.count() / wall:.1f} requests/s")
    print(cpu)


async def load_phases(args: argparse.Namespace, meter: CpuMeter, guardians: list[Guardian], deadline: float) -> int:
    n = args.guardians
    unloaded = guardians[: args.unloaded]
    people = guardians[args.unloaded :]
    think = ThinkTime(median=args.think)
    started = time.perf_counter()
    await run_lanes([guardians[i::n] for i in range(n)], lambda _i, g: log_in(g), deadline)  # type: ignore[arg-type]
    print(f"logged in {len(guardians)} guardians in {time.perf_counter() - started:.1f} s", flush=True)

    warm = Samples()  # every server thread gets its connections, the templates are compiled
    for _ in range(2):
        await run_lanes(
            [[g] for g in people[: 2 * args.workers * args.threads]], lambda _i, g: front(g, warm), deadline
        )

    alone = Samples()
    meter.start()
    alone_started = time.perf_counter()
    for g in unloaded:
        await visit(g, alone)
    alone_wall = time.perf_counter() - alone_started
    report(f"unloaded: one guardian at a time ({len(unloaded)} guardians)", alone, alone_wall,
           meter.per_request(alone.count(), alone_wall))  # fmt: skip

    paced = Samples()
    rngs = [random.Random(args.seed * 1_000 + i) for i in range(n)]

    async def person(index: int, g: Guardian) -> None:
        await asyncio.sleep(think.draw(rngs[index]))  # people arrive spread out
        await visit(g, paced, lambda: think.draw(rngs[index]))
        await g.browser.close()

    meter.start()
    paced_wall = await run_lanes([people[i::n] for i in range(n)], person, deadline)
    report(
        f"with think time: {n} concurrent guardians as people ({len(people)} in all), think time log-normal median "
        f"{think.median:g} s, seed {args.seed}",
        paced, paced_wall, meter.per_request(paced.count(), paced_wall),
    )  # fmt: skip

    load = Samples()
    lanes = [people[i::n] * args.rounds for i in range(n)]
    meter.start()
    wall = await run_lanes(lanes, lambda _i, g: visit(g, load), deadline)
    report(f"saturation, zero think time: {n} concurrent guardians, {args.rounds} visits each", load, wall,
           meter.per_request(load.count(), wall))  # fmt: skip
    for g in guardians:
        await g.browser.close()

    errors = warm.errors + alone.errors + paced.errors + load.errors
    print("\nsummary")
    print(f"  with think time ({n} guardians as people): " + ", ".join(
        f"{s} p95 {percentile(paced[s], 0.95) * 1000:.0f} ms" for s in STEPS if paced[s]))  # fmt: skip
    print(f"  saturation: {load.count() / wall:.1f} requests/s; " + ", ".join(
        f"{s} p95 {percentile(load[s], 0.95) * 1000:.0f} ms" for s in STEPS if load[s]))  # fmt: skip
    print(f"  errors: {len(errors)}{' — ' + '; '.join(errors[:5]) if errors else ''}")
    return len(errors)


def main() -> None:
    parser = load_arguments(__doc__, people=2, unloaded=10)
    parser.add_argument("--rounds", type=int, default=2, help="zero think time: visits of each guardian (default 2)")
    parser.add_argument("--per-kind", type=int, default=60, help="queued applications of each kind (default 60)")
    args = parser.parse_args()
    begun = time.monotonic()

    database_url = os.environ.get("BENCH_POSTGRES_URL", PG_DEFAULT)
    database = database_url.rsplit("/", 1)[1]
    print(f"== guardian application pages on PostgreSQL ({database}); {os.cpu_count()} CPUs seen")
    fresh_postgres_database(database_url)
    with tempfile.TemporaryDirectory(prefix="asti-bench-applications-") as tmp:
        workdir = Path(tmp)
        env = dict(server_env(database_url), ASTI_PRIVATE_MEDIA_ROOT=str(workdir / "media"))
        os.environ.update(env)
        sys.path.insert(0, str(ROOT))
        targets = prepare(args.children, args.per_kind, workdir)
        wanted = args.unloaded + args.guardians * args.people
        if len(targets) < wanted:
            raise SystemExit(f"only {len(targets)} guardians to use; {wanted} wanted (raise --per-kind)")
        port = free_port()
        guardians = [Guardian(target, Browser(port)) for target in targets[:wanted]]
        kinds = sorted({t.kind for t in targets[:wanted]})
        print(f"forms of kinds {', '.join(kinds)}; gunicorn on 127.0.0.1:{port}: {args.workers} workers × "
              f"{args.threads} threads (gthread)", flush=True)  # fmt: skip
        with gunicorn(port, env, args.workers, args.threads, workdir / "gunicorn.log") as (_url, server_pid):
            meter = CpuMeter(server_pid, (database, f"{database}_audit"))
            errors = asyncio.run(load_phases(args, meter, guardians, time.monotonic() + TIME_LIMIT))
        print(f"  whole run {time.monotonic() - begun:.0f} s")
        if errors:
            sys.exit(1)


if __name__ == "__main__":
    main()
