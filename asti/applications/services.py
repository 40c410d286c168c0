"""Writes for applications: the one state machine of every kind.

    draft ─send→ sent ─start→ in process ─propose→ place proposed ─(decision)→ decided
      │            │
      └─cancel─────┴─→ cancelled            (the family may change or cancel until processing starts)

Each step is one transaction that locks the application, checks who may take it, writes the timeline event
both custodians see and the audit event, and queues its messages in the same transaction (asti.messaging's
outbox). A paper application goes through the same checks, entered by staff with the day it arrived.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import enum
from collections.abc import Sequence
from typing import Any

from django.conf import settings
from django.db import transaction
from django.urls import reverse

from asti.applications import rules
from asti.applications.models import (
    MAX_WISHES,
    OPEN_STATUSES,
    Application,
    ApplicationChannel,
    ApplicationEvent,
    ApplicationKind,
    ApplicationNote,
    ApplicationPeriod,
    ApplicationStatus,
    AttachmentKind,
    EventKind,
    Wish,
)
from asti.applications.selectors import (
    education_language_for,
    has_municipal_place,
    registry_details_for,
    wishable_units,
)
from asti.applications.validation import PLACE_IS_SCHOOL, ApplicationInput, FieldProblem, Problem, check
from asti.audit.services import audit_log
from asti.core import clock
from asti.messaging.models import Lane
from asti.messaging.services import OutgoingMessage, message_enqueue_bulk, outgoing_to_guardian
from asti.offers.models import Offer, OfferStatus
from asti.people.models import Child, Guardian
from asti.units.models import School, Unit


class ApplicationErrorCode(enum.StrEnum):
    NOT_GUARDIAN = "not_guardian"
    OFFER_NOT_DECLINED = "offer_not_declined"
    ALREADY_SENT = "already_sent"
    NO_WISHES = "no_wishes"
    TOO_MANY_WISHES = "too_many_wishes"
    REPEATED_UNIT = "repeated_unit"
    UNKNOWN_UNIT = "unknown_unit"
    OFFER_STILL_OPEN = "offer_still_open"
    RECEIVED_IN_FUTURE = "received_in_future"
    INVALID = "invalid"  # see ApplicationError.problems
    NOT_EDITABLE = "not_editable"  # processing has started (or it is cancelled)
    WRONG_STATUS = "wrong_status"
    PERIOD_NOT_OPEN = "period_not_open"
    HAS_OFFER = "has_offer"  # pre-primary: the child has an open or accepted proactive offer
    WRONG_PLACE = "wrong_place"  # a proposed place that does not give the service applied for


class ApplicationError(Exception):
    def __init__(self, code: ApplicationErrorCode, problems: Sequence[FieldProblem] = ()) -> None:
        super().__init__(f"{code}: {', '.join(f'{p.field} {p.problem}' for p in problems)}" if problems else code)
        self.code = code
        self.problems = list(problems)


# ---------------------------------------------------------------------------------------------------------------
# helpers


def _event(application: Application, kind: str, actor: str, now: dt.datetime, **details: Any) -> None:
    ApplicationEvent.objects.create(application=application, at=now, kind=kind, actor=actor, details=details)


def _audit(actor: str, operation: str, application: Application, **details: Any) -> None:
    audit_log(
        actor=actor, operation=operation, target_type="child", target_id=application.child.child_id,
        details={"application": application.pk, "kind": application.kind, **details},
    )  # fmt: skip


def _guardian_of(guardian: Guardian, child: Child) -> None:
    if registry_details_for(guardian=guardian, child=child) is None:
        raise ApplicationError(ApplicationErrorCode.NOT_GUARDIAN)


def _set_wishes(application: Application, places: Sequence[Unit | School]) -> None:
    application.wishes.all().delete()
    is_school = application.kind in PLACE_IS_SCHOOL
    Wish.objects.bulk_create(
        [
            Wish(
                application=application,
                position=i,
                unit=None if is_school else place,  # type: ignore[misc]
                school=place if is_school else None,
            )
            for i, place in enumerate(places, start=1)
        ]
    )


FIELDS = [f.name for f in dataclasses.fields(ApplicationInput) if f.name not in ("wishes", "answers")]


def _apply_input(application: Application, data: ApplicationInput) -> None:
    for name in FIELDS:
        value = getattr(data, name)
        setattr(application, name, value if value is not None or name in _NULLABLE else "")
    application.answers = {k: str(v)[:2000] for k, v in data.answers.items() if str(v).strip()}


_NULLABLE = {"start_date", "daily_start", "daily_end", "annual_hours"}


def input_from(application: Application) -> ApplicationInput:
    """The application's answers as a form fills them in again."""
    values = {name: getattr(application, name) for name in FIELDS}
    places = [w.school_id if application.kind in PLACE_IS_SCHOOL else w.unit_id for w in application.wishes.all()]
    return ApplicationInput(
        **values, wishes=tuple(pk for pk in places if pk is not None), answers=dict(application.answers)
    )


def _has_urgent_attachment(application: Application | None) -> bool:
    if application is None or application.pk is None:
        return False
    return application.attachments.filter(kind=AttachmentKind.EMPLOYMENT).exists()


def _check_or_raise(
    application: Application | None,
    kind: str,
    child: Child,
    data: ApplicationInput,
    today: dt.date,
    complete: bool,
    *,
    certificate_seen: bool = False,
) -> tuple[int | None, dt.date | None, tuple[Unit | School, ...]]:
    problems, checked = check(
        kind=kind, child=child, data=data, today=today, complete=complete,
        has_urgent_attachment=certificate_seen or _has_urgent_attachment(application),
    )  # fmt: skip
    if problems:
        raise ApplicationError(ApplicationErrorCode.INVALID, problems)
    return checked.year, checked.start_date, checked.wishes


def _open_duplicate(child: Child, kind: str, year: int | None, exclude: int | None) -> bool:
    others = Application.objects.filter(child=child, kind=kind, status__in=OPEN_STATUSES)
    if year is not None:
        others = others.filter(school_year=year)
    if exclude is not None:
        others = others.exclude(pk=exclude)
    return others.exists()


def _offer_blocks_preschool(child: Child, year: int | None) -> Offer | None:
    """A child with an open or accepted proactive offer for the year answers it instead of applying."""
    offers = Offer.objects.filter(child=child, status__in=[OfferStatus.OPEN, OfferStatus.ACCEPTED])
    if year is not None:
        offers = offers.filter(round__year=year)
    return offers.first()


def _declined_offer(child: Child, year: int | None) -> Offer | None:
    answered = (
        Application.objects.filter(child=child, declined_offer__isnull=False)
        .exclude(status=ApplicationStatus.CANCELLED)
        .values("declined_offer_id")
    )
    offers = Offer.objects.filter(child=child, status=OfferStatus.DECLINED).exclude(pk__in=answered)
    if year is not None:
        offers = offers.filter(round__year=year)
    return offers.order_by("-pk").first()


def _period_state(kind: str, year: int | None, today: dt.date) -> rules.PeriodState:
    if year is None:
        return rules.PeriodState("none")
    period = ApplicationPeriod.objects.filter(kind=kind, year=year).first()
    if period is None:
        return rules.PeriodState("none")
    return rules.period_state(today=today, opens_on=period.opens_on, closes_on=period.closes_on)


def _due_date(application: Application, sent_on: dt.date) -> dt.date:
    if application.kind == ApplicationKind.ECEC:
        assert application.start_date is not None
        return rules.ecec_due_date(sent_on=sent_on, start_date=application.start_date, urgent=application.urgent)
    assert application.school_year is not None
    return rules.school_year_due_date(sent_on=sent_on, year=application.school_year)


def application_url(application: Application) -> str:
    return settings.ASTI_PUBLIC_BASE_URL.rstrip("/") + reverse("citizen:application", args=[application.pk])


def _date_text(day: dt.date, language: str) -> str:
    return day.isoformat() if language == "en" else f"{day.day}.{day.month}.{day.year}"


def _messages(application: Application, sender: Guardian | None, template_key: str) -> list[OutgoingMessage]:
    """The sender's confirmation and a word to the other custodians; no personal data beyond the child's first
    name, which the family already knows (never an address)."""
    family = Guardian.objects.filter(custodies__child=application.child, custodies__active=True, active=True)
    out: list[OutgoingMessage] = []
    for guardian in family.order_by("guardian_id"):
        mine = sender is None or guardian.pk == sender.pk
        key = template_key if mine else f"{template_key}_other"
        context = {
            "child_first_name": application.child.first_name,
            "reference": application.reference or "",
            "kind": application.kind,
            "due_date": _date_text(application.due_date, guardian.language) if application.due_date else "",
            "link": application_url(application),
        }
        message = outgoing_to_guardian(
            guardian, template_key=key, language=guardian.language, context=context, lane=Lane.FAST,
            subject_type="application", subject_id=str(application.pk), follow_up_on_failure=False,
        )  # fmt: skip
        if message is not None:
            out.append(message)
    return out


# ---------------------------------------------------------------------------------------------------------------
# the family's steps


def application_save_draft(
    *,
    guardian: Guardian,
    child: Child,
    kind: str,
    data: ApplicationInput,
    application: Application | None = None,
    actor: str,
) -> Application:
    """Keeps what the family has filled in so far (nothing is checked for completeness, nobody else sees it)."""
    if kind not in ApplicationKind.values:
        raise ApplicationError(ApplicationErrorCode.INVALID)
    today = clock.today_helsinki()
    with transaction.atomic():
        _guardian_of(guardian, child)
        if application is not None:
            application = Application.objects.select_for_update().get(pk=application.pk)
            if application.guardian_id != guardian.pk or application.child_id != child.pk:
                raise ApplicationError(ApplicationErrorCode.NOT_GUARDIAN)
            if application.status != ApplicationStatus.DRAFT:
                raise ApplicationError(ApplicationErrorCode.NOT_EDITABLE)
        year, start, places = _check_or_raise(application, kind, child, data, today, complete=False)
        if application is None:
            application = Application(
                kind=kind, child=child, guardian=guardian, status=ApplicationStatus.DRAFT, language=guardian.language
            )
        _apply_input(application, data)
        application.school_year = year
        if year is not None:
            application.start_date = start
        application.save()
        _set_wishes(application, places)
        return application


def _send_checks(
    application: Application, data: ApplicationInput, today: dt.date, *, paper: bool, certificate_seen: bool = False
) -> tuple[int | None, dt.date | None, tuple[Unit | School, ...], rules.PeriodState]:
    child = application.child
    year, start, places = _check_or_raise(
        application, application.kind, child, data, today, complete=True, certificate_seen=certificate_seen
    )
    period = _period_state(application.kind, year, today)
    if period.state == "not_open" and not paper:
        raise ApplicationError(ApplicationErrorCode.PERIOD_NOT_OPEN)
    if application.kind == ApplicationKind.PRESCHOOL and _offer_blocks_preschool(child, year) is not None:
        raise ApplicationError(ApplicationErrorCode.HAS_OFFER)
    if _open_duplicate(child, application.kind, year, exclude=application.pk):
        raise ApplicationError(ApplicationErrorCode.ALREADY_SENT)
    return year, start, places, period


def _mark_sent(
    application: Application,
    *,
    guardian: Guardian,
    year: int | None,
    start: dt.date | None,
    places: tuple[Unit | School, ...],
    period: rules.PeriodState,
    sent_on: dt.date,
    now: dt.datetime,
    channel: str,
) -> None:
    details = registry_details_for(guardian=guardian, child=application.child)
    assert details is not None
    application.status = ApplicationStatus.SENT
    application.school_year = year
    application.start_date = start
    application.late = period.state == "late"
    application.sent_at = now
    application.channel = channel
    application.registry_snapshot = details.as_json()
    application.transfer = application.kind == ApplicationKind.ECEC and has_municipal_place(application.child)
    if application.kind == ApplicationKind.PRESCHOOL and application.declined_offer_id is None:
        application.declined_offer = _declined_offer(application.child, year)
    application.due_date = _due_date(application, sent_on)
    application.save()
    if application.reference is None:
        application.reference = rules.reference_for(kind=application.kind, year=sent_on.year, number=application.pk)
        application.save(update_fields=["reference"])
    _set_wishes(application, places)


def application_send(*, guardian: Guardian, application: Application, actor: str) -> Application:
    """Sends a draft: everything checked, a reference and the legal due date given, the family told."""
    today = clock.today_helsinki()
    with transaction.atomic():
        application = Application.objects.select_for_update().select_related("child").get(pk=application.pk)
        _guardian_of(guardian, application.child)
        if application.guardian_id != guardian.pk:
            raise ApplicationError(ApplicationErrorCode.NOT_GUARDIAN)
        if application.status != ApplicationStatus.DRAFT:
            raise ApplicationError(ApplicationErrorCode.WRONG_STATUS)
        data = input_from(application)
        year, start, places, period = _send_checks(application, data, today, paper=False)
        now = clock.now()
        _mark_sent(
            application, guardian=guardian, year=year, start=start, places=places, period=period, sent_on=today,
            now=now, channel=ApplicationChannel.ONLINE,
        )  # fmt: skip
        _event(application, EventKind.SENT, actor, now, units=len(places), due_date=application.due_date.isoformat())  # type: ignore[union-attr]
        _audit(actor, "APPLICATION_SEND", application, reference=application.reference, late=application.late)
        message_enqueue_bulk(messages=_messages(application, guardian, "applications.sent"))
        return application


def application_save_and_send(
    *,
    guardian: Guardian,
    child: Child,
    kind: str,
    data: ApplicationInput,
    application: Application | None = None,
    actor: str,
) -> Application:
    """The form's "Send": what is filled in is saved and sent in one transaction, so a refused application leaves
    the draft saved before exactly as it was (or nothing, when there was none)."""
    with transaction.atomic():
        draft = application_save_draft(
            guardian=guardian, child=child, kind=kind, data=data, application=application, actor=actor
        )
        return application_send(guardian=guardian, application=draft, actor=actor)


def application_edit(
    *, guardian: Guardian, application: Application, data: ApplicationInput, actor: str
) -> Application:
    """Changes a sent application before processing starts; the due date still counts from the day it was sent."""
    with transaction.atomic():
        application = Application.objects.select_for_update().select_related("child").get(pk=application.pk)
        _guardian_of(guardian, application.child)
        if application.status != ApplicationStatus.SENT:
            raise ApplicationError(ApplicationErrorCode.NOT_EDITABLE)
        assert application.sent_at is not None
        sent_on = application.received_on or application.sent_at.astimezone(clock.HELSINKI).date()
        today = clock.today_helsinki()
        # the date rules are checked against the day of sending: a later change must not shorten the notice
        year, start, places = _check_or_raise(application, application.kind, application.child, data, today, True)
        if application.kind == ApplicationKind.ECEC and data.start_date is not None:
            earliest = rules.earliest_ecec_start(sent_on=sent_on, urgent=data.urgent)
            if data.start_date < earliest:
                raise ApplicationError(
                    ApplicationErrorCode.INVALID,
                    [FieldProblem("start_date", Problem.START_TOO_EARLY, {"earliest": earliest.isoformat()})],
                )
        _apply_input(application, data)
        application.school_year = year
        application.start_date = start
        application.due_date = _due_date(application, sent_on)
        application.save()
        _set_wishes(application, places)
        now = clock.now()
        _event(application, EventKind.EDITED, actor, now, due_date=application.due_date.isoformat())
        _audit(actor, "APPLICATION_EDIT", application)
        return application


def application_cancel(*, application: Application, actor: str, guardian: Guardian | None = None) -> Application | None:
    """The family withdraws it before processing starts (staff may cancel at any point before a decision, e.g. on
    a phone call). A draft that was never sent is simply removed: returns None."""
    with transaction.atomic():
        application = Application.objects.select_for_update().select_related("child").get(pk=application.pk)
        if guardian is not None:
            _guardian_of(guardian, application.child)
            if application.is_draft and application.guardian_id != guardian.pk:
                raise ApplicationError(ApplicationErrorCode.NOT_GUARDIAN)
            if not application.editable:
                raise ApplicationError(ApplicationErrorCode.NOT_EDITABLE)
        elif application.status in (ApplicationStatus.DECIDED, ApplicationStatus.CANCELLED, ApplicationStatus.DRAFT):
            raise ApplicationError(ApplicationErrorCode.WRONG_STATUS)
        if application.is_draft:
            files = [attachment.file for attachment in application.attachments.all()]
            transaction.on_commit(lambda: [f.delete(save=False) for f in files] and None)
            application.delete()
            return None
        application.status = ApplicationStatus.CANCELLED
        application.save(update_fields=["status", "updated_at"])
        now = clock.now()
        _event(application, EventKind.CANCELLED, actor, now)
        _audit(actor, "APPLICATION_CANCEL", application)
        message_enqueue_bulk(messages=_messages(application, guardian, "applications.cancelled"))
        return application


# ---------------------------------------------------------------------------------------------------------------
# staff steps


def application_start_processing(*, application: Application, actor: str) -> Application:
    with transaction.atomic():
        application = Application.objects.select_for_update().select_related("child").get(pk=application.pk)
        if application.status != ApplicationStatus.SENT:
            raise ApplicationError(ApplicationErrorCode.WRONG_STATUS)
        application.status = ApplicationStatus.IN_PROCESS
        application.handler = actor
        application.save(update_fields=["status", "handler", "updated_at"])
        _event(application, EventKind.IN_PROCESS, actor, clock.now())
        _audit(actor, "APPLICATION_PROCESS", application)
        return application


def application_propose_place(
    *, application: Application, actor: str, unit: Unit | None = None, school: School | None = None
) -> Application:
    """The handler's proposed place: a unit (ECEC, pre-primary) or a school (first grade, afternoon activities)
    that gives the service in the child's language. Shown on the family's timeline; the decision follows."""
    with transaction.atomic():
        application = Application.objects.select_for_update().select_related("child").get(pk=application.pk)
        if application.status not in (ApplicationStatus.IN_PROCESS, ApplicationStatus.PLACE_PROPOSED):
            raise ApplicationError(ApplicationErrorCode.WRONG_STATUS)
        place = _proposable(application, unit=unit, school=school)
        application.proposed_unit = place if isinstance(place, Unit) else None
        application.proposed_school = place if isinstance(place, School) else None
        application.status = ApplicationStatus.PLACE_PROPOSED
        application.handler = application.handler or actor
        application.save(update_fields=["proposed_unit", "proposed_school", "status", "handler", "updated_at"])
        place_id = place.unit_id if isinstance(place, Unit) else place.school_id
        _event(application, EventKind.PLACE_PROPOSED, actor, clock.now(), place=place_id, name=place.name_fi)
        _audit(actor, "APPLICATION_PROPOSE", application, place=place_id)
        return application


def _proposable(application: Application, *, unit: Unit | None, school: School | None) -> Unit | School:
    language = application.education_language
    if application.kind in PLACE_IS_SCHOOL:
        if school is None or not school.active or (language and school.language != language):
            raise ApplicationError(ApplicationErrorCode.WRONG_PLACE)
        if application.kind == ApplicationKind.AFTERNOON and not school.afternoon_activities:
            raise ApplicationError(ApplicationErrorCode.WRONG_PLACE)
        return school
    if unit is None or (language and unit.language != language):
        raise ApplicationError(ApplicationErrorCode.WRONG_PLACE)
    allowed = Unit.objects.municipal_ecec() if application.kind == ApplicationKind.ECEC else wishable_units()
    if not allowed.filter(pk=unit.pk).exists():
        raise ApplicationError(ApplicationErrorCode.WRONG_PLACE)
    return unit


def application_note_add(*, application: Application, actor: str, text: str) -> ApplicationNote:
    text = text.replace("\x00", "").strip()[:4000]
    if not text:
        raise ApplicationError(ApplicationErrorCode.INVALID, [FieldProblem("text", Problem.REQUIRED)])
    with transaction.atomic():
        note = ApplicationNote.objects.create(application=application, at=clock.now(), author=actor, text=text)
        _audit(actor, "APPLICATION_NOTE", application)
        return note


def paper_application_submit(
    *,
    child: Child,
    guardian: Guardian,
    kind: str,
    data: ApplicationInput,
    received_on: dt.date,
    actor: str,
    certificate_seen: bool = False,
) -> Application:
    """Staff enter an application of any kind that came on paper, through the same checks as online; the day it
    arrived is the day of sending (the due date counts from it). No message: the family gets the decision.

    An urgent ECEC application needs the employer's or school's certificate: on paper, the handler confirms
    having seen it (`certificate_seen`, recorded on the timeline) instead of uploading it."""
    if received_on > clock.today_helsinki():
        raise ApplicationError(ApplicationErrorCode.RECEIVED_IN_FUTURE)
    with transaction.atomic():
        child = Child.objects.select_for_update().get(pk=child.pk)
        _guardian_of(guardian, child)
        blocker = paper_application_blocker(child) if kind == ApplicationKind.PRESCHOOL else None
        if blocker is not None:
            raise ApplicationError(blocker)
        application = Application(
            kind=kind, child=child, guardian=guardian, status=ApplicationStatus.DRAFT, language=guardian.language,
            received_on=received_on, recorded_by=actor,
        )  # fmt: skip
        _apply_input(application, data)
        year, start, places, period = _send_checks(
            application, data, received_on, paper=True, certificate_seen=certificate_seen
        )
        now = clock.now()
        application.save()
        _mark_sent(
            application, guardian=guardian, year=year, start=start, places=places, period=period,
            sent_on=received_on, now=now, channel=ApplicationChannel.PAPER,
        )  # fmt: skip
        _event(
            application, EventKind.RECEIVED_ON_PAPER, actor, now, received_on=received_on.isoformat(),
            **({"certificate_seen": True} if certificate_seen and application.urgent else {}),
        )  # fmt: skip
        _audit(actor, "APPLICATION_CREATE", application, channel="paper", guardian=guardian.guardian_id)
        return application


# ---------------------------------------------------------------------------------------------------------------
# pre-primary after a declined offer (online, or from paper): the first kind, kept for its pages


def _check_wishes(unit_ids: Sequence[int]) -> list[int]:
    wanted = list(unit_ids)
    if not wanted:
        raise ApplicationError(ApplicationErrorCode.NO_WISHES)
    if len(wanted) > MAX_WISHES:
        raise ApplicationError(ApplicationErrorCode.TOO_MANY_WISHES)
    if len(set(wanted)) != len(wanted):
        raise ApplicationError(ApplicationErrorCode.REPEATED_UNIT)
    return wanted


def _store(
    *,
    child: Child,
    guardian: Guardian,
    offer: Offer | None,
    wanted: list[int],
    supplementary_ecec: bool,
    actor: str,
    channel: ApplicationChannel,
    received_on: dt.date | None = None,
) -> Application:
    """Inside the caller's transaction: the application, its wishes, its first event and the audit event."""
    details = registry_details_for(guardian=guardian, child=child)
    if details is None:
        raise ApplicationError(ApplicationErrorCode.NOT_GUARDIAN)
    units = {u.pk: u for u in wishable_units().filter(pk__in=wanted)}
    if len(units) != len(wanted):
        raise ApplicationError(ApplicationErrorCode.UNKNOWN_UNIT)
    now = clock.now()
    paper = channel == ApplicationChannel.PAPER
    sent_on = received_on or clock.today_helsinki()
    year = offer.round.year if offer is not None else rules.pre_primary_year(child.birth_date)
    application = Application.objects.create(
        kind=ApplicationKind.PRESCHOOL,
        child=child,
        guardian=guardian,
        declined_offer=offer,
        status=ApplicationStatus.SENT,
        supplementary_ecec=supplementary_ecec,
        registry_snapshot=details.as_json(),
        language=guardian.language,
        education_language=education_language_for(child),
        school_year=year,
        start_date=rules.school_year_start(year),
        due_date=rules.school_year_due_date(sent_on=sent_on, year=year),
        sent_at=now,
        channel=channel,
        received_on=received_on,
        recorded_by=actor if paper else "",
    )
    application.reference = rules.reference_for(kind=application.kind, year=sent_on.year, number=application.pk)
    application.save(update_fields=["reference"])
    Wish.objects.bulk_create(
        [Wish(application=application, position=i, unit=units[pk]) for i, pk in enumerate(wanted, start=1)]
    )
    event_details: dict[str, object] = {"units": len(wanted)}
    if received_on is not None:
        event_details["received_on"] = received_on.isoformat()
    ApplicationEvent.objects.create(
        application=application,
        at=now,
        kind=EventKind.RECEIVED_ON_PAPER if paper else EventKind.SENT,
        actor=actor,
        details=event_details,
    )
    audit_details: dict[str, object] = {
        "application": application.pk,
        "offer": offer.pk if offer else None,
        "units": [units[pk].unit_id for pk in wanted],
        "channel": str(channel),
    }
    if paper:
        audit_details["guardian"] = guardian.guardian_id
    audit_log(
        actor=actor, operation="APPLICATION_CREATE", target_type="child", target_id=child.child_id,
        details=audit_details,
    )  # fmt: skip
    return application


def application_create(
    *,
    guardian: Guardian,
    offer: Offer,
    unit_ids: Sequence[int],
    supplementary_ecec: bool,
    actor: str,
) -> Application:
    """A pre-primary application after a declined offer: up to three units in order, sent at once."""
    wanted = _check_wishes(unit_ids)
    with transaction.atomic():
        offer = Offer.objects.select_for_update().select_related("child", "round").get(pk=offer.pk)
        if registry_details_for(guardian=guardian, child=offer.child) is None:
            raise ApplicationError(ApplicationErrorCode.NOT_GUARDIAN)
        if offer.status != OfferStatus.DECLINED:
            raise ApplicationError(ApplicationErrorCode.OFFER_NOT_DECLINED)
        if Application.objects.filter(declined_offer=offer).exclude(status=ApplicationStatus.CANCELLED).exists():
            raise ApplicationError(ApplicationErrorCode.ALREADY_SENT)
        application = _store(
            child=offer.child, guardian=guardian, offer=offer, wanted=wanted,
            supplementary_ecec=supplementary_ecec, actor=actor, channel=ApplicationChannel.ONLINE,
        )  # fmt: skip
        message_enqueue_bulk(messages=_messages(application, guardian, "applications.sent"))
        return application


def paper_application_blocker(child: Child) -> ApplicationErrorCode | None:
    """Why no paper pre-primary application can be entered for the child now (None when it can): an open offer is
    answered first, and one pre-primary application in process per child."""
    if Offer.objects.filter(child=child, status=OfferStatus.OPEN).exists():
        return ApplicationErrorCode.OFFER_STILL_OPEN
    if Application.objects.filter(child=child, kind=ApplicationKind.PRESCHOOL, status__in=OPEN_STATUSES).exists():
        return ApplicationErrorCode.ALREADY_SENT
    return None


def paper_application_create(
    *,
    child: Child,
    guardian: Guardian,
    unit_ids: Sequence[int],
    supplementary_ecec: bool,
    received_on: dt.date,
    actor: str,
) -> Application:
    """Staff enter a pre-primary application that a guardian sent on paper, with the day it arrived.

    It answers the child's declined offer when there is one still without an application; while an offer is
    open the answer comes first (recorded as a phone or paper answer). One application in process per child:
    a second paper form for the same child is refused rather than stored twice.
    """
    wanted = _check_wishes(unit_ids)
    if received_on > clock.today_helsinki():
        raise ApplicationError(ApplicationErrorCode.RECEIVED_IN_FUTURE)
    with transaction.atomic():
        child = Child.objects.select_for_update().get(pk=child.pk)
        offers = list(Offer.objects.select_for_update().filter(child=child).select_related("round").order_by("-pk"))
        blocker = paper_application_blocker(child)
        if blocker is not None:
            raise ApplicationError(blocker)
        live = Application.objects.filter(child=child).exclude(status=ApplicationStatus.CANCELLED)
        answered = set(live.values_list("declined_offer_id", flat=True))
        declined = next((o for o in offers if o.status == OfferStatus.DECLINED and o.pk not in answered), None)
        return _store(
            child=child, guardian=guardian, offer=declined, wanted=wanted, supplementary_ecec=supplementary_ecec,
            actor=actor, channel=ApplicationChannel.PAPER, received_on=received_on,
        )  # fmt: skip
