"""Writes for applications: a guardian applies for another place after declining the offered one."""

from __future__ import annotations

import enum
from collections.abc import Sequence

from django.db import transaction

from asti.applications.models import (
    MAX_WISHES,
    Application,
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
from asti.people.models import Guardian


class ApplicationErrorCode(enum.StrEnum):
    NOT_GUARDIAN = "not_guardian"
    OFFER_NOT_DECLINED = "offer_not_declined"
    ALREADY_SENT = "already_sent"
    NO_WISHES = "no_wishes"
    TOO_MANY_WISHES = "too_many_wishes"
    REPEATED_UNIT = "repeated_unit"
    UNKNOWN_UNIT = "unknown_unit"


class ApplicationError(Exception):
    def __init__(self, code: ApplicationErrorCode) -> None:
        super().__init__(str(code))
        self.code = code


def application_create(
    *,
    guardian: Guardian,
    offer: Offer,
    unit_ids: Sequence[int],
    supplementary_ecec: bool,
    actor: str,
) -> Application:
    """A pre-primary application after a declined offer: up to three units in order, sent at once."""
    wanted = list(unit_ids)
    if not wanted:
        raise ApplicationError(ApplicationErrorCode.NO_WISHES)
    if len(wanted) > MAX_WISHES:
        raise ApplicationError(ApplicationErrorCode.TOO_MANY_WISHES)
    if len(set(wanted)) != len(wanted):
        raise ApplicationError(ApplicationErrorCode.REPEATED_UNIT)
    with transaction.atomic():
        offer = Offer.objects.select_for_update().select_related("child").get(pk=offer.pk)
        details = registry_details_for(guardian=guardian, child=offer.child)
        if details is None:
            raise ApplicationError(ApplicationErrorCode.NOT_GUARDIAN)
        if offer.status != OfferStatus.DECLINED:
            raise ApplicationError(ApplicationErrorCode.OFFER_NOT_DECLINED)
        if Application.objects.filter(declined_offer=offer).exists():
            raise ApplicationError(ApplicationErrorCode.ALREADY_SENT)
        units = {u.pk: u for u in wishable_units().filter(pk__in=wanted)}
        if len(units) != len(wanted):
            raise ApplicationError(ApplicationErrorCode.UNKNOWN_UNIT)
        now = clock.now()
        application = Application.objects.create(
            kind=ApplicationKind.PRESCHOOL,
            child=offer.child,
            guardian=guardian,
            declined_offer=offer,
            status=ApplicationStatus.SENT,
            supplementary_ecec=supplementary_ecec,
            registry_snapshot=details.as_json(),
            language=guardian.language,
            sent_at=now,
        )
        Wish.objects.bulk_create(
            [Wish(application=application, position=i, unit=units[pk]) for i, pk in enumerate(wanted, start=1)]
        )
        ApplicationEvent.objects.create(
            application=application, at=now, kind=EventKind.SENT, actor=actor, details={"units": len(wanted)}
        )
        audit_log(
            actor=actor,
            operation="APPLICATION_CREATE",
            target_type="child",
            target_id=offer.child.child_id,
            details={"application": application.pk, "offer": offer.pk, "units": [units[pk].unit_id for pk in wanted]},
        )
    return application
