"""The retention purge as a periodic job (asti.privacy.retention): once a day is enough, as periods are in days."""

from __future__ import annotations

import datetime as dt
from typing import Any

from asti.jobs.registry import periodic
from asti.privacy.retention import purge_expired


@periodic("privacy.purge", every=dt.timedelta(hours=24))
def privacy_purge() -> dict[str, Any]:
    result = purge_expired(actor="scheduler:privacy.purge")
    return {"removed": result.total, **{key: count for key, count in result.rows.items() if count}}
