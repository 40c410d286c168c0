"""Decisions for a Helsinki-sized pre-primary round on PostgreSQL: decisions generated per second (texts and
tagged PDFs), and the release time (one transaction: dates, prompts for electronic service, the print file).

Builds a demo extract, imports it into a fresh database, allocates and sends the round, has the guardians
answer (most accept, the rest are confirmed at the deadline), gives a share of the guardians consent to
electronic service, then times `decisions prepare`, `decisions approve` and `decisions release-due`.
Usage: .venv/bin/python bench/bench_decisions.py [--children 6600] [--consent 0.7] [--workers N]
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from benchlib import fresh_postgres_database

ROOT = Path(__file__).resolve().parent.parent
PG_DEFAULT = "postgres://postgres@127.0.0.1:5432/asti_bench_decisions"

ANSWER = """
import random
from asti.core import clock
from asti.decisions.models import DeliveryConsent
from asti.offers.models import Offer, OfferStatus
from asti.people.models import Guardian
rng = random.Random(7)
ids = list(Offer.objects.filter(round_id={round_id}).values_list("pk", flat=True))
accepted = [pk for pk in ids if rng.random() < 0.9]
Offer.objects.filter(pk__in=accepted).update(
    status=OfferStatus.ACCEPTED, answered_at=clock.now(), answer_channel="link")
Offer.objects.filter(round_id={round_id}, status=OfferStatus.OPEN).update(
    status=OfferStatus.AUTO_ACCEPTED, answered_at=clock.now(), answer_channel="deadline")
guardians = list(Guardian.objects.values_list("pk", flat=True))
DeliveryConsent.objects.bulk_create(
    [DeliveryConsent(guardian_id=pk, given_at=clock.now()) for pk in guardians if rng.random() < {consent}])
print(len(ids))
"""


def manage(*args: str, env: dict[str, str]) -> str:
    done = subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True)
    if done.returncode != 0:
        sys.exit(f"manage.py {' '.join(args)} failed:\n{done.stderr[-3000:]}")
    return done.stdout


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--children", type=int, default=6600)
    parser.add_argument("--consent", type=float, default=0.7, help="share of guardians with electronic service")
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 1, help="PDF rendering processes")
    parser.add_argument("--database-url", default=os.environ.get("BENCH_POSTGRES_URL", PG_DEFAULT))
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="asti-decisions-") as tmp:
        env = dict(os.environ, ASTI_ENV="test", DATABASE_URL=args.database_url, LOG_LEVEL="WARNING",
                   ASTI_PRIVATE_MEDIA_ROOT=str(Path(tmp) / "media"),
                   ASTI_DECISION_PDF_WORKERS=str(args.workers))  # fmt: skip
        year = time.localtime().tm_year + 1
        fresh_postgres_database(args.database_url)
        out = manage("generate_demo_city", str(Path(tmp) / "city"), "--children", str(args.children), "--seed", "7",
                     "--year", str(year), env=env)  # fmt: skip
        codes = next((line.split("=", 1)[1] for line in out.splitlines() if "ASTI_MUNICIPALITY_CODES=" in line), "")
        if codes:
            env["ASTI_MUNICIPALITY_CODES"] = codes
        manage("migrate", "-v0", env=env)
        manage("import_city_data", str(Path(tmp) / "city"), env=env)
        round_id = manage("offer_round", "create", "--year", str(year), env=env).split()[-1]
        manage("offer_round", "allocate", round_id, env=env)
        manage("offer_round", "send", round_id, env=env)
        offers = manage("shell", "-c", ANSWER.format(round_id=round_id, consent=args.consent), env=env).split()[-1]
        started = time.perf_counter()
        out = manage("decisions", "prepare", round_id, "--decision-maker", "Maija Päättäjä, johtaja",
                     "--decision-maker-username", "maija", env=env)  # fmt: skip
        prepare_command = time.perf_counter() - started
        batch_id = out.split()[-1]
        print(f"{args.children:,d} children, {int(offers):,d} offers answered; {args.workers} PDF processes")
        lines = out.splitlines()
        print(f"  prepare: {lines[0]}; {lines[1]} (command with Python start {prepare_command:.2f} s)")
        started = time.perf_counter()
        manage("decisions", "approve", batch_id, "--as", "maija", env=env)
        out = manage("decisions", "release-due", env=env)
        took = time.perf_counter() - started
        print(f"  approve + release-due commands {took:.2f} s (with Python start): " + "; ".join(out.splitlines()))
        listing = manage("decisions", "list", env=env).splitlines()[0]
        print(f"  batch: {listing}")


if __name__ == "__main__":
    main()
