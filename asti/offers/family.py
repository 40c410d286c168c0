"""Families of a round: children linked through shared guardians, and the per-child reply codes."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable

CODE_ALPHABET = "123456789"


def family_codes(custody: Iterable[tuple[str, str]], children: Iterable[str]) -> dict[str, str]:
    """A short code per child, unique among the children that share a guardian with it.

    `custody` holds (child_id, guardian_id) pairs. Codes are 1, 2, 3 ... in child-id order within a family
    (children connected through guardians), so one SMS number with several open offers can say which
    child an answer is for ("KYLLÄ 2").
    """
    parent: dict[str, str] = {}

    def find(x: str) -> str:
        while parent.setdefault(x, x) != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    for child_id, guardian_id in custody:
        a, b = find("c:" + child_id), find("g:" + guardian_id)
        if a != b:
            parent[max(a, b)] = min(a, b)
    members: dict[str, list[str]] = defaultdict(list)
    for child_id in sorted(set(children)):
        members[find("c:" + child_id)].append(child_id)
    codes: dict[str, str] = {}
    for group in members.values():
        for index, child_id in enumerate(group):
            codes[child_id] = _code(index)
    return codes


def _code(index: int) -> str:
    digits = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, len(CODE_ALPHABET))
        digits = CODE_ALPHABET[rest] + digits
    return digits
