from __future__ import annotations

import time

import pytest
from hypothesis import given
from hypothesis import strategies as st

from asti.messaging.replies import ACCEPT_WORDS, DECLINE_WORDS, NOT_SLIPS, Unclear, Verdict, normalise, parse_reply


@pytest.mark.parametrize(
    "text",
    [
        "KYLLÄ",
        "kyllä",
        "Kylla",
        "kyllä!",
        "  Kyllä, kiitos 😊",
        "JOO",
        "juu",
        "OK",
        "ok.",
        "Okei",
        "JA",
        "Ja tack",
        "YES",
        "yes please",
        "ＫＹＬＬÄ",
        "KYLLA\u0308",
        "«Kyllä»",
    ],
)
def test_accepts(text: str) -> None:
    parsed = parse_reply(text)
    assert parsed.verdict is Verdict.ACCEPT, text
    assert not parsed.fuzzy


@pytest.mark.parametrize("text", ["EI", "ei", "Ei kiitos.", "EI!!!", "NEJ", "nej tack", "No", "no thanks", "Nope"])
def test_declines(text: str) -> None:
    assert parse_reply(text).verdict is Verdict.DECLINE, text


@pytest.mark.parametrize(
    "text",
    [
        "HEI",
        "Hei",
        "hei!",
        "Hej",
        "HEJ då",
        "heippa",
        "eikö",
        "Hei, kyllä",
        "Kiitos, kyllä",
        "En tiedä",
        "Moi",
        "jo",
        "noo",
        "ehkä",
        "123",
        "A3F KYLLÄ",
        "kyllähän",
        "Eivät",
    ],
)
def test_greetings_and_other_words_are_never_read_as_answers(text: str) -> None:
    # "EI" is inside "HEI" and "NEJ" is one letter from "HEJ": the first word is compared whole, and words shorter
    # than four letters get no one-letter slips.
    assert parse_reply(text).verdict is Verdict.UNKNOWN, text


def test_punctuation_around_the_answer_does_not_matter_but_a_question_mark_does() -> None:
    assert [parse_reply(t).verdict for t in ("Nej!", "...kyllä...", "(EI)")] == [
        Verdict.DECLINE,
        Verdict.ACCEPT,
        Verdict.DECLINE,
    ]
    asked = parse_reply("Nej?")
    assert (asked.verdict, asked.unclear) == (Verdict.UNKNOWN, Unclear.QUESTION)


@pytest.mark.parametrize("text", ["", "   ", "😊👍", "!!!", "\u200b", "\ufffd\ufffd", "?!"])
def test_empty_emoji_only_and_punctuation_only_are_not_understood(text: str) -> None:
    parsed = parse_reply(text)
    assert parsed.verdict is Verdict.UNKNOWN and parsed.code is None


@pytest.mark.parametrize(
    ("text", "verdict", "word"),
    [
        ("kylä", Verdict.ACCEPT, "kyllä"),
        ("kylllä", Verdict.ACCEPT, "kyllä"),
        ("kyläl", Verdict.ACCEPT, "kyllä"),
        ("kyllö", Verdict.ACCEPT, "kylla"),
        ("okie", Verdict.ACCEPT, "okei"),
        ("nopr", Verdict.DECLINE, "nope"),
    ],
)
def test_one_letter_slips_are_allowed_against_the_list(text: str, verdict: Verdict, word: str) -> None:
    parsed = parse_reply(text)
    assert (parsed.verdict, parsed.word, parsed.fuzzy) == (verdict, word, True)


def test_two_slips_are_not_understood() -> None:
    assert parse_reply("kulä").verdict is Verdict.UNKNOWN
    assert parse_reply("kyylää").verdict is Verdict.UNKNOWN


def test_a_slip_that_reaches_both_lists_is_not_understood() -> None:
    parsed = parse_reply("dobra", accept_words=["dobro"], decline_words=["cobra"])
    assert parsed.verdict is Verdict.UNKNOWN


def test_a_child_code_after_the_answer_is_read() -> None:
    assert parse_reply("KYLLÄ A3F").code == "A3F"
    assert parse_reply("kyllä, a3f.").code == "A3F"
    assert parse_reply("Ei kiitos B7").code == "B7"
    assert parse_reply("Kyllä kiitos").code is None
    assert parse_reply("Kyllä Anna", codes=["ANNA", "ELLA"]).code == "ANNA"
    assert parse_reply("Kyllä X9", codes=["ANNA"]).code is None


def test_lists_can_be_replaced() -> None:
    assert parse_reply("jep", accept_words=["jep"], decline_words=["nix"]).verdict is Verdict.ACCEPT
    assert parse_reply("kyllä", accept_words=["jep"], decline_words=["nix"]).verdict is Verdict.UNKNOWN


def test_a_very_long_reply_is_read_quickly() -> None:
    text = "Kyllä " + "ja kiitos paljon " * 20_000
    started = time.perf_counter()
    assert parse_reply(text).verdict is Verdict.ACCEPT
    assert time.perf_counter() - started < 0.5


def test_the_lists_do_not_overlap() -> None:
    assert not {normalise(w)[0] for w in ACCEPT_WORDS} & {normalise(w)[0] for w in DECLINE_WORDS}


@given(st.text(max_size=300))
def test_any_text_is_read_without_error_and_only_from_its_first_word(text: str) -> None:
    parsed = parse_reply(text)
    words = normalise(text)
    if parsed.verdict is not Verdict.UNKNOWN:
        assert words and (words[0] == parsed.word or parsed.fuzzy)
    if words and len(words[0]) < 4 and words[0] not in ACCEPT_WORDS + DECLINE_WORDS:
        # a short word is read only through doubled letters or a swap: the same letters as the list word
        assert parsed.verdict is Verdict.UNKNOWN or (parsed.fuzzy and set(words[0]) == set(parsed.word))
    if words and (len(words[0]) <= 2 or words[0] in NOT_SLIPS) and words[0] not in ACCEPT_WORDS + DECLINE_WORDS:
        assert parsed.verdict is Verdict.UNKNOWN
    if parsed.verdict is Verdict.UNKNOWN:
        assert parsed.unclear is not None and parsed.code is None
    else:
        assert parsed.unclear is None
