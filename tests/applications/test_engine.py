"""The application engine end to end in services: drafts, sending with a reference and due date, changing and
cancelling, data asked once, every bad input refused with nothing stored."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import pytest

from asti.applications.family import family_overview, known_answers
from asti.applications.models import Application, ApplicationPeriod, ApplicationStatus, EventKind
from asti.applications.services import (
    ApplicationError,
    ApplicationErrorCode,
    application_cancel,
    application_edit,
    application_propose_place,
    application_save_draft,
    application_send,
    application_start_processing,
)
from asti.applications.validation import ApplicationInput, Problem
from asti.core import clock
from asti.messaging.models import Message
from asti.people.models import Child, Guardian
from asti.units.models import School, Unit
from tests.factories import AdmissionAreaFactory, ChildFactory, CustodyFactory, GuardianFactory, UnitFactory

NOW = dt.datetime(2026, 12, 3, 9, 0, tzinfo=dt.UTC)


@pytest.fixture(autouse=True)
def _frozen() -> Iterator[None]:
    with clock.frozen_at(NOW):
        yield


class Family:
    def __init__(self) -> None:
        self.area = AdmissionAreaFactory()
        self.home_unit = UnitFactory(admission_area=self.area, ecec_capacity_under3=12, ecec_capacity_over3=21)
        self.sv_unit = UnitFactory(language="sv", ecec_capacity_over3=10, ecec_capacity_under3=5)
        self.small = UnitFactory(admission_area=self.area, ecec_capacity_under3=0, ecec_capacity_over3=10)
        self.g1: Guardian = GuardianFactory(guardian_id="G1", email="g1@example.org")
        self.g2: Guardian = GuardianFactory(guardian_id="G2", phone="", email="g2@example.org", language="sv")
        self.stranger: Guardian = GuardianFactory(guardian_id="G9")
        self.baby: Child = ChildFactory(child_id="C1", birth_date=dt.date(2025, 3, 1), current_unit=None,
                                        admission_area=self.area)  # fmt: skip
        self.big: Child = ChildFactory(child_id="C2", birth_date=dt.date(2020, 4, 1), current_unit=self.home_unit)
        for child in (self.baby, self.big):
            CustodyFactory(child=child, guardian=self.g1)
            CustodyFactory(child=child, guardian=self.g2)
        self.school = School.objects.create(
            school_id="S1", name_fi="Kotikoulu", lat=60.17, lon=24.94, language="fi", admission_area=self.area,
            first_grade_capacity=50, afternoon_activities=True, afternoon_capacity=40, weighted_curricula=["music"],
        )  # fmt: skip


def ecec_input(family: Family, **changes: object) -> ApplicationInput:
    data = ApplicationInput(
        education_language="fi",
        start_date=dt.date(2027, 4, 5),
        service_need="full_time",
        daily_start=dt.time(8, 0),
        daily_end=dt.time(16, 0),
        wishes=(family.home_unit.pk,),
        answers={"phone": "+358401111111", "email": "g1@example.org", "other_info": "allergic to nuts"},
    )
    for name, value in changes.items():
        setattr(data, name, value)
    return data


def problems_of(error: pytest.ExceptionInfo[ApplicationError]) -> set[tuple[str, str]]:
    return {(p.field, str(p.problem)) for p in error.value.problems}


@pytest.mark.django_db
def test_an_ecec_application_from_draft_to_place_proposed() -> None:
    f = Family()
    draft = application_save_draft(guardian=f.g1, child=f.baby, kind="ecec", data=ecec_input(f), actor="g")
    assert draft.status == ApplicationStatus.DRAFT and draft.reference is None
    # the other custodian does not see a draft; the family overview shows it to its writer
    overview = {row.child.child_id: row for row in family_overview(guardian=f.g2, today=clock.today_helsinki())}
    assert overview["C1"].applications == []
    sent = application_send(guardian=f.g1, application=draft, actor="g")
    assert sent.status == ApplicationStatus.SENT
    assert sent.reference == f"VK-2026-{sent.pk:06d}"
    assert sent.due_date == dt.date(2027, 4, 5)  # four months from 3.12.2026, past Easter
    assert not sent.transfer
    # a confirmation to the sender (SMS), a word to the other custodian (email, in Swedish)
    messages = {m.guardian_id: m for m in Message.objects.filter(subject_type="application")}
    assert sent.reference in messages[f.g1.pk].body and messages[f.g1.pk].channel == "sms"
    assert messages[f.g2.pk].channel == "email" and "Den andra vårdnadshavaren" in messages[f.g2.pk].body
    # both custodians now see it
    overview = {row.child.child_id: row for row in family_overview(guardian=f.g2, today=clock.today_helsinki())}
    assert [a.pk for a in overview["C1"].applications] == [sent.pk]
    # the family may change it until processing starts
    edited = application_edit(guardian=f.g2, application=sent, data=ecec_input(f, start_date=dt.date(2027, 5, 3)),
                              actor="g2")  # fmt: skip
    assert edited.due_date == dt.date(2027, 5, 3)
    application_start_processing(application=sent, actor="staff:s1")
    with pytest.raises(ApplicationError) as error:
        application_edit(guardian=f.g1, application=sent, data=ecec_input(f), actor="g")
    assert error.value.code is ApplicationErrorCode.NOT_EDITABLE
    with pytest.raises(ApplicationError):
        application_cancel(application=sent, guardian=f.g1, actor="g")
    with pytest.raises(ApplicationError) as error:
        application_propose_place(application=sent, actor="staff:s1", unit=f.sv_unit)
    assert error.value.code is ApplicationErrorCode.WRONG_PLACE
    proposed = application_propose_place(application=sent, actor="staff:s1", unit=f.home_unit)
    assert proposed.status == ApplicationStatus.PLACE_PROPOSED
    assert [e.kind for e in proposed.events.all()] == [
        EventKind.SENT, EventKind.EDITED, EventKind.IN_PROCESS, EventKind.PLACE_PROPOSED
    ]  # fmt: skip


@pytest.mark.django_db
def test_bad_ecec_input_is_refused_with_every_problem_and_nothing_stored() -> None:
    f = Family()
    draft = application_save_draft(guardian=f.g1, child=f.baby, kind="ecec", data=ecec_input(f), actor="g")
    cases = [
        (ecec_input(f, start_date=dt.date(2026, 12, 1)), {("start_date", Problem.START_IN_PAST)}),
        (ecec_input(f, start_date=dt.date(2027, 4, 2)), {("start_date", Problem.START_TOO_EARLY)}),
        (ecec_input(f, wishes=(f.sv_unit.pk,)), {("wishes", Problem.WRONG_LANGUAGE)}),
        (ecec_input(f, wishes=(f.small.pk,)), {("wishes", Problem.WRONG_AGE)}),  # no places for under-3s
        (ecec_input(f, shift_care=True), {("shift_care_reason", Problem.REQUIRED), ("wishes", Problem.NO_SHIFT_CARE)}),
        (ecec_input(f, service_need="part_time"), {("daily_end", Problem.PART_TIME_TOO_LONG)}),
        (ecec_input(f, daily_end=dt.time(7, 0)), {("daily_end", Problem.HOURS_ORDER)}),
        (ecec_input(f, urgent=True, start_date=dt.date(2026, 12, 17)), {("attachments", Problem.ATTACHMENT_NEEDED)}),
        (ecec_input(f, wishes=()), {("wishes", Problem.NO_WISHES)}),
    ]
    for data, expected in cases:
        application_save_draft(guardian=f.g1, child=f.baby, kind="ecec", data=data, application=draft, actor="g")
        with pytest.raises(ApplicationError) as error:
            application_send(guardian=f.g1, application=draft, actor="g")
        assert problems_of(error) == {(field, str(p)) for field, p in expected}, data
        draft.refresh_from_db()
        assert draft.status == ApplicationStatus.DRAFT and draft.reference is None
    assert not Message.objects.exists()


@pytest.mark.django_db
def test_another_familys_child_is_refused() -> None:
    f = Family()
    with pytest.raises(ApplicationError) as error:
        application_save_draft(guardian=f.stranger, child=f.baby, kind="ecec", data=ecec_input(f), actor="x")
    assert error.value.code is ApplicationErrorCode.NOT_GUARDIAN
    draft = application_save_draft(guardian=f.g1, child=f.baby, kind="ecec", data=ecec_input(f), actor="g")
    with pytest.raises(ApplicationError):
        application_send(guardian=f.stranger, application=draft, actor="x")
    with pytest.raises(ApplicationError):
        application_send(guardian=f.g2, application=draft, actor="x")  # the other custodian's draft
    assert not Application.objects.exclude(status=ApplicationStatus.DRAFT).exists()


@pytest.mark.django_db
def test_data_asked_once() -> None:
    f = Family()
    first = application_save_draft(guardian=f.g1, child=f.baby, kind="ecec", data=ecec_input(f, support_need=True,
                                   support_description="speech therapy"), actor="g")  # fmt: skip
    application_send(guardian=f.g1, application=first, actor="g")
    # the same child's next application: its own details and the family's contacts are known
    again = known_answers(guardian=f.g1, child=f.baby)
    assert again.support_need and again.support_description == "speech therapy"
    assert (again.daily_start, again.daily_end, again.service_need) == (dt.time(8), dt.time(16), "full_time")
    assert again.answers["phone"] == "+358401111111" and again.answers["other_info"] == "allergic to nuts"
    # a sibling's application: the family's contacts carry over, the child's own details do not
    sibling = known_answers(guardian=f.g1, child=f.big)
    assert sibling.answers["phone"] == "+358401111111" and not sibling.support_need
    # before anything was sent, the registry's contact details
    assert known_answers(guardian=f.g2, child=f.big).answers["email"] == "g2@example.org"


@pytest.mark.django_db
def test_one_application_per_kind_in_process_and_cancel() -> None:
    f = Family()
    sent = application_send(
        guardian=f.g1,
        application=application_save_draft(guardian=f.g1, child=f.baby, kind="ecec", data=ecec_input(f), actor="g"),
        actor="g",
    )
    second = application_save_draft(guardian=f.g2, child=f.baby, kind="ecec", data=ecec_input(f), actor="g2")
    with pytest.raises(ApplicationError) as error:
        application_send(guardian=f.g2, application=second, actor="g2")
    assert error.value.code is ApplicationErrorCode.ALREADY_SENT
    cancelled = application_cancel(application=sent, guardian=f.g2, actor="g2")
    assert cancelled is not None and cancelled.status == ApplicationStatus.CANCELLED
    assert application_send(guardian=f.g2, application=second, actor="g2").status == ApplicationStatus.SENT
    draft = application_save_draft(guardian=f.g1, child=f.big, kind="first_grade",
                                   data=ApplicationInput(education_language="fi"), actor="g")  # fmt: skip
    assert application_cancel(application=draft, guardian=f.g1, actor="g") is None
    assert not Application.objects.filter(pk=draft.pk).exists()


@pytest.mark.django_db
def test_first_grade_enrolment_to_the_neighbourhood_school_and_the_period() -> None:
    f = Family()
    ApplicationPeriod.objects.create(kind="first_grade", year=2027, opens_on=dt.date(2027, 1, 12),
                                     closes_on=dt.date(2027, 1, 25))  # fmt: skip
    data = ApplicationInput(education_language="fi", first_grade_choice="neighbourhood")
    draft = application_save_draft(guardian=f.g1, child=f.big, kind="first_grade", data=data, actor="g")
    with pytest.raises(ApplicationError) as error:
        application_send(guardian=f.g1, application=draft, actor="g")
    assert error.value.code is ApplicationErrorCode.PERIOD_NOT_OPEN
    with clock.frozen_at(dt.datetime(2027, 1, 14, 10, tzinfo=dt.UTC)):
        sent = application_send(guardian=f.g1, application=draft, actor="g")
    assert sent.school_year == 2027 and sent.due_date == dt.date(2027, 8, 2) and not sent.late
    assert [w.school_id for w in sent.wishes.all()] == [f.school.pk]
    weighted = ApplicationInput(education_language="fi", first_grade_choice="weighted", weighted_curriculum="arts",
                                wishes=(f.school.pk,))  # fmt: skip
    with clock.frozen_at(dt.datetime(2027, 1, 14, 10, tzinfo=dt.UTC)):
        application_cancel(application=sent, guardian=f.g1, actor="g")
        other = application_save_draft(guardian=f.g1, child=f.big, kind="first_grade", data=weighted, actor="g")
        with pytest.raises(ApplicationError) as error:
            application_send(guardian=f.g1, application=other, actor="g")
    assert problems_of(error) == {("wishes", "no_such_class")}


@pytest.mark.django_db
def test_afternoon_activities_hours_and_locations() -> None:
    f = Family()
    data = ApplicationInput(education_language="fi", annual_hours=600, wishes=(f.school.pk,))
    draft = application_save_draft(guardian=f.g1, child=f.big, kind="afternoon", data=data, actor="g")
    with pytest.raises(ApplicationError) as error:
        application_send(guardian=f.g1, application=draft, actor="g")
    assert problems_of(error) == {("annual_hours", "required")}
    data.annual_hours = 760
    application_save_draft(guardian=f.g1, child=f.big, kind="afternoon", data=data, application=draft, actor="g")
    sent = application_send(guardian=f.g1, application=draft, actor="g")
    assert sent.school_year == 2027 and sent.reference is not None and sent.reference.startswith("IP-")
    # the baby cannot apply for afternoon activities or first grade
    kinds = {row.child.child_id: [a.kind for a in row.applicable] for row in family_overview(
        guardian=f.g1, today=clock.today_helsinki())}  # fmt: skip
    assert kinds["C1"] == ["ecec"]
    assert kinds["C2"] == ["first_grade", "afternoon"]


@pytest.mark.django_db
def test_units_and_queryset_rules() -> None:
    f = Family()
    f.home_unit.provider = "private"
    f.home_unit.save()
    assert f.home_unit not in Unit.objects.municipal_ecec()
    draft = application_save_draft(guardian=f.g1, child=f.baby, kind="ecec", data=ecec_input(f), actor="g")
    with pytest.raises(ApplicationError) as error:
        application_send(guardian=f.g1, application=draft, actor="g")
    assert problems_of(error) == {("wishes", "unknown_place")}
