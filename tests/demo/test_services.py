"""`manage.py demo_services`: schools, places, periods, a queue of applications made through the real services,
and the test login's families in every situation; a second run changes nothing."""

from __future__ import annotations

import csv
import datetime as dt
import shutil
from collections.abc import Iterator
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command

from asti.applications.models import Application, ApplicationEvent, ApplicationPeriod, ApplicationStatus, EventKind
from asti.conversations.models import AnswerTemplate, AuthorKind, CallNote, Thread, ThreadMessage
from asti.conversations.services import NEW_MESSAGE_TEMPLATE
from asti.core import clock
from asti.demo.generator import generate
from asti.demo.schools import finnish_genitive, finnish_school_name, swedish_school_name
from asti.demo.services import period_dates
from asti.messaging.models import Message
from asti.people.importer.columns import CHILD_COLUMNS
from asti.people.models import Child
from asti.units.models import AdmissionArea, School, Unit
from tests.conftest import db_snapshot

NOW = dt.datetime(2026, 12, 3, 9, 0, tzinfo=dt.UTC)
TODAY = dt.date(2026, 12, 3)
# Children the small example extract lacks: school starters, pupils, a baby (hetu: temporary codes, 900–999).
EXTRA_CHILDREN = [
    ("C20", "100420A920J", "Ilmari", "Nieminen", "2020-04-10", "fi", "", "Hämeentie 30", "00530", "60.1860",
     "24.9580", "FI-1", "PK-KALLIO", "false", ["G4"]),
    ("C21", "010920A921C", "Ebba", "Lindqvist", "2020-09-01", "sv", "", "Runebergsgatan 50", "00260", "60.1795",
     "24.9190", "SV-1", "", "false", ["G6"]),
    ("C22", "010619A922Y", "Eetu", "Mäkinen", "2019-06-01", "fi", "", "Helsinginkatu 30", "00510", "60.1875",
     "24.9420", "FI-1", "", "false", ["G8"]),
    ("C23", "020220A9230", "Aada", "Ali", "2020-02-02", "so", "", "Sturenkatu 10", "00510", "60.1920", "24.9470",
     "FI-1", "", "false", ["G5"]),
    ("C24", "050525A924Y", "Lumi", "Virtanen", "2025-05-05", "fi", "", "Kolmas linja 20", "00530", "60.1845",
     "24.9530", "FI-1", "", "false", ["G1", "G2"]),
    ("C25", "030320A925V", "Väinö", "Koskinen", "2020-03-03", "fi", "", "Vaasankatu 8", "00500", "60.1865",
     "24.9555", "FI-1", "PK-SORNAINEN", "false", ["G10"]),
    ("C26", "070719A926V", "Iida", "Koskinen", "2019-07-07", "fi", "", "Vaasankatu 8", "00500", "60.1865",
     "24.9555", "FI-1", "", "false", ["G10"]),
    ("C27", "120823B927X", "Oona", "Korhonen", "2023-08-12", "fi", "", "Porvoonkatu 3", "00510", "60.1899",
     "24.9525", "FI-1", "", "false", ["G3"]),
]  # fmt: skip


def hetu(birth: dt.date, number: int) -> str:
    """A temporary identity code (individual number 900–999) with its check character."""
    digits = f"{birth:%d%m%y}{number:03d}"
    return f"{birth:%d%m%y}A{number:03d}" + "0123456789ABCDEFHJKLMNPRSTUVWXY"[int(digits) % 31]


@pytest.fixture(autouse=True)
def _frozen(settings: Any, tmp_path: Path) -> Iterator[None]:
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.ASTI_DEMO_LOGIN_GUARDIANS = 3  # G1, G10, G11: the rest of the families make the queue
    with clock.frozen_at(NOW):
        yield


@pytest.fixture
def extract(example_extract: Path, tmp_path: Path) -> Path:
    """The example extract with children of every age the applications need."""
    folder = tmp_path / "extract"
    shutil.copytree(example_extract, folder)
    rows = list(csv.DictReader((example_extract / "children.csv").open(encoding="utf-8")))
    with (folder / "children.csv").open("w", encoding="utf-8", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=CHILD_COLUMNS, lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
        for c in EXTRA_CHILDREN:
            child_id, _, first, last, birth, language, edu, street, postal, lat, lon, area, unit, rtc, _g = c
            writer.writerow(
                dict(
                    child_id=child_id, hetu=hetu(dt.date.fromisoformat(birth), int(child_id[1:]) + 900),
                    first_name=first, last_name=last, birth_date=birth, language=language, education_language=edu,
                    street_address=street, postal_code=postal, municipality_code="091", lat=lat, lon=lon,
                    admission_area_id=area, non_disclosure="false", current_unit_id=unit, round_the_clock=rtc,
                )
            )  # fmt: skip
    with (folder / "guardianships.csv").open("a", encoding="utf-8", newline="") as f:
        for c in EXTRA_CHILDREN:
            for guardian in c[14]:
                f.write(f"{c[0]},{guardian}\n")
    return folder


def run(**options: object) -> str:
    out = StringIO()
    call_command("demo_services", per_kind=3, stdout=out, **options)
    return out.getvalue()


@pytest.fixture
def city(extract: Path) -> None:
    call_command("import_city_data", str(extract), stdout=StringIO())
    assert Child.objects.count() == 12 + len(EXTRA_CHILDREN)


@pytest.mark.django_db
def test_schools_places_and_periods(city: None) -> None:
    output = run()
    for area in AdmissionArea.objects.all():
        found = School.objects.filter(admission_area=area, language=area.language)
        assert found.exists(), area.area_id
        for school in found:
            if area.language == "sv":
                assert school.name_sv == school.name_fi and school.name_sv.endswith(("skolan", "skola"))
            else:
                assert school.name_fi.endswith(("ala-asteen koulu", "peruskoulu")) and not school.name_sv
            assert school.first_grade_capacity > 0
    assert School.objects.get(language="sv").name_fi == "Centrumskolan"
    assert School.objects.filter(name_fi="Kallion ala-asteen koulu").exists()
    assert School.objects.filter(afternoon_activities=True, afternoon_capacity__gt=0).exists()
    # every unit has room for the children placed in it now, plus some
    for unit in Unit.objects.all():
        placed = Child.objects.filter(current_unit=unit).count()
        assert unit.ecec_capacity_under3 + unit.ecec_capacity_over3 > placed, unit.unit_id
    # the round-the-clock child's unit gives shift care
    assert set(Unit.objects.filter(shift_care=True, language="fi").values_list("unit_id", flat=True)) == {
        "PK-SORNAINEN"
    }
    periods = {(p.kind, p.year): p for p in ApplicationPeriod.objects.all()}
    assert set(periods) == {(k, y) for k in ("preschool", "first_grade", "afternoon") for y in (2026, 2027)}
    assert (periods["first_grade", 2026].opens_on, periods["first_grade", 2026].closes_on) == (
        dt.date(2026, 1, 12), dt.date(2026, 1, 25)
    )  # fmt: skip
    for kind in ("preschool", "first_grade", "afternoon"):
        assert periods[kind, 2027].opens_on < TODAY < periods[kind, 2027].closes_on
    assert "period afternoon 2027: 19.11.2026–31.12.2026 (new; today open)" in output


def test_period_dates_keep_the_citys_or_open_around_today() -> None:
    assert period_dates("preschool", 2027, today=TODAY, mode="city") == (dt.date(2027, 1, 8), dt.date(2027, 1, 21))
    assert period_dates("first_grade", 2027, today=TODAY, mode="city") == (
        dt.date(2027, 1, 12), dt.date(2027, 1, 25)
    )  # fmt: skip
    assert period_dates("afternoon", 2027, today=TODAY, mode="city") == (dt.date(2027, 3, 10), dt.date(2027, 4, 14))
    assert period_dates("preschool", 2027, today=TODAY, mode="open") == (dt.date(2026, 11, 19), dt.date(2026, 12, 31))
    assert period_dates("afternoon", 2027, today=dt.date(2027, 1, 20), mode="open") == (
        dt.date(2027, 1, 6), dt.date(2027, 2, 17)
    )  # fmt: skip
    # the year under way keeps its real dates; a period open today is left where it is
    assert period_dates("preschool", 2026, today=TODAY, mode="open") == (dt.date(2026, 1, 8), dt.date(2026, 1, 21))
    assert period_dates("preschool", 2027, today=dt.date(2027, 1, 10), mode="open") == (
        dt.date(2027, 1, 8), dt.date(2027, 1, 21)
    )  # fmt: skip


@pytest.mark.django_db
def test_applications_of_every_kind_through_the_services_and_a_second_run_changes_nothing(city: None) -> None:
    output = run()
    sent = Application.objects.exclude(status=ApplicationStatus.DRAFT)
    assert {a.kind for a in sent} == {"ecec", "preschool", "first_grade", "afternoon"}
    for application in sent:
        assert application.reference and application.due_date and application.sent_at, application
        events = list(application.events.all())
        assert events[0].kind in (EventKind.SENT, EventKind.RECEIVED_ON_PAPER)
        assert events[0].at == application.sent_at
        assert application.sent_at < NOW  # sent at an earlier date
        assert all(e.at < NOW for e in events)
        if application.status in (ApplicationStatus.IN_PROCESS, ApplicationStatus.PLACE_PROPOSED):
            assert EventKind.IN_PROCESS in [e.kind for e in events] and application.handler == "demo.planner"
        if application.status == ApplicationStatus.PLACE_PROPOSED:
            assert application.proposed_unit_id or application.proposed_school_id
    statuses = {a.status for a in sent}
    assert {ApplicationStatus.SENT, ApplicationStatus.IN_PROCESS} <= statuses
    assert sent.filter(late=True, school_year=2026).exists()  # a family that moved in
    assert sent.filter(due_date__lt=TODAY, status=ApplicationStatus.IN_PROCESS).exists()  # overdue
    ecec = sent.filter(kind="ecec").first()
    assert ecec is not None and ecec.due_date >= ecec.start_date  # type: ignore[operator]
    # the services told the families
    assert Message.objects.filter(subject_type="application").count() >= sent.count()

    # the test login's families: each situation among the guardians listed (G1, G10, G11)
    assert Application.objects.filter(status=ApplicationStatus.DRAFT, guardian__guardian_id__in=["G1", "G10"]).exists()
    assert "a baby with no application (can apply for early childhood education): Maria Virtanen (G1), child Lumi" in (
        output
    )
    assert "a child starting school next year (first grade, no application yet): Anu Koskinen (G10), child Väinö" in (
        output
    )
    assert "a pupil in grade 1–2 who can apply for afternoon activities: Anu Koskinen (G10), child Iida" in output
    assert "a pre-primary child with no offer" in output and "child Helmi" in output
    assert "an early childhood education application sent: " in output
    assert not Application.objects.filter(child__child_id__in=["C24", "C25", "C26", "C10"]).exists()

    before = db_snapshot()
    events = ApplicationEvent.objects.count()
    again = run()
    assert "applications: " in again and "already there, left as they are" in again
    assert db_snapshot() == before
    assert ApplicationEvent.objects.count() == events


@pytest.mark.django_db
def test_with_helsinki_periods_the_coming_year_waits_for_its_period(city: None) -> None:
    run(periods="city")
    assert ApplicationPeriod.objects.get(kind="preschool", year=2027).opens_on == dt.date(2027, 1, 8)
    coming = Application.objects.filter(school_year=2027).exclude(status=ApplicationStatus.DRAFT)
    assert not coming.exists()
    assert Application.objects.filter(kind="ecec").exclude(status=ApplicationStatus.DRAFT).exists()


def test_finnish_and_swedish_school_names() -> None:
    cases = {
        "Kallio": "Kallion", "Etu-Töölö": "Etu-Töölön", "Kannelmäki": "Kannelmäen", "Katajanokka": "Katajanokan",
        "Sörnäinen": "Sörnäisen", "Itäkeskus": "Itäkeskuksen", "Viikki": "Viikin", "Östersundom": "Östersundomin",
        "Tapulikaupunki": "Tapulikaupungin", "Kruununhaka": "Kruununhaan", "Aurinkolahti": "Aurinkolahden",
        "Herttoniemenranta": "Herttoniemenrannan", "Länsi-Pakila": "Länsi-Pakilan",
    }  # fmt: skip
    assert {name: finnish_genitive(name) for name in cases} == cases
    assert finnish_school_name("Malmi") == "Malmin ala-asteen koulu"
    assert finnish_school_name("Malmi", comprehensive=True) == "Malmin peruskoulu"
    assert swedish_school_name("Brändö") == "Brändöskolan"
    assert swedish_school_name("Botbyåsen") == "Botbyåsens skola"


def test_the_first_families_of_a_generated_city_have_children_of_every_age(tmp_path: Path) -> None:
    generate(tmp_path, children=400, seed=4, year=2027)
    with (tmp_path / "guardianships.csv").open(encoding="utf-8") as f:
        first = {r["child_id"] for r in csv.DictReader(f) if r["guardian_id"] in {f"G{i:05d}" for i in range(1, 9)}}
    with (tmp_path / "children.csv").open(encoding="utf-8") as f:
        children = [r for r in csv.DictReader(f) if r["child_id"] in first]
    years = {int(r["birth_date"][:4]) for r in children}
    assert {2025, 2021, 2020, 2019} <= years
    assert any(r["birth_date"].startswith("2025") and not r["current_unit_id"] for r in children)
    assert any(r["birth_date"].startswith("2021") and not r["current_unit_id"] for r in children)


@pytest.mark.django_db
def test_messages_with_the_city_in_both_inboxes_and_a_second_run_changes_nothing(city: None) -> None:
    output = run()
    assert "messages with the city: " in output
    threads = Thread.objects.all()
    guidance, unit = threads.filter(unit__isnull=True), threads.filter(unit__isnull=False)
    assert guidance.count() >= 3 and unit.count() >= 1
    staff_answer = ThreadMessage.objects.filter(author_kind=AuthorKind.STAFF, internal=False).get()
    assert staff_answer.staff_user is not None and staff_answer.staff_user.get_username() == "demo.planner"
    assert Message.objects.filter(template_key=NEW_MESSAGE_TEMPLATE).exists()  # the family was told
    assert guidance.filter(staff_unread=True).count() >= 2 and AnswerTemplate.objects.filter(unit=None).exists()
    assert CallNote.objects.count() == 1
    counts = (Thread.objects.count(), ThreadMessage.objects.count(), CallNote.objects.count())
    again = run()
    assert "threads already there, left as they are" in again
    assert (Thread.objects.count(), ThreadMessage.objects.count(), CallNote.objects.count()) == counts
