"""The forms of the team inbox: its filters, an answer or note, assignment, a new thread and a team's ready answers.
They only read and check input; the conversations services do the writing."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth.models import User
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from asti.conversations.models import MAX_BODY, Topic
from asti.conversations.selectors import InboxFilters
from asti.conversations.services import MAX_TITLE
from asti.people.models import Guardian

OPEN, CLOSED, ALL = "open", "closed", "all"
EVERY_CUSTODIAN = "all"


class InboxFilterForm(forms.Form):
    """The inbox's filters, as a GET form: every field optional, the team one of the user's own."""

    team = forms.ChoiceField(label=_("Team"), required=False)
    state = forms.ChoiceField(
        label=_("State"), required=False, choices=[(OPEN, _("open")), (CLOSED, _("closed")), (ALL, _("all"))]
    )
    topic = forms.ChoiceField(label=_("Topic"), required=False, choices=[("", _("all")), *Topic.choices])
    unread = forms.BooleanField(label=_("Only unread"), required=False)
    unassigned = forms.BooleanField(label=_("Only those with nobody yet"), required=False)
    mine = forms.BooleanField(label=_("Only mine"), required=False)

    def __init__(self, *args: Any, teams: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["team"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = teams
        self.default_team = teams[0][0] if teams else ""

    def filters(self) -> InboxFilters:
        data = self.cleaned_data if self.is_bound and self.is_valid() else {}
        return InboxFilters(
            team=data.get("team") or self.default_team, state=data.get("state") or OPEN, topic=data.get("topic", ""),
            unread=bool(data.get("unread")), unassigned=bool(data.get("unassigned")), mine=bool(data.get("mine")),
        )  # fmt: skip


class ReplyForm(forms.Form):
    """An answer to the family, or an internal note (the button pressed says which); files come separately."""

    body = forms.CharField(
        label=_("Message"), max_length=MAX_BODY, strip=True, widget=forms.Textarea(attrs={"rows": 8}),
        help_text=_("The family is told by SMS or email that there is a message; the text itself is read in the "
                    "e-service."),
    )  # fmt: skip


class AssignForm(forms.Form):
    assignee = forms.ChoiceField(label=_("Give to"), required=False)

    def __init__(self, *args: Any, assignees: QuerySet[User], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.assignees = {str(user.pk): user for user in assignees}
        field = self.fields["assignee"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = [("", _("nobody")), *((pk, _user_name(u)) for pk, u in self.assignees.items())]

    def chosen(self) -> User | None:
        return self.assignees.get(self.cleaned_data.get("assignee") or "")


def _user_name(user: User) -> str:
    return user.get_full_name() or user.get_username()


class NewThreadForm(forms.Form):
    """Staff write to a family about a child: to one guardian, or to every custodian."""

    to = forms.ChoiceField(label=_("To"), widget=forms.RadioSelect)
    topic = forms.ChoiceField(label=_("Topic"), choices=Topic.choices, initial=Topic.GENERAL)
    title = forms.CharField(label=_("Title"), max_length=MAX_TITLE, strip=True)
    body = forms.CharField(
        label=_("Message"), max_length=MAX_BODY, strip=True, widget=forms.Textarea(attrs={"rows": 8}),
        help_text=_("The guardians are told by SMS or email that there is a message; the text itself is read in the "
                    "e-service."),
    )  # fmt: skip

    def __init__(self, *args: Any, guardians: list[Guardian], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.guardians = {g.guardian_id: g for g in guardians}
        field = self.fields["to"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = [(EVERY_CUSTODIAN, _("every custodian")), *((g.guardian_id, g.full_name) for g in guardians)]
        field.initial = EVERY_CUSTODIAN

    def guardian(self) -> Guardian | None:
        return self.guardians.get(self.cleaned_data.get("to") or "")


class AnswerTemplateForm(forms.Form):
    title = forms.CharField(
        label=_("Name"), max_length=MAX_TITLE, strip=True, help_text=_("Staff see the name; the family sees the text.")
    )
    body_fi = forms.CharField(
        label=_("Text in Finnish"),
        max_length=MAX_BODY,
        strip=True,
        widget=forms.Textarea(attrs={"rows": 6, "lang": "fi"}),
    )
    body_sv = forms.CharField(
        label=_("Text in Swedish"),
        max_length=MAX_BODY,
        strip=True,
        widget=forms.Textarea(attrs={"rows": 6, "lang": "sv"}),
    )
    body_en = forms.CharField(
        label=_("Text in English"),
        max_length=MAX_BODY,
        strip=True,
        widget=forms.Textarea(attrs={"rows": 6, "lang": "en"}),
    )
    active = forms.BooleanField(label=_("In use"), required=False, initial=True)
