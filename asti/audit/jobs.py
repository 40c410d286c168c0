"""Moving audit events that could not reach the trail at once (asti.audit.services.forward_pending)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from asti.audit.services import forward_pending
from asti.jobs.registry import periodic


@periodic("audit.forward", every=dt.timedelta(minutes=1))
def audit_forward() -> dict[str, Any]:
    return {"moved": forward_pending()}
