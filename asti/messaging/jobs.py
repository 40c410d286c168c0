"""The messaging app's periodic job: SMS without a final delivery report in time go to staff (reconcile.py)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from asti.jobs.registry import periodic
from asti.messaging.reconcile import unreported_messages_follow_up


@periodic("messaging.reconcile", every=dt.timedelta(minutes=10))
def messaging_reconcile() -> dict[str, Any]:
    return {"followed_up": unreported_messages_follow_up()}
