"""The handlers' queue: filters, order by the legal due date, counts and overdue, the CSV export (never a
protected address), and the free places a wish is weighed against."""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Iterator
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from asti.applications.queue import QueueFilters, application_queue, free_places, queue_counts
from asti.applications.selectors import OVER_3, UNDER_3
from asti.audit.models import AuditEvent
from asti.core import clock
from asti.offers.answers import offer_answer
from asti.offers.models import Offer, OfferRound, OfferStatus
from asti.offers.sending import round_send
from asti.people.models import Child, Custody, Guardian
from asti.units.models import School, Unit
from tests.factories import ChildFactory
from tests.staff.applications_helpers import NOW, TODAY, make_application, places_in_city
from tests.staff.conftest import client_for

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _frozen() -> Iterator[None]:
    with clock.frozen_at(NOW):
        yield


@pytest.fixture
def queue_data(city: None) -> dict[str, int]:
    places_in_city()
    made = {
        "late_due": make_application("C11", due=dt.date(2027, 5, 3)),
        "overdue": make_application("C1", due=dt.date(2026, 11, 20), status="in_process", urgent=True),
        "soon": make_application("C3", due=dt.date(2026, 12, 8), wishes=("PK-TOOLO",), shift_care=True),
        "same_due_later": make_application("C4", due=dt.date(2027, 4, 5), sent_at=NOW + dt.timedelta(hours=1)),
        "decided_past": make_application("C5", due=dt.date(2026, 10, 1), status="decided"),
        "cancelled": make_application("C10", status="cancelled"),
        "sv": make_application("C6", language="sv", wishes=("DH-TOLO",), late=True),
        "draft": make_application("C12", status="draft"),
    }
    return {name: a.pk for name, a in made.items()}


def pks(filters: QueueFilters) -> list[int]:
    return list(application_queue(filters, TODAY).values_list("pk", flat=True))


def test_queue_is_sorted_by_due_date_then_sent_and_filters(queue_data: dict[str, int]) -> None:
    q = queue_data
    ecec_then_sent = [q["overdue"], q["soon"], q["sv"], q["same_due_later"], q["late_due"]]
    # sv (due 5.4., sent at 9.00) before same_due_later (due 5.4., sent at 10.00)
    assert pks(QueueFilters()) == ecec_then_sent
    assert q["draft"] not in pks(QueueFilters(status="all"))
    assert set(pks(QueueFilters(status="all"))) == set(ecec_then_sent) | {q["decided_past"], q["cancelled"]}
    assert pks(QueueFilters(status="in_process")) == [q["overdue"]]
    assert pks(QueueFilters(overdue=True)) == [q["overdue"]]  # the decided one is not overdue
    assert pks(QueueFilters(urgent=True)) == [q["overdue"]]
    assert pks(QueueFilters(shift_care=True)) == [q["soon"]]
    assert pks(QueueFilters(late=True)) == [q["sv"]]
    assert pks(QueueFilters(language="sv")) == [q["sv"]]
    assert pks(QueueFilters(unit="PK-TOOLO")) == [q["soon"]]
    assert pks(QueueFilters(area="SV-1")) == [q["sv"]]
    assert pks(QueueFilters(kind="first_grade")) == []
    assert pks(QueueFilters(query="Nieminen")) == [q["soon"], q["same_due_later"]]
    assert pks(QueueFilters(query="c11")) == [q["late_due"]]
    reference = Child.objects.get(child_id="C6").applications.get().reference
    assert pks(QueueFilters(query=reference or "")) == [q["sv"]]
    kallio = Unit.objects.get(unit_id="PK-KALLIO").pk
    assert set(pks(QueueFilters(wished_units=(kallio,)))) == {q["late_due"], q["overdue"], q["same_due_later"]}


def test_counts_per_status_overdue_and_due_soon_in_one_query(queue_data: dict[str, int]) -> None:
    with CaptureQueriesContext(connection) as queries:
        counts = queue_counts(QueueFilters(), TODAY)
    assert len(queries) == 1
    assert counts.by_status == {"sent": 4, "in_process": 1, "place_proposed": 0, "decided": 1, "cancelled": 1}
    assert (counts.open, counts.overdue, counts.due_soon, counts.total) == (5, 1, 1, 7)
    # the status filter does not narrow the counts; the others do
    assert queue_counts(QueueFilters(status="decided", language="sv"), TODAY).by_status["sent"] == 1
    assert queue_counts(QueueFilters(unit="PK-TOOLO"), TODAY).due_soon == 1


def test_queue_page_lists_counts_warns_and_paginates(
    planner: User, queue_data: dict[str, int], django_capture_on_commit_callbacks: Any
) -> None:
    client = client_for(planner)
    page = client.get(reverse("staff:applications")).content.decode()
    assert 'id="count-open">5<' in page and 'id="count-overdue" class="staff-over">1<' in page
    assert "1 application is past its due date." in page
    assert "due soon" in page
    rows = page.split("<tbody>")[1]
    first_row = rows.split("</tr>")[0]
    assert "staff-row-overdue" in first_row and "Aino Virtanen" in first_row
    assert rows.index("Aino Virtanen") < rows.index("Leo Nieminen") < rows.index("Elias Virtanen")
    with django_capture_on_commit_callbacks(execute=True):
        filtered = client.get(reverse("staff:applications"), {"language": "sv", "status": "all"}).content.decode()
    assert "Alva Lindqvist" in filtered and "Aino Virtanen" not in filtered
    searched = AuditEvent.objects.filter(operation="SEARCH", actor="pia.planner")
    assert {"C6"} <= set(searched.values_list("target_id", flat=True))
    home = client.get(reverse("staff:home")).content.decode()
    assert "5 open" in home and "1 overdue" in home


def test_csv_export_never_has_a_protected_address_and_is_audited(
    planner: User, city: None, django_capture_on_commit_callbacks: Any
) -> None:
    places_in_city()
    make_application("C9", wishes=("PK-TOOLO",))  # Onni Laine, under a non-disclosure order
    make_application("C1")
    with django_capture_on_commit_callbacks(execute=True):
        response = client_for(planner).get(reverse("staff:applications_csv"), {"status": "all"})
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment;")
    body = b"".join(response.streaming_content).decode()  # type: ignore[attr-defined]
    rows = {r["child_id"]: r for r in csv.DictReader(io.StringIO(body))}
    assert set(rows) == {"C1", "C9"}
    assert rows["C1"]["address"] == "Kolmas linja 20, 00530"
    assert rows["C9"]["address"] == "" and "Salvor" not in body
    assert rows["C9"]["wishes"] == "PK-TOOLO"
    exported = AuditEvent.objects.filter(operation="EXPORT", actor="pia.planner")
    assert set(exported.values_list("target_id", flat=True)) == {"C1", "C9"}


def test_csv_cells_cannot_become_formulas(planner: User, city: None) -> None:
    places_in_city()
    make_application("C1", handler="=HYPERLINK(1)")
    body = b"".join(client_for(planner).get(reverse("staff:applications_csv")).streaming_content).decode()  # type: ignore[attr-defined]
    assert "'=HYPERLINK(1)" in body


def test_ecec_free_places_by_age_group(city: None) -> None:
    places_in_city()
    kallio = Unit.objects.get(unit_id="PK-KALLIO")
    # placed now: C1, C3, C4, C11 (3 and over), one baby; an inactive child does not count
    area = kallio.admission_area
    ChildFactory(child_id="B1", birth_date=dt.date(2025, 1, 1), current_unit=kallio)
    ChildFactory(child_id="B2", birth_date=dt.date(2025, 1, 1), current_unit=kallio, active=False)
    ChildFactory(child_id="B3", birth_date=dt.date(2024, 6, 1), current_unit=None, admission_area=area)
    ChildFactory(child_id="B4", birth_date=dt.date(2024, 3, 1), current_unit=None, admission_area=area)
    for child_id in ("B3", "B4"):
        Custody.objects.create(
            child=Child.objects.get(child_id=child_id), guardian=Guardian.objects.get(guardian_id="G1")
        )
    # B3 is 2 on its due date (under 3); B4 turns 3 before its due date (3 and over)
    make_application("B3", status="place_proposed", due=dt.date(2027, 4, 5), proposed_unit=kallio)
    make_application("B4", status="place_proposed", due=dt.date(2027, 4, 5), proposed_unit=kallio)
    make_application("C12", status="in_process", proposed_unit=None)  # not proposed: not counted
    with CaptureQueriesContext(connection) as queries:
        free = free_places("ecec", None, TODAY)
    assert len(queries) <= 3
    under, over = free[(kallio.pk, UNDER_3)], free[(kallio.pk, OVER_3)]
    assert (under.capacity, under.taken, under.proposed, under.free) == (5, 1, 1, 3)
    assert (over.capacity, over.taken, over.proposed, over.free) == (10, 4, 1, 5)
    pikku = Unit.objects.get(unit_id="PK-PIKKU")  # capacity 0, C2 placed: over-full
    assert free[(pikku.pk, OVER_3)].free == -1
    assert not any(key[0] == Unit.objects.get(unit_id="PRIV-OMENA").pk for key in free)  # private


def test_pre_primary_free_places_count_open_and_accepted_offers(allocated_round: OfferRound) -> None:
    places_in_city()
    round_send(round_id=allocated_round.pk, actor="test")
    kallio = Unit.objects.get(unit_id="PK-KALLIO")
    offers = list(Offer.objects.filter(unit=kallio, status=OfferStatus.OPEN))
    assert offers
    before = free_places("preschool", 2027, TODAY)[(kallio.pk, "")]
    assert (before.capacity, before.taken) == (3, len(offers))
    offer_answer(offer_id=offers[0].pk, accept=False, guardian=None, channel="phone", actor="test")
    make_application("C7", kind="preschool", status="place_proposed", school_year=2027, proposed_unit=kallio)
    make_application("C12", kind="preschool", status="place_proposed", school_year=2028, proposed_unit=kallio)
    after = free_places("preschool", 2027, TODAY)[(kallio.pk, "")]
    assert (after.taken, after.proposed, after.free) == (len(offers) - 1, 1, 3 - (len(offers) - 1) - 1)
    assert free_places("preschool", 2026, TODAY)[(kallio.pk, "")].taken == 0


def test_school_free_places_for_first_grade_and_afternoon(city: None) -> None:
    school = places_in_city()
    other = School.objects.create(school_id="S-NO-IP", name_fi="Ei iltapäivää", lat=60.1, lon=24.9, language="fi",
                                  first_grade_capacity=20)  # fmt: skip
    for child_id, status in (("C1", "decided"), ("C3", "decided"), ("C4", "place_proposed"), ("C5", "cancelled")):
        make_application(child_id, kind="first_grade", status=status, school_year=2027, proposed_school=school,
                         wishes=("S-KALLIO",))  # fmt: skip
    make_application("C6", kind="first_grade", status="place_proposed", school_year=2028, proposed_school=school,
                     wishes=("S-KALLIO",))  # fmt: skip
    make_application("C10", kind="afternoon", status="place_proposed", school_year=2027, proposed_school=school,
                     wishes=("S-KALLIO",))  # fmt: skip
    first = free_places("first_grade", 2027, TODAY)
    assert (first[(school.pk, "")].taken, first[(school.pk, "")].proposed, first[(school.pk, "")].free) == (2, 1, 47)
    assert first[(other.pk, "")].free == 20
    afternoon = free_places("afternoon", 2027, TODAY)
    assert afternoon[(school.pk, "")].free == 39 and (other.pk, "") not in afternoon
