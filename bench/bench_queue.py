"""The staff application queue at a big city's volume: N sent applications (default 20,000) on PostgreSQL.

Set-up (not timed): a database of its own (dropped and created), migrations, then straight into the tables with
bulk inserts: 400 municipal units with early childhood education places, 120 schools, N children each with a
guardian and custody, and N applications of every kind and status (draft to cancelled, about a tenth overdue)
with one to three wishes each. A planner (service guidance) is logged in through Django's test client.

Timed, each the median of --repeat runs (the first run is shown apart: cold caches):
  first page     GET /staff/applications/ (the open applications, 50 a page, with the counts)
  filtered page  GET /staff/applications/?kind=ecec&language=fi&unit=<a busy unit>&urgent= (and page 3 of all)
  counts         queue_counts() for every kind (the staff front page's figures)
  free places    free_places() for each kind
  application    GET /staff/applications/<pk>/ (wishes against free places, the propose form)
  CSV export     GET /staff/applications.csv?status=all (every row streamed, read to the end)

Usage: .venv/bin/python bench/bench_queue.py [--applications 20000] [--repeat 5] [--database-url URL]
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
from collections.abc import Callable
from pathlib import Path
from typing import Any

from benchlib import fresh_postgres_database

ROOT = Path(__file__).resolve().parent.parent
PG_DEFAULT = "postgres://postgres@127.0.0.1:5432/asti_bench_queue"
KINDS = ["ecec", "ecec", "ecec", "preschool", "first_grade", "afternoon"]
STATUSES = ["sent"] * 5 + ["in_process"] * 3 + ["place_proposed"] * 2 + ["decided"] * 3 + ["cancelled", "draft"]


def setup_database(url: str) -> None:
    fresh_postgres_database(url)
    env = dict(os.environ, ASTI_ENV="test", DATABASE_URL=url, LOG_LEVEL="WARNING")
    subprocess.run([sys.executable, "manage.py", "migrate", "-v0"], cwd=ROOT, env=env, check=True)


def populate(n: int, seed: int) -> None:
    from asti.applications.models import Application, Wish
    from asti.core import clock, crypto
    from asti.people.models import Child, Custody, Guardian
    from asti.units.models import AdmissionArea, School, Unit

    rng = random.Random(seed)
    today = clock.today_helsinki()
    areas = AdmissionArea.objects.bulk_create(
        [AdmissionArea(area_id=f"A-{i:02d}", name_fi=f"Alue {i}", language="fi" if i < 36 else "sv") for i in range(40)]
    )
    units = Unit.objects.bulk_create(
        [
            Unit(
                unit_id=f"U-{i:04d}", name_fi=f"Päiväkoti {i}", name_sv=f"Daghem {i}", lat=60.1 + i / 10000,
                lon=24.9, provider="municipal", language="sv" if i % 10 == 0 else "fi", pre_primary=i % 3 == 0,
                pre_primary_capacity=20, admission_area=areas[i % 40], ecec=True, ecec_capacity_under3=12,
                ecec_capacity_over3=42, shift_care=i % 25 == 0,
            )
            for i in range(400)
        ]
    )  # fmt: skip
    schools = School.objects.bulk_create(
        [
            School(
                school_id=f"S-{i:03d}", name_fi=f"Koulu {i}", lat=60.1, lon=24.9,
                language="sv" if i % 10 == 0 else "fi",
                admission_area=areas[i % 40], first_grade_capacity=75, afternoon_activities=True,
                afternoon_capacity=60, weighted_curricula=["music"] if i % 7 == 0 else [],
            )
            for i in range(120)
        ]
    )  # fmt: skip
    hetu = "010101A900B"
    encrypted, digest = crypto.hetu_encrypt(hetu), crypto.hetu_digest(hetu)
    guardians = Guardian.objects.bulk_create(
        [
            Guardian(
                guardian_id=f"G{i}", hetu_encrypted=encrypted, hetu_digest=digest, first_name="Huoltaja",
                last_name=f"Sukunimi{i}", street_address=f"Katu {i}", postal_code="00100", phone=f"+35840{i:07d}",
                non_disclosure=i % 97 == 0,
            )
            for i in range(n)
        ],
        batch_size=2000,
    )  # fmt: skip
    children = Child.objects.bulk_create(
        [
            Child(
                child_id=f"C{i}", hetu_encrypted=encrypted, hetu_digest=digest, first_name=f"Lapsi{i % 500}",
                last_name=f"Sukunimi{i}", birth_date=today - dt.timedelta(days=rng.randint(200, 9 * 365)),
                language="fi", municipality_code="091", lat=60.17, lon=24.94, admission_area=areas[i % 40],
                street_address=f"Katu {i}", postal_code="00100", non_disclosure=i % 97 == 0,
                current_unit=units[rng.randrange(400)] if rng.random() < 0.6 else None,
            )
            for i in range(n)
        ],
        batch_size=2000,
    )  # fmt: skip
    Custody.objects.bulk_create([Custody(child=c, guardian=g) for c, g in zip(children, guardians, strict=True)],
                                batch_size=5000)  # fmt: skip
    now = clock.now()
    applications = []
    for i, child in enumerate(children):
        kind = KINDS[i % len(KINDS)]
        status = STATUSES[rng.randrange(len(STATUSES))]
        sent = now - dt.timedelta(days=rng.randint(0, 150), minutes=rng.randint(0, 1440))
        due = (sent + dt.timedelta(days=rng.choice([14, 60, 120, 125, 130]))).date()
        school_kind = kind in ("first_grade", "afternoon")
        applications.append(
            Application(
                kind=kind, child=child, guardian=guardians[i], status=status,
                reference=None if status == "draft" else f"B-{i:07d}", education_language=units[i % 400].language,
                school_year=today.year + 1 if kind != "ecec" else None, start_date=due, due_date=due,
                urgent=kind == "ecec" and i % 20 == 0, shift_care=kind == "ecec" and i % 30 == 0,
                late=i % 40 == 0, language="fi", sent_at=None if status == "draft" else sent,
                registry_snapshot={"child_name": child.full_name, "address_protected": child.non_disclosure,
                                   "child_address": "" if child.non_disclosure else child.street_address},
                proposed_unit=units[i % 400] if status in ("place_proposed", "decided") and not school_kind else None,
                proposed_school=schools[i % 120] if status in ("place_proposed", "decided") and school_kind else None,
                answers={"phone": f"+35840{i:07d}"},
            )
        )  # fmt: skip
    applications = Application.objects.bulk_create(applications, batch_size=2000)
    wishes = []
    for application in applications:
        school_kind = application.kind in ("first_grade", "afternoon")
        pool = schools if school_kind else units
        for position, place in enumerate(rng.sample(pool, rng.randint(1, 3)), start=1):
            wishes.append(Wish(application=application, position=position, unit=None if school_kind else place,
                               school=place if school_kind else None))  # fmt: skip
    Wish.objects.bulk_create(wishes, batch_size=5000)


def timed(label: str, repeat: int, run: Callable[[], Any]) -> None:
    started = time.perf_counter()
    run()
    first = time.perf_counter() - started
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        run()
        times.append(time.perf_counter() - started)
    print(f"  {label:<44} first {first * 1000:8.1f} ms   median {statistics.median(times) * 1000:8.1f} ms")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--applications", type=int, default=20_000)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--database-url", default=os.environ.get("BENCH_POSTGRES_URL", PG_DEFAULT))
    args = parser.parse_args()

    sys.path.insert(0, str(ROOT))
    os.environ.update(ASTI_ENV="test", DATABASE_URL=args.database_url, LOG_LEVEL="WARNING")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    setup_database(args.database_url)
    import django

    django.setup()
    from django.conf import settings

    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]
    from django.contrib.auth.models import Group, User
    from django.db import connection
    from django.test import Client

    from asti.applications.models import Application
    from asti.applications.queue import QueueFilters, free_places, queue_counts
    from asti.core import clock
    from asti.identity.models import Role

    started = time.perf_counter()
    populate(args.applications, args.seed)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    print(f"{args.applications:,d} applications on PostgreSQL ({connection.settings_dict['NAME']}), "
          f"set up in {time.perf_counter() - started:.1f} s")  # fmt: skip

    user = User.objects.create_user(username="bench.planner")
    user.groups.add(Group.objects.get_or_create(name=Role.PLANNER.value)[0])
    client = Client(HTTP_ACCEPT_LANGUAGE="fi")
    client.force_login(user)
    busy = Application.objects.filter(kind="ecec", status="sent").values_list("wishes__unit__unit_id", flat=True)[0]
    some = Application.objects.filter(kind="ecec", status="in_process").first()
    assert some is not None
    today = clock.today_helsinki()

    def get(url: str) -> Callable[[], None]:
        def run() -> None:
            response = client.get(url)
            assert response.status_code == 200, (url, response.status_code)
            if getattr(response, "streaming", False):
                rows = sum(chunk.count(b"\n") for chunk in response.streaming_content)
                assert rows > args.applications * 0.9, rows
            else:
                assert len(response.content) > 1000

        return run

    print("timings (Django test client, in process; the audit events of each page are written too):")
    timed("first page /staff/applications/", args.repeat, get("/staff/applications/"))
    timed("filtered page (ECEC, fi, one unit, urgent)", args.repeat,
          get(f"/staff/applications/?kind=ecec&language=fi&unit={busy}&urgent=on"))  # fmt: skip
    timed("filtered page (all statuses, page 3)", args.repeat, get("/staff/applications/?status=all&page=3"))
    timed("search by name", args.repeat, get("/staff/applications/?q=Sukunimi1234"))
    timed("counts for each kind (front page figures)", args.repeat,
          lambda: [queue_counts(QueueFilters(kind=k), today) for k in set(KINDS)])  # fmt: skip
    timed("free places for each kind", args.repeat,
          lambda: [free_places(k, today.year + 1, today) for k in set(KINDS)])  # fmt: skip
    timed("application page", args.repeat, get(f"/staff/applications/{some.pk}/"))
    timed("front page /staff/ (with the counts)", args.repeat, get("/staff/"))
    timed("CSV export, every sent application", max(1, args.repeat // 2), get("/staff/applications.csv?status=all"))


if __name__ == "__main__":
    main()
