"""The unit picker of the application forms: the wishes in order (hidden fields the form posts), a filter by name,
area or address and by language of instruction, and the places found with their language, address and distance
from the child's home, nearest first.

Every button of the picker submits the whole application form, so nothing typed is lost: adding, moving and
removing a wish rewrite the posted wish fields (`picker_action`) and the page is shown again. With JavaScript the
places found follow the search field as one types (unit-picker.js asks for the results part alone).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from django import forms
from django.http import QueryDict
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from asti.applications.models import MAX_WISHES
from asti.applications.selectors import BY_NAME, NEAREST, PlaceChoice, place_choices
from asti.citizen.explain import distance_text
from asti.units.models import School, Unit

RESULTS_SHOWN = 20
ADD, UP, DOWN, REMOVE = "wish_add", "wish_up", "wish_down", "wish_remove"
PICKER_BUTTONS = (ADD, UP, DOWN, REMOVE)
PARTIAL_HEADER = "HTTP_X_ASTI_PICKER"  # set by unit-picker.js: answer with the places found only
FULL, TWICE = "full", "twice"


class PickerFields(forms.Form):
    """The picker's filter: what the guardian searches for, the language of instruction and the order."""

    q = forms.CharField(
        label=gettext_lazy("Search by name, area, street or postal code"), required=False, max_length=100
    )
    place_language = forms.ChoiceField(
        label=gettext_lazy("Show places teaching in"),
        choices=[
            ("", gettext_lazy("Finnish and Swedish")),
            ("fi", gettext_lazy("Finnish")),
            ("sv", gettext_lazy("Swedish")),
        ],
        widget=forms.RadioSelect,
        required=False,
    )
    order = forms.ChoiceField(
        label=gettext_lazy("Order"),
        choices=[(NEAREST, gettext_lazy("Nearest first")), (BY_NAME, gettext_lazy("By name"))],
        widget=forms.RadioSelect,
        required=False,
    )

    def add_wish_fields(self, prefix: str, *, first_required: bool = False) -> list[str]:
        """The wishes as hidden numbers (a place's id) named prefix1..prefix3; the picker shows them."""
        names = [f"{prefix}{i + 1}" for i in range(MAX_WISHES)]
        for i, name in enumerate(names):
            self.fields[name] = forms.IntegerField(
                required=first_required and i == 0, min_value=1, widget=forms.HiddenInput
            )
        q = self.fields["q"].widget
        q.input_type = "search"
        q.attrs.update({"class": "citizen-input", "autocomplete": "off", "data-picker-search": ""})
        return names


FOLLOWS = "place_language_for"


def follow_language(data: QueryDict, language: str) -> QueryDict:
    """When the language of education was changed since the page was shown, the language filter follows it (the
    page remembers which language the filter was set for in FOLLOWS)."""
    if FOLLOWS not in data or data.get(FOLLOWS, "") == language:
        return data
    changed = data.copy()
    changed["place_language"] = language
    return changed


def picker_action(data: QueryDict, prefix: str) -> tuple[QueryDict, str, str]:
    """The posted form with the picker's button applied to the wishes: (data, the button pressed or "", a note:
    FULL when three wishes were chosen already, TWICE when the place was chosen already)."""
    pressed = next((name for name in PICKER_BUTTONS if name in data), "")
    if not pressed:
        return data, "", ""
    wishes = [v for v in (data.get(f"{prefix}{i + 1}", "").strip() for i in range(MAX_WISHES)) if v.isdigit()]
    value = data.get(pressed, "").strip()
    note = ""
    if pressed == ADD and value.isdigit():
        if value in wishes:
            note = TWICE
        elif len(wishes) >= MAX_WISHES:
            note = FULL
        else:
            wishes.append(value)
    elif value.isdigit() and 1 <= int(value) <= len(wishes):
        i = int(value) - 1
        if pressed == REMOVE:
            wishes.pop(i)
        elif pressed == UP and i > 0:
            wishes[i - 1], wishes[i] = wishes[i], wishes[i - 1]
        elif pressed == DOWN and i < len(wishes) - 1:
            wishes[i + 1], wishes[i] = wishes[i], wishes[i + 1]
    changed = data.copy()
    for i in range(MAX_WISHES):
        changed[f"{prefix}{i + 1}"] = wishes[i] if i < len(wishes) else ""
    return changed, pressed, note


@dataclass(frozen=True)
class Row:
    pk: int
    name: str
    address: str
    language: str  # "In Finnish" / "In Swedish" in the page's language
    distance: str  # "1.2 km", or "" when not shown
    position: int  # 1..3 when chosen as a wish, else 0


@dataclass
class Picker:
    """What the picker template shows."""

    prefix: str
    action: str  # the form's address: every picker button posts the whole form there
    wishes: list[Row]
    results: list[Row]
    found: int  # places matching the filter (more than shown when over RESULTS_SHOWN)
    distances: bool  # distances are shown (the home is known and not hidden from this guardian)
    order: str
    note: str = ""
    searched: bool = False
    language_filter: str = ""
    follows: str | None = None  # the language of education the filter was set for (None: no such field)

    @property
    def full(self) -> bool:
        return len(self.wishes) >= MAX_WISHES

    @property
    def more(self) -> bool:
        return self.found > len(self.results)

    @property
    def max_wishes(self) -> int:
        return MAX_WISHES


def _row(choice: PlaceChoice, language: str, positions: dict[int, int]) -> Row:
    place = choice.place
    address = ", ".join(p for p in (place.street_address, place.postal_code) if p)
    return Row(
        pk=place.pk,
        name=place.name_in(language),
        address=address,
        language=_("In Swedish") if place.language == "sv" else _("In Finnish"),
        distance=distance_text(choice.distance_m) if choice.distance_m is not None else "",
        position=positions.get(place.pk, 0),
    )


def picker_for(
    *,
    prefix: str,
    action: str,
    found: Sequence[Unit | School],
    chosen: Sequence[Unit | School],
    home: tuple[float, float] | None,
    order: str,
    language: str,
    note: str = "",
    searched: bool = False,
    language_filter: str = "",
) -> Picker:
    """The picker for the places `found` by the filter and the wishes `chosen` (in order); `home` is None when
    the guardian may not see distances from it (then the order is by name: the order alone would locate it)."""
    order = order if order in (NEAREST, BY_NAME) and home is not None else (NEAREST if home else BY_NAME)
    positions = {p.pk: i + 1 for i, p in enumerate(chosen)}
    results = place_choices(found, home=home, order=order)
    wishes = place_choices(chosen, home=home, order=BY_NAME)
    by_pk = {c.place.pk: c for c in wishes}
    return Picker(
        prefix=prefix,
        action=action,
        wishes=[_row(by_pk[p.pk], language, positions) for p in chosen],
        results=[_row(c, language, positions) for c in results[:RESULTS_SHOWN]],
        found=len(results),
        distances=home is not None,
        order=order,
        note=note,
        searched=searched,
        language_filter=language_filter,
    )


def note_text(note: str) -> str:
    if note == FULL:
        return _("You have chosen three places already. Remove one to add another.")
    if note == TWICE:
        return _("This place is already one of your wishes.")
    return ""
