"""Finnish working days at their edges: Easter, Midsummer, All Saints', Christmas, month ends."""

from __future__ import annotations

import datetime as dt

import pytest

from asti.core.workdays import add_months, easter_sunday, is_working_day, next_working_day, public_holidays

D = dt.date


@pytest.mark.parametrize(
    ("year", "easter"), [(2024, D(2024, 3, 31)), (2025, D(2025, 4, 20)), (2026, D(2026, 4, 5)), (2027, D(2027, 3, 28))]
)
def test_easter(year: int, easter: dt.date) -> None:
    assert easter_sunday(year) == easter


def test_holidays_of_2026() -> None:
    days = public_holidays(2026)
    assert D(2026, 4, 3) in days and D(2026, 4, 6) in days  # Good Friday, Easter Monday
    assert D(2026, 5, 14) in days  # Ascension Day
    assert D(2026, 6, 19) in days and D(2026, 6, 20) in days  # Midsummer Eve (Fri) and Day (Sat)
    assert D(2026, 10, 31) in days  # All Saints' Day
    assert {D(2026, 12, 6), D(2026, 12, 24), D(2026, 12, 25), D(2026, 12, 26)} <= days
    assert D(2026, 6, 18) not in days and D(2026, 6, 22) not in days


def test_next_working_day_moves_past_weekends_and_holidays() -> None:
    assert next_working_day(D(2026, 12, 3)) == D(2026, 12, 3)  # a Thursday
    assert next_working_day(D(2026, 12, 5)) == D(2026, 12, 7)  # Sat → Mon (6.12. is a Sunday anyway)
    assert next_working_day(D(2026, 12, 24)) == D(2026, 12, 28)  # Christmas Eve Thu → Mon
    assert next_working_day(D(2026, 6, 19)) == D(2026, 6, 22)  # Midsummer Eve → Monday
    assert next_working_day(D(2027, 1, 1)) == D(2027, 1, 4)  # New Year (Fri) → Mon
    assert next_working_day(D(2026, 4, 3)) == D(2026, 4, 7)  # Good Friday → the Tuesday after Easter Monday
    assert not is_working_day(D(2027, 1, 6)) and is_working_day(D(2027, 1, 7))


@pytest.mark.parametrize(
    ("day", "months", "expected"),
    [
        (D(2026, 10, 31), 4, D(2027, 2, 28)),
        (D(2027, 10, 31), 4, D(2028, 2, 29)),  # leap year
        (D(2026, 12, 3), 4, D(2027, 4, 3)),
        (D(2026, 9, 15), 4, D(2027, 1, 15)),
        (D(2026, 8, 31), 1, D(2026, 9, 30)),
    ],
)
def test_add_months_clamps_to_the_month_end(day: dt.date, months: int, expected: dt.date) -> None:
    assert add_months(day, months) == expected
