"""The staff pages' forms; they only read and check input, the services do the writing."""

from __future__ import annotations

import re
from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from asti.messaging.models import Channel
from asti.offers.models import AnswerChannel, Offer, OfferStatus
from asti.people.models import Guardian
from asti.units.models import AdmissionArea, Unit


class OverrideForm(forms.Form):
    unit = forms.ModelChoiceField(queryset=Unit.objects.none(), label=_("Unit"), to_field_name="unit_id")
    justification = forms.CharField(
        label=_("Justification"), widget=forms.Textarea(attrs={"rows": 3}), max_length=2000, strip=True
    )

    def __init__(self, *args: Any, units: QuerySet[Unit], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["unit"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = units


class WhatIfForm(forms.Form):
    """One optional new capacity per unit, as capacity_<unit_id>."""

    def __init__(self, *args: Any, units: list[Unit], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for unit in units:
            self.fields[f"capacity_{unit.unit_id}"] = forms.IntegerField(
                label=unit.name_fi, required=False, min_value=0, max_value=10000
            )
        self.units = units

    def changes(self) -> dict[str, int]:
        out: dict[str, int] = {}
        for unit in self.units:
            value = self.cleaned_data.get(f"capacity_{unit.unit_id}")
            if value is not None and value != unit.pre_primary_capacity:
                out[unit.unit_id] = value
        return out


STATUS_CHOICES = [("", _("all")), ("not_sent", _("not sent")), *OfferStatus.choices]


class FamilyFilterForm(forms.Form):
    q = forms.CharField(label=_("Search by name or child id"), required=False, max_length=100)
    area = forms.ChoiceField(label=_("Admission area"), required=False)
    unit = forms.ChoiceField(label=_("Proposed unit"), required=False)
    status = forms.ChoiceField(label=_("Offer status"), required=False, choices=STATUS_CHOICES)
    failures = forms.BooleanField(label=_("Only with failed messages"), required=False)
    follow_up = forms.BooleanField(label=_("Only those needing follow-up"), required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        area = self.fields["area"]
        unit = self.fields["unit"]
        assert isinstance(area, forms.ChoiceField) and isinstance(unit, forms.ChoiceField)
        area.choices = [("", _("all")), *AdmissionArea.objects.order_by("area_id").values_list("area_id", "area_id")]
        unit.choices = [
            ("", _("all")),
            *Unit.objects.filter(pre_primary=True).order_by("name_fi").values_list("unit_id", "name_fi"),
        ]


class OfferChoiceField(forms.ModelChoiceField[Offer]):
    def label_from_instance(self, obj: Offer) -> str:
        return f"{obj.round.year}: {obj.unit.name_fi}"


class GuardianChoiceField(forms.ModelChoiceField[Guardian]):
    def label_from_instance(self, obj: Guardian) -> str:
        return obj.full_name


class AnswerForm(forms.Form):
    offer = OfferChoiceField(queryset=Offer.objects.none(), label=_("Offer"), empty_label=None)
    answer = forms.ChoiceField(
        label=_("Answer"), choices=[("accept", _("accepts the place")), ("decline", _("declines the place"))],
        widget=forms.RadioSelect,
    )  # fmt: skip
    channel = forms.ChoiceField(
        label=_("Given"), choices=[(AnswerChannel.PHONE, _("by phone")), (AnswerChannel.PAPER, _("on paper"))],
        widget=forms.RadioSelect,
    )  # fmt: skip
    guardian = GuardianChoiceField(
        queryset=Guardian.objects.none(), label=_("Guardian who answered"), required=False, empty_label=_("not known")
    )

    def __init__(self, *args: Any, offers: QuerySet[Offer], guardians: QuerySet[Guardian], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        offer = self.fields["offer"]
        guardian = self.fields["guardian"]
        assert isinstance(offer, forms.ModelChoiceField) and isinstance(guardian, forms.ModelChoiceField)
        offer.queryset = offers
        guardian.queryset = guardians


class UnitChoiceField(forms.ModelChoiceField[Unit]):
    def label_from_instance(self, obj: Unit) -> str:
        address = ", ".join(part for part in (obj.street_address, obj.postal_code) if part)
        return f"{obj.name_fi} ({address})" if address else obj.name_fi


class PaperApplicationForm(forms.Form):
    """A pre-primary application that came on paper, as staff copy it from the form."""

    guardian = GuardianChoiceField(queryset=Guardian.objects.none(), label=_("Guardian who signed"), empty_label=None)
    received_on = forms.DateField(
        label=_("Received on"), help_text=_("The day the paper application arrived, as 20.11.2026 or 2026-11-20."),
        input_formats=["%d.%m.%Y", "%Y-%m-%d"],
    )  # fmt: skip
    wish_1 = UnitChoiceField(queryset=Unit.objects.none(), label=_("First wish"), to_field_name="unit_id")
    wish_2 = UnitChoiceField(
        queryset=Unit.objects.none(), label=_("Second wish"), to_field_name="unit_id", required=False
    )
    wish_3 = UnitChoiceField(
        queryset=Unit.objects.none(), label=_("Third wish"), to_field_name="unit_id", required=False
    )
    supplementary_ecec = forms.BooleanField(
        label=_("Needs early childhood education before or after pre-primary hours"), required=False
    )

    def __init__(self, *args: Any, guardians: QuerySet[Guardian], units: QuerySet[Unit], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name, queryset in (("guardian", guardians), ("wish_1", units), ("wish_2", units), ("wish_3", units)):
            field = self.fields[name]
            assert isinstance(field, forms.ModelChoiceField)
            field.queryset = queryset

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        wishes = [data.get(f"wish_{i}") for i in (1, 2, 3)]
        if wishes[1] is None and wishes[2] is not None:
            self.add_error("wish_3", _("Fill in the second wish before the third."))
        chosen = [w.pk for w in wishes if w is not None]
        if len(set(chosen)) != len(chosen):
            self.add_error("wish_2" if wishes[1] in wishes[:1] else "wish_3", _("Each unit can be wished for once."))
        data["units"] = chosen
        return data


class UnitForm(forms.ModelForm[Unit]):
    class Meta:
        model = Unit
        fields = (
            "name_fi", "name_sv", "street_address", "postal_code", "email", "phone", "opening_hours",
            "pre_primary_hours", "language", "pre_primary_capacity",
        )  # fmt: skip
        labels = {
            "name_fi": _("Name in Finnish"),
            "name_sv": _("Name in Swedish"),
            "street_address": _("Street address"),
            "postal_code": _("Postal code"),
            "email": _("Email"),
            "phone": _("Phone"),
            "opening_hours": _("Opening hours"),
            "pre_primary_hours": _("Daily pre-primary hours"),
            "language": _("Language of education"),
            "pre_primary_capacity": _("Pre-primary places"),
        }

    def __init__(self, *args: Any, locked: bool, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if locked:
            self.fields["pre_primary_capacity"].disabled = True
            self.fields["language"].disabled = True
        self.fields["postal_code"].validators.append(_postal_code)
        self.fields["pre_primary_hours"].help_text = _("For example 8.30–12.30. Leave empty to use the round's hours.")
        self.fields["opening_hours"].help_text = _("For example Mon–Fri 6.30–17.30.")
        self.fields["phone"].help_text = _("In international form, for example +358931012345.")

    def clean_pre_primary_hours(self) -> str:
        return normalise_hours(self.cleaned_data["pre_primary_hours"])


_HOURS = re.compile(r"^\s*(\d{1,2})[.:](\d{2})\s*[-–—]\s*(\d{1,2})[.:](\d{2})\s*$")


def normalise_hours(value: str) -> str:
    """'8:30 - 12.30' → '8.30–12.30'; empty stays empty; anything else, or an end before the start, is refused."""
    if not value.strip():
        return ""
    m = _HOURS.match(value)
    if m is None:
        raise forms.ValidationError(_("Write the hours as start–end, for example 8.30–12.30."))
    h1, m1, h2, m2 = (int(g) for g in m.groups())
    if not (h1 < 24 and h2 < 24 and m1 < 60 and m2 < 60) or (h1, m1) >= (h2, m2):
        raise forms.ValidationError(_("The hours must be real times of day, the end after the start."))
    return f"{h1}.{m1:02d}–{h2}.{m2:02d}"


def _postal_code(value: str) -> None:
    if value and not (len(value) == 5 and value.isdigit()):
        raise forms.ValidationError(_("A postal code has five digits."))


class AuditFilterForm(forms.Form):
    actor = forms.CharField(label=_("Staff member (username)"), required=False, max_length=200)
    person = forms.CharField(label=_("Person (child, guardian or unit id)"), required=False, max_length=64)


CHANNEL_LABELS = dict(Channel.choices)
