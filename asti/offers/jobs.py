"""The offers' periodic work, run by the scheduler (asti.jobs)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from asti.jobs.registry import periodic
from asti.offers.sending import rounds_tick


@periodic("offers.round_clock", every=dt.timedelta(minutes=1))
def round_clock() -> dict[str, Any]:
    ticked = rounds_tick(actor="scheduler:round_clock")
    return {
        "rounds": len(ticked),
        "reminded": sum(r for r, _c in ticked.values()),
        "closed": sum(c for _r, c in ticked.values()),
    }
