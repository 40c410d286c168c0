"""Finding a family the way a caller identifies themselves: a child's or guardian's name, a phone number in any
common form, an email address, or an identity code (looked up by its keyed digest, never stored or logged).

A search is independent of any round: it looks at every child the user may see (families_visible_for) and at
the children of every guardian who matches.
"""

from __future__ import annotations

import enum
import re
from dataclasses import dataclass

from django.contrib.auth.models import AnonymousUser, User
from django.db.models import Prefetch, Q, QuerySet
from stdnum.exceptions import ValidationError as StdnumError
from stdnum.fi import hetu as stdnum_hetu

from asti.core import crypto
from asti.messaging.sms import phone_e164
from asti.people.identity_search import identity_code_lookup
from asti.people.models import Child, Custody, Guardian
from asti.staff.selectors import families_visible_for

SEARCH_LIMIT = 50
MAX_WORDS = 5
# Six digits of the birth date, a century sign, three digits and a check character: what looks like an identity
# code is only ever looked up as one (and refused when it is not a valid one), never as a name or a number.
_HETU_SHAPE = re.compile(r"^\d{6}[-+A-FU-Y]\d{3}[0-9A-Z]$", re.IGNORECASE)
_PHONE_SHAPE = re.compile(r"^\+?[\d\s().-]+$")


class SearchBy(enum.StrEnum):
    NAME = "name"
    PHONE = "phone"
    EMAIL = "email"
    IDENTITY_CODE = "identity_code"


class SearchProblem(enum.StrEnum):
    TOO_SHORT = "too_short"
    BAD_IDENTITY_CODE = "bad_identity_code"
    BAD_PHONE = "bad_phone"
    TOO_MANY_IDENTITY_CODES = "too_many_identity_codes"


@dataclass(frozen=True)
class FamilyHit:
    child: Child
    guardians: list[Guardian]
    matched_guardians: frozenset[int]  # pks of the guardians the search matched


@dataclass(frozen=True)
class FamilySearch:
    by: SearchBy | None = None
    problem: SearchProblem | None = None
    hits: tuple[FamilyHit, ...] = ()
    more: bool = False  # more children matched than are shown

    @property
    def guardians_shown(self) -> list[Guardian]:
        seen: dict[int, Guardian] = {}
        for hit in self.hits:
            for guardian in hit.guardians:
                seen.setdefault(guardian.pk, guardian)
        return list(seen.values())


def _name_words(words: list[str], first: str, last: str) -> Q:
    q = Q()
    for word in words:
        q &= Q(**{f"{first}__icontains": word}) | Q(**{f"{last}__icontains": word})
    return q


def _criteria(query: str) -> tuple[SearchBy, Q, QuerySet[Guardian]] | SearchProblem:
    """What to look for: the children matching by themselves, and the guardians whose children match."""
    compact = query.replace(" ", "")
    if _HETU_SHAPE.match(compact):
        try:
            code = stdnum_hetu.validate(compact.upper(), allow_temporary=True)
        except StdnumError:
            return SearchProblem.BAD_IDENTITY_CODE
        digest = crypto.hetu_digest(code)
        return SearchBy.IDENTITY_CODE, Q(hetu_digest=digest), Guardian.objects.filter(hetu_digest=digest)
    if "@" in query and " " not in query.strip():
        return SearchBy.EMAIL, Q(pk__in=[]), Guardian.objects.filter(email__iexact=query.strip())
    if _PHONE_SHAPE.match(query) and sum(c.isdigit() for c in query) >= 5:
        number = phone_e164(query)
        if number is None:
            return SearchProblem.BAD_PHONE
        return SearchBy.PHONE, Q(pk__in=[]), Guardian.objects.filter(phone=number)
    words = query.split()[:MAX_WORDS]
    if len("".join(words)) < 2:
        return SearchProblem.TOO_SHORT
    children = _name_words(words, "first_name", "last_name")
    if len(words) == 1:
        children |= Q(child_id__iexact=words[0])
    return SearchBy.NAME, children, Guardian.objects.filter(_name_words(words, "first_name", "last_name"))


def family_find(*, user: User | AnonymousUser, query: str, limit: int = SEARCH_LIMIT) -> FamilySearch:
    """The children (one row each, with their guardians) that a search finds among those the user may see:
    the children who match by themselves and the children in the active custody of a guardian who matches."""
    query = query.strip()
    if not query:
        return FamilySearch()
    criteria = _criteria(query)
    if isinstance(criteria, SearchProblem):
        return FamilySearch(problem=criteria)
    by, child_match, guardian_match = criteria
    if by == SearchBy.IDENTITY_CODE and not identity_code_lookup(actor=user.get_username(), where="family_search"):
        return FamilySearch(problem=SearchProblem.TOO_MANY_IDENTITY_CODES)
    # an uncorrelated IN (the children of the matching guardians): the database hashes it once, where a
    # correlated EXISTS under the OR would run once per child of the city
    of_guardians = Custody.objects.filter(active=True, guardian__in=guardian_match).values("child_id")
    active_custodies = Custody.objects.filter(active=True).select_related("guardian").order_by("guardian__guardian_id")
    rows = list(
        families_visible_for(user=user)
        .filter(child_match | Q(pk__in=of_guardians))
        .select_related("admission_area")
        .prefetch_related(Prefetch("custodies", queryset=active_custodies, to_attr="active_custodies"))
        .order_by("last_name", "first_name", "birth_date", "child_id")[: limit + 1]
    )
    shown = rows[:limit]
    guardian_pks = {c.guardian_id for child in shown for c in child.active_custodies}
    matched = frozenset(guardian_match.filter(pk__in=guardian_pks).values_list("pk", flat=True))
    hits = tuple(
        FamilyHit(
            child=child,
            guardians=[c.guardian for c in child.active_custodies],
            matched_guardians=matched,
        )
        for child in shown
    )
    return FamilySearch(by=by, hits=hits, more=len(rows) > limit)
