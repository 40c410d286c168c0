"""What the scheduler can run: periodic jobs and handlers of one-off jobs, registered by the domain apps when
they are ready (so the scheduler never imports the domains)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

Progress = Callable[[int, int, str], None]


@dataclass(frozen=True)
class PeriodicSpec:
    name: str
    every: dt.timedelta
    run: Callable[[], dict[str, Any] | None]


PERIODIC: dict[str, PeriodicSpec] = {}
HANDLERS: dict[str, Callable[[dict[str, Any], Progress], dict[str, Any] | None]] = {}


def periodic(name: str, *, every: dt.timedelta) -> Callable[[Callable[[], Any]], Callable[[], Any]]:
    def register(run: Callable[[], Any]) -> Callable[[], Any]:
        PERIODIC[name] = PeriodicSpec(name=name, every=every, run=run)
        return run

    return register


def handler(kind: str) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """A one-off job's handler: called with the job's params and a progress(done, total, message) callback."""

    def register(run: Callable[..., Any]) -> Callable[..., Any]:
        HANDLERS[kind] = run
        return run

    return register
