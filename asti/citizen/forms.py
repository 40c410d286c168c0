"""Forms of the guardian pages; rendered with the project's HDS field markup in the templates."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from asti.citizen.unit_picker import PickerFields
from asti.offers.models import Feedback

SCORES = [
    (Feedback.Score.VERY_SATISFIED, _("Very satisfied")),
    (Feedback.Score.SATISFIED, _("Satisfied")),
    (Feedback.Score.NEUTRAL, _("Neither satisfied nor dissatisfied")),
    (Feedback.Score.DISSATISFIED, _("Dissatisfied")),
    (Feedback.Score.VERY_DISSATISFIED, _("Very dissatisfied")),
]


class FeedbackForm(forms.Form):
    score = forms.TypedChoiceField(
        label=_("How satisfied are you with this service?"),
        choices=SCORES,
        coerce=int,
        widget=forms.RadioSelect,
    )
    comment = forms.CharField(
        label=_("Comment (optional)"), required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 3})
    )


UNIT_PREFIX = "unit_"


class ApplicationForm(PickerFields):
    """After declining: up to three wished units in order (posted by the unit picker); the first is required."""

    supplementary_ecec = forms.BooleanField(
        label=_("My child also needs early childhood education before or after pre-primary hours"), required=False
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.wish_fields = self.add_wish_fields(UNIT_PREFIX)

    def chosen_units(self) -> list[int]:
        """The wished units' ids in order, as posted (before validation too: the picker shows them)."""
        data = self.data if self.is_bound else self.initial
        values = (str(data.get(name) or "").strip() for name in self.wish_fields)
        return [int(v) for v in values if v.isdigit()]

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        picked = [pk for pk in (cleaned.get(name) for name in self.wish_fields) if pk is not None]
        if not picked:
            raise forms.ValidationError(_("Choose at least one place."), code="required")
        if len(set(picked)) != len(picked):
            raise forms.ValidationError(_("Choose each unit only once."), code="repeated")
        cleaned["unit_ids"] = picked
        return cleaned
