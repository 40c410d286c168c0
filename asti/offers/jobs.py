"""The offers' periodic work, run by the scheduler (asti.jobs)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from asti.jobs.registry import Progress, handler, periodic
from asti.offers.sending import round_send, rounds_tick
from asti.offers.services import round_allocate


@periodic("offers.round_clock", every=dt.timedelta(minutes=1))
def round_clock() -> dict[str, Any]:
    ticked = rounds_tick(actor="scheduler:round_clock")
    return {
        "rounds": len(ticked),
        "reminded": sum(r for r, _c in ticked.values()),
        "closed": sum(c for _r, c in ticked.values()),
    }


@handler("offers.allocate")
def allocate_round(params: dict[str, Any], progress: Progress) -> dict[str, Any]:
    """Allocation from the planner's page: the solver never runs in a web request."""
    progress(0, 2, "allocating")
    run = round_allocate(round_id=int(params["round"]), actor=str(params["actor"]))
    placed, kept, in_area, _distance = run.result.objective
    progress(2, 2, "stored")
    return {"eligible": len(run.result.proposals), "placed": placed, "kept": kept, "in_area": in_area,
            "proven_optimal": run.result.exact}  # fmt: skip


@handler("offers.send")
def send_round(params: dict[str, Any], progress: Progress) -> dict[str, Any]:
    progress(0, 1, "queuing the offers")
    summary = round_send(round_id=int(params["round"]), actor=str(params["actor"]))
    return {"offers": summary.offers, "unreachable_families": summary.unreachable_families,
            "unplaced": summary.unplaced}  # fmt: skip
