"""The offers' periodic work and the planners' long actions, run by the scheduler (asti.jobs)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from asti.jobs.registry import Progress, handler, periodic
from asti.offers.sending import round_send, rounds_tick
from asti.offers.services import proposal_override, round_allocate, round_what_if


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


@handler("offers.override")
def override_proposal(params: dict[str, Any], progress: Progress) -> dict[str, Any]:
    """A planner's override and the re-allocation around it, all or nothing; lists who else moved."""
    progress(0, 2, "allocating")
    moved = proposal_override(
        round_id=int(params["round"]), child_id=str(params["child"]), unit_id=str(params["unit"]),
        justification=str(params["justification"]), actor=str(params["actor"]),
    )  # fmt: skip
    progress(2, 2, "stored")
    return {"moved": len(moved), "moves": [list(move) for move in moved]}


@handler("offers.what_if")
def capacity_what_if(params: dict[str, Any], progress: Progress) -> dict[str, Any]:
    """The capacity what-if: the round solved with other capacities; nothing is stored but the job's result."""
    progress(0, 1, "allocating")
    changes = {str(unit): int(capacity) for unit, capacity in dict(params["changes"]).items()}
    moves = round_what_if(round_id=int(params["round"]), capacity_changes=changes)
    return {"moved": len(moves), "moves": [list(move) for move in moves]}
