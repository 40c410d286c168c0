"""One application on the staff side: seen (audited), processing started, a place proposed (shown on the
family's timeline), notes, attachments; who may do what; paper applications of every kind; the places per
service kept on the unit and school pages."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from asti.applications.attachments import attachment_add
from asti.applications.models import Application, ApplicationNote, ApplicationStatus, EventKind
from asti.applications.selectors import applications_visible_for
from asti.audit.models import AuditEvent
from asti.core import clock
from asti.people.models import Child, Custody, Guardian
from asti.units.models import School, Unit
from tests.factories import ChildFactory
from tests.staff.applications_helpers import NOW, make_application, places_in_city
from tests.staff.conftest import client_for

pytestmark = pytest.mark.django_db

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


@pytest.fixture(autouse=True)
def _frozen() -> Iterator[None]:
    with clock.frozen_at(NOW):
        yield


@pytest.fixture
def on_commit(django_capture_on_commit_callbacks: Any) -> Any:
    return lambda: django_capture_on_commit_callbacks(execute=True)


@pytest.fixture
def sent(city: None) -> Application:
    places_in_city()
    # Elias (4 years) wishes first for Sörnäinen, then Kallio
    return make_application("C11", wishes=("PK-SORNAINEN", "PK-KALLIO"), answers={"phone": "+358401111111"})


def operations(actor: str) -> list[str]:
    return list(AuditEvent.objects.filter(actor=actor).order_by("at", "id").values_list("operation", flat=True))


def test_planner_starts_proposes_and_notes_each_step_audited_and_on_the_family_timeline(
    planner: User, sent: Application, on_commit: Any
) -> None:
    client = client_for(planner)
    url = reverse("staff:application", args=[sent.pk])
    with on_commit():
        page = client.get(url).content.decode()
    assert "Elias Virtanen" in page and "+358401111111" in page and "Kolmas linja 20, 00530" in page
    assert "Start processing" in page and "Propose a place" not in page
    assert operations("pia.planner") == ["VIEW"]
    assert AuditEvent.objects.get(actor="pia.planner").target_id == "C11"

    with on_commit():
        assert client.post(reverse("staff:application_start", args=[sent.pk])).status_code == 302
    sent.refresh_from_db()
    assert sent.status == ApplicationStatus.IN_PROCESS and sent.handler == "pia.planner"
    # a second start is refused clearly, nothing changes
    response = client.post(reverse("staff:application_start", args=[sent.pk]))
    assert response.status_code == 400 and "status has changed meanwhile" in response.content.decode()

    # Sörnäinen is full for the over-3s: the form offers Kallio, the first wish with room
    Unit.objects.filter(unit_id="PK-SORNAINEN").update(ecec_capacity_over3=2)
    page = client.get(url).content.decode()
    kallio = Unit.objects.get(unit_id="PK-KALLIO")
    assert f'<option value="{kallio.pk}" selected>' in page
    assert "Päiväkoti Kallio – free places: 6" in page  # 10 less C1, C3, C4, C11 placed there

    swedish = Unit.objects.get(unit_id="DH-TOLO")
    response = client.post(reverse("staff:application_propose", args=[sent.pk]), {"place": swedish.pk})
    assert response.status_code == 400 and "does not give this service" in response.content.decode()
    with on_commit():
        response = client.post(reverse("staff:application_propose", args=[sent.pk]), {"place": kallio.pk})
    assert response.status_code == 302
    sent.refresh_from_db()
    assert sent.status == ApplicationStatus.PLACE_PROPOSED and sent.proposed_unit == kallio

    with on_commit():
        assert (
            client.post(reverse("staff:application_note", args=[sent.pk]), {"text": " Sisarus samassa "}).status_code
            == 302
        )
    assert ApplicationNote.objects.get(application=sent).text == "Sisarus samassa"
    assert client.post(reverse("staff:application_note", args=[sent.pk]), {"text": "  "}).status_code == 400

    assert {"APPLICATION_PROCESS", "APPLICATION_PROPOSE", "APPLICATION_NOTE"} <= set(operations("pia.planner"))
    guardian = Guardian.objects.get(guardian_id="G2")
    seen = applications_visible_for(guardian=guardian).get(pk=sent.pk)
    assert [e.kind for e in seen.events.all()] == [EventKind.IN_PROCESS, EventKind.PLACE_PROPOSED]
    page = client.get(url).content.decode()
    assert "Sisarus samassa" in page and "Place proposed" in page


def test_director_reads_and_notes_own_units_applications_but_never_proposes(
    director: User, planner: User, sent: Application, city: None
) -> None:
    toolo_only = make_application("C1", wishes=("PK-TOOLO",))
    client = client_for(director)
    queue = client.get(reverse("staff:applications")).content.decode()
    assert sent.reference in queue and (toolo_only.reference or "") not in queue
    page = client.get(reverse("staff:application", args=[sent.pk])).content.decode()
    assert "Start processing" not in page and "Propose a place" not in page
    assert client.get(reverse("staff:application", args=[toolo_only.pk])).status_code == 404
    assert client.post(reverse("staff:application_note", args=[sent.pk]), {"text": "Ryhmässä tilaa"}).status_code == 302
    assert client.post(reverse("staff:application_note", args=[toolo_only.pk]), {"text": "x"}).status_code == 404
    client_for(planner).post(reverse("staff:application_start", args=[toolo_only.pk]))
    toolo = Unit.objects.get(unit_id="PK-TOOLO")
    for pk, place in ((toolo_only.pk, toolo.pk), (sent.pk, Unit.objects.get(unit_id="PK-KALLIO").pk)):
        assert client.post(reverse("staff:application_propose", args=[pk]), {"place": place}).status_code == 403
        assert client.post(reverse("staff:application_start", args=[pk])).status_code == 403
    assert not Application.objects.filter(status=ApplicationStatus.PLACE_PROPOSED).exists()
    assert client.get(reverse("staff:applications_csv")).status_code == 200


def test_a_guardian_or_anonymous_cannot_reach_the_staff_application_pages(nobody: User, sent: Application) -> None:
    client = client_for(nobody)
    for name, args in (("staff:applications", []), ("staff:application", [sent.pk]), ("staff:applications_csv", [])):
        assert client.get(reverse(name, args=args)).status_code == 403
    assert client.post(reverse("staff:application_start", args=[sent.pk])).status_code == 403
    response = Client().get(reverse("staff:application", args=[sent.pk]))
    assert response.status_code == 302 and "/login/" in response["Location"]
    assert Application.objects.get(pk=sent.pk).status == ApplicationStatus.SENT


def test_attachment_download_is_audited_and_served_as_a_download(
    planner: User, director: User, sent: Application, settings: Any, tmp_path: Path, on_commit: Any
) -> None:
    settings.MEDIA_ROOT = str(tmp_path)
    attachment = attachment_add(
        application=sent, kind="other", upload=SimpleUploadedFile("todistus.png", PNG), actor="guardian:G1"
    )
    other = make_application("C1", wishes=("PK-TOOLO",))
    url = reverse("staff:application_attachment", args=[sent.pk, attachment.pk])
    with on_commit():
        response = client_for(planner).get(url)
    assert response.status_code == 200
    assert (
        response["Content-Disposition"].startswith("attachment;") and "todistus.png" in response["Content-Disposition"]
    )
    assert response["X-Content-Type-Options"] == "nosniff" and response["Content-Type"] == "image/png"
    assert b"".join(response.streaming_content) == PNG  # type: ignore[attr-defined]
    assert "APPLICATION_ATTACHMENT_READ" in operations("pia.planner")
    # not through another application's address
    assert (
        client_for(planner).get(reverse("staff:application_attachment", args=[other.pk, attachment.pk])).status_code
        == 404
    )
    page = client_for(planner).get(reverse("staff:application", args=[sent.pk])).content.decode()
    assert "todistus.png" in page


# ---------------------------------------------------------------------------------------------------------------
# paper applications of every kind


def paper_post(client: Client, child_id: str, kind: str, **fields: Any) -> Any:
    guardian = Guardian.objects.filter(custodies__child__child_id=child_id).order_by("guardian_id").first()
    data = {"guardian": guardian.pk if guardian else "", "received_on": "1.12.2026",
            "education_language": "fi", "phone": "+358401234567", **fields}  # fmt: skip
    return client.post(reverse("staff:family_paper", args=[child_id, kind]), data)


@pytest.fixture
def schoolchild(city: None) -> Child:
    """Born in 2020: first grade and afternoon activities in August 2027."""
    child = ChildFactory(
        child_id="K1", birth_date=dt.date(2020, 5, 1), current_unit=Unit.objects.get(unit_id="PK-KALLIO")
    )
    Custody.objects.create(child=child, guardian=Guardian.objects.get(guardian_id="G1"))
    return child


def test_paper_applications_of_each_kind_through_the_engine(planner: User, schoolchild: Child, on_commit: Any) -> None:
    school = places_in_city()
    client = client_for(planner)
    kallio = Unit.objects.get(unit_id="PK-KALLIO")
    page = client.get(reverse("staff:family", args=["K1"])).content.decode()
    assert reverse("staff:family_paper", args=["K1", "first_grade"]) in page
    assert reverse("staff:family_paper", args=["K1", "ecec"]) not in page  # too old for ECEC

    # ECEC: every problem at once, then a good one
    response = paper_post(client, "C11", "ecec", service_need="part_time", daily_start="8:00", daily_end="16:00")
    assert response.status_code == 400
    errors = response.context["form"].errors
    assert "start_date" in errors and "daily_end" in errors and "wish_1" in errors
    with on_commit():
        response = paper_post(client, "C11", "ecec", start_date="5.4.2027", service_need="full_time",
                              daily_start="8:00", daily_end="16:00", wish_1=kallio.pk)  # fmt: skip
    assert response.status_code == 302, response.context["form"].errors
    ecec = Application.objects.get(child__child_id="C11", kind="ecec")
    assert ecec.channel == "paper" and ecec.received_on == dt.date(2026, 12, 1) and ecec.recorded_by == "pia.planner"
    assert ecec.due_date == dt.date(2027, 4, 5) and ecec.answers["phone"] == "+358401234567"
    assert response["Location"] == reverse("staff:application", args=[ecec.pk])

    # pre-primary for Oskar (Swedish, no place yet)
    tolo = Unit.objects.get(unit_id="DH-TOLO")
    with on_commit():
        response = paper_post(client, "C7", "preschool", education_language="sv", wish_1=tolo.pk)
    assert response.status_code == 302, response.context["form"].errors
    assert Application.objects.get(child__child_id="C7").kind == "preschool"

    # first grade to the neighbourhood school, and afternoon activities
    with on_commit():
        response = paper_post(client, "K1", "first_grade", first_grade_choice="neighbourhood")
    assert response.status_code == 302, response.context["form"].errors
    first = Application.objects.get(child__child_id="K1", kind="first_grade")
    assert first.school_year == 2027 and [w.school for w in first.wishes.all()] == [school]
    with on_commit():
        response = paper_post(client, "K1", "afternoon", annual_hours="760", wish_1=school.pk)
    assert response.status_code == 302, response.context["form"].errors
    afternoon = Application.objects.get(child__child_id="K1", kind="afternoon")
    assert afternoon.annual_hours == 760 and afternoon.reference and afternoon.reference.startswith("IP-")
    created = AuditEvent.objects.filter(operation="APPLICATION_CREATE", actor="pia.planner")
    assert sorted(created.values_list("target_id", flat=True)) == ["C11", "C7", "K1", "K1"]
    # a second first-grade application for the same child is refused, clearly
    response = paper_post(client, "K1", "first_grade", first_grade_choice="neighbourhood")
    assert response.status_code == 400 and "already has an application of this kind" in response.content.decode()


def test_paper_application_pages_are_for_handlers_only(director: User, city: None) -> None:
    client = client_for(director)
    assert client.get(reverse("staff:family_paper", args=["C11", "ecec"])).status_code == 403
    assert paper_post(client, "C11", "ecec").status_code == 403
    assert not Application.objects.exists()


# ---------------------------------------------------------------------------------------------------------------
# places per service


def test_director_edits_own_units_ecec_places_audited_not_another_units(
    director: User, city: None, on_commit: Any
) -> None:
    client = client_for(director)
    page = client.get(reverse("staff:unit", args=["PK-KALLIO"])).content.decode()
    assert "Early childhood education places" in page
    data = {"capacity-ecec": "on", "capacity-ecec_capacity_under3": "8", "capacity-ecec_capacity_over3": "21",
            "capacity-shift_care": "on"}  # fmt: skip
    with on_commit():
        response = client.post(reverse("staff:unit_capacities", args=["PK-KALLIO"]), data)
    assert response.status_code == 302
    unit = Unit.objects.get(unit_id="PK-KALLIO")
    assert (unit.ecec_capacity_under3, unit.ecec_capacity_over3, unit.shift_care) == (8, 21, True)
    event = AuditEvent.objects.get(operation="UNIT_UPDATE")
    assert event.actor == "ulla.director" and event.target_id == "PK-KALLIO"
    assert event.details["before"] == {"ecec_capacity_under3": 0, "ecec_capacity_over3": 0, "shift_care": False}
    assert event.details["after"]["ecec_capacity_over3"] == 21
    bad = client.post(
        reverse("staff:unit_capacities", args=["PK-KALLIO"]), {**data, "capacity-ecec_capacity_under3": "-1"}
    )
    assert bad.status_code == 400 and Unit.objects.get(unit_id="PK-KALLIO").ecec_capacity_under3 == 8
    assert client.post(reverse("staff:unit_capacities", args=["PK-SORNAINEN"]), data).status_code == 404
    assert Unit.objects.get(unit_id="PK-SORNAINEN").ecec_capacity_over3 == 0
    assert client.get(reverse("staff:schools")).status_code == 403


def test_planner_keeps_ecec_only_units_and_schools_audited(planner: User, city: None, on_commit: Any) -> None:
    school = places_in_city()
    client = client_for(planner)
    assert "PK-PIKKU" in client.get(reverse("staff:units")).content.decode()  # ECEC only, no pre-primary
    data = {"capacity-ecec": "on", "capacity-ecec_capacity_under3": "12", "capacity-ecec_capacity_over3": "0"}
    assert client.post(reverse("staff:unit_capacities", args=["PK-PIKKU"]), data).status_code == 302
    assert Unit.objects.get(unit_id="PK-PIKKU").ecec_capacity_under3 == 12

    assert "Kallion ala-aste" in client.get(reverse("staff:schools")).content.decode()
    with on_commit():
        response = client.post(
            reverse("staff:school", args=[school.school_id]),
            {"first_grade_capacity": "56", "weighted_curricula": ["music", "sports"], "afternoon_capacity": "0"},
        )
    assert response.status_code == 302
    school = School.objects.get(pk=school.pk)
    assert (school.first_grade_capacity, school.weighted_curricula) == (56, ["music", "sports"])
    assert not school.afternoon_activities and school.afternoon_capacity == 0
    event = AuditEvent.objects.get(operation="SCHOOL_UPDATE")
    assert event.actor == "pia.planner" and event.details["before"]["first_grade_capacity"] == 50
    bad = client.post(reverse("staff:school", args=[school.school_id]), {"first_grade_capacity": "x"})
    assert bad.status_code == 400
    assert client.post(reverse("staff:school", args=["NOPE"]), {}).status_code == 404
