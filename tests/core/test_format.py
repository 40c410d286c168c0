"""Times and phone numbers as people write them."""

from __future__ import annotations

import datetime as dt

import pytest

from asti.core.clock import HELSINKI
from asti.core.templatetags.asti_format import phone_display, time_of_day


@pytest.mark.parametrize(("language", "text"), [("fi", "klo 9.05"), ("sv", "kl. 9.05"), ("en", "09:05")])
def test_a_time_of_day_in_each_language(language: str, text: str) -> None:
    moment = dt.datetime(2027, 3, 15, 7, 5, tzinfo=dt.UTC)  # 9.05 in Helsinki (winter time)
    assert moment.astimezone(HELSINKI).hour == 9
    assert time_of_day(moment, language) == text


@pytest.mark.parametrize(
    ("number", "shown"),
    [("+358401234567", "040 1234567"), ("+358931000001", "09 31000001"), ("+46701234567", "+46 70 123 45 67"),
     ("not a number", "not a number"), ("", "")],
)  # fmt: skip
def test_phone_numbers_national_at_home_international_abroad(number: str, shown: str) -> None:
    assert phone_display(number) == shown
