"""Writes for applications: a guardian applies for another place after declining the offered one, online, or
staff enter an application that came on paper (the traditional channel)."""

from __future__ import annotations

import datetime as dt
import enum
from collections.abc import Sequence

from django.db import transaction

from asti.applications.models import (
    MAX_WISHES,
    Application,
    ApplicationChannel,
    ApplicationEvent,
    ApplicationKind,
    ApplicationStatus,
    EventKind,
    Wish,
)
from asti.applications.selectors import registry_details_for, wishable_units
from asti.audit.services import audit_log
from asti.core import clock
from asti.offers.models import Offer, OfferStatus
from asti.people.models import Child, Guardian


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


class ApplicationError(Exception):
    def __init__(self, code: ApplicationErrorCode) -> None:
        super().__init__(str(code))
        self.code = code


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
    application = Application.objects.create(
        kind=ApplicationKind.PRESCHOOL,
        child=child,
        guardian=guardian,
        declined_offer=offer,
        status=ApplicationStatus.SENT,
        supplementary_ecec=supplementary_ecec,
        registry_snapshot=details.as_json(),
        language=guardian.language,
        sent_at=now,
        channel=channel,
        received_on=received_on,
        recorded_by=actor if paper else "",
    )
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
        offer = Offer.objects.select_for_update().select_related("child").get(pk=offer.pk)
        if registry_details_for(guardian=guardian, child=offer.child) is None:
            raise ApplicationError(ApplicationErrorCode.NOT_GUARDIAN)
        if offer.status != OfferStatus.DECLINED:
            raise ApplicationError(ApplicationErrorCode.OFFER_NOT_DECLINED)
        if Application.objects.filter(declined_offer=offer).exists():
            raise ApplicationError(ApplicationErrorCode.ALREADY_SENT)
        return _store(
            child=offer.child, guardian=guardian, offer=offer, wanted=wanted,
            supplementary_ecec=supplementary_ecec, actor=actor, channel=ApplicationChannel.ONLINE,
        )  # fmt: skip


def paper_application_blocker(child: Child) -> ApplicationErrorCode | None:
    """Why no paper application can be entered for the child now (None when it can): an open offer is
    answered first, and one pre-primary application in process per child."""
    if Offer.objects.filter(child=child, status=OfferStatus.OPEN).exists():
        return ApplicationErrorCode.OFFER_STILL_OPEN
    pending = [ApplicationStatus.SENT, ApplicationStatus.IN_PROCESS]
    if Application.objects.filter(child=child, kind=ApplicationKind.PRESCHOOL, status__in=pending).exists():
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
        offers = list(Offer.objects.select_for_update().filter(child=child).order_by("-pk"))
        blocker = paper_application_blocker(child)
        if blocker is not None:
            raise ApplicationError(blocker)
        answered = set(Application.objects.filter(child=child).values_list("declined_offer_id", flat=True))
        declined = next((o for o in offers if o.status == OfferStatus.DECLINED and o.pk not in answered), None)
        return _store(
            child=child, guardian=guardian, offer=declined, wanted=wanted, supplementary_ecec=supplementary_ecec,
            actor=actor, channel=ApplicationChannel.PAPER, received_on=received_on,
        )  # fmt: skip
