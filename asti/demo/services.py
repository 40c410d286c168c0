"""What a demo city needs beyond the registry extract to show applications of every kind: schools, the units'
early childhood education places, application periods, a queue of applications already sent, and the test
login's families in every situation. Run by `manage.py demo_services` after the extract is imported.

Every application goes through the real services (application_save_draft, attachment_add, application_send,
paper_application_submit, application_start_processing, application_propose_place) with the clock frozen at the
day it was sent or handled, so references, due dates, timelines, audit events and messages are what they would
have been. The same database, seed and day give the same result.
"""

from __future__ import annotations

import datetime as dt
import math
import random
from collections import Counter, defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db.models import Q

from asti.applications import rules
from asti.applications.attachments import attachment_add
from asti.applications.models import (
    Application,
    ApplicationKind,
    ApplicationPeriod,
    ApplicationStatus,
    AttachmentKind,
    FirstGradeChoice,
    ServiceNeed,
)
from asti.applications.selectors import UNDER_3, age_group_on, designated_school, education_language_for
from asti.applications.services import (
    application_propose_place,
    application_save_draft,
    application_send,
    application_start_processing,
    paper_application_submit,
)
from asti.applications.validation import ApplicationInput
from asti.core import city, clock
from asti.core.workdays import is_working_day, next_working_day
from asti.demo import schools as demo_schools
from asti.demo.conversations import conversations_make
from asti.identity.selectors import demo_guardians
from asti.people.models import Child, Custody, Guardian
from asti.units.models import Provider, School, Unit

HANDLER = "demo.planner"  # the demo's planner (asti.identity.demo) handles the queue
# "city": the city profile's usual application periods ([calendar.application_periods]; Helsinki's: pre-primary
# 8.–21.1., first grade 12.–25.1., afternoon activities 10.3.–14.4.); "open": moved to be open around today.
PERIOD_MODES = ("open", "city")
OPENED_DAYS_AGO = 14  # "open": a coming year's period opened this long before the demo's day …
OPEN_AT_LEAST_DAYS = 28  # … and stays open at least this long after it
SCHOOL_KINDS = (ApplicationKind.PRESCHOOL, ApplicationKind.FIRST_GRADE, ApplicationKind.AFTERNOON)
CERTIFICATE = (
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj 2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\n"
    b"trailer<</Root 1 0 R>>\n%%EOF\n"
)

# What families write in the free-text fields, in their own language.
TEXTS: dict[str, dict[str, list[str]]] = {
    "shift_care_reason": {
        "fi": ["Työskentelen sairaanhoitajana kolmessa vuorossa.", "Vuorotyö: ilta- ja viikonloppuvuoroja."],
        "sv": ["Jag arbetar i treskift som sjukskötare.", "Skiftarbete: kvälls- och veckoslutsskift."],
        "en": ["I work three shifts as a nurse.", "Shift work: evenings and weekends."],
    },
    "support_description": {
        "fi": ["Puheterapia alkanut keväällä.", "Tarvitsee tukea siirtymätilanteissa."],
        "sv": ["Talterapi sedan i våras.", "Behöver stöd vid övergångar."],
        "en": ["Speech therapy since the spring.", "Needs support with transitions."],
    },
    "other_info": {
        "fi": ["Pähkinäallergia.", "Sisarus on samassa päiväkodissa.", "Laktoositon ruokavalio."],
        "sv": ["Nötallergi.", "Syskonet går på samma daghem.", "Laktosfri kost."],
        "en": ["Nut allergy.", "A sibling attends the same unit.", "Lactose-free diet."],
    },
}


@dataclass
class Report:
    lines: list[str] = field(default_factory=list)

    def __call__(self, line: str) -> None:
        self.lines.append(line)


def helsinki_noon(day: dt.date, hour: int = 12, minute: int = 0) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour, minute), tzinfo=clock.HELSINKI).astimezone(dt.UTC)


def _metres(a: tuple[float, float], b: tuple[float, float]) -> float:
    k = math.cos(math.radians(a[0]))
    return math.hypot((a[0] - b[0]) * 111_320, (a[1] - b[1]) * 111_320 * k)


def _guardian_actor(guardian: Guardian) -> str:
    return f"guardian:{guardian.guardian_id}"


# --- schools, places and periods -----------------------------------------------------------------------------------


def schools_make(*, coming_year: int, seed: int, report: Report) -> None:
    if School.objects.exists():
        report(f"schools: {School.objects.count()} already there, left as they are")
        return
    made = demo_schools.make_schools(coming_year=coming_year, rng=random.Random(f"asti-demo-schools:{seed}"))
    by_language = Counter(s.language for s in made)
    weighted = sum(1 for s in made if s.weighted_curricula)
    afternoon = sum(1 for s in made if s.afternoon_activities)
    report(
        f"schools: {by_language['fi']} Finnish, {by_language['sv']} Swedish; {weighted} with a weighted curriculum, "
        f"{afternoon} with afternoon activities; {sum(s.first_grade_capacity for s in made)} first-grade places"
    )


def capacities_set(*, seed: int, report: Report) -> None:
    """Early childhood education places from the children placed in each unit now (under 3 / 3 and over) plus
    a few free ones; shift care in the units where most round-the-clock children are."""
    if Unit.objects.filter(Q(ecec_capacity_under3__gt=0) | Q(ecec_capacity_over3__gt=0) | Q(shift_care=True)).exists():
        report("early childhood education places: already set, left as they are")
        return
    rng = random.Random(f"asti-demo-capacity:{seed}")
    today = clock.today_helsinki()
    placed: Counter[tuple[int, bool]] = Counter()
    round_the_clock: Counter[int] = Counter()
    for unit_pk, birth_date, rtc in Child.objects.filter(active=True, current_unit__isnull=False).values_list(
        "current_unit_id", "birth_date", "round_the_clock"
    ):
        under3 = birth_date > dt.date(today.year - 3, today.month, min(today.day, 28))
        placed[(unit_pk, under3)] += 1
        round_the_clock[unit_pk] += rtc
    units = list(Unit.objects.filter(active=True).order_by("unit_id"))
    for unit in units:
        young, old = placed[(unit.pk, True)], placed[(unit.pk, False)]
        unit.ecec_capacity_under3 = young + rng.randint(1, 4) if young or rng.random() < 0.7 else 0
        unit.ecec_capacity_over3 = old + rng.randint(1, 5)
    shift = 0
    for language in ("fi", "sv"):
        municipal = [u for u in units if u.provider == Provider.MUNICIPAL and u.language == language and u.ecec]
        if not municipal:
            continue
        wanted = max(1, round(len(municipal) / 40))
        ranked = sorted(municipal, key=lambda u: (-round_the_clock[u.pk], -placed[(u.pk, False)], u.unit_id))
        for unit in ranked[:wanted]:
            unit.shift_care = True
            unit.ecec_capacity_under3 = max(unit.ecec_capacity_under3, 3)
            unit.opening_hours = unit.opening_hours or "ma–su 0–24"
            shift += 1
    Unit.objects.bulk_update(units, ["ecec_capacity_under3", "ecec_capacity_over3", "shift_care", "opening_hours"])
    under = sum(u.ecec_capacity_under3 for u in units)
    over = sum(u.ecec_capacity_over3 for u in units)
    report(f"early childhood education places: {under} under 3, {over} for 3 and over; {shift} units with shift care")


def period_dates(kind: str, year: int, *, today: dt.date, mode: str) -> tuple[dt.date, dt.date]:
    """The city profile's dates for the school year starting in August of `year`; with mode "open" a period of
    the coming year that is not open today is moved to have opened OPENED_DAYS_AGO days ago, keeping its length
    but open at least OPEN_AT_LEAST_DAYS more days."""
    (om, od), (cm, cd) = city.active().application_periods[kind]
    opens, closes = dt.date(year - 1 if om >= 8 else year, om, od), dt.date(year, cm, cd)
    coming = rules.school_years_open(today)[1]
    if mode == "open" and year == coming and not opens <= today <= closes:
        length = closes - opens
        opens = today - dt.timedelta(days=OPENED_DAYS_AGO)
        closes = max(opens + length, today + dt.timedelta(days=OPEN_AT_LEAST_DAYS))
    return opens, closes


def periods_make(*, mode: str, report: Report) -> None:
    today = clock.today_helsinki()
    for year in rules.school_years_open(today):
        for kind in SCHOOL_KINDS:
            opens, closes = period_dates(kind, year, today=today, mode=mode)
            period, created = ApplicationPeriod.objects.get_or_create(
                kind=kind, year=year, defaults={"opens_on": opens, "closes_on": closes}
            )
            state = rules.period_state(today=today, opens_on=period.opens_on, closes_on=period.closes_on).state
            report(
                f"period {kind} {year}: {period.opens_on:%d.%m.%Y}–{period.closes_on:%d.%m.%Y} "
                f"({'new' if created else 'already there'}; today {state})"
            )


# --- the queue -----------------------------------------------------------------------------------------------------


@dataclass
class Family:
    """The registry as the queue needs it, read once."""

    today: dt.date
    coming: int
    ongoing: int
    custodian_pks: dict[int, list[int]]  # child → guardians, by guardian_id
    children: list[Child]
    units: list[Unit]
    schools: list[School]
    taken: set[int] = field(default_factory=set)  # children not to use (again)
    _guardians: dict[int, Guardian] = field(default_factory=dict)

    def custodians(self, child: Child) -> list[Guardian]:
        pks = self.custodian_pks.get(child.pk, [])
        missing = [pk for pk in pks if pk not in self._guardians]
        if missing:
            self._guardians.update(Guardian.objects.in_bulk(missing))
        return [self._guardians[pk] for pk in pks]

    def language(self, child: Child) -> str:
        return education_language_for(child)

    def round_eligible(self, child: Child) -> bool:
        unit = child.current_unit
        return unit is not None and unit.provider == Provider.MUNICIPAL and unit.active and not child.round_the_clock

    def nearest(self, places: Sequence[Unit | School], child: Child, k: int) -> list[Unit | School]:
        return sorted(places, key=lambda p: (_metres((child.lat, child.lon), (p.lat, p.lon)), p.pk))[:k]


def _registry(today: dt.date) -> Family:
    ongoing, coming = rules.school_years_open(today)
    custodians: dict[int, list[int]] = defaultdict(list)
    for child_pk, guardian_pk in (
        Custody.objects.filter(active=True, guardian__active=True, child__active=True)
        .order_by("guardian__guardian_id")
        .values_list("child_id", "guardian_id")
    ):
        custodians[child_pk].append(guardian_pk)
    children = [
        c
        for c in Child.objects.filter(
            active=True, admission_area__isnull=False, municipality_code__in=settings.ASTI_MUNICIPALITY_CODES
        )
        .select_related("current_unit")
        .order_by("child_id")
        if c.pk in custodians
    ]
    return Family(
        today=today,
        coming=coming,
        ongoing=ongoing,
        custodian_pks=dict(custodians),
        children=children,
        units=list(Unit.objects.municipal_ecec().order_by("unit_id")),
        schools=list(School.objects.municipal().order_by("school_id")),
    )


@dataclass(frozen=True)
class Plan:
    """One application to make: when it was sent, and how far its handling has got."""

    days_ago: int
    status: str
    paper: bool = False
    urgent: bool = False


class Queue:
    def __init__(self, family: Family, rng: random.Random, report: Report) -> None:
        self.f = family
        self.rng = rng
        self.report = report
        self.made: Counter[str] = Counter()
        self.flags: Counter[str] = Counter()
        self.used: dict[str, set[int]] = {}
        self.pre_primary_units: dict[str, list[Unit]] = {}

    # helpers
    def _pick(self, candidates: list[Child], n: int, kind: str) -> list[Child]:
        """n children not kept aside, each applying once for a kind (a school starter may apply for first grade
        and afternoon activities both)."""
        used = self.used.setdefault(kind, set())
        pool = [c for c in candidates if c.pk not in self.f.taken and c.pk not in used]
        self.rng.shuffle(pool)
        chosen = pool[: max(n, 0)]
        used.update(c.pk for c in chosen)
        return chosen

    def _guardian(self, child: Child) -> Guardian:
        return self.rng.choice(self.f.custodians(child))

    def _text(self, key: str, guardian: Guardian) -> str:
        return self.rng.choice(TEXTS[key].get(guardian.language, TEXTS[key]["fi"]))

    def _answers(self, guardian: Guardian) -> dict[str, str]:
        answers = {"phone": guardian.phone, "email": guardian.email}
        if self.rng.random() < 0.2:
            answers["other_info"] = self._text("other_info", guardian)
        return answers

    def _status(self, days_ago: int) -> str:
        if days_ago < 4:
            return ApplicationStatus.SENT
        r = self.rng.random()
        return (
            ApplicationStatus.SENT
            if r < 0.35
            else ApplicationStatus.IN_PROCESS
            if r < 0.7
            else ApplicationStatus.PLACE_PROPOSED
        )

    def _send(
        self, child: Child, kind: str, data: ApplicationInput, plan: Plan, guardian: Guardian
    ) -> Application | None:
        sent_on = self.f.today - dt.timedelta(days=plan.days_ago)
        minute = self.rng.randrange(8 * 60, 22 * 60) if not plan.paper else self.rng.randrange(9 * 60, 15 * 60)
        if plan.paper:
            received = sent_on
            while not is_working_day(received) and received > sent_on - dt.timedelta(days=5):
                received -= dt.timedelta(days=1)
            entered = next_working_day(received + dt.timedelta(days=self.rng.randint(0, 2)))
            entered = min(entered, self.f.today)
            with clock.frozen_at(helsinki_noon(entered, minute // 60, minute % 60)):
                application = paper_application_submit(
                    child=child, guardian=guardian, kind=kind, data=data, received_on=received, actor=HANDLER,
                    certificate_seen=plan.urgent,
                )  # fmt: skip
            handled_from = entered
        else:
            actor = _guardian_actor(guardian)
            with clock.frozen_at(helsinki_noon(sent_on, minute // 60, minute % 60)):
                draft = application_save_draft(guardian=guardian, child=child, kind=kind, data=data, actor=actor)
                if plan.urgent:
                    upload = SimpleUploadedFile("tyotodistus.pdf", CERTIFICATE, content_type="application/pdf")
                    attachment_add(
                        application=draft, kind=AttachmentKind.EMPLOYMENT, upload=upload, actor=actor, guardian=guardian
                    )
                application = application_send(guardian=guardian, application=draft, actor=actor)
            handled_from = sent_on
        self.made[kind] += 1
        self.flags[application.channel] += 1
        self.flags["late"] += application.late
        self.flags["urgent"] += application.urgent
        self.flags["shift care"] += application.shift_care
        return self._handle(application, plan.status, handled_from)

    def _handle(self, application: Application, status: str, since: dt.date) -> Application:
        if status == ApplicationStatus.SENT:
            return application
        start = next_working_day(since + dt.timedelta(days=self.rng.randint(1, 5)))
        if start >= self.f.today:
            return application
        with clock.frozen_at(helsinki_noon(start, self.rng.randint(8, 15), self.rng.randrange(60))):
            application = application_start_processing(application=application, actor=HANDLER)
        if status != ApplicationStatus.PLACE_PROPOSED:
            return application
        day = next_working_day(start + dt.timedelta(days=self.rng.randint(1, 10)))
        if day >= self.f.today:
            return application
        wish = application.wishes.select_related("unit", "school").order_by("position").first()
        if wish is None:
            return application
        with clock.frozen_at(helsinki_noon(day, self.rng.randint(8, 15), self.rng.randrange(60))):
            return application_propose_place(application=application, actor=HANDLER, unit=wish.unit, school=wish.school)

    # kinds
    def ecec(self, n: int, overdue: int = 1) -> None:
        today = self.f.today
        eligible = [c for c in self.f.children if rules.may_apply_ecec(birth_date=c.birth_date, today=today)]
        young = [c for c in eligible if c.birth_date.year >= self.f.coming - 5]
        chosen = self._pick(young, n, ApplicationKind.ECEC)
        chosen += self._pick(
            [c for c in eligible if not self.f.round_eligible(c)], n - len(chosen), ApplicationKind.ECEC
        )
        for i, child in enumerate(chosen):
            if i < overdue:
                plan = Plan(days_ago=170 + 9 * i, status=ApplicationStatus.IN_PROCESS)
            elif self.rng.random() < 0.15:
                plan = Plan(days_ago=self.rng.randint(1, 10), status=ApplicationStatus.SENT, urgent=True)
            else:
                days = int(self.rng.triangular(1, 100, 14))
                plan = Plan(days_ago=days, status=self._status(days), paper=self.rng.random() < 0.12)
            self._ecec_one(child, plan)

    def ecec_for(self, child: Child, guardian: Guardian, plan: Plan) -> Application | None:
        return self._ecec_one(child, plan, guardian)

    def _ecec_one(self, child: Child, plan: Plan, guardian: Guardian | None = None) -> Application | None:
        sent_on = self.f.today - dt.timedelta(days=plan.days_ago)
        if child.birth_date > sent_on:
            plan = Plan(days_ago=(self.f.today - child.birth_date).days - 1, status=plan.status)
            sent_on = self.f.today - dt.timedelta(days=plan.days_ago)
        earliest = rules.earliest_ecec_start(sent_on=sent_on, urgent=plan.urgent)
        start = next_working_day(earliest + dt.timedelta(days=self.rng.choice([0, 0, 3, 10, 20, 31, 45])))
        if plan.status != ApplicationStatus.IN_PROCESS or plan.days_ago < 150:
            start = max(start, next_working_day(self.f.today + dt.timedelta(days=1)))
        guardian = guardian or self._guardian(child)
        language = self.f.language(child)
        group = age_group_on(child, start)
        shift = (child.round_the_clock or self.rng.random() < 0.06) and not plan.paper
        units = [u for u in self.f.units if u.language == language and self._room(u, group)]
        if shift and any(u.shift_care for u in units):
            units = [u for u in units if u.shift_care]
        else:
            shift = False
        if not units:
            return None
        part_time = self.rng.random() < 0.15 and not shift  # shift care runs 6–18, never part-time
        begin = self.rng.choice([dt.time(7, 0), dt.time(7, 30), dt.time(8, 0), dt.time(8, 30)])
        end = (
            dt.time(begin.hour + 4, begin.minute)
            if part_time
            else self.rng.choice([dt.time(15, 30), dt.time(16, 0), dt.time(16, 30), dt.time(17, 0)])
        )
        support = self.rng.random() < 0.06
        data = ApplicationInput(
            education_language=language,
            start_date=start,
            urgent=plan.urgent,
            service_need=ServiceNeed.PART_TIME if part_time else ServiceNeed.FULL_TIME,
            daily_start=dt.time(6, 0) if shift else begin,
            daily_end=dt.time(18, 0) if shift else end,
            shift_care=shift,
            shift_care_reason=self._text("shift_care_reason", guardian) if shift else "",
            support_need=support,
            support_description=self._text("support_description", guardian) if support else "",
            wishes=tuple(u.pk for u in self.f.nearest(units, child, self.rng.randint(1, 3))),
            answers=self._answers(guardian),
        )
        return self._send(child, ApplicationKind.ECEC, data, plan, guardian)

    @staticmethod
    def _room(unit: Unit, group: str) -> bool:
        return (unit.ecec_capacity_under3 if group == UNDER_3 else unit.ecec_capacity_over3) > 0

    def _in_period(self, kind: str) -> Callable[[], int] | None:
        """Days ago a coming-year application of `kind` was sent, within its period (None: not opened yet)."""
        period = ApplicationPeriod.objects.filter(kind=kind, year=self.f.coming).first()
        if period is None or period.opens_on >= self.f.today:
            return None
        first = (self.f.today - period.opens_on).days
        last = max(1, (self.f.today - period.closes_on).days)
        return lambda: self.rng.randint(last, first)

    def school_kind(self, kind: str, n: int, late: int = 0, overdue: int = 0) -> None:
        """`n` applications for the coming school year within its period, and `late` ones for the year under way
        (families who moved in), the first `overdue` of them still waiting two weeks after sending."""
        when = self._in_period(kind)
        if when is not None:
            for child in self._pick(self._eligible(kind, self.f.coming), n, kind):
                days = when()
                self._school_one(kind, child, Plan(days, self._status(days), paper=self.rng.random() < 0.12))
        if late:
            for i, child in enumerate(self._pick(self._eligible(kind, self.f.ongoing), late, kind)):
                plan = (
                    Plan(30 + 5 * i, ApplicationStatus.IN_PROCESS)
                    if i < overdue
                    else Plan(self.rng.randint(1, 9), ApplicationStatus.SENT)
                )
                self._school_one(kind, child, plan)

    def _eligible(self, kind: str, year: int) -> list[Child]:
        today = self.f.today
        out = []
        for child in self.f.children:
            if kind == ApplicationKind.PRESCHOOL:
                ok = rules.pre_primary_year_open(birth_date=child.birth_date, today=today) == year and not (
                    self.f.round_eligible(child) or (year == self.f.ongoing and child.current_unit_id is not None)
                )
            elif kind == ApplicationKind.FIRST_GRADE:
                ok = rules.first_grade_year_open(birth_date=child.birth_date, today=today) == year
            else:
                ok = rules.afternoon_year_open(birth_date=child.birth_date, today=today, special_support=False) == year
            if ok:
                out.append(child)
        return out

    def _school_one(self, kind: str, child: Child, plan: Plan) -> Application | None:
        guardian = self._guardian(child)
        language = self.f.language(child)
        data = ApplicationInput(education_language=language, answers=self._answers(guardian))
        if kind == ApplicationKind.PRESCHOOL:
            if language not in self.pre_primary_units:
                self.pre_primary_units[language] = list(
                    Unit.objects.municipal_pre_primary().filter(language=language).order_by("unit_id")
                )
            units = self.pre_primary_units[language]
            if not units:
                return None
            data.wishes = tuple(u.pk for u in self.f.nearest(units, child, self.rng.randint(1, 3)))
            if child.round_the_clock or self.rng.random() < 0.4:
                data.supplementary_ecec = True
                data.daily_start, data.daily_end = dt.time(7, 30), dt.time(16, 0)
        elif kind == ApplicationKind.FIRST_GRADE:
            own = [s for s in self.f.schools if s.language == language]
            home = designated_school(child=child, language=language)
            if home is None:
                return None
            r = self.rng.random()
            weighted = [s for s in own if s.weighted_curricula]
            if r < 0.15 and weighted:
                school = self.f.nearest(weighted, child, 1)[0]
                assert isinstance(school, School)
                data.first_grade_choice = FirstGradeChoice.WEIGHTED
                data.weighted_curriculum = school.weighted_curricula[0]
                data.wishes = (school.pk,)
            elif r < 0.3 and len(own) > 1:
                data.first_grade_choice = FirstGradeChoice.OTHER_SCHOOL
                data.wishes = tuple(s.pk for s in self.f.nearest([s for s in own if s != home], child, 2))
            else:
                data.first_grade_choice = FirstGradeChoice.NEIGHBOURHOOD
        else:
            places = [s for s in self.f.schools if s.language == language and s.afternoon_activities]
            if not places:
                return None
            data.annual_hours = 760 if self.rng.random() < 0.55 else 570
            data.wishes = tuple(s.pk for s in self.f.nearest(places, child, self.rng.randint(1, 2)))
            if self.rng.random() < 0.05:
                data.support_need = True
                data.support_description = self._text("support_description", guardian)
        return self._send(child, kind, data, plan, guardian)


# --- the test login's families -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Situation:
    key: str
    description: str


SITUATIONS = (
    Situation("first_grade", "a child starting school next year (first grade, no application yet)"),
    Situation("afternoon", "a pupil in grade 1–2 who can apply for afternoon activities"),
    Situation("preschool", "a pre-primary child with no offer (cared for at home or in private care)"),
    Situation("baby", "a baby with no application (can apply for early childhood education)"),
    Situation("draft", "a draft early childhood education application"),
    Situation("ecec_sent", "an early childhood education application sent"),
)


def _situation_fits(key: str, child: Child, family: Family) -> bool:
    today = family.today
    if key == "first_grade":
        return rules.first_grade_year_open(birth_date=child.birth_date, today=today) == family.coming
    if key == "afternoon":
        return (
            rules.grade_in(child.birth_date, family.ongoing) in (1, 2)
            and rules.afternoon_year_open(birth_date=child.birth_date, today=today, special_support=False) is not None
        )
    if key == "preschool":
        return rules.pre_primary_year(child.birth_date) == family.coming and not family.round_eligible(child)
    if key == "baby":
        return child.age_on(today) < 3 and rules.may_apply_ecec(birth_date=child.birth_date, today=today)
    return rules.may_apply_ecec(birth_date=child.birth_date, today=today)


def situations_make(*, listed: list[Guardian], family: Family, queue: Queue, report: Report) -> None:
    """Every situation among the guardians the test login lists (their other children are left alone)."""
    by_guardian: dict[int, list[Child]] = defaultdict(list)
    for child in family.children:
        for guardian_pk in family.custodian_pks.get(child.pk, []):
            by_guardian[guardian_pk].append(child)
    used_families: set[frozenset[int]] = set()
    used_children: set[int] = set()
    report("the test login's families (/login/test/):")
    for situation in SITUATIONS:
        found: tuple[Guardian, Child] | None = None
        for fresh in (True, False):
            for guardian in listed:
                for child in by_guardian.get(guardian.pk, []):
                    household = frozenset(family.custodian_pks.get(child.pk, []))
                    if child.pk in used_children or (fresh and household in used_families):
                        continue
                    if _situation_fits(situation.key, child, family):
                        found = (guardian, child)
                        break
                if found:
                    break
            if found:
                break
        if found is None:
            report(f"  {situation.description}: none among the {len(listed)} guardians listed")
            continue
        guardian, child = found
        used_children.add(child.pk)
        used_families.add(frozenset(family.custodian_pks.get(child.pk, [])))
        if situation.key == "draft":
            language = education_language_for(child)
            with clock.frozen_at(helsinki_noon(family.today - dt.timedelta(days=2), 20, 15)):
                application_save_draft(
                    guardian=guardian, child=child, kind=ApplicationKind.ECEC, actor=_guardian_actor(guardian),
                    data=ApplicationInput(education_language=language, service_need=ServiceNeed.FULL_TIME,
                                          answers={"phone": guardian.phone, "email": guardian.email}),
                )  # fmt: skip
        elif situation.key == "ecec_sent":
            queue.ecec_for(child, guardian, Plan(days_ago=6, status=ApplicationStatus.SENT))
        report(f"  {situation.description}: {guardian.full_name} ({guardian.guardian_id}), child {child.first_name}")
    report("  a declined offer: once a planner has sent the round, any guardian listed can decline their offer")


def queue_make(*, seed: int, per_kind: int, report: Report) -> None:
    if Application.objects.exists():
        report(f"applications: {Application.objects.count()} already there, left as they are")
        return
    today = clock.today_helsinki()
    listed = demo_guardians(limit=settings.ASTI_DEMO_LOGIN_GUARDIANS)
    family = _registry(today)
    # the listed guardians' children are kept for the situations below
    listed_pks = {g.pk for g in listed}
    family.taken = {c for c, guardians in family.custodian_pks.items() if listed_pks & set(guardians)}
    queue = Queue(family, random.Random(f"asti-demo-queue:{seed}"), report)
    queue.ecec(per_kind, overdue=1)
    queue.school_kind(ApplicationKind.PRESCHOOL, per_kind, late=3, overdue=1)
    queue.school_kind(ApplicationKind.FIRST_GRADE, per_kind, late=2)
    queue.school_kind(ApplicationKind.AFTERNOON, per_kind)
    situations_make(listed=listed, family=family, queue=queue, report=report)
    statuses = Counter(Application.objects.values_list("status", flat=True))
    report(
        "applications: "
        + ", ".join(f"{queue.made[k]} {k}" for k in (*[ApplicationKind.ECEC], *SCHOOL_KINDS))
        + "; "
        + ", ".join(f"{n} {s}" for s, n in sorted(statuses.items()))
        + "; "
        + ", ".join(f"{n} {k}" for k, n in sorted(queue.flags.items()))
    )


def demo_services(*, seed: int, periods: str, per_kind: int) -> list[str]:
    """Everything above, each part only when it is not there yet; returns what was done, line by line."""
    if periods not in PERIOD_MODES:
        raise ValueError(f"periods must be one of {PERIOD_MODES}")
    report = Report()
    today = clock.today_helsinki()
    coming = rules.school_years_open(today)[1]
    schools_make(coming_year=coming, seed=seed, report=report)
    capacities_set(seed=seed, report=report)
    periods_make(mode=periods, report=report)
    queue_make(seed=seed, per_kind=per_kind, report=report)
    conversations_make(report=report)
    return report.lines
