"""Forms of a round's lifecycle: a new round, a decision batch, its approval. They read and check input only."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.contrib.auth.models import User
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from asti.core import clock


class RoundCreateForm(forms.Form):
    year = forms.IntegerField(
        label=_("Year the pre-primary education starts"), min_value=2000, max_value=2100,
        help_text=_("The round offers places to the children born six years earlier."),
    )  # fmt: skip


class DecisionMakerField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        name = obj.get_full_name() or obj.get_username()
        return f"{name} ({obj.get_username()})"


class BatchPrepareForm(forms.Form):
    title = forms.CharField(label=_("Title of the batch"), max_length=200)
    decided_on = forms.DateField(
        label=_("Decided on"), input_formats=["%Y-%m-%d", "%d.%m.%Y"],
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )  # fmt: skip
    decision_maker = DecisionMakerField(
        queryset=User.objects.none(), label=_("Decision-maker"), empty_label=None,
        help_text=_("Only this person can approve the batch."),
    )  # fmt: skip
    decision_maker_title = forms.CharField(
        label=_("Decision-maker's title"), max_length=120,
        help_text=_("As it is printed in the decisions, e.g. early childhood education director."),
    )  # fmt: skip

    def __init__(self, *args: Any, decision_makers: QuerySet[User], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["decision_maker"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = decision_makers

    def decision_maker_signature(self) -> str:
        """ "Name, title" as the decisions print it."""
        user: User = self.cleaned_data["decision_maker"]
        name = user.get_full_name() or user.get_username()
        return f"{name}, {self.cleaned_data['decision_maker_title']}"


class HelsinkiDateTimeField(forms.DateTimeField):
    """A date and time as people in the city read it: Helsinki time, whatever the server's time zone."""

    def to_python(self, value: Any) -> dt.datetime | None:
        result = super().to_python(value)
        if result is None:
            return None
        return timezone.make_naive(result).replace(tzinfo=clock.HELSINKI)


class ApproveForm(forms.Form):
    release_at = HelsinkiDateTimeField(
        label=_("Release to the families at"), input_formats=["%Y-%m-%dT%H:%M", "%d.%m.%Y %H:%M", "%d.%m.%Y %H.%M"],
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        help_text=_("Finnish time. Every family sees the decision at this moment, not earlier."),
    )  # fmt: skip

    def clean_release_at(self) -> dt.datetime:
        value: dt.datetime = self.cleaned_data["release_at"]
        if value < clock.now() - dt.timedelta(minutes=5):
            raise forms.ValidationError(_("The release time has passed. Give a time in the future."))
        return value
