"""Finding a family as a caller identifies themselves: by name, phone number, email or identity code."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.urls import resolve, reverse

from asti.audit.models import AuditEvent
from asti.staff.family_search import SearchBy, SearchProblem, family_find
from asti.staff.views.families import family_find_page
from tests.factories import temporary_hetu
from tests.staff.conftest import client_for

pytestmark = pytest.mark.django_db

URL = "staff:family_find"


def found(user: User, query: str) -> list[str]:
    return [hit.child.child_id for hit in family_find(user=user, query=query).hits]


def matched(user: User, query: str) -> set[str]:
    result = family_find(user=user, query=query)
    return {g.guardian_id for hit in result.hits for g in hit.guardians if g.pk in hit.matched_guardians}


def test_the_search_page_comes_before_a_childs_page() -> None:
    assert reverse(URL) == "/staff/families/find/"
    assert resolve("/staff/families/find/").func.__name__ == family_find_page.__name__


@pytest.mark.parametrize("number", ["040 123 4567", "+358 40 1234567", "0401234567", "358401234567", "040-1234567"])
def test_a_phone_number_in_any_common_form_finds_the_guardians_children(planner: User, number: str) -> None:
    result = family_find(user=planner, query=number)
    assert result.by == SearchBy.PHONE
    assert sorted(found(planner, number)) == ["C1", "C11"]
    assert matched(planner, number) == {"G1"}


def test_a_number_nobody_has_finds_nothing_and_a_non_number_is_refused(planner: User) -> None:
    assert found(planner, "040 000 0001") == []
    assert family_find(user=planner, query="12345").problem == SearchProblem.BAD_PHONE


def test_a_guardians_name_finds_the_family_and_so_does_the_other_guardians(planner: User) -> None:
    assert sorted(found(planner, "Maria Virtanen")) == ["C1", "C11"]
    assert matched(planner, "Maria Virtanen") == {"G1"}
    assert sorted(found(planner, "virtanen JUHA")) == ["C1", "C11"]  # any order, any case
    assert matched(planner, "virtanen JUHA") == {"G2"}
    hit = family_find(user=planner, query="Juha").hits[0]
    assert [g.guardian_id for g in hit.guardians] == ["G1", "G2"]  # both guardians shown


def test_a_childs_name_finds_the_child_only(planner: User) -> None:
    assert found(planner, "aino") == ["C1"]
    assert found(planner, "Nieminen") == ["C3", "C4"]
    assert found(planner, "Lilja Nieminen") == ["C4"]
    assert found(planner, "Aino Juha") == []  # the words must name one person
    assert family_find(user=planner, query="a").problem == SearchProblem.TOO_SHORT


def test_an_identity_code_finds_the_family_and_a_wrong_one_does_not(planner: User) -> None:
    result = family_find(user=planner, query="010688-9018")  # Maria Virtanen's
    assert result.by == SearchBy.IDENTITY_CODE
    assert sorted(hit.child.child_id for hit in result.hits) == ["C1", "C11"]
    assert found(planner, "140321a901x") == ["C1"]  # the child's own, in lower case
    assert family_find(user=planner, query="010688-9019").problem == SearchProblem.BAD_IDENTITY_CODE
    unknown = temporary_hetu(dt.date(1988, 6, 1), 55)
    assert found(planner, unknown) == []


def test_an_email_address_finds_the_family(planner: User) -> None:
    assert found(planner, "Pekka@Example.com") == ["C3", "C4"]


def test_too_many_are_cut_and_it_is_said(planner: User) -> None:
    result = family_find(user=planner, query="Virtanen", limit=1)
    assert len(result.hits) == 1 and result.more
    assert not family_find(user=planner, query="Virtanen").more


def test_the_page_shows_birth_dates_guardians_and_the_match(planner: User) -> None:
    response = client_for(planner).get(reverse(URL), {"q": "+358 50 1234568"})
    page = response.content.decode()
    assert response.status_code == 200
    assert "Aino Virtanen" in page and "Elias Virtanen" in page and "14.3.2021" in page
    assert "<strong>Juha Virtanen</strong>" in page and "Maria Virtanen" in page
    assert reverse("staff:family", args=["C11"]) in page
    wrong = client_for(planner).get(reverse(URL), {"q": "010688-9019"}).content.decode()
    assert "not a valid personal identity code" in wrong


def test_every_search_is_audited_without_what_was_searched(
    planner: User, django_capture_on_commit_callbacks: Any
) -> None:
    client = client_for(planner)
    with django_capture_on_commit_callbacks(execute=True):
        client.get(reverse(URL), {"q": "010688-9018"})
    events = list(AuditEvent.objects.filter(operation="SEARCH", actor="pia.planner"))
    assert {(e.target_type, e.target_id) for e in events} == {
        ("child", "C1"),
        ("child", "C11"),
        ("guardian", "G1"),
        ("guardian", "G2"),
    }
    assert {e.details["by"] for e in events} == {"identity_code"}
    assert "010688" not in json.dumps([e.details for e in events])
    AuditEvent.objects.all().delete()
    with django_capture_on_commit_callbacks(execute=True):
        client.get(reverse(URL), {"q": temporary_hetu(dt.date(1988, 6, 1), 55)})
    nothing = AuditEvent.objects.get(operation="SEARCH")
    assert nothing.target_type == "family_search" and nothing.details == {
        "page": "family_find",
        "by": "identity_code",
        "results": 0,
    }


def test_a_unit_director_finds_no_family(director: User) -> None:
    """Unit directors see no families on these pages (asti.staff.selectors.families_visible_for): not even the
    children of their own unit."""
    assert client_for(director).get(reverse(URL), {"q": "Virtanen"}).status_code == 403
    assert found(director, "Aino Virtanen") == []  # C1 is in the director's unit
    assert found(director, "040 123 4567") == []


def test_the_round_list_is_still_there(planner: User) -> None:
    assert client_for(planner).get(reverse("staff:families")).status_code == 200
