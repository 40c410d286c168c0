"""The scheduler: a periodic job runs once per due time however many workers try; a lease outlives a dead
worker only until it ends; one-off jobs report progress and failure. And a drill: two real scheduler processes
on one database for several seconds never run a slot twice."""

from __future__ import annotations

import datetime as dt
import os
import signal
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings

from asti.core import clock
from asti.jobs import services
from asti.jobs.models import Job, JobRun, JobStatus, PeriodicJob
from asti.jobs.registry import HANDLERS, PERIODIC, PeriodicSpec

ROOT = Path(__file__).resolve().parents[2]
T0 = dt.datetime(2027, 3, 1, 8, 0, tzinfo=dt.UTC)


@pytest.fixture
def counting() -> Any:
    calls: list[int] = []

    def count() -> dict[str, Any]:
        calls.append(1)
        return {"n": len(calls)}

    PERIODIC["test.count"] = PeriodicSpec("test.count", dt.timedelta(seconds=60), count)
    yield calls
    PERIODIC.pop("test.count", None)


@pytest.mark.django_db
def test_a_due_job_is_claimed_once_and_becomes_due_again(counting: list[int]) -> None:
    with clock.frozen_at(T0):
        services.periodic_sync()
        assert services.periodic_claim(name="test.count", worker="a") == T0
        assert services.periodic_claim(name="test.count", worker="b") is None  # the same slot, taken
    with clock.frozen_at(T0 + dt.timedelta(seconds=59)):
        assert services.periodic_claim(name="test.count", worker="b") is None  # not due yet, and still leased
    # the first worker died without finishing: its lease (10 min) holds the next slot until it ends
    with clock.frozen_at(T0 + dt.timedelta(seconds=61)):
        assert services.periodic_claim(name="test.count", worker="b") is None
    with clock.frozen_at(T0 + dt.timedelta(minutes=11)):
        assert services.periodic_run(name="test.count", worker="b")
        assert not services.periodic_run(name="test.count", worker="a")
    assert counting == [1]
    job = PeriodicJob.objects.get(name="test.count")
    assert job.lease_until is None and job.claimed_by == "b" and job.last_error == ""
    # missed slots collapse into one run, and the next is a whole interval later
    assert job.next_run_at == T0 + dt.timedelta(minutes=12)
    assert JobRun.objects.filter(name="test.count", ok=True).count() == 1


@pytest.mark.django_db
def test_a_failing_periodic_job_is_recorded_and_runs_again_later() -> None:
    def boom() -> None:
        raise RuntimeError("gateway down")

    PERIODIC["test.boom"] = PeriodicSpec("test.boom", dt.timedelta(seconds=10), boom)
    try:
        with clock.frozen_at(T0):
            services.periodic_sync()
            assert services.periodic_run(name="test.boom", worker="a")
        job = PeriodicJob.objects.get(name="test.boom")
        assert "gateway down" in job.last_error and job.lease_until is None
        with clock.frozen_at(T0 + dt.timedelta(seconds=10)):
            assert services.periodic_run(name="test.boom", worker="a")
    finally:
        PERIODIC.pop("test.boom", None)


@pytest.mark.django_db
def test_one_off_jobs_report_progress_and_failures() -> None:
    def work(params: dict[str, Any], progress: Any) -> dict[str, Any]:
        for i in range(params["n"]):
            progress(i + 1, params["n"], f"step {i + 1}")
        if params.get("fail"):
            raise ValueError("no capacity left")
        return {"total": params["n"]}

    HANDLERS["test.work"] = work
    try:
        ok = services.job_enqueue(kind="test.work", params={"n": 3}, created_by="pia")
        bad = services.job_enqueue(kind="test.work", params={"n": 2, "fail": True}, created_by="pia")
        first = services.job_claim(worker="w")
        assert first is not None and first.pk == ok.pk and first.status == JobStatus.RUNNING
        done = services.job_run(first)
        assert done.status == JobStatus.DONE and done.result == {"total": 3} and done.percent == 100
        second = services.job_claim(worker="w")
        assert second is not None
        failed = services.job_run(second)
        assert failed.status == JobStatus.FAILED and "no capacity left" in failed.error
        assert failed.progress_done == 2 and failed.message == "step 2" and bad.pk == failed.pk
        assert services.job_claim(worker="w") is None
        with pytest.raises(ValueError):
            services.job_enqueue(kind="nobody.handles", params={}, created_by="pia")
        assert Job.objects.count() == 2
    finally:
        HANDLERS.pop("test.work", None)


def _database_for_drill(tmp_path: Path) -> dict[str, str]:
    """A database of its own for the two processes: PostgreSQL when the tests run on it (CI), else SQLite."""
    main = settings.DATABASES["default"]
    if main["ENGINE"].endswith("postgresql"):
        import psycopg

        name = f"asti_drill_{os.getpid()}"
        base = (
            f"postgres://{main.get('USER') or 'postgres'}@{main.get('HOST') or '127.0.0.1'}:{main.get('PORT') or 5432}"
        )
        with psycopg.connect(f"{base}/postgres", autocommit=True) as conn:
            for db in (name, f"{name}_audit"):
                conn.execute(f'DROP DATABASE IF EXISTS "{db}" WITH (FORCE)')
                conn.execute(f'CREATE DATABASE "{db}"')
        return {"DATABASE_URL": f"{base}/{name}", "AUDIT_DATABASE_URL": f"{base}/{name}_audit"}
    return {
        "DATABASE_URL": f"sqlite:///{tmp_path / 'drill.sqlite3'}",
        "AUDIT_DATABASE_URL": f"sqlite:///{tmp_path / 'drill-audit.sqlite3'}",
    }


def _runs_per_job(env: dict[str, str]) -> dict[str, int]:
    url = env["DATABASE_URL"]
    query = "SELECT name, COUNT(*) FROM jobs_jobrun GROUP BY name"
    try:
        if url.startswith("sqlite:///"):
            import sqlite3

            with sqlite3.connect(url.removeprefix("sqlite:///"), timeout=5) as conn:
                return dict(conn.execute(query).fetchall())
        import psycopg

        with psycopg.connect(url) as conn:
            return dict(conn.execute(query).fetchall())
    except Exception:  # the table is there only after migrate, and SQLite may be busy for a moment
        return {}


def test_two_scheduler_processes_never_run_a_slot_twice(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if k != "DJANGO_SETTINGS_MODULE"}
    env.update(_database_for_drill(tmp_path))
    every = "offers.round_clock=1,audit.forward=1,decisions.release=1,privacy.purge=1,messaging.reconcile=1"
    env.update(ASTI_ENV="test", ASTI_JOBS_EVERY=every, LOG_LEVEL="WARNING")
    subprocess.run([sys.executable, "manage.py", "migrate", "-v0"], cwd=ROOT, env=env, check=True, timeout=300)
    workers = [
        subprocess.Popen(
            [sys.executable, "manage.py", "run_scheduler", "--poll", "0.1", "--worker-id", f"w{i}"],
            cwd=ROOT,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
        )
        for i in (1, 2)
    ]
    try:
        # both start (Django and its apps load in a few seconds), then run side by side for a while
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline and min(_runs_per_job(env).values(), default=0) < 6:
            time.sleep(0.5)
        time.sleep(2)
    finally:
        for w in workers:
            w.send_signal(signal.SIGTERM)
        outputs = [w.communicate(timeout=60)[0].decode() for w in workers]
    assert [w.returncode for w in workers] == [0, 0], outputs
    report = subprocess.run(
        [sys.executable, "manage.py", "shell", "-c",
         "from asti.jobs.models import JobRun\n"
         "for r in JobRun.objects.order_by('pk'): print(r.name, r.due_at.isoformat(), r.worker, r.ok)"],
        cwd=ROOT, env=env, check=True, capture_output=True, text=True, timeout=120,
    ).stdout.split("\n")  # fmt: skip
    runs = [line.split() for line in report if line.count(" ") == 3]
    slots = Counter((name, due) for name, due, _worker, _ok in runs)
    assert slots and max(slots.values()) == 1, [s for s, n in slots.items() if n > 1]
    per_job = Counter(name for name, _due, _w, _ok in runs)
    assert set(per_job) == {
        "offers.round_clock", "audit.forward", "decisions.release", "privacy.purge", "messaging.reconcile"
    }  # fmt: skip
    assert min(per_job.values()) >= 6, per_job  # about one run a second for each job, between the two
    assert all(ok == "True" for *_rest, ok in runs), runs


@pytest.mark.django_db(transaction=True)
def test_a_round_allocated_and_sent_by_background_jobs(example_extract: Path) -> None:
    from io import StringIO

    from django.core.management import call_command

    from asti.offers.models import OfferRound, RoundStatus

    call_command("import_city_data", str(example_extract), stdout=StringIO())
    out = StringIO()
    call_command("offer_round", "create", "--year", "2027", stdout=out)
    round_id = int(out.getvalue().split()[-1])
    services.job_enqueue(kind="offers.allocate", params={"round": round_id, "actor": "pia"}, created_by="pia")
    services.job_enqueue(kind="offers.send", params={"round": round_id, "actor": "pia"}, created_by="pia")
    from asti.jobs.scheduler import tick_jobs

    assert tick_jobs("w") == 2
    jobs = list(Job.objects.order_by("pk"))
    assert [j.status for j in jobs] == [JobStatus.DONE, JobStatus.DONE], [j.error for j in jobs]
    assert jobs[0].result["proven_optimal"] is True and jobs[0].result["placed"] == jobs[0].result["eligible"]
    assert jobs[1].result["offers"] > 0
    assert OfferRound.objects.get(pk=round_id).status == RoundStatus.SENT
