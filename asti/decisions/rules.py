"""When a decision is served and until when it can be contested, as pure functions.

- Ordinary electronic service (Act on Electronic Services in Administration 13/2003, 19 §) is deemed to take
  place on the 3rd day after sending; a letter by post (Administrative Procedure Act 434/2003, 59 §) on the 7th.
  The deemed day itself is not moved.
- A request for rectification is made within 14 days of service; the day of service is not counted, and a last
  day that falls on a weekend or public holiday moves to the next working day (Act on the Calculation of Time
  Limits 150/1930, 5 §).
"""

from __future__ import annotations

import datetime as dt

from asti.core.workdays import next_working_day

SERVICE_DAYS = {"electronic": 3, "post": 7}
RECTIFICATION_DAYS = 14


def served_on(*, sent_on: dt.date, delivery: str) -> dt.date:
    return sent_on + dt.timedelta(days=SERVICE_DAYS[delivery])


def rectification_deadline(*, served: dt.date) -> dt.date:
    return next_working_day(served + dt.timedelta(days=RECTIFICATION_DAYS))
