"""Finnish working days: weekends and public holidays, for the due dates of applications and the service and
appeal dates of decisions.

Public holidays (Act on the Church Calendar and the Act on Independence Day): New Year's Day, Epiphany, Good
Friday, Easter Monday, May Day, Ascension Day, Midsummer Eve and Day, All Saints' Day, Independence Day, Christmas
Eve, Christmas Day and St Stephen's Day. Midsummer Eve and Christmas Eve are not church holidays but offices are
closed on them (a deadline that falls on one moves, as the Act on the Calculation of Time Limits 150/1930 treats
them), so they count as non-working here too.
"""

from __future__ import annotations

import datetime as dt
from functools import cache


def easter_sunday(year: int) -> dt.date:
    """Gregorian Easter (the anonymous Gregorian algorithm)."""
    a = year % 19
    b, c = divmod(year, 100)
    d, e = divmod(b, 4)
    f = (b + 8) // 25
    g = (b - f + 1) // 3
    h = (19 * a + b - d - g + 15) % 30
    i, k = divmod(c, 4)
    m = (32 + 2 * e + 2 * i - h - k) % 7
    n = (a + 11 * h + 22 * m) // 451
    month, day = divmod(h + m - 7 * n + 114, 31)
    return dt.date(year, month, day + 1)


def _first_weekday_on_or_after(day: dt.date, weekday: int) -> dt.date:
    return day + dt.timedelta(days=(weekday - day.weekday()) % 7)


@cache
def public_holidays(year: int) -> frozenset[dt.date]:
    easter = easter_sunday(year)
    midsummer_day = _first_weekday_on_or_after(dt.date(year, 6, 20), 5)  # the Saturday of 20–26 June
    all_saints = _first_weekday_on_or_after(dt.date(year, 10, 31), 5)  # the Saturday of 31 Oct – 6 Nov
    return frozenset(
        {
            dt.date(year, 1, 1),
            dt.date(year, 1, 6),
            easter - dt.timedelta(days=2),
            easter,
            easter + dt.timedelta(days=1),
            dt.date(year, 5, 1),
            easter + dt.timedelta(days=39),  # Ascension Day
            easter + dt.timedelta(days=49),  # Pentecost
            midsummer_day - dt.timedelta(days=1),  # Midsummer Eve
            midsummer_day,
            all_saints,
            dt.date(year, 12, 6),
            dt.date(year, 12, 24),
            dt.date(year, 12, 25),
            dt.date(year, 12, 26),
        }
    )


def is_working_day(day: dt.date) -> bool:
    return day.weekday() < 5 and day not in public_holidays(day.year)


def next_working_day(day: dt.date) -> dt.date:
    """The day itself when it is a working day, else the first working day after it."""
    while not is_working_day(day):
        day += dt.timedelta(days=1)
    return day


def add_months(day: dt.date, months: int) -> dt.date:
    """The same day of the month `months` later; the month's last day when it has no such day (31.10. + 4 → 28.2.)."""
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    month += 1
    following = dt.date(year + (month == 12), month % 12 + 1, 1)
    last = (following - dt.timedelta(days=1)).day
    return dt.date(year, month, min(day.day, last))
