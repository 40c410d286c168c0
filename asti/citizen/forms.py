"""Forms of the guardian pages; rendered with the project's HDS field markup in the templates."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from asti.applications.models import MAX_WISHES
from asti.offers.models import Feedback
from asti.units.models import Unit

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


def unit_label(unit: Unit, language: str) -> str:
    address = ", ".join(p for p in (unit.street_address, unit.postal_code) if p)
    return f"{unit.name_in(language)} – {address}" if address else unit.name_in(language)


class ApplicationForm(forms.Form):
    """Up to three wished units in order; the first is required."""

    supplementary_ecec = forms.BooleanField(
        label=_("My child also needs early childhood education before or after pre-primary hours"), required=False
    )

    def __init__(self, *args: Any, units: list[Unit], language: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        choices = [("", _("– choose a unit –")), *((str(u.pk), unit_label(u, language)) for u in units)]
        labels = [_("First wish"), _("Second wish (optional)"), _("Third wish (optional)")]
        for i in range(MAX_WISHES):
            self.fields[f"unit_{i + 1}"] = forms.TypedChoiceField(
                label=labels[i], choices=choices, coerce=int, required=i == 0, empty_value=None
            )
        self.order_fields([f"unit_{i + 1}" for i in range(MAX_WISHES)] + ["supplementary_ecec"])

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        chosen = [cleaned.get(f"unit_{i + 1}") for i in range(MAX_WISHES)]
        picked = [pk for pk in chosen if pk is not None]
        if len(set(picked)) != len(picked):
            raise forms.ValidationError(_("Choose each unit only once."), code="repeated")
        cleaned["unit_ids"] = picked
        return cleaned
