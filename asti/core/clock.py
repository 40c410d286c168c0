"""The one clock of the project: store UTC, show the city's time zone (its profile's; Europe/Helsinki for every
Finnish municipality). Tests may freeze it."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from contextlib import contextmanager
from zoneinfo import ZoneInfo

from django.conf import settings

# The city's local time (settings.TIME_ZONE comes from the city profile). The name is the IANA zone's,
# Europe/Helsinki, which every Finnish municipality keeps.
HELSINKI = ZoneInfo(settings.TIME_ZONE if settings.configured else "Europe/Helsinki")
_frozen: dt.datetime | None = None


def now() -> dt.datetime:
    """Current time as an aware UTC datetime."""
    if _frozen is not None:
        return _frozen
    return dt.datetime.now(tz=dt.UTC)  # noqa: TID251 (the one place allowed)


def today_helsinki() -> dt.date:
    return now().astimezone(HELSINKI).date()


@contextmanager
def frozen_at(moment: dt.datetime) -> Iterator[None]:
    """Freeze the clock (tests, demos)."""
    global _frozen
    if moment.tzinfo is None:
        raise ValueError("frozen_at needs an aware datetime")
    previous, _frozen = _frozen, moment
    try:
        yield
    finally:
        _frozen = previous
