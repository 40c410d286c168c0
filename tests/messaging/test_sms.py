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


def test_an_extension_character_is_not_split_between_parts() -> None:
    """153 septets a part: "€" (escape + septet) at septets 153-154 starts the next part, which then overflows."""
    assert sms_encoding("a" * 152 + "€" + "b" * 151) == (GSM7, 2, 305)
    assert sms_encoding("a" * 152 + "€" + "b" * 152) == (GSM7, 3, 306)  # 306 septets, yet three parts
    assert sms_encoding("a" * 151 + "€" + "b" * 153) == (GSM7, 2, 306)  # the escape fits at the end of part one


def test_ucs2_is_cut_by_code_units_as_kannel_does() -> None:
    """Kannel cuts a UCS-2 text every 67 units even inside a surrogate pair (tests/messaging/test_kannel.py)."""
    assert sms_encoding("Š" + "a" * 64 + "👍" + "b" * 67) == (UCS2, 2, 134)
    assert sms_encoding("Š" + "a" * 65 + "👍" + "b" * 66) == (UCS2, 2, 134)


def test_text_is_counted_in_nfc() -> None:
    """ "ä" written as "a" and a combining diaeresis is the GSM-7 "ä" once normalised (otherwise UCS-2)."""
    decomposed = "Pa\u0308iva\u0308koti"
    assert sms_encoding(decomposed) == (GSM7, 1, 9)


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
