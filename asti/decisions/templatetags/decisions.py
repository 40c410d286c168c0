"""Phrases of a decision, in the decision's language whatever the page's: titles and reasons from the catalogs."""

from __future__ import annotations

import datetime as dt

from django import template
from django.utils import translation
from django.utils.translation import gettext_lazy as _

register = template.Library()

TITLES = {
    "preschool": _("Decision on a pre-primary education place"),
    "supplementary_ecec": _("Decision on supplementary early childhood education"),
    "ecec": _("Decision on an early childhood education place"),
    "first_grade": _("Decision on a school place in first grade"),
    "afternoon": _("Decision on a place in afternoon activities"),
}
GROUNDS = {
    "current_unit": _("The child continues in the current unit, which gives pre-primary education in the child's "
                      "own admission area."),
    "sibling": _("The child was placed together with a sibling of the same age group."),
    "in_area": _("The unit is in the child's pre-primary admission area, determined by the home address, and "
                 "leads on to the future neighbourhood school."),
    "out_of_area": _("No unit in the child's own admission area had room in the child's language; the place is "
                     "the nearest one with room."),
    "unplaced": _("No place could be proposed."),
    "accepted": _("The guardian accepted the offered place."),
    "auto_accepted": _("The guardian did not answer the offer by the deadline, so the offered place was "
                       "confirmed as the city had announced."),
    "first_wish": _("The place is the guardian's first wish."),
    "other_wish": _("The first wish had no room; the place is one of the guardian's other wishes."),
    "assigned": _("The wished units had no room; the place is the nearest suitable one with room."),
    "first_grade_neighbourhood": _("The school is the child's neighbourhood school, designated by the home "
                                   "address and the language of instruction."),
    "first_grade_other_school": _("The guardian applied to this school; it had room after the pupils of its own "
                                  "area."),
    "first_grade_weighted": _("The guardian applied to this weighted-curriculum class; the child was admitted "
                              "on the class's published criteria."),
    "urgent": _("The need for the place arose from sudden employment or studies, so the place was arranged "
                "within two weeks."),
    "shift_care": _("Shift care is given because the guardians' work or studies require it."),
    "supplementary": _("Supplementary early childhood education is given beside pre-primary education, as the "
                       "guardian applied."),
}  # fmt: skip


@register.simple_tag
def decision_title(kind: str, language: str) -> str:
    with translation.override(language):
        return str(TITLES.get(kind, kind))


@register.simple_tag
def ground(code: str, language: str) -> str:
    with translation.override(language):
        return str(GROUNDS.get(code, code))


@register.filter
def fi_date(value: str) -> str:
    """An ISO date as Finnish and Swedish write it: 2.8.2027."""
    try:
        day = dt.date.fromisoformat(value)
    except (TypeError, ValueError):
        return value
    return f"{day.day}.{day.month}.{day.year}"
