"""Reading a guardian's reply: yes, no, or not understood, and an optional per-child code.

The rules: normalise (Unicode NFKC, casefold, punctuation and emoji become spaces), read the FIRST word against a
closed list, allow a one-letter slip (one insertion, deletion, substitution or swap of neighbours) only against
that list and only for words of four letters or more, and never look inside a word: "HEI" is not "EI", "HEJ" is
not "NEJ". A word that a slip would bring to both lists is not understood.
"""

from __future__ import annotations

import enum
import unicodedata
from collections.abc import Collection
from dataclasses import dataclass

ACCEPT_WORDS: tuple[str, ...] = ("kyllä", "kylla", "joo", "juu", "ok", "okei", "okay", "ja", "yes")
DECLINE_WORDS: tuple[str, ...] = ("ei", "nej", "no", "nope")
MIN_FUZZY_LENGTH = 4
MAX_WORDS_READ = 20


class Verdict(enum.StrEnum):
    ACCEPT = "ACCEPT"
    DECLINE = "DECLINE"
    UNKNOWN = "UNKNOWN"


@dataclass(frozen=True)
class ParsedReply:
    verdict: Verdict
    word: str = ""  # the list word the first word was read as
    code: str | None = None  # e.g. "A3F" from "KYLLÄ A3F"
    fuzzy: bool = False  # read through a one-letter slip
    normalised: str = ""


def normalise(text: str, *, max_chars: int = 2000) -> list[str]:
    """The words of a text: NFKC, casefolded, everything but letters and digits turned into spaces."""
    folded = unicodedata.normalize("NFKC", text[:max_chars]).casefold()
    cleaned = "".join(c if unicodedata.category(c)[0] in "LN" else " " for c in folded)
    return cleaned.split()[:MAX_WORDS_READ]


def parse_reply(
    text: str,
    *,
    accept_words: Collection[str] = ACCEPT_WORDS,
    decline_words: Collection[str] = DECLINE_WORDS,
    codes: Collection[str] | None = None,
) -> ParsedReply:
    """Reads the first word of a reply against the closed lists; see the module's rules.

    `codes`, when given, are the per-child codes the guardian may add ("KYLLÄ A3F"); without it any later word
    that mixes letters and digits (2-8 characters) is taken as the code.
    """
    words = normalise(text)
    normalised = " ".join(words)
    if not words:
        return ParsedReply(Verdict.UNKNOWN, normalised=normalised)
    accept = {normalise(w)[0] for w in accept_words if normalise(w)}
    decline = {normalise(w)[0] for w in decline_words if normalise(w)}
    first = words[0]
    verdict, word, fuzzy = _read_word(first, accept, decline)
    if verdict is Verdict.UNKNOWN:
        return ParsedReply(Verdict.UNKNOWN, normalised=normalised)
    return ParsedReply(verdict, word=word, code=_find_code(words[1:], codes), fuzzy=fuzzy, normalised=normalised)


def _read_word(word: str, accept: set[str], decline: set[str]) -> tuple[Verdict, str, bool]:
    if word in accept:
        return Verdict.ACCEPT, word, False
    if word in decline:
        return Verdict.DECLINE, word, False
    if len(word) < MIN_FUZZY_LENGTH:
        return Verdict.UNKNOWN, "", False
    near_accept = sorted(w for w in accept if len(w) >= MIN_FUZZY_LENGTH and _within_one_edit(word, w))
    near_decline = sorted(w for w in decline if len(w) >= MIN_FUZZY_LENGTH and _within_one_edit(word, w))
    if near_accept and not near_decline:
        return Verdict.ACCEPT, near_accept[0], True
    if near_decline and not near_accept:
        return Verdict.DECLINE, near_decline[0], True
    return Verdict.UNKNOWN, "", False


def _within_one_edit(a: str, b: str) -> bool:
    """True when a and b differ by at most one insertion, deletion, substitution or swap of neighbours."""
    if a == b:
        return True
    if abs(len(a) - len(b)) > 1:
        return False
    if len(a) == len(b):
        diffs = [i for i, (x, y) in enumerate(zip(a, b, strict=True)) if x != y]
        if len(diffs) == 1:
            return True
        if len(diffs) != 2 or diffs[1] != diffs[0] + 1:
            return False
        i, j = diffs
        return a[i] == b[j] and a[j] == b[i]
    shorter, longer = (a, b) if len(a) < len(b) else (b, a)
    return any(longer[:i] + longer[i + 1 :] == shorter for i in range(len(longer)))


def _find_code(words: list[str], codes: Collection[str] | None) -> str | None:
    if codes is not None:
        wanted = {c.upper() for c in codes}
        return next((w.upper() for w in words if w.upper() in wanted), None)
    for word in words:
        if 2 <= len(word) <= 8 and word.isalnum() and any(c.isdigit() for c in word) and any(c.isalpha() for c in word):
            return word.upper()
    return None
