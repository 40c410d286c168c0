"""The scheduler process (`manage.py run_scheduler`): runs the periodic jobs when they are due and the one-off
jobs people start from the pages. Start as many as you like, on as many machines: each periodic run and each
job is taken by one of them."""

from __future__ import annotations

import logging
import os
import secrets
import socket
import threading

from django.db import close_old_connections

from asti.jobs import services
from asti.jobs.registry import PERIODIC

log = logging.getLogger(__name__)


def new_worker_id() -> str:
    return f"{socket.gethostname()}:{os.getpid()}:{secrets.token_hex(3)}"


def tick_periodic(worker: str) -> int:
    ran = 0
    for name in sorted(PERIODIC):
        try:
            ran += services.periodic_run(name=name, worker=worker)
        except Exception:
            log.exception("scheduler %s: could not run %s", worker, name)
            close_old_connections()
    return ran


def tick_jobs(worker: str) -> int:
    ran = 0
    while (job := services.job_claim(worker=worker)) is not None:
        services.job_run(job)
        ran += 1
    return ran


def run_forever(stop: threading.Event, *, worker: str, poll_seconds: float = 1.0) -> None:
    services.periodic_sync()

    def jobs_loop() -> None:
        while not stop.is_set():
            try:
                if tick_jobs(worker) == 0:
                    stop.wait(poll_seconds)
            except Exception:
                log.exception("scheduler %s: job loop", worker)
                close_old_connections()
                stop.wait(poll_seconds)

    thread = threading.Thread(target=jobs_loop, name="jobs", daemon=True)
    thread.start()
    while not stop.is_set():
        tick_periodic(worker)
        stop.wait(poll_seconds)
    thread.join(timeout=30)
