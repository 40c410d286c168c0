"""End-to-end allocation benchmark: `offer_round allocate` on PostgreSQL (load, solve, store, export).

Builds a demo extract of N children (default: a Helsinki-sized city, then a 50,000-child national one, then
Helsinki alone scaled up to 50,000 children: one dense municipality), imports it into a fresh database, creates
the round and times the allocation as the command runs it, then once more (a planner re-running the round
replaces every proposal; the export must come out the same).
Usage: .venv/bin/python bench/bench_round.py [--children 6600,50000] [--dense 50000] [--database-url URL]
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
PG_DEFAULT = "postgres://postgres@127.0.0.1:5432/asti_bench_round"


def manage(*args: str, env: dict[str, str]) -> str:
    done = subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, env=env, check=True,
                          capture_output=True, text=True)  # fmt: skip
    return done.stdout


def one(children: int, url: str, tmp: Path, scale: str = "auto") -> None:
    extract = tmp / f"extract-{children}-{scale}"
    env = dict(os.environ, ASTI_ENV="test", DATABASE_URL=url, LOG_LEVEL="WARNING")
    year = time.localtime().tm_year + 1
    out = manage("generate_demo_city", str(extract), "--children", str(children), "--seed", "7", "--year", str(year),
                 "--scale", scale, env=env)  # fmt: skip
    codes = next((line.split("=", 1)[1] for line in out.splitlines() if "ASTI_MUNICIPALITY_CODES=" in line), "091")
    env["ASTI_MUNICIPALITY_CODES"] = codes
    fresh_postgres_database(url)
    manage("migrate", "-v0", env=env)
    manage("import_city_data", str(extract), env=env)
    round_id = manage("offer_round", "create", "--year", str(year), env=env).split()[-1]
    started = time.perf_counter()
    out = manage("offer_round", "allocate", round_id, "--export", str(tmp / "proposals.csv"), env=env)
    command = time.perf_counter() - started
    timings = dict(
        (part.rsplit(" ", 2)[0].strip(), float(part.rsplit(" ", 2)[1]))
        for part in next(line for line in out.splitlines() if line.startswith("timings:"))[8:].split(",")
    )
    summary = next(line for line in out.splitlines() if line.startswith("eligible"))
    proof = next(line for line in out.splitlines() if "proven optimal" in line)
    inside = timings["load"] + timings["allocate"] + timings["store"]
    print(f"{children:,d} children{' (one dense municipality)' if scale == 'city' else ''}: {summary}")
    print(f"  {proof}")
    print(
        f"  allocate command {command:.2f} s (with Python and Django start); load {timings['load']:.2f} s, "
        f"candidates {timings.get('solver_candidates', 0):.2f} s, solve {timings.get('solver_solve', 0):.2f} s, "
        f"repair {timings.get('solver_repair', 0):.2f} s, store {timings['store']:.2f} s; "
        f"load+solve+store {inside:.2f} s = {inside / max(timings.get('solver_solve', 1e-9), 1e-9):.1f} × bare solve"
    )
    started = time.perf_counter()
    out = manage("offer_round", "allocate", round_id, "--export", str(tmp / "again.csv"), env=env)
    again = time.perf_counter() - started
    store = next(line for line in out.splitlines() if line.startswith("timings:")).split("store ")[1].split()[0]
    same = (tmp / "again.csv").read_bytes() == (tmp / "proposals.csv").read_bytes()
    print(f"  allocate again (replaces the proposals) {again:.2f} s, store {float(store):.2f} s; same export: {same}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--children", default="6600,50000")
    parser.add_argument("--dense", default="50000", help="children of one municipality scaled up (comma-separated)")
    parser.add_argument("--database-url", default=os.environ.get("BENCH_POSTGRES_URL", PG_DEFAULT))
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="asti-round-") as tmp:
        for n in (int(x) for x in args.children.split(",") if x):
            one(n, args.database_url, Path(tmp))
        for n in (int(x) for x in args.dense.split(",") if x):
            one(n, args.database_url, Path(tmp), scale="city")


if __name__ == "__main__":
    main()
