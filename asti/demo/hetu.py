"""Unique temporary Finnish personal identity codes (individual numbers 900–999) for demo people.

A birth date has 100 temporary individual numbers, each usable with the six century signs of its
century (1900s: '-' and the 2023 reform's Y X W V U; 2000s: 'A' and B C D E F), so 600 codes a day.
Numbers are handed out in a shuffled order; a date's numbers are all used once before any is reused
with another sign, and the traditional sign ('-' or 'A') is preferred while it is free.
"""

from __future__ import annotations

import datetime as dt
import math
import random

CHECK_CHARS = "0123456789ABCDEFHJKLMNPRSTUVWXY"
SIGNS = {1900: "-YXWVU", 2000: "ABCDEF"}
NUMBERS = 100  # 900..999
CODES_PER_DAY = NUMBERS * 6
_STEPS = tuple(a for a in range(1, NUMBERS) if math.gcd(a, NUMBERS) == 1)


def hetu_code(day: dt.date, sign: str, individual: int) -> str:
    """The identity code for a birth date, century sign and individual number."""
    digits = f"{day.day:02d}{day.month:02d}{day.year % 100:02d}"
    number = f"{individual:03d}"
    return digits + sign + number + CHECK_CHARS[int(digits + number) % 31]


class _Day:
    __slots__ = ("count", "offset", "step", "used")

    def __init__(self, rng: random.Random) -> None:
        self.count = 0
        self.step = rng.choice(_STEPS)
        self.offset = rng.randrange(NUMBERS)
        self.used = bytearray(NUMBERS)  # bit i set: sign i of the century used with this number


class HetuAllocator:
    """Hands out codes that are unique across everyone made with the same allocator."""

    def __init__(self, rng: random.Random, *, traditional_share: float = 0.75) -> None:
        self._rng = rng
        self._days: dict[int, _Day] = {}
        self._traditional = traditional_share

    def free(self, day: dt.date) -> int:
        state = self._days.get(day.toordinal())
        return CODES_PER_DAY - (state.count if state else 0)

    def allocate(self, day: dt.date, *, traditional_share: float | None = None) -> str:
        century = 2000 if day.year >= 2000 else 1900
        if not 1900 <= day.year <= 2099:
            raise ValueError(f"no temporary codes for {day}")
        key = day.toordinal()
        state = self._days.get(key)
        if state is None:
            state = self._days[key] = _Day(self._rng)
        if state.count >= CODES_PER_DAY:
            raise ValueError(f"all {CODES_PER_DAY} temporary identity codes of {day} are in use")
        # Each round of 100 visits every number once, so each visit finds a sign still free.
        position = state.count % NUMBERS
        rotate = state.count // NUMBERS
        slot = (state.step * position + state.offset + rotate * 37) % NUMBERS
        state.count += 1
        mask = state.used[slot]
        share = self._traditional if traditional_share is None else traditional_share
        if not mask & 1 and self._rng.random() < share:
            choice = 0
        else:
            free = [i for i in range(1, 6) if not mask & (1 << i)]
            choice = self._rng.choice(free) if free else 0
        state.used[slot] = mask | (1 << choice)
        return hetu_code(day, SIGNS[century][choice], 900 + slot)
