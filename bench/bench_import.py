"""Import benchmark: a national extract (default 50,000 children) into a fresh database.

Prints rows/s, the share of time spent parsing, validating and writing, and peak memory (RSS).
Usage: .venv/bin/python bench/bench_import.py [--children 50000] [--database sqlite|postgres|both]
PostgreSQL is taken from BENCH_POSTGRES_URL (default postgres://postgres@127.0.0.1:5432/asti_bench,
created if missing). Run each database in its own process so peak memory is per run.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
from pathlib import Path

from benchlib import fresh_postgres_database

ROOT = Path(__file__).resolve().parent.parent
PG_DEFAULT = "postgres://postgres@127.0.0.1:5432/asti_bench"


def run_one(database_url: str, extract: Path) -> None:
    """Runs in a child process: migrate, then import twice (fresh, then unchanged)."""
    env = dict(os.environ, DATABASE_URL=database_url, ASTI_ENV="test", LOG_LEVEL="WARNING")
    subprocess.run([sys.executable, "manage.py", "migrate", "-v0"], cwd=ROOT, env=env, check=True)
    subprocess.run([sys.executable, __file__, "--child", str(extract)], cwd=ROOT, env=env, check=True)


def child_main(extract: Path) -> None:
    import resource

    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()
    from django.db import connection

    from asti.people.services import city_data_import

    vendor = connection.vendor
    for label in ("first import", "same extract again"):
        report = city_data_import(directory=extract, actor="bench")
        t = report.timings
        shares = ", ".join(
            f"{k} {t[k]:.2f} s ({100 * t[k] / t['total']:.0f} %)" for k in ("parse", "validate", "write")
        )
        print(
            f"{vendor:10s} {label:20s} {report.rows:>8,d} rows in {t['total']:6.2f} s = "
            f"{report.rows / t['total']:>9,.0f} rows/s; {shares}"
        )
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"{vendor:10s} peak memory (RSS) {peak_mb:,.0f} MB")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--children", type=int, default=50_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--database", choices=["sqlite", "postgres", "both"], default="both")
    parser.add_argument("--child", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child_main(args.child)
        return
    with tempfile.TemporaryDirectory(prefix="asti-bench-") as tmp:
        extract = Path(tmp) / "extract"
        subprocess.run(
            [sys.executable, "manage.py", "generate_demo_city", str(extract), "--children", str(args.children),
             "--seed", str(args.seed)],
            cwd=ROOT, check=True, stdout=subprocess.DEVNULL, env=dict(os.environ, ASTI_ENV="test"),
        )  # fmt: skip
        sizes = {f.name: sum(1 for _ in f.open(encoding="utf-8")) - 1 for f in sorted(extract.glob("*.csv"))}
        print("extract:", ", ".join(f"{name} {n:,d}" for name, n in sizes.items()))
        if args.database in ("sqlite", "both"):
            run_one(f"sqlite:///{Path(tmp) / 'bench.sqlite3'}", extract)
        if args.database in ("postgres", "both"):
            url = os.environ.get("BENCH_POSTGRES_URL", PG_DEFAULT)
            fresh_postgres_database(url)
            run_one(url, extract)


if __name__ == "__main__":
    main()
