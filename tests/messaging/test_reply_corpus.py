"""Real-world style SMS replies to an offer, in Finnish, Swedish and English, each with the verdict it must get.

"yes" and "no" are answers; "not_understood", "contradiction", "question" and "uncertain" are replies a person
reads (Verdict.UNKNOWN with that reason). Greetings are never answers, and neither is anything contradictory.
"""

from __future__ import annotations

import pytest

from asti.messaging.replies import Unclear, Verdict, parse_reply

YES, NO = "yes", "no"
NOT_UNDERSTOOD = Unclear.NOT_UNDERSTOOD.value
CONTRADICTION = Unclear.CONTRADICTION.value
QUESTION = Unclear.QUESTION.value
UNCERTAIN = Unclear.UNCERTAIN.value

CORPUS: list[tuple[str, str]] = [
    # Finnish: plain answers
    ("KYLLÄ", YES),
    ("Kyllä", YES),
    ("kyllä kiitos", YES),
    ("Kyllä kiitos!", YES),
    ("Kyllä, kiitos paljon 😊", YES),
    ("kyllä kiitos 👍", YES),
    ("Kyllä. Aino on innoissaan", YES),
    ("Kyllä ja kiitos", YES),  # fi "ja" is "and"
    ("Joo", YES),
    ("joo kiitti", YES),
    ("Juu", YES),
    ("OK", YES),
    ("Ok!", YES),
    ("Okei kiitos", YES),
    ("EI", NO),
    ("Ei.", NO),
    ("Ei kiitos", NO),
    ("ei kiitos, lapsi menee yksityiseen", NO),
    ("EI!!!", NO),
    ("Ei ja kiitos viestistä", NO),  # fi "ja" is "and"
    # Finnish: slips
    ("kylla", YES),
    ("Kylla kiitos", YES),
    ("kylllä", YES),
    ("kyllää", YES),
    ("KYLLLLÄ", YES),
    ("kylä", YES),
    ("kyläl", YES),
    ("kyllö", YES),
    ("jooo", YES),
    ("joooo kiitos", YES),
    ("juuu", YES),
    ("okk", YES),
    ("okie", YES),
    ("eii", NO),
    ("EIII", NO),
    ("eei", NO),
    # Finnish: greetings, other words, contradictions, questions, hedges
    ("Hei", NOT_UNDERSTOOD),
    ("HEI", NOT_UNDERSTOOD),
    ("Hei!", NOT_UNDERSTOOD),
    ("hei hei", NOT_UNDERSTOOD),
    ("Heii", NOT_UNDERSTOOD),
    ("Moi", NOT_UNDERSTOOD),
    ("moikka", NOT_UNDERSTOOD),
    ("Terve", NOT_UNDERSTOOD),
    ("Hei, kyllä", NOT_UNDERSTOOD),
    ("Kiitos", NOT_UNDERSTOOD),
    ("kiitos, kyllä", NOT_UNDERSTOOD),
    ("jo", NOT_UNDERSTOOD),  # fi "already"
    ("ne", NOT_UNDERSTOOD),  # fi "they"
    ("noo", NOT_UNDERSTOOD),  # fi "well..."
    ("jaa", NOT_UNDERSTOOD),  # fi "hmm"
    ("eikö", NOT_UNDERSTOOD),
    ("Eivät", NOT_UNDERSTOOD),
    ("kyllähän", NOT_UNDERSTOOD),
    ("kulä", NOT_UNDERSTOOD),
    ("Voinko vaihtaa paikkaa?", NOT_UNDERSTOOD),
    ("Haluamme toisen päiväkodin", NOT_UNDERSTOOD),
    ("A3F KYLLÄ", NOT_UNDERSTOOD),
    ("1", NOT_UNDERSTOOD),
    ("kyllä ei", CONTRADICTION),
    ("Kyllä. Ei.", CONTRADICTION),
    ("ei kyllä", CONTRADICTION),
    ("EI KYLLÄ", CONTRADICTION),
    ("joo ei", CONTRADICTION),
    ("ei joo", CONTRADICTION),
    ("no joo", CONTRADICTION),  # starts like "no", then yes
    ("kyllä 1 ei 2", CONTRADICTION),  # two children, two answers: a person records them
    ("Kyllä, eii", CONTRADICTION),
    ("kyllä?", QUESTION),
    ("Kyllä??", QUESTION),
    ("Kyllä!?", QUESTION),
    ("ei?", QUESTION),
    ("Kyllä, mutta voiko vaihtaa toiseen?", QUESTION),
    ("en tiedä", UNCERTAIN),
    ("En tiedä vielä", UNCERTAIN),
    ("ehkä", UNCERTAIN),
    ("kyllä kai", UNCERTAIN),
    ("Kyllä varmaan", UNCERTAIN),
    ("kyllä, jos saa iltapäivähoidon", UNCERTAIN),
    ("Kyllä mutta vasta syksyllä", UNCERTAIN),
    # Finnish: an answer with a later question stands (a person answers the question)
    ("Kyllä kiitos. Milloin esiopetus alkaa?", YES),
    ("Ei kiitos! Miten haen muualle?", NO),
    # Swedish
    ("JA", YES),
    ("Ja", YES),
    ("ja tack", YES),
    ("Ja tack!", YES),
    ("Ja, tack så mycket 🙏", YES),
    ("Japp", YES),
    ("jaa tack", NOT_UNDERSTOOD),
    ("NEJ", NO),
    ("nej tack", NO),
    ("Nej, vi har en annan plats", NO),
    ("nejj", NO),
    ("Nje", NO),
    ("Hej", NOT_UNDERSTOOD),
    ("HEJ då", NOT_UNDERSTOOD),
    ("Hej, ja tack", NOT_UNDERSTOOD),
    ("Tack", NOT_UNDERSTOOD),
    ("JA nej", CONTRADICTION),
    ("nej ja", CONTRADICTION),
    ("Ja. Nej.", CONTRADICTION),
    ("ja, inte än", CONTRADICTION),
    ("Ja?", QUESTION),
    ("Nej?", QUESTION),
    ("kanske", UNCERTAIN),
    ("Ja, kanske", UNCERTAIN),
    ("ja men bara på hösten", UNCERTAIN),
    ("Ja tack. När börjar förskolan?", YES),
    # English
    ("YES", YES),
    ("Yes", YES),
    ("yes please", YES),
    ("Yes, thank you!", YES),
    ("yeah", YES),
    ("Yep 👍", YES),
    ("yess", YES),
    ("Yse", YES),
    ("okay", YES),
    ("NO", NO),
    ("No thanks", NO),
    ("no, thank you", NO),
    ("Nope", NO),
    ("nopr", NO),
    ("Hi", NOT_UNDERSTOOD),
    ("hi, yes", NOT_UNDERSTOOD),
    ("Hello", NOT_UNDERSTOOD),
    ("Thanks", NOT_UNDERSTOOD),
    ("yes no", CONTRADICTION),
    ("No. Yes.", CONTRADICTION),
    ("ok no", CONTRADICTION),
    ("yes not now", CONTRADICTION),
    ("yes?", QUESTION),
    ("Yes, but can we change the unit?", QUESTION),
    ("maybe", UNCERTAIN),
    ("yes maybe", UNCERTAIN),
    ("Yes but only from October", UNCERTAIN),
    ("Yes. What time does it start?", YES),
    # punctuation, emoji, width and case
    ("...kyllä...", YES),
    ("(EI)", NO),
    ("«Kyllä»", YES),
    ("ＫＹＬＬÄ", YES),
    ("KYLLA\u0308", YES),
    ("kyllä😊", YES),
    ("👍 kyllä", YES),
    ("  \n Kyllä \n", YES),
    ("", NOT_UNDERSTOOD),
    ("   ", NOT_UNDERSTOOD),
    ("👍", NOT_UNDERSTOOD),
    ("😊😊", NOT_UNDERSTOOD),
    ("?", NOT_UNDERSTOOD),
    ("!!!", NOT_UNDERSTOOD),
    ("\u200b", NOT_UNDERSTOOD),
]


def verdict_of(text: str) -> str:
    parsed = parse_reply(text)
    if parsed.verdict is Verdict.ACCEPT:
        return YES
    if parsed.verdict is Verdict.DECLINE:
        return NO
    assert parsed.unclear is not None
    return parsed.unclear.value


def test_the_corpus_is_broad_and_has_no_duplicates() -> None:
    assert len(CORPUS) >= 100
    assert len({text for text, _ in CORPUS}) == len(CORPUS)
    outcomes = {expected for _, expected in CORPUS}
    assert outcomes == {YES, NO, NOT_UNDERSTOOD, CONTRADICTION, QUESTION, UNCERTAIN}


@pytest.mark.parametrize(("text", "expected"), CORPUS)
def test_each_reply_gets_its_verdict(text: str, expected: str) -> None:
    assert verdict_of(text) == expected, text


@pytest.mark.parametrize(
    ("text", "code"),
    [("KYLLÄ 1", "1"), ("kylla 2", "2"), ("Ei kiitos 2", "2"), ("kylllä, 1.", "1"), ("JA 1 tack", "1")],
)
def test_a_childs_code_is_read_through_slips_and_punctuation(text: str, code: str) -> None:
    assert parse_reply(text, codes=["1", "2"]).code == code


def test_a_later_question_leaves_the_answer_and_is_flagged() -> None:
    parsed = parse_reply("Kyllä kiitos. Milloin esiopetus alkaa?")
    assert (parsed.verdict, parsed.asks) == (Verdict.ACCEPT, True)
    assert parse_reply("Kyllä kiitos.").asks is False
