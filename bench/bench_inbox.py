"""Service guidance at a big city's volume: the team inbox and family search with 50,000 families and 100,000
messages with the city, on PostgreSQL.

Set-up (not timed): a database of its own (dropped and created), migrations, then bulk inserts: 300 units, N
families (default 50,000: one or two guardians, one to three children, Finnish and Swedish names from the demo's
word lists, phone numbers and identity codes), and M thread messages (default 100,000) in threads of one to six
messages: about 70 % for service guidance and the rest for the units, a tenth unread, a fifth unassigned, some
closed, some internal notes. A planner (service guidance) and a unit director are logged in through Django's
test client.

Timed, each over --repeat runs with a different query or page each time; printed as median and p95:
  inbox            GET /staff/inbox/ (open threads, 50 a page, with the counts), and filtered: unread, unassigned,
                   mine, page 20, closed; a unit director's inbox
  thread           GET /staff/inbox/<id>/ (the messages, the family, the ready answers; audited, marked read)
  family search    GET /staff/families/find/ by surname, by first name + surname of a guardian, by phone number in
                   four formats, by identity code

Usage: .venv/bin/python bench/bench_inbox.py [--families 50000] [--messages 100000] [--repeat 40] [--database-url URL]
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import random
import statistics
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from benchlib import fresh_postgres_database, timed_step

ROOT = Path(__file__).resolve().parent.parent
PG_DEFAULT = "postgres://postgres@127.0.0.1:5432/asti_bench_inbox"


def setup_database(url: str) -> None:
    fresh_postgres_database(url)
    env = dict(os.environ, ASTI_ENV="test", DATABASE_URL=url, LOG_LEVEL="WARNING")
    subprocess.run([sys.executable, "manage.py", "migrate", "-v0"], cwd=ROOT, env=env, check=True)


def hetu_for(birth: dt.date, serial: int) -> str:
    """A valid Finnish identity code (the check character computed) for the birth date and serial number."""
    century = "-" if birth.year < 2000 else "A"
    number = int(f"{birth:%d%m%y}{serial:03d}")
    return f"{birth:%d%m%y}{century}{serial:03d}" + "0123456789ABCDEFHJKLMNPRSTUVWXY"[number % 31]


def populate_families(n: int, rng: random.Random) -> dict[str, Any]:
    from asti.core import clock, crypto
    from asti.demo.names import FINNISH, SWEDISH
    from asti.people.models import Child, Custody, Guardian
    from asti.units.models import AdmissionArea, Unit

    areas = AdmissionArea.objects.bulk_create(
        [AdmissionArea(area_id=f"A-{i:02d}", name_fi=f"Alue {i}", language="fi") for i in range(40)]
    )
    units = Unit.objects.bulk_create(
        [
            Unit(
                unit_id=f"U-{i:04d}", name_fi=f"Päiväkoti {i}", name_sv=f"Daghem {i}", lat=60.1, lon=24.9,
                provider="municipal", language="sv" if i % 10 == 0 else "fi", pre_primary=True,
                pre_primary_capacity=20, admission_area=areas[i % 40], ecec=True,
            )
            for i in range(300)
        ]
    )  # fmt: skip
    guardians: list[Guardian] = []
    children: list[Child] = []
    custodies: list[tuple[int, int]] = []
    serial = 0
    today = clock.today_helsinki()
    for family in range(n):
        group = SWEDISH if family % 7 == 0 else FINNISH
        surname = rng.choice(group.surnames)
        adults = 2 if rng.random() < 0.7 else 1
        first_guardian = len(guardians)
        for adult in range(adults):
            serial += 1
            birth = today - dt.timedelta(days=rng.randint(25 * 365, 50 * 365))
            hetu = hetu_for(birth, 2 + serial % 897)
            given = rng.choice(group.women if adult == 0 else group.men)
            guardians.append(
                Guardian(
                    guardian_id=f"G{family}-{adult}", hetu_encrypted=crypto.hetu_encrypt(hetu),
                    hetu_digest=crypto.hetu_digest(hetu), first_name=given, last_name=surname[adult],
                    street_address=f"Katu {family}", postal_code="00100", phone=f"+35840{serial:07d}",
                    email=f"huoltaja{serial}@example.fi", language="sv" if group is SWEDISH else "fi",
                    non_disclosure=family % 211 == 0,
                )
            )  # fmt: skip
        for kid in range(rng.choice((1, 1, 2, 2, 3))):
            serial += 1
            birth = today - dt.timedelta(days=rng.randint(200, 12 * 365))
            hetu = hetu_for(birth, 2 + serial % 897)
            girl = rng.random() < 0.5
            children.append(
                Child(
                    child_id=f"C{family}-{kid}", hetu_encrypted=crypto.hetu_encrypt(hetu),
                    hetu_digest=crypto.hetu_digest(hetu), first_name=rng.choice(group.girls if girl else group.boys),
                    last_name=surname[1 if girl else 0], birth_date=birth, language="sv" if group is SWEDISH else "fi",
                    municipality_code="091", lat=60.17, lon=24.94, admission_area=areas[family % 40],
                    street_address=f"Katu {family}", postal_code="00100",
                    current_unit=units[rng.randrange(300)] if rng.random() < 0.6 else None,
                )
            )  # fmt: skip
            for g in range(first_guardian, len(guardians)):
                custodies.append((len(children) - 1, g))
    guardians = Guardian.objects.bulk_create(guardians, batch_size=2000)
    children = Child.objects.bulk_create(children, batch_size=2000)
    Custody.objects.bulk_create(
        [Custody(child=children[c], guardian=guardians[g]) for c, g in custodies], batch_size=5000
    )
    return {"units": units, "guardians": guardians, "children": children, "custodies": custodies}


def populate_threads(m: int, people: dict[str, Any], rng: random.Random) -> int:
    from django.contrib.auth.models import User

    from asti.conversations.models import AnswerTemplate, AuthorKind, Origin, Thread, ThreadMessage, Topic
    from asti.core import clock

    planners = [User.objects.create_user(username=f"bench.sg{i}", first_name=f"Ohjaaja{i}") for i in range(12)]
    units, children = people["units"], people["children"]
    guardians_of: dict[int, list[Any]] = {}
    for c, g in people["custodies"]:
        guardians_of.setdefault(c, []).append(people["guardians"][g])
    now = clock.now()
    threads: list[Thread] = []
    lengths: list[int] = []
    total = 0
    while total < m:
        c = rng.randrange(len(children))
        length = min(rng.choice((1, 2, 2, 3, 3, 4, 5, 6)), m - total)
        total += length
        last = now - dt.timedelta(minutes=rng.randint(0, 400 * 24 * 60))
        closed = rng.random() < 0.35
        threads.append(
            Thread(
                title=f"Kysymys {len(threads)}", topic=rng.choice(Topic.values), child=children[c],
                guardian=guardians_of[c][0], unit=units[rng.randrange(300)] if rng.random() < 0.3 else None,
                origin=Origin.SMS_REPLY if rng.random() < 0.1 else Origin.PORTAL,
                created_at=last - dt.timedelta(days=length), last_message_at=last,
                assigned_to=None if rng.random() < 0.2 else rng.choice(planners),
                staff_unread=not closed and rng.random() < 0.1, closed_at=last if closed else None,
            )
        )  # fmt: skip
        lengths.append(length)
    threads = Thread.objects.bulk_create(threads, batch_size=2000)
    rows: list[ThreadMessage] = []
    for thread, length in zip(threads, lengths, strict=True):
        for k in range(length):
            from_family = k % 2 == 0
            rows.append(
                ThreadMessage(
                    thread=thread, at=thread.last_message_at - dt.timedelta(days=length - 1 - k),
                    author_kind=AuthorKind.GUARDIAN if from_family else AuthorKind.STAFF,
                    guardian=thread.guardian if from_family else None,
                    staff_user=None if from_family else thread.assigned_to,
                    staff_name="" if from_family else "Ohjaaja", internal=not from_family and k % 5 == 3,
                    body="Hei! " + "Kysyisin paikasta ja aikatauluista. " * rng.randint(1, 8),
                )
            )  # fmt: skip
        if len(rows) >= 20_000:
            ThreadMessage.objects.bulk_create(rows, batch_size=5000)
            rows = []
    ThreadMessage.objects.bulk_create(rows, batch_size=5000)
    AnswerTemplate.objects.bulk_create(
        [
            AnswerTemplate(title=f"Vastaus {i}", body_fi="Kiitos viestistä.", body_sv="Tack.", body_en="Thanks.",
                           updated_at=now)
            for i in range(12)
        ]
    )  # fmt: skip
    return len(threads)


def measure(label: str, runs: Iterator[Callable[[], None]], repeat: int) -> None:
    times = []
    for _ in range(repeat):
        run = next(runs)
        started = time.perf_counter()
        run()
        times.append(time.perf_counter() - started)
    times.sort()
    p95 = times[min(len(times) - 1, round(0.95 * (len(times) - 1)))]
    print(f"  {label:<46} median {statistics.median(times) * 1000:7.1f} ms   p95 {p95 * 1000:7.1f} ms", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--families", type=int, default=50_000)
    parser.add_argument("--messages", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=40)
    parser.add_argument("--seed", type=int, default=13)
    parser.add_argument("--database-url", default=os.environ.get("BENCH_POSTGRES_URL", PG_DEFAULT))
    args = parser.parse_args()

    sys.path.insert(0, str(ROOT))
    os.environ.update(ASTI_ENV="test", DATABASE_URL=args.database_url, LOG_LEVEL="WARNING")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    print("set-up:")
    timed_step("database and migrations", lambda: setup_database(args.database_url))
    import django

    django.setup()
    from django.conf import settings

    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]
    from django.contrib.auth.models import Group, User
    from django.db import connection
    from django.test import Client
    from django.urls import reverse

    from asti.conversations.models import Thread
    from asti.identity.models import Role, StaffProfile
    from asti.people.models import Child, Guardian

    rng = random.Random(args.seed)
    people = timed_step(f"{args.families:,d} families", lambda: populate_families(args.families, rng))
    threads = timed_step(f"{args.messages:,d} messages", lambda: populate_threads(args.messages, people, rng))
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    print(
        f"{len(people['guardians']):,d} guardians, {len(people['children']):,d} children, {threads:,d} threads, "
        f"{args.messages:,d} messages on PostgreSQL ({connection.settings_dict['NAME']})"
    )

    planner = User.objects.get(username="bench.sg0")
    planner.groups.add(Group.objects.get_or_create(name=Role.PLANNER.value)[0])
    director = User.objects.create_user(username="bench.director")
    director.groups.add(Group.objects.get_or_create(name=Role.UNIT_DIRECTOR.value)[0])
    profile = StaffProfile.objects.create(
        user=director, issuer="bench", subject="director", last_method="demo", last_login_at=planner.date_joined
    )
    profile.units.set(people["units"][:2])
    as_planner = Client(HTTP_ACCEPT_LANGUAGE="fi")
    as_planner.force_login(planner)
    as_director = Client(HTTP_ACCEPT_LANGUAGE="fi")
    as_director.force_login(director)

    def get(client: Client, url: str) -> Callable[[], None]:
        def run() -> None:
            response = client.get(url)
            assert response.status_code == 200, (url, response.status_code)

        return run

    def cycle(client: Client, urls: list[str]) -> Iterator[Callable[[], None]]:
        while True:
            for url in urls:
                yield get(client, url)

    inbox = reverse("staff:inbox")
    find = reverse("staff:family_find")
    thread_ids = list(Thread.objects.order_by("?").values_list("pk", flat=True)[: args.repeat])
    guardians = list(Guardian.objects.order_by("?")[: args.repeat])
    children = list(Child.objects.order_by("?")[: args.repeat])

    def phone_formats(number: str) -> list[str]:
        local = "0" + number[4:]
        return [number, local, f"{local[:3]} {local[3:6]} {local[6:]}", number[1:]]

    print(f"timed ({args.repeat} runs each, a different query or page each run):")
    measure("inbox: open threads, first page", cycle(as_planner, [inbox]), args.repeat)
    measure(
        "inbox: unread / unassigned / mine",
        cycle(as_planner, [inbox + "?unread=on", inbox + "?unassigned=on", inbox + "?mine=on"]),
        args.repeat,
    )
    measure("inbox: pages 2-40", cycle(as_planner, [f"{inbox}?page={p}" for p in range(2, 41)]), args.repeat)
    measure("inbox: closed threads", cycle(as_planner, [inbox + "?state=closed"]), args.repeat)
    measure("inbox: a unit director's", cycle(as_director, [inbox]), args.repeat)
    measure("thread page", cycle(as_planner, [reverse("staff:thread", args=[pk]) for pk in thread_ids]), args.repeat)
    measure("family search: surname", cycle(as_planner, [f"{find}?q={c.last_name}" for c in children]), args.repeat)
    measure(
        "family search: a guardian's full name",
        cycle(as_planner, [f"{find}?q={g.first_name}+{g.last_name}" for g in guardians]),
        args.repeat,
    )
    measure(
        "family search: phone number, four formats",
        cycle(as_planner, [f"{find}?q={p}" for g in guardians for p in phone_formats(g.phone)]),
        args.repeat,
    )
    measure(
        "family search: identity code",
        cycle(as_planner, [f"{find}?q={g.hetu}" for g in guardians]),
        args.repeat,
    )


if __name__ == "__main__":
    main()
