"""Releasing approved decision batches at their release time (asti.jobs runs it every 15 seconds)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from asti.decisions.services import decision_batch_print, decision_batch_render, decision_batches_release_due
from asti.jobs.registry import Progress, handler, periodic


@periodic("decisions.release", every=dt.timedelta(seconds=15))
def release_due() -> dict[str, Any]:
    return {"released": decision_batches_release_due(actor="scheduler:decisions")}


@handler("decisions.render")
def render(params: dict[str, Any], progress: Progress) -> dict[str, Any]:
    return {"rendered": decision_batch_render(batch_id=int(params["batch"]), progress=progress)}


@handler("decisions.print")
def print_file(params: dict[str, Any], progress: Progress) -> dict[str, Any]:
    return {"printed": decision_batch_print(batch_id=int(params["batch"]), progress=progress)}
