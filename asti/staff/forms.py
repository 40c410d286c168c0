"""The staff pages' forms; they only read and check input, the services do the writing."""

from __future__ import annotations

import dataclasses
import re
from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from asti.applications.models import ApplicationKind, ApplicationStatus, FirstGradeChoice, ServiceNeed
from asti.applications.queue import ALL, QueueFilters
from asti.applications.validation import ApplicationInput
from asti.messaging.models import Channel
from asti.offers.models import AnswerChannel, Offer, OfferStatus
from asti.people.models import Guardian
from asti.units.models import AdmissionArea, School, Unit, WeightedCurriculum


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
                label=unit.name_fi, required=False, min_value=0, max_value=10000, initial=unit.pre_primary_capacity
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
    operation = forms.CharField(
        label=_("Operation"), required=False, max_length=64, help_text=_("e.g. VIEW, SEARCH, EXPORT, UNIT_UPDATE")
    )
    since = forms.DateField(label=_("From (date)"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    until = forms.DateField(label=_("To (date)"), required=False, widget=forms.DateInput(attrs={"type": "date"}))

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        since, until = data.get("since"), data.get("until")
        if since and until and until < since:
            self.add_error("until", _("The end date is before the start date."))
        return data


CHANNEL_LABELS = dict(Channel.choices)


# ---------------------------------------------------------------------------------------------------------------
# applications


QUEUE_STATUS_CHOICES = [
    ("", _("open (sent, being processed, place proposed)")),
    *[(value, label) for value, label in ApplicationStatus.choices if value != ApplicationStatus.DRAFT],
    (ALL, _("all")),
]
LANGUAGE_CHOICES = [("", _("all")), ("fi", _("Finnish")), ("sv", _("Swedish"))]


class QueueFilterForm(forms.Form):
    """The queue's filters, as a GET form: every field optional."""

    kind = forms.ChoiceField(label=_("Service"), required=False, choices=[("", _("all")), *ApplicationKind.choices])
    status = forms.ChoiceField(label=_("Status"), required=False, choices=QUEUE_STATUS_CHOICES)
    area = forms.ChoiceField(label=_("Admission area"), required=False)
    language = forms.ChoiceField(label=_("Language of education"), required=False, choices=LANGUAGE_CHOICES)
    unit = forms.ChoiceField(label=_("Wished unit"), required=False)
    school = forms.ChoiceField(label=_("Wished school"), required=False)
    q = forms.CharField(label=_("Reference, child id or name"), required=False, max_length=100)
    urgent = forms.BooleanField(label=_("Only urgent"), required=False)
    shift_care = forms.BooleanField(label=_("Only shift care"), required=False)
    overdue = forms.BooleanField(label=_("Only overdue"), required=False)
    late = forms.BooleanField(label=_("Only late applications"), required=False)

    def __init__(self, *args: Any, units: QuerySet[Unit], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._choices("area", AdmissionArea.objects.order_by("area_id").values_list("area_id", "area_id"))
        self._choices("unit", units.order_by("name_fi").values_list("unit_id", "name_fi"))
        self._choices("school", School.objects.municipal().order_by("name_fi").values_list("school_id", "name_fi"))

    def _choices(self, name: str, rows: Any) -> None:
        field = self.fields[name]
        assert isinstance(field, forms.ChoiceField)
        field.choices = [("", _("all")), *rows]

    def filters(self, wished_units: tuple[int, ...] | None) -> QueueFilters:
        data = self.cleaned_data if self.is_bound and self.is_valid() else {}
        return QueueFilters(
            kind=data.get("kind", ""), status=data.get("status", ""), area=data.get("area", ""),
            language=data.get("language", ""), unit=data.get("unit", ""), school=data.get("school", ""),
            urgent=bool(data.get("urgent")), shift_care=bool(data.get("shift_care")),
            overdue=bool(data.get("overdue")), late=bool(data.get("late")), query=data.get("q", ""),
            wished_units=wished_units,
        )  # fmt: skip


class PlaceChoiceField(forms.ModelChoiceField[Any]):
    """A unit or a school, labelled with its free places when they are known."""

    def __init__(self, *args: Any, free: dict[int, int] | None = None, language: str = "fi", **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.free = free or {}
        self.language = language

    def label_from_instance(self, obj: Any) -> str:
        name = obj.name_in(self.language)
        if obj.pk in self.free:
            return _("%(name)s – free places: %(free)s") % {"name": name, "free": self.free[obj.pk]}
        return str(name)


class ProposeForm(forms.Form):
    place = PlaceChoiceField(queryset=Unit.objects.none(), label=_("Place to propose"), empty_label=None)

    def __init__(self, *args: Any, places: QuerySet[Any], free: dict[int, int], language: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["place"]
        assert isinstance(field, PlaceChoiceField)
        field.queryset = places
        field.free = free
        field.language = language


class NoteForm(forms.Form):
    text = forms.CharField(
        label=_("Note (seen by staff only)"), max_length=4000, widget=forms.Textarea(attrs={"rows": 3})
    )


PAPER_KINDS = [k for k in ApplicationKind.values]


class StaffApplicationForm(forms.Form):
    """An application of any kind that came on paper, copied field by field; the same engine checks it."""

    guardian = GuardianChoiceField(queryset=Guardian.objects.none(), label=_("Guardian who signed"), empty_label=None)
    received_on = forms.DateField(
        label=_("Received on"), help_text=_("The day the paper application arrived, as 20.11.2026 or 2026-11-20."),
        input_formats=["%d.%m.%Y", "%Y-%m-%d"],
    )  # fmt: skip
    education_language = forms.ChoiceField(
        label=_("Language of education"), choices=[("fi", _("Finnish")), ("sv", _("Swedish"))]
    )
    start_date = forms.DateField(
        label=_("Place needed from"), required=False, input_formats=["%d.%m.%Y", "%Y-%m-%d"],
        help_text=_("As 5.4.2027 or 2027-04-05."),
    )  # fmt: skip
    urgent = forms.BooleanField(label=_("Urgent: sudden employment or studies"), required=False)
    certificate_seen = forms.BooleanField(
        label=_("The employer's or school's certificate came with the paper application"), required=False
    )
    service_need = forms.ChoiceField(
        label=_("Service need"), required=False, choices=ServiceNeed.choices, widget=forms.RadioSelect
    )
    supplementary_ecec = forms.BooleanField(
        label=_("Needs early childhood education before or after pre-primary hours"), required=False
    )
    first_grade_choice = forms.ChoiceField(
        label=_("School applied for"), required=False, choices=FirstGradeChoice.choices, widget=forms.RadioSelect
    )
    weighted_curriculum = forms.ChoiceField(
        label=_("Weighted curriculum"), required=False, choices=[("", "–"), *WeightedCurriculum.choices]
    )
    annual_hours = forms.TypedChoiceField(
        label=_("Hours a year"),
        coerce=int,
        choices=[(570, "570"), (760, "760")],
        widget=forms.RadioSelect,
        required=False,
        empty_value=None,
    )
    daily_start = forms.TimeField(
        label=_("Daily hours from"), required=False, input_formats=["%H:%M", "%H.%M"], help_text=_("As 8.00 or 8:00.")
    )
    daily_end = forms.TimeField(
        label=_("Daily hours until"), required=False, input_formats=["%H:%M", "%H.%M"],
        help_text=_("As 16.30 or 16:30."),
    )  # fmt: skip
    shift_care = forms.BooleanField(label=_("Needs shift care"), required=False)
    shift_care_reason = forms.CharField(
        label=_("Why shift care is needed"), required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 2})
    )
    support_need = forms.BooleanField(label=_("The child needs support"), required=False)
    support_description = forms.CharField(
        label=_("The support needed"), required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 2})
    )
    wish_1 = PlaceChoiceField(queryset=Unit.objects.none(), label=_("First wish"), required=False)
    wish_2 = PlaceChoiceField(queryset=Unit.objects.none(), label=_("Second wish"), required=False)
    wish_3 = PlaceChoiceField(queryset=Unit.objects.none(), label=_("Third wish"), required=False)
    phone = forms.CharField(label=_("Phone"), required=False, max_length=40)
    email = forms.EmailField(label=_("Email"), required=False)
    other_info = forms.CharField(
        label=_("Other information"), required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 2})
    )

    KIND_FIELDS: dict[str, tuple[str, ...]] = {
        ApplicationKind.ECEC: (
            "start_date", "urgent", "certificate_seen", "service_need", "daily_start", "daily_end", "shift_care",
            "shift_care_reason",
            "support_need", "support_description", "wish_1", "wish_2", "wish_3",
        ),
        ApplicationKind.PRESCHOOL: (
            "supplementary_ecec", "daily_start", "daily_end", "support_need", "support_description",
            "wish_1", "wish_2", "wish_3",
        ),
        ApplicationKind.FIRST_GRADE: (
            "first_grade_choice", "weighted_curriculum", "support_need", "support_description",
            "wish_1", "wish_2", "wish_3",
        ),
        ApplicationKind.AFTERNOON: (
            "annual_hours", "support_need", "support_description", "wish_1", "wish_2", "wish_3",
        ),
    }  # fmt: skip
    COMMON = ("guardian", "received_on", "education_language")
    CONTACT = ("phone", "email", "other_info")

    def __init__(
        self, *args: Any, kind: str, guardians: QuerySet[Guardian], places: QuerySet[Any], language: str, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.kind = kind
        keep = {*self.COMMON, *self.KIND_FIELDS[kind], *self.CONTACT}
        for name in list(self.fields):
            if name not in keep:
                del self.fields[name]
        guardian = self.fields["guardian"]
        assert isinstance(guardian, forms.ModelChoiceField)
        guardian.queryset = guardians
        for name in ("wish_1", "wish_2", "wish_3"):
            field = self.fields[name]
            assert isinstance(field, PlaceChoiceField)
            field.queryset = places
            field.language = language
            field.empty_label = "–"
        if kind == ApplicationKind.FIRST_GRADE:
            self.fields["wish_1"].help_text = _("Not needed for the neighbourhood school.")

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        wishes = [data.get(f"wish_{i}") for i in (1, 2, 3)]
        chosen = [w.pk for w in wishes if w is not None]
        if len(set(chosen)) != len(chosen):
            self.add_error("wish_2", _("Each place can be wished for once."))
        data["wishes"] = tuple(chosen)
        return data

    def to_input(self) -> ApplicationInput:
        data = self.cleaned_data
        values = {
            name: data[name]
            for name in (f.name for f in dataclasses.fields(ApplicationInput))
            if name in data and name in self.fields
        }
        for name in ("weighted_curriculum", "shift_care_reason", "support_description"):
            if name in values and values[name] is None:
                values[name] = ""
        answers = {name: str(data.get(name) or "") for name in self.CONTACT}
        return ApplicationInput(**values, wishes=data["wishes"], answers=answers)


# ---------------------------------------------------------------------------------------------------------------
# places per service


class UnitCapacityForm(forms.ModelForm[Unit]):
    class Meta:
        model = Unit
        fields = ("ecec", "ecec_capacity_under3", "ecec_capacity_over3", "shift_care")
        labels = {
            "ecec": _("Takes applications for early childhood education"),
            "ecec_capacity_under3": _("Early childhood education places, under 3"),
            "ecec_capacity_over3": _("Early childhood education places, 3 and over"),
            "shift_care": _("Gives shift care (evenings, nights, weekends)"),
        }
        help_texts = {"ecec_capacity_under3": "", "ecec_capacity_over3": "", "ecec": "", "shift_care": ""}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("prefix", "capacity")
        super().__init__(*args, **kwargs)


class SchoolForm(forms.ModelForm[School]):
    weighted_curricula = forms.MultipleChoiceField(
        label=_("Weighted-curriculum classes"), required=False, choices=WeightedCurriculum.choices,
        widget=forms.CheckboxSelectMultiple,
    )  # fmt: skip

    class Meta:
        model = School
        fields = ("first_grade_capacity", "weighted_curricula", "afternoon_activities", "afternoon_capacity")
        labels = {
            "first_grade_capacity": _("First-grade places"),
            "afternoon_activities": _("Runs afternoon activities"),
            "afternoon_capacity": _("Afternoon activity places"),
        }
        help_texts = {"first_grade_capacity": "", "afternoon_activities": "", "afternoon_capacity": ""}
