"""The second round's result as the planners review it: per child, each wish met or why not (the priority the
last child admitted there had), the place assigned where there was room, or no place."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.contrib.auth.models import AnonymousUser, User
from django.utils.formats import number_format
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from asti.applications.models import SecondRoundMethod, SecondRoundPlacement
from asti.offers.models import OfferRound
from asti.people.protection import homes_hidden
from asti.units.models import Unit


@dataclass(frozen=True)
class ReviewRow:
    application_id: int
    child_id: str
    child_name: str
    method: str
    method_label: str
    unit: str
    wishes: list[str]
    in_area: bool
    distance: str
    confirmed: bool


def distance_text(metres: int) -> str:
    return f"{number_format(metres / 1000, 1)} km"


def priority_text(priority: dict[str, Any], *, distance: bool = True) -> str:
    """e.g. "sibling in the unit, own area / 1.2 km" (the published order: sibling, own area, distance); without
    the distance for a child whose home is protected from the viewer."""
    parts = [_("sibling in the unit")] if priority.get("sibling") else []
    parts.append(_("own area") if priority.get("own_area") else _("other area"))
    if not distance:
        return ", ".join(parts)
    return f"{', '.join(parts)} / {distance_text(int(priority.get('distance_m', 0)))}"


def wish_text(position: int, unit: str, reason: dict[str, Any], *, distance: bool = True) -> str:
    if reason.get("admitted"):
        return _("Wish %(n)d (%(unit)s): met") % {"n": position, "unit": unit}
    cutoff = reason.get("cutoff")
    if cutoff is None:
        return _("Wish %(n)d (%(unit)s): no places left") % {"n": position, "unit": unit}
    return _("Wish %(n)d (%(unit)s): full; priority needed %(needed)s, this child: %(own)s") % {
        "n": position,
        "unit": unit,
        "needed": priority_text(cutoff),
        "own": priority_text(reason.get("priority") or {}, distance=distance),
    }


def second_round_review(*, offer_round: OfferRound, user: User | AnonymousUser) -> list[ReviewRow]:
    """The placements to review; a child whose home is protected from `user` shows no distance (several
    distances to known units would locate the home)."""
    language = (get_language() or "fi")[:2]
    placements = list(
        SecondRoundPlacement.objects.filter(offer_round=offer_round)
        .select_related("application__child", "unit")
        .order_by("method", "application__child__last_name", "application__child__first_name", "pk")
    )
    unit_ids = {int(r["unit"]) for p in placements for r in p.reasons if "unit" in r}
    names = {u.pk: u.name_in(language) for u in Unit.objects.filter(pk__in=unit_ids)}
    labels = dict(SecondRoundMethod.choices)
    hidden = homes_hidden(child_pks=[p.application.child_id for p in placements], user=user)
    rows = []
    for p in placements:
        child = p.application.child
        shown = child.pk not in hidden
        wishes = [
            wish_text(n, names.get(int(r["unit"]), str(r["unit"])), r, distance=shown)
            for n, r in enumerate(p.reasons, start=1)
        ]
        rows.append(
            ReviewRow(
                application_id=p.application_id,
                child_id=child.child_id,
                child_name=f"{child.first_name} {child.last_name}",
                method=p.method,
                method_label=str(labels.get(p.method, p.method)),
                unit=p.unit.name_in(language) if p.unit else "",
                wishes=wishes,
                in_area=p.in_area,
                distance=distance_text(p.distance_m) if p.unit and shown else "",
                confirmed=p.confirmed_at is not None,
            )
        )
    return rows
