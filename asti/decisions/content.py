"""What a decision says, as facts frozen when the batch is prepared; the wording is in the per-language templates
(templates/decisions/body_<language>.html), which the PDF and the guardian's page both render.

What the law asks of a decision (HL 44–49 §, PoL 42 §, VakaL 62 §; ../shared/docs/decisions.md §4.1): the
deciding authority, official and delegation, the date, the parties (the child by name and birth date, never the
identity code; the guardians by name, never an address), the outcome (unit, its address, language of
instruction, period, daily hours), the reasons and the law applied, a contact person, and the right
rectification instructions with the 14-day limit.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.conf import settings

from asti.applications.models import Application, ApplicationKind
from asti.core import clock
from asti.core.workdays import public_holidays
from asti.decisions.models import DecisionKind
from asti.offers.models import Offer, OfferStatus
from asti.people.models import Child, Guardian

# Which rectification route each kind of decision has.
APPEAL_ROUTE = {
    DecisionKind.PRESCHOOL: "lvv",
    DecisionKind.FIRST_GRADE: "lvv",
    DecisionKind.ECEC: "ecec_board",
    DecisionKind.SUPPLEMENTARY_ECEC: "ecec_board",
    DecisionKind.AFTERNOON: "municipal",
}
LAW = {
    DecisionKind.PRESCHOOL: "PoL 628/1998 4, 6, 26 a §; perusopetusasetus 852/1998 23 a §; HL 434/2003 44–49 §",
    DecisionKind.FIRST_GRADE: "PoL 628/1998 4, 6, 28 §; perusopetusasetus 852/1998 23 a §; HL 434/2003 44–49 §",
    DecisionKind.ECEC: "VakaL 540/2018 12, 17, 62 §; HL 434/2003 44–49 §",
    DecisionKind.SUPPLEMENTARY_ECEC: "VakaL 540/2018 12, 17, 62 §; PoL 628/1998 26 a §; HL 434/2003 44–49 §",
    DecisionKind.AFTERNOON: "PoL 628/1998 48 a–48 f §; kuntalaki 410/2015 134 §; HL 434/2003 44–49 §",
}
NUMBER_PREFIX = {
    DecisionKind.PRESCHOOL: "EO",
    DecisionKind.SUPPLEMENTARY_ECEC: "TV",
    DecisionKind.ECEC: "VK",
    DecisionKind.FIRST_GRADE: "PK",
    DecisionKind.AFTERNOON: "IP",
}


def school_year_end(year: int) -> dt.date:
    """The last school day of the year that starts in August of `year`: the Saturday of week 22 of the next
    year, or the Friday before it when that Saturday is a public holiday."""
    saturday = dt.date.fromisocalendar(year + 1, 22, 6)
    return saturday - dt.timedelta(days=1) if saturday in public_holidays(year + 1) else saturday


def _date(day: dt.date | None) -> str:
    return day.isoformat() if day else ""


@dataclass(frozen=True)
class Subject:
    """One decision to make: its kind, child, what it answers and the place."""

    kind: str
    child: Child
    offer: Offer | None
    application: Application | None
    unit_name: str
    unit_address: str
    instruction_language: str
    period_start: dt.date
    period_end: dt.date | None
    daily_hours: str
    grounds: tuple[str, ...]


def _language(guardians: list[Guardian]) -> str:
    """The decision's language: the guardians' (Swedish when the first guardian speaks Swedish, else Finnish;
    English speakers get Finnish with an English translation as information)."""
    return "sv" if guardians and guardians[0].language == "sv" else "fi"


def subjects_for_offer(offer: Offer) -> list[Subject]:
    start = offer.round.first_day
    grounds = [str(offer.proposal.reason).lower()]
    grounds.append("auto_accepted" if offer.status == OfferStatus.AUTO_ACCEPTED else "accepted")
    unit = offer.unit
    return [
        Subject(
            kind=DecisionKind.PRESCHOOL, child=offer.child, offer=offer, application=None,
            unit_name=unit.name_fi if unit.language == "fi" else (unit.name_sv or unit.name_fi),
            unit_address=", ".join(p for p in (unit.street_address, unit.postal_code) if p),
            instruction_language=unit.language, period_start=start, period_end=school_year_end(offer.round.year),
            daily_hours=unit.pre_primary_hours or offer.round.daily_hours, grounds=tuple(grounds),
        )
    ]  # fmt: skip


def _wish_ground(application: Application, place_pk: int | None) -> str:
    wishes = list(application.wishes.all())
    for wish in wishes:
        if (wish.unit_id or wish.school_id) == place_pk:
            return "first_wish" if wish.position == 1 else "other_wish"
    return "assigned"


def _hours(application: Application) -> str:
    if application.daily_start and application.daily_end:
        return f"{application.daily_start:%H.%M}–{application.daily_end:%H.%M}"
    return ""


def subjects_for_application(application: Application) -> list[Subject]:
    place = application.proposed_unit or application.proposed_school
    if place is None:
        return []
    address = ", ".join(p for p in (place.street_address, place.postal_code) if p)
    ground = _wish_ground(application, place.pk)
    start = application.start_date or clock.today_helsinki()  # a sent application always has one
    year = application.school_year
    end = school_year_end(year) if year is not None and application.kind != ApplicationKind.FIRST_GRADE else None
    kind = {
        ApplicationKind.ECEC: DecisionKind.ECEC,
        ApplicationKind.PRESCHOOL: DecisionKind.PRESCHOOL,
        ApplicationKind.FIRST_GRADE: DecisionKind.FIRST_GRADE,
        ApplicationKind.AFTERNOON: DecisionKind.AFTERNOON,
    }[ApplicationKind(application.kind)]
    grounds = [ground]
    if application.kind == ApplicationKind.FIRST_GRADE:
        grounds.append(f"first_grade_{application.first_grade_choice or 'neighbourhood'}")
    if application.urgent:
        grounds.append("urgent")
    if application.shift_care:
        grounds.append("shift_care")
    hours = _hours(application) if application.kind == ApplicationKind.ECEC else ""
    if application.kind == ApplicationKind.AFTERNOON and application.annual_hours:
        hours = f"{application.annual_hours} h"
    common: dict[str, Any] = {
        "child": application.child, "offer": None, "application": application, "unit_name": place.name_fi
        if place.language == "fi" else (place.name_sv or place.name_fi), "unit_address": address,
        "instruction_language": place.language, "period_start": start,
    }  # fmt: skip
    if application.kind == ApplicationKind.PRESCHOOL:
        unit_hours = getattr(place, "pre_primary_hours", "")
        out = [Subject(kind=kind, period_end=end, daily_hours=unit_hours, grounds=tuple(grounds), **common)]
        if application.supplementary_ecec:
            out.append(
                Subject(
                    kind=DecisionKind.SUPPLEMENTARY_ECEC,
                    period_end=end,
                    daily_hours=_hours(application),
                    grounds=("supplementary",),
                    **common,
                )
            )
        return out
    return [Subject(kind=kind, period_end=end, daily_hours=hours, grounds=tuple(grounds), **common)]


def content_for(
    subject: Subject, *, guardians: list[Guardian], decided_on: dt.date, decision_maker: str
) -> dict[str, Any]:
    """The frozen facts of one decision (no identity code, no address of a person)."""
    language = _language(guardians)
    return {
        "kind": str(subject.kind),
        "language": language,
        "authority": settings.ASTI_DECISION_AUTHORITY_SV if language == "sv" else settings.ASTI_DECISION_AUTHORITY_FI,
        "decision_maker": decision_maker,
        "delegation": (
            settings.ASTI_DECISION_DELEGATION_SV if language == "sv" else settings.ASTI_DECISION_DELEGATION_FI
        ),
        "decided_on": decided_on.isoformat(),
        "child": {"name": subject.child.full_name, "birth_date": subject.child.birth_date.isoformat()},
        "guardians": [g.full_name for g in guardians],
        "unit": {"name": subject.unit_name, "address": subject.unit_address},
        "instruction_language": subject.instruction_language,
        "period": {"start": _date(subject.period_start), "end": _date(subject.period_end)},
        "daily_hours": subject.daily_hours,
        "grounds": list(subject.grounds),
        "law": LAW[DecisionKind(subject.kind)],
        "appeal_route": APPEAL_ROUTE[DecisionKind(subject.kind)],
        "contact": {
            "name": settings.ASTI_DECISION_CONTACT_NAME,
            "phone": settings.ASTI_DECISION_CONTACT_PHONE,
            "email": settings.ASTI_DECISION_CONTACT_EMAIL,
        },
        "lvv": settings.ASTI_DECISION_LVV_ADDRESS,
        "board": settings.ASTI_DECISION_BOARD_SV if language == "sv" else settings.ASTI_DECISION_BOARD_FI,
        "registry": settings.ASTI_DECISION_REGISTRY_ADDRESS,
        "registry_hours": settings.ASTI_DECISION_REGISTRY_HOURS,
    }
