"""Service and rectification dates at their edges: weekends, Midsummer, Christmas, New Year, Easter."""

from __future__ import annotations

import datetime as dt

import pytest

from asti.decisions.rules import rectification_deadline, served_on

D = dt.date


@pytest.mark.parametrize(
    ("sent", "delivery", "served", "deadline"),
    [
        # electronic, sent Mon 1.3.2027: served Thu 4.3., 14 days later Thu 18.3.
        (D(2027, 3, 1), "electronic", D(2027, 3, 4), D(2027, 3, 18)),
        # by post the same day: served Mon 8.3., last day Mon 22.3.
        (D(2027, 3, 1), "post", D(2027, 3, 8), D(2027, 3, 22)),
        # served on a Saturday is still served then (not moved); its 14th day is a Saturday → Monday
        (D(2027, 3, 3), "electronic", D(2027, 3, 6), D(2027, 3, 22)),
        # last day Midsummer Eve (Fri 25.6.2027) → Monday 28.6.
        (D(2027, 6, 8), "electronic", D(2027, 6, 11), D(2027, 6, 28)),
        # last day Christmas Eve 2026 (Thu) → past Christmas and St Stephen's Day (Sat) to Monday 28.12.
        (D(2026, 12, 7), "electronic", D(2026, 12, 10), D(2026, 12, 28)),
        # last day New Year's Day 2027 (Fri) → Monday 4.1.
        (D(2026, 12, 11), "post", D(2026, 12, 18), D(2027, 1, 4)),
        # last day Good Friday 26.3.2027 → Tuesday 30.3. after Easter Monday
        (D(2027, 3, 9), "electronic", D(2027, 3, 12), D(2027, 3, 30)),
        # an ordinary Wednesday stays
        (D(2027, 2, 1), "electronic", D(2027, 2, 4), D(2027, 2, 18)),
    ],
)
def test_service_and_rectification_dates(sent: dt.date, delivery: str, served: dt.date, deadline: dt.date) -> None:
    assert served_on(sent_on=sent, delivery=delivery) == served
    assert rectification_deadline(served=served) == deadline
