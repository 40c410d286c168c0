"""Why this unit, in plain words, from the proposal's reason, detail code and distance."""

from __future__ import annotations

from django.utils.formats import number_format
from django.utils.translation import gettext as _

from asti.offers.models import Proposal, Reason


def distance_text(metres: int) -> str:
    """450 m below a kilometre, else kilometres with one decimal in the current language (1,2 km)."""
    if metres < 1000:
        return _("%(metres)s m") % {"metres": metres}
    return _("%(km)s km") % {"km": number_format(round(metres / 1000, 1), decimal_pos=1)}


def reason_text(proposal: Proposal, *, show_distance: bool) -> list[str]:
    """One to two sentences; the distance from home is left out when the home address is protected."""
    detail = proposal.detail
    distance = distance_text(proposal.distance_m) if show_distance and proposal.distance_m else ""
    sentences: list[str] = []
    if detail == "manual_override":
        sentences.append(_("Service guidance chose this unit for your child."))
    elif proposal.reason == Reason.CURRENT_UNIT:
        sentences.append(_("Your child keeps their current unit."))
    elif proposal.reason == Reason.SIBLING:
        sentences.append(_("Your child goes to the same unit as their sibling."))
    elif detail == "current_unit_full":
        sentences.append(_("Your child's current unit has no room for pre-primary education next year."))
        if distance:
            sentences.append(
                _("This is the nearest unit in your area with room: %(distance)s.") % {"distance": distance}
            )
    elif detail == "nearest_in_area_with_room":
        if distance:
            sentences.append(_("The nearest unit in your area with room: %(distance)s.") % {"distance": distance})
        else:
            sentences.append(_("The nearest unit in your area with room."))
    elif proposal.reason == Reason.IN_AREA:
        sentences.append(_("A unit in your own admission area."))
        if distance:
            sentences.append(_("Distance from home: %(distance)s.") % {"distance": distance})
    else:
        sentences.append(_("The units in your own admission area had no room, so this is the nearest one with room."))
        if distance:
            sentences.append(_("Distance from home: %(distance)s.") % {"distance": distance})
    return sentences
