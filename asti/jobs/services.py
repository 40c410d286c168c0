"""The scheduler's writes. A periodic job runs at most once per due time whatever the number of workers: a
worker claims it with one conditional UPDATE that also moves its next run forward, so a second worker's UPDATE
finds nothing to change (PostgreSQL re-checks the condition on the row the first one committed; SQLite
serialises writers). A worker that dies mid-run holds the job only until its lease ends. One-off jobs are rows
written in the caller's transaction and claimed one at a time (SKIP LOCKED on PostgreSQL)."""

from __future__ import annotations

import datetime as dt
import logging
import traceback
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import Q

from asti.core import clock
from asti.jobs.models import Job, JobRun, JobStatus, PeriodicJob
from asti.jobs.registry import HANDLERS, PERIODIC, PeriodicSpec

log = logging.getLogger(__name__)

LEASE = dt.timedelta(minutes=10)
JOB_ATTEMPTS = 3


def interval_of(spec: PeriodicSpec) -> int:
    overrides: dict[str, int] = settings.ASTI_JOBS_EVERY
    return max(1, int(overrides.get(spec.name, spec.every.total_seconds())))


def periodic_sync() -> None:
    """A row for every registered periodic job, with its interval (a new job is due at once)."""
    now = clock.now()
    for spec in PERIODIC.values():
        every = interval_of(spec)
        job, created = PeriodicJob.objects.get_or_create(
            name=spec.name, defaults={"interval_seconds": every, "next_run_at": now}
        )
        if not created and job.interval_seconds != every:
            PeriodicJob.objects.filter(pk=job.pk).update(interval_seconds=every)


def periodic_claim(*, name: str, worker: str) -> dt.datetime | None:
    """Claims the job if it is due and nobody runs it; returns the due time it runs for, or None."""
    now = clock.now()
    job = PeriodicJob.objects.filter(name=name).values("next_run_at", "interval_seconds").first()
    if job is None or job["next_run_at"] > now:
        return None
    due: dt.datetime = job["next_run_at"]
    every = dt.timedelta(seconds=job["interval_seconds"])
    following = due + every
    if following <= now:  # missed slots (all workers were down) collapse into this run
        following = now + every
    claimed = (
        PeriodicJob.objects.filter(name=name, next_run_at=due)
        .filter(Q(lease_until__isnull=True) | Q(lease_until__lt=now))
        .update(next_run_at=following, lease_until=now + LEASE, claimed_by=worker, last_started_at=now)
    )
    return due if claimed == 1 else None


def periodic_run(*, name: str, worker: str) -> bool:
    """Runs the job once if this worker can claim it; True when it ran."""
    due = periodic_claim(name=name, worker=worker)
    if due is None:
        return False
    run = JobRun.objects.create(name=name, due_at=due, worker=worker, started_at=clock.now())
    result: dict[str, Any] = {}
    error = ""
    try:
        result = PERIODIC[name].run() or {}
    except Exception:
        error = traceback.format_exc(limit=5)
        log.exception("periodic job %s failed", name)
    finished = clock.now()
    JobRun.objects.filter(pk=run.pk).update(finished_at=finished, ok=not error, result=_jsonable(result))
    PeriodicJob.objects.filter(name=name, claimed_by=worker).update(
        lease_until=None, last_finished_at=finished, last_result=_jsonable(result), last_error=error
    )
    return True


def _jsonable(value: dict[str, Any]) -> dict[str, Any]:
    return {str(k): v if isinstance(v, (int, float, str, bool, type(None), list)) else str(v) for k, v in value.items()}


# ---- one-off jobs --------------------------------------------------------------------------------------------


def job_enqueue(*, kind: str, params: dict[str, Any], created_by: str) -> Job:
    """Queues long work; call it in the transaction of the change that asks for it."""
    if kind not in HANDLERS:
        raise ValueError(f"no handler for job kind {kind!r}")
    return Job.objects.create(kind=kind, params=params, created_by=created_by, created_at=clock.now())


def job_claim(*, worker: str) -> Job | None:
    now = clock.now()
    with transaction.atomic():
        waiting = Job.objects.filter(
            Q(status=JobStatus.QUEUED) | Q(status=JobStatus.RUNNING, lease_until__lt=now), attempts__lt=JOB_ATTEMPTS
        ).order_by("created_at", "pk")
        job = waiting.select_for_update(skip_locked=True).first()
        if job is None:
            return None
        job.status = JobStatus.RUNNING
        job.claimed_by = worker
        job.lease_until = now + LEASE
        job.started_at = job.started_at or now
        job.attempts += 1
        job.save(update_fields=["status", "claimed_by", "lease_until", "started_at", "attempts"])
        return job


def job_progress(*, job_id: int, done: int, total: int, message: str = "") -> None:
    Job.objects.filter(pk=job_id).update(
        progress_done=done, progress_total=total, message=message[:300], lease_until=clock.now() + LEASE
    )


def job_run(job: Job) -> Job:
    """Runs a claimed job to its end: done with its result, or failed with the error (shown on the page)."""

    def progress(done: int, total: int, message: str = "") -> None:
        job_progress(job_id=job.pk, done=done, total=total, message=message)

    try:
        result = HANDLERS[job.kind](dict(job.params), progress) or {}
    except Exception as exc:
        log.exception("job %s (%s) failed", job.pk, job.kind)
        Job.objects.filter(pk=job.pk).update(
            status=JobStatus.FAILED, error=str(exc)[:2000] or type(exc).__name__, finished_at=clock.now(),
            lease_until=None,
        )  # fmt: skip
    else:
        Job.objects.filter(pk=job.pk).update(
            status=JobStatus.DONE, result=_jsonable(result), finished_at=clock.now(), lease_until=None,
            progress_done=job.progress_total or 1, progress_total=job.progress_total or 1,
        )  # fmt: skip
    job.refresh_from_db()
    return job
