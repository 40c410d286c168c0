from __future__ import annotations

import pytest

from asti.messaging.sms import GSM7, UCS2, phone_e164, sms_encoding


def test_finnish_and_swedish_letters_are_gsm7() -> None:
    assert sms_encoding("Hei! Päiväkoti Åbo, öljy ÄÖÅ äöå") == (GSM7, 1, 32)


@pytest.mark.parametrize(
    ("length", "parts"), [(0, 1), (1, 1), (160, 1), (161, 2), (306, 2), (307, 3), (459, 3), (460, 4)]
)
def test_gsm7_parts_are_160_then_153(length: int, parts: int) -> None:
    assert sms_encoding("a" * length) == (GSM7, parts, length)


@pytest.mark.parametrize("char", list("^{}[]~|€\\"))
def test_extension_characters_count_double(char: str) -> None:
    assert sms_encoding(char * 80) == (GSM7, 1, 160)
    assert sms_encoding(char * 81) == (GSM7, 2, 162)
    assert sms_encoding("a" * 159 + char) == (GSM7, 2, 161)


@pytest.mark.parametrize(("length", "parts"), [(70, 1), (71, 2), (134, 2), (135, 3)])
def test_any_other_character_forces_ucs2_at_70_then_67(length: int, parts: int) -> None:
    text = "Šárka " + "a" * (length - 6)
    assert sms_encoding(text) == (UCS2, parts, length)


def test_emoji_takes_two_ucs2_units() -> None:
    assert sms_encoding("Kyllä 👍") == (UCS2, 1, 8)


@pytest.mark.parametrize(
    ("raw", "e164"),
    [
        ("+358401234567", "+358401234567"),
        ("00358401234567", "+358401234567"),
        ("358401234567", "+358401234567"),
        ("040 123 4567", "+358401234567"),
        ("+46701234567", "+46701234567"),
        ("TELIA", None),
        ("", None),
        ("12", None),
    ],
)
def test_phone_numbers_are_read_as_e164(raw: str, e164: str | None) -> None:
    assert phone_e164(raw) == e164
