from __future__ import annotations

import logging
import signal
import threading
from types import FrameType
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from asti.jobs import scheduler, services
from asti.jobs.registry import PERIODIC

log = logging.getLogger(__name__)


class Command(BaseCommand):
    help = "Runs the periodic jobs (reminders, deadlines, decision releases, audit forwarding) and background jobs."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--once", action="store_true", help="run what is due now, then exit")
        parser.add_argument("--poll", type=float, default=1.0, help="seconds between looks (default 1)")
        parser.add_argument("--worker-id", default="", help="default host:pid:random")

    def handle(self, *args: Any, **options: Any) -> None:
        worker = options["worker_id"] or scheduler.new_worker_id()
        if options["once"]:
            services.periodic_sync()
            ran = scheduler.tick_periodic(worker) + scheduler.tick_jobs(worker)
            self.stdout.write(f"ran {ran} jobs")
            return
        stop = threading.Event()

        def request_stop(signum: int, frame: FrameType | None) -> None:
            log.info("scheduler %s: stopping after the current job", worker)
            stop.set()

        signal.signal(signal.SIGTERM, request_stop)
        signal.signal(signal.SIGINT, request_stop)
        log.info("scheduler %s: periodic jobs %s", worker, ", ".join(sorted(PERIODIC)))
        scheduler.run_forever(stop, worker=worker, poll_seconds=options["poll"])
