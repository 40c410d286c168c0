"""Street addresses, phone numbers and e-mail addresses for demo people and units."""

from __future__ import annotations

import random
import unicodedata
from collections.abc import Sequence

from asti.demo.names import STREET_PREFIXES, STREET_STEMS, STREET_SUFFIXES
from asti.demo.sources import PostalArea

STREETS_PER_POSTAL_AREA = 8
MOBILE_PREFIXES = ("040", "041", "044", "045", "046", "050")
_SPACE = len(MOBILE_PREFIXES) * 10**7
GUARDIAN_DOMAINS = ("example.com", "example.net", "example.org", "example.fi")
UNIT_DOMAIN = "example.fi"
_NO_DECOMPOSITION = str.maketrans({"ß": "ss", "đ": "d", "ı": "i", "ł": "l", "ø": "o", "æ": "ae"})


def street_names(areas: Sequence[PostalArea], rng: random.Random) -> list[list[tuple[str, str]]]:
    """(Finnish, Swedish) street names of each postal area. A municipality's areas do not share streets
    until its pool of names runs out; names with a prefix ('Iso Koivutie') come after the plain ones."""
    plain: list[tuple[str, str]] = []
    prefixed: list[tuple[str, str]] = []
    for pf, ps in STREET_PREFIXES:
        for stem_fi, stem_sv in STREET_STEMS:
            for sf, ss in STREET_SUFFIXES:
                (prefixed if pf else plain).append((pf + stem_fi + sf, ps + stem_sv + ss))
    shuffled: dict[str, list[tuple[str, str]]] = {}
    used: dict[str, int] = {}
    result: list[list[tuple[str, str]]] = []
    for area in areas:
        names = shuffled.get(area.municipality_code)
        if names is None:
            names = rng.sample(plain, len(plain)) + rng.sample(prefixed, len(prefixed))
            shuffled[area.municipality_code] = names
        start = used.get(area.municipality_code, 0)
        used[area.municipality_code] = start + STREETS_PER_POSTAL_AREA
        result.append([names[(start + i) % len(names)] for i in range(STREETS_PER_POSTAL_AREA)])
    return result


def house_number(rng: random.Random) -> int:
    return 1 + min(int(abs(rng.gauss(0.0, 22.0))), 140)


def home_address(street: str, rng: random.Random) -> str:
    """'Koivutie 5', 'Koivutie 5 B 23' or 'Koivutie 5 b' (a row house)."""
    number = house_number(rng)
    r = rng.random()
    if r < 0.55:
        staircase = "AAAABBBCCD"[rng.randrange(10)]
        return f"{street} {number} {staircase} {rng.randint(1, 60)}"
    if r < 0.65:
        return f"{street} {number} {'abc'[rng.randrange(3)]}"
    return f"{street} {number}"


class PhoneBook:
    """Unique Finnish mobile numbers, in no visible order, written in the notations people actually use."""

    def __init__(self, rng: random.Random) -> None:
        self._rng = rng
        self._keys = [rng.getrandbits(32) for _ in range(4)]
        self._count = 0

    def _shuffle(self, i: int) -> int:
        """A bijection of 0 .. 2**26 - 1 (a small Feistel network)."""
        left, right = i >> 13, i & 0x1FFF
        for key in self._keys:
            left, right = right, left ^ (((right ^ key) * 0x9E3779B1 >> 11) & 0x1FFF)
        return left << 13 | right

    def mobile(self) -> str:
        value = self._shuffle(self._count)
        self._count += 1
        while value >= _SPACE:  # distinct counters give distinct values; skip those beyond the numbers
            value = self._shuffle(self._count)
            self._count += 1
        prefix = MOBILE_PREFIXES[value // 10**7]
        sub = f"{value % 10**7:07d}"
        r = self._rng.random()
        if r < 0.35:
            return f"{prefix} {sub[:3]} {sub[3:]}"
        if r < 0.55:
            return f"+358{prefix[1:]}{sub}"
        if r < 0.75:
            return f"{prefix}{sub}"
        if r < 0.85:
            return f"{prefix}-{sub[:3]} {sub[3:]}"
        if r < 0.95:
            return f"+358 {prefix[1:]} {sub[:3]} {sub[3:]}"
        return f"{prefix} {sub}"


def ascii_slug(text: str) -> str:
    """'Åberg-Öhman' → 'aberg-ohman'; letters without an ASCII base are dropped."""
    plain = text.lower().translate(_NO_DECOMPOSITION)
    decomposed = unicodedata.normalize("NFKD", plain)
    kept = [c for c in decomposed if c.isascii() and (c.isalnum() or c == "-")]
    return "".join(kept).strip("-")


class Mailbox:
    """Unique e-mail addresses on example domains."""

    def __init__(self) -> None:
        self._seen: dict[str, int] = {}

    def address(self, local: str, domain: str) -> str:
        base = local or "user"
        n = self._seen.get(base, 0) + 1
        self._seen[base] = n
        return f"{base}@{domain}" if n == 1 else f"{base}{n}@{domain}"

    def person(self, first: str, last: str, rng: random.Random) -> str:
        first_s, last_s = ascii_slug(first), ascii_slug(last.replace(" ", ""))
        r = rng.random()
        local = f"{first_s}.{last_s}" if r < 0.7 else (f"{first_s}{last_s}" if r < 0.85 else f"{first_s[:1]}{last_s}")
        return self.address(local.strip("."), GUARDIAN_DOMAINS[rng.randrange(len(GUARDIAN_DOMAINS))])
