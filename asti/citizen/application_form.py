"""The one application form of every kind: which fields each kind asks, their choices, and the way between the
form and asti.applications' ApplicationInput. The rules themselves (what is valid, which places may be wished for)
stay in asti.applications; this module only presents them."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from asti.applications import rules
from asti.applications.models import (
    AFTERNOON_HOURS,
    MAX_WISHES,
    Application,
    ApplicationKind,
    AttachmentKind,
    FirstGradeChoice,
    ServiceNeed,
)
from asti.applications.validation import ApplicationInput
from asti.citizen.unit_picker import PickerFields
from asti.units.models import WeightedCurriculum

DATE_FORMATS = ["%Y-%m-%d", "%d.%m.%Y", "%d.%m.%y"]
TIME_FORMATS = ["%H:%M", "%H.%M", "%H"]

# The fields each kind asks (beside the language, the wishes and the contact details every kind asks).
KIND_FIELDS: dict[str, tuple[str, ...]] = {
    ApplicationKind.ECEC: (
        "start_date", "urgent", "service_need", "daily_start", "daily_end", "shift_care", "shift_care_reason",
        "support_need", "support_description",
    ),
    ApplicationKind.PRESCHOOL: ("supplementary_ecec", "daily_start", "daily_end"),
    ApplicationKind.FIRST_GRADE: ("first_grade_choice", "weighted_curriculum"),
    ApplicationKind.AFTERNOON: ("annual_hours", "support_need", "support_description"),
}  # fmt: skip
COMMON_FIELDS = ("education_language", "phone", "email", "other_info")
WISH_PREFIX = "wish_"
WISH_FIELDS = tuple(f"{WISH_PREFIX}{i + 1}" for i in range(MAX_WISHES))
ANSWER_FIELDS = ("phone", "email", "other_info")

KIND_TITLES = {
    ApplicationKind.ECEC: _("Application for early childhood education"),
    ApplicationKind.PRESCHOOL: _("Application for pre-primary education"),
    ApplicationKind.FIRST_GRADE: _("Enrolment in first grade"),
    ApplicationKind.AFTERNOON: _("Application for afternoon activities"),
}
KIND_ACTIONS = {
    ApplicationKind.ECEC: _("Apply for early childhood education"),
    ApplicationKind.PRESCHOOL: _("Apply for pre-primary education"),
    ApplicationKind.FIRST_GRADE: _("Enrol in school"),
    ApplicationKind.AFTERNOON: _("Apply for afternoon activities"),
}
ATTACHMENT_KIND_LABELS = [
    (AttachmentKind.EMPLOYMENT, _("Certificate of sudden employment or studies")),
    (AttachmentKind.SHIFT_CARE, _("Certificate of shift work")),
    (AttachmentKind.SUPPORT, _("Statement on the child's need for support")),
    (AttachmentKind.OTHER, _("Other attachment")),
]


def afternoon_hours_label(hours: int) -> str:
    fee = rules.AFTERNOON_MAX_FEE_EUR[hours]
    if hours == 570:
        return str(_("570 hours a year (about 3 hours a day), at most €%(fee)s a month") % {"fee": fee})
    return str(_("760 hours a year (about 4 hours a day), at most €%(fee)s a month") % {"fee": fee})


class ApplicationForm(PickerFields):
    """Every field any kind asks; `kind` decides which are shown and read. Wishes are plain numbers here (the
    place's id, posted by the unit picker): whether a place may be wished for is the domain's check, so that a
    refused place gets its own clear message rather than a generic 'invalid choice'."""

    education_language = forms.ChoiceField(
        label=_("Language of education"),
        choices=[("fi", _("Finnish")), ("sv", _("Swedish"))],
        widget=forms.RadioSelect,
        required=False,
    )
    start_date = forms.DateField(
        label=_("Start date"),
        required=False,
        input_formats=DATE_FORMATS,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    urgent = forms.BooleanField(
        label=_("The need is sudden: it comes from employment or studies that start at short notice"), required=False
    )
    service_need = forms.ChoiceField(
        label=_("Daily need"),
        choices=[
            (ServiceNeed.PART_TIME, _("Part-time: at most 5 hours a day")),
            (ServiceNeed.FULL_TIME, _("Full-time: over 5 hours a day")),
        ],
        widget=forms.RadioSelect,
        required=False,
    )
    daily_start = forms.TimeField(
        label=_("Daily hours from"),
        required=False,
        input_formats=TIME_FORMATS,
        widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
    )
    daily_end = forms.TimeField(
        label=_("Daily hours until"),
        required=False,
        input_formats=TIME_FORMATS,
        widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
    )
    shift_care = forms.BooleanField(
        label=_("The child needs shift care (evenings, nights or weekends)"), required=False
    )
    shift_care_reason = forms.CharField(
        label=_("Why shift care is needed (for example, both guardians work shifts)"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    support_need = forms.BooleanField(label=_("The child has a need for support"), required=False)
    support_description = forms.CharField(
        label=_("Describe the need for support"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    supplementary_ecec = forms.BooleanField(
        label=_("My child also needs early childhood education before or after pre-primary hours"), required=False
    )
    first_grade_choice = forms.ChoiceField(
        label=_("Which school do you apply for?"),
        choices=[
            (FirstGradeChoice.NEIGHBOURHOOD, _("The neighbourhood school the city designated")),
            (FirstGradeChoice.OTHER_SCHOOL, _("Another school")),
            (FirstGradeChoice.WEIGHTED, _("A class with a weighted curriculum")),
        ],
        widget=forms.RadioSelect,
        required=False,
    )
    weighted_curriculum = forms.ChoiceField(
        label=_("Weighted curriculum"),
        choices=[("", _("– choose –")), *WeightedCurriculum.choices],
        required=False,
    )
    annual_hours = forms.TypedChoiceField(
        label=_("Hours"),
        choices=[],
        coerce=int,
        empty_value=None,
        widget=forms.RadioSelect,
        required=False,
    )
    phone = forms.CharField(label=_("Phone number"), required=False, max_length=40)
    email = forms.CharField(label=_("Email address"), required=False, max_length=200)
    other_info = forms.CharField(
        label=_("Other information for the handler (optional)"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    attachment = forms.FileField(label=_("File (PDF, JPEG or PNG)"), required=False, allow_empty_file=True)
    attachment_kind = forms.ChoiceField(label=_("What is the file?"), choices=ATTACHMENT_KIND_LABELS, required=False)

    def __init__(self, *args: Any, kind: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.kind = kind
        hours_field = self.fields["annual_hours"]
        assert isinstance(hours_field, forms.TypedChoiceField)
        hours_field.choices = [(h, afternoon_hours_label(h)) for h in AFTERNOON_HOURS]
        self.add_wish_fields(WISH_PREFIX)
        shown = set(COMMON_FIELDS) | set(KIND_FIELDS[kind])
        self.asked = [name for name in self.fields if name in shown]
        for field in self.fields.values():
            widget = field.widget
            if isinstance(widget, forms.Select) and not isinstance(widget, forms.RadioSelect):
                widget.attrs["class"] = "asti-select"
            elif isinstance(widget, forms.Textarea):
                widget.attrs["class"] = "asti-textarea"
            elif isinstance(widget, forms.TextInput | forms.DateInput | forms.TimeInput | forms.FileInput):
                widget.attrs["class"] = "citizen-input"
        self.fields["attachment"].widget.attrs["accept"] = ".pdf,.jpg,.jpeg,.png,application/pdf,image/jpeg,image/png"
        self.fields["phone"].widget.attrs["autocomplete"] = "tel"
        self.fields["email"].widget.attrs["autocomplete"] = "email"

    def describe(self, problems: dict[str, list[str]], hinted: set[str]) -> None:
        """Ties each input to its hint and to the problems shown next to it (for screen readers)."""
        for name, field in self.fields.items():
            ids = [f"id_{name}-hint"] if name in hinted else []
            if problems.get(name):
                ids.append(f"id_{name}-error")
            wishes_refused = bool(problems.get("wishes") or any(problems.get(w) for w in WISH_FIELDS))
            if name == "q" and wishes_refused:  # the wishes are hidden fields: the picker's search tells why
                field.widget.attrs["aria-describedby"] = "id_wishes-error"
                continue
            if name == "attachment" and problems.get("attachments"):
                ids.append("id_attachments-error")
            attrs = field.widget.attrs
            attrs.pop("aria-describedby", None)
            attrs.pop("aria-invalid", None)
            if ids:
                attrs["aria-describedby"] = " ".join(ids)
            if len(ids) > (1 if name in hinted else 0):
                attrs["aria-invalid"] = "true"

    def chosen(self, name: str) -> Any:
        """A field's value now: what was posted when it was valid, else the starting value."""
        if self.is_bound and hasattr(self, "cleaned_data") and name in self.cleaned_data:
            return self.cleaned_data[name]
        return self.initial.get(name)

    def shown(self, name: str) -> bool:
        return name in self.asked

    def to_input(self) -> ApplicationInput:
        """What the guardian filled in, for the domain's services (call after is_valid())."""
        data = self.cleaned_data
        value: dict[str, Any] = {name: data.get(name) for name in self.asked if name not in ANSWER_FIELDS}
        wishes = tuple(pk for pk in (data.get(name) for name in WISH_FIELDS) if pk is not None)
        answers = {name: (data.get(name) or "").strip() for name in ANSWER_FIELDS}
        texts = ("shift_care_reason", "support_description", "service_need", "first_grade_choice",
                 "weighted_curriculum", "education_language")  # fmt: skip
        for name in texts:
            if name in value:
                value[name] = (value[name] or "").strip()
        return ApplicationInput(**value, wishes=wishes, answers=answers)


def application_summary(application: Application, language: str) -> dict[str, Any]:
    """What the application page and the receipt show of what was sent (citizen/_application_summary.html)."""
    proposed = application.proposed_unit or application.proposed_school
    return {
        "application": application,
        "snapshot": application.registry_snapshot,
        "wishes": [wish.place_name(language) for wish in application.wishes.all()],
        "attachments": list(application.attachments.all()),
        "proposed_name": proposed.name_in(language) if proposed is not None else "",
        "curriculum": dict(WeightedCurriculum.choices).get(application.weighted_curriculum, ""),
        "hours_label": afternoon_hours_label(application.annual_hours)
        if application.annual_hours in AFTERNOON_HOURS
        else "",
    }


def initial_from(data: ApplicationInput) -> dict[str, Any]:
    """A form's starting values from what is known (or from a saved application)."""
    initial: dict[str, Any] = {
        "education_language": data.education_language,
        "start_date": data.start_date,
        "urgent": data.urgent,
        "service_need": data.service_need,
        "daily_start": data.daily_start,
        "daily_end": data.daily_end,
        "shift_care": data.shift_care,
        "shift_care_reason": data.shift_care_reason,
        "support_need": data.support_need,
        "support_description": data.support_description,
        "supplementary_ecec": data.supplementary_ecec,
        "first_grade_choice": data.first_grade_choice,
        "weighted_curriculum": data.weighted_curriculum,
        "annual_hours": data.annual_hours,
    }
    for name, pk in zip(WISH_FIELDS, data.wishes, strict=False):
        initial[name] = pk
    for name in ANSWER_FIELDS:
        initial[name] = data.answers.get(name, "")
    return initial
