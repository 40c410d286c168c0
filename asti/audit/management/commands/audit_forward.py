"""Moves audit events left waiting in the business database (their move after commit failed or was cut off)
into the audit trail. Run it from a timer, or with --loop beside the web server."""

from __future__ import annotations

import datetime as dt
import logging
import time
from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.db import DatabaseError

from asti.audit.services import forward_pending

log = logging.getLogger(__name__)


class Command(BaseCommand):
    help = "Moves waiting audit events into the audit trail's database."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--older-than", type=float, default=30.0, help="seconds an event has waited (30)")
        parser.add_argument("--loop", type=float, default=0.0, help="repeat every this many seconds")

    def handle(self, *args: Any, **options: Any) -> None:
        older_than = dt.timedelta(seconds=options["older_than"])
        while True:
            try:
                moved = forward_pending(older_than=older_than)
                if moved or not options["loop"]:
                    self.stdout.write(f"moved {moved} audit events into the trail")
            except DatabaseError:
                if not options["loop"]:
                    raise
                log.exception("audit_forward: the audit database is not reachable; trying again")
            if not options["loop"]:
                return
            time.sleep(options["loop"])
