"""The applications' background work, run by the scheduler (asti.jobs)."""

from __future__ import annotations

import dataclasses
from typing import Any

from asti.applications.second_round import second_round_allocate
from asti.jobs.registry import Progress, handler


@handler("applications.second_round")
def second_round(params: dict[str, Any], progress: Progress) -> dict[str, Any]:
    progress(0, 1, "placing the wishes")
    summary = second_round_allocate(round_id=int(params["round"]), actor=str(params["actor"]))
    return dataclasses.asdict(summary)
