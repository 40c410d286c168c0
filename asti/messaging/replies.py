"""Reading a guardian's reply: yes, no, or not an answer (and why), and an optional per-child code.

The rules: normalise (Unicode NFKC, casefold, punctuation and emoji become spaces) and read the FIRST word against
a closed list. Slips are allowed only against that list: doubled letters ("kylllä", "eii"), a swap of neighbours
in a three-letter word ("nje"), and one insertion, deletion, substitution or swap in a word of four letters or
more. Never look inside a word ("HEI" is not "EI", "HEJ" is not "NEJ"), give two-letter words no slips ("jo" and
"ne" are words of their own) and never read a word on the NOT_SLIPS list. A word that a slip would bring to both
lists is not understood.

A first word that is an answer still does not make the reply an answer when the reply
- says the opposite too ("kyllä ei", "JA nej", "yes no", "ei kyllä"): a contradiction;
- asks it ("kyllä?", "Nej?", "Kyllä, mutta voiko vaihtaa?"): a question in the answer's own sentence;
- hedges ("kyllä kai", "ja, kanske", "yes but", "en tiedä"): uncertain.
Every such reply is for a person to read. A question in a later sentence ("Kyllä. Milloin alkaa?") leaves the
answer standing and is flagged (`asks`) so that a person answers it.
"""

from __future__ import annotations

import enum
import itertools
import re
import unicodedata
from collections.abc import Collection
from dataclasses import dataclass

ACCEPT_WORDS: tuple[str, ...] = (
    "kyllä",
    "kylla",
    "joo",
    "juu",
    "ok",
    "okei",
    "okay",
    "ja",
    "japp",
    "yes",
    "yeah",
    "yep",
)
DECLINE_WORDS: tuple[str, ...] = ("ei", "nej", "no", "nope")
# Words that a slip would bring to a list word but that mean something else: fi "noo" (well...), fi "jaa" (hmm),
# fi "jo" (already), fi "ne" (they), fi/sv greetings.
NOT_SLIPS: frozenset[str] = frozenset({"noo", "nooo", "jaa", "jaaa", "jo", "ne", "hei", "hej", "hi", "moi", "oj"})
# Later words that make the reply contradict its first word. "ja" (fi "and") and "no" (a fi filler word) count only
# after a first word of their own language; "inte" and "not" count after a first word that accepts.
OPPOSITE_ONLY_AFTER: dict[str, frozenset[str]] = {
    "ja": frozenset({"nej"}),
    "no": frozenset({"yes", "yeah", "yep", "ok", "okay"}),
}
LATER_NEGATIONS: frozenset[str] = frozenset({"inte", "not"})
HEDGES: frozenset[str] = frozenset(
    {
        # fi
        "ehkä",
        "ehka",
        "kai",
        "varmaan",
        "mutta",
        "jos",
        "paitsi",
        "tiedä",
        "tieda",
        "tiiä",
        # sv
        "kanske",
        "men",
        "osäker",
        "osaker",
        # en
        "maybe",
        "perhaps",
        "but",
        "unless",
        "unsure",
    }
)
MIN_FUZZY_LENGTH = 4
MAX_WORDS_READ = 20
QUESTION_MARKS = "?？¿⁇❓❔"
_SENTENCE = re.compile(r"[^.!;:\n…。" + QUESTION_MARKS + r"]*([.!;:\n…。" + QUESTION_MARKS + r"]*)")


class Verdict(enum.StrEnum):
    ACCEPT = "ACCEPT"
    DECLINE = "DECLINE"
    UNKNOWN = "UNKNOWN"


class Unclear(enum.StrEnum):
    """Why a reply is not an answer (Verdict.UNKNOWN)."""

    NOT_UNDERSTOOD = "not_understood"  # no answer word first (or nothing at all)
    CONTRADICTION = "contradiction"  # yes and no
    QUESTION = "question"  # the answer is asked, not given
    UNCERTAIN = "uncertain"  # maybe, but, I don't know


@dataclass(frozen=True)
class ParsedReply:
    verdict: Verdict
    word: str = ""  # the list word the first word was read as
    code: str | None = None  # e.g. "A3F" from "KYLLÄ A3F"
    fuzzy: bool = False  # read through a slip
    normalised: str = ""
    unclear: Unclear | None = None  # set exactly when the verdict is UNKNOWN
    asks: bool = False  # a clear answer followed by a question a person should answer


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
    """Reads a reply against the closed lists; see the module's rules.

    `codes`, when given, are the per-child codes the guardian may add ("KYLLÄ A3F"); without it any later word
    that mixes letters and digits (2-8 characters) is taken as the code.
    """
    words = normalise(text)
    normalised = " ".join(words)
    if not words:
        return ParsedReply(Verdict.UNKNOWN, normalised=normalised, unclear=Unclear.NOT_UNDERSTOOD)
    accept = {normalise(w)[0] for w in accept_words if normalise(w)}
    decline = {normalise(w)[0] for w in decline_words if normalise(w)}
    verdict, word, fuzzy = _read_word(words[0], accept, decline)
    if verdict is Verdict.UNKNOWN:
        unclear = Unclear.UNCERTAIN if any(w in HEDGES for w in words) else Unclear.NOT_UNDERSTOOD
        return ParsedReply(Verdict.UNKNOWN, normalised=normalised, unclear=unclear)
    unclear_or_none = _contradiction(word, verdict, words[1:], accept, decline)
    question_first, asks = _questions(text)
    if unclear_or_none is None and question_first:
        unclear_or_none = Unclear.QUESTION
    if unclear_or_none is None and any(w in HEDGES for w in words[1:]):
        unclear_or_none = Unclear.UNCERTAIN
    if unclear_or_none is not None:
        return ParsedReply(Verdict.UNKNOWN, normalised=normalised, unclear=unclear_or_none)
    return ParsedReply(
        verdict, word=word, code=_find_code(words[1:], codes), fuzzy=fuzzy, normalised=normalised, asks=asks
    )


def _contradiction(
    first: str, verdict: Verdict, later: list[str], accept: set[str], decline: set[str]
) -> Unclear | None:
    for word in later:
        if verdict is Verdict.ACCEPT and word in LATER_NEGATIONS:
            return Unclear.CONTRADICTION
        only_after = OPPOSITE_ONLY_AFTER.get(word)
        if only_after is not None and first not in only_after:
            continue
        other, _, _ = _read_word(word, accept, decline)
        if other is not Verdict.UNKNOWN and other is not verdict:
            return Unclear.CONTRADICTION
    return None


def _questions(text: str) -> tuple[bool, bool]:
    """(the first sentence is a question, a later sentence is)."""
    folded = unicodedata.normalize("NFKC", text[:2000])
    sentences = [(m.group(0), m.group(1)) for m in _SENTENCE.finditer(folded) if any(c.isalnum() for c in m.group(0))]
    if not sentences:
        return False, False
    asked = [any(q in ending for q in QUESTION_MARKS) for _, ending in sentences]
    return asked[0], any(asked[1:])


def _read_word(word: str, accept: set[str], decline: set[str]) -> tuple[Verdict, str, bool]:
    if word in accept:
        return Verdict.ACCEPT, word, False
    if word in decline:
        return Verdict.DECLINE, word, False
    if word in NOT_SLIPS:
        return Verdict.UNKNOWN, "", False
    near_accept = sorted(w for w in accept if _slip_of(word, w))
    near_decline = sorted(w for w in decline if _slip_of(word, w))
    if near_accept and not near_decline:
        return Verdict.ACCEPT, near_accept[0], True
    if near_decline and not near_accept:
        return Verdict.DECLINE, near_decline[0], True
    return Verdict.UNKNOWN, "", False


def _slip_of(word: str, listed: str) -> bool:
    """True when `word` is `listed` with a slip this module allows (see its rules)."""
    if _doubled(word, listed):
        return True
    if len(word) == 3 and len(listed) == 3:
        return _swapped(word, listed)
    return len(word) >= MIN_FUZZY_LENGTH and len(listed) >= MIN_FUZZY_LENGTH and _within_one_edit(word, listed)


def _runs(word: str) -> list[tuple[str, int]]:
    return [(letter, len(list(group))) for letter, group in itertools.groupby(word)]


def _doubled(word: str, listed: str) -> bool:
    """ "kylllä", "eii", "jooo": the listed word with some of its letters typed more than once."""
    if len(word) <= len(listed):
        return False
    ours, theirs = _runs(word), _runs(listed)
    return len(ours) == len(theirs) and all(a == b and n >= m for (a, n), (b, m) in zip(ours, theirs, strict=True))


def _swapped(a: str, b: str) -> bool:
    diffs = [i for i, (x, y) in enumerate(zip(a, b, strict=True)) if x != y]
    return len(diffs) == 2 and diffs[1] == diffs[0] + 1 and a[diffs[0]] == b[diffs[1]] and a[diffs[1]] == b[diffs[0]]


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
        return len(diffs) == 2 and _swapped(a, b)
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
