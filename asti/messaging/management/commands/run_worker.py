from __future__ import annotations

import logging
import signal
import threading
from types import FrameType
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from asti.messaging.models import Channel, Lane
from asti.messaging.worker import Worker, new_worker_id

log = logging.getLogger(__name__)


def _names(value: str, allowed: list[str], what: str) -> list[str]:
    names = [v.strip() for v in value.split(",") if v.strip()]
    unknown = sorted(set(names) - set(allowed))
    if unknown or not names:
        raise CommandError(f"{what}: choose from {', '.join(allowed)} (got {value!r})")
    return names


class Command(BaseCommand):
    help = "Sends the outbox: claims due messages, sends them through the configured channels, records the results."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--lanes", default="fast,bulk", help="comma-separated: fast,bulk (default both)")
        parser.add_argument("--channels", default="sms,email", help="comma-separated: sms,email (default both)")
        parser.add_argument("--once", action="store_true", help="send what is due now, then exit")
        parser.add_argument("--batch-size", type=int, default=0, help="rows claimed at a time")
        parser.add_argument("--threads", type=int, default=0, help="sender threads of the bulk lane")
        parser.add_argument("--worker-id", default="", help="name in claimed_by (default host:pid:random)")

    def handle(self, *args: Any, **options: Any) -> None:
        worker = Worker(
            lanes=_names(options["lanes"], list(Lane.values), "--lanes"),
            channels=_names(options["channels"], list(Channel.values), "--channels"),
            batch_size=options["batch_size"],
            threads=options["threads"],
            worker_id=options["worker_id"] or new_worker_id(),
        )
        if options["once"]:
            count = worker.run_once()
            self.stdout.write(f"sent or tried {count} messages")
            return
        stop = threading.Event()

        def request_stop(signum: int, frame: FrameType | None) -> None:
            log.info("worker %s: stopping after the current batches", worker.worker_id)
            stop.set()

        signal.signal(signal.SIGTERM, request_stop)
        signal.signal(signal.SIGINT, request_stop)
        lanes, channels = ",".join(worker.lanes), ",".join(worker.channels)
        log.info("worker %s: lanes %s, channels %s", worker.worker_id, lanes, channels)
        worker.run_forever(stop)
