"""The forms of service guidance's family pages: the follow-up work list, family search and call notes."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth.models import User
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from asti.conversations.models import MAX_BODY, CallChannel
from asti.messaging.models import FollowUpReason
from asti.messaging.services import MAX_RESOLUTION_NOTE
from asti.people.models import Child, Guardian
from asti.staff.forms import GuardianChoiceField
from asti.staff.worklist import DONE, MINE, OPEN, UNASSIGNED, WorklistFilters


class WorklistFilterForm(forms.Form):
    """The work list's filters, as a GET form: every field optional."""

    reason = forms.ChoiceField(label=_("Reason"), required=False, choices=[("", _("all")), *FollowUpReason.choices])
    owner = forms.ChoiceField(
        label=_("Whose"), required=False,
        choices=[("", _("everyone's")), (MINE, _("mine")), (UNASSIGNED, _("nobody's yet"))],
    )  # fmt: skip
    state = forms.ChoiceField(label=_("State"), required=False, choices=[(OPEN, _("open")), (DONE, _("done"))])

    def filters(self) -> WorklistFilters:
        data = self.cleaned_data if self.is_bound and self.is_valid() else {}
        return WorklistFilters(
            reason=data.get("reason", ""), owner=data.get("owner", ""), state=data.get("state") or OPEN
        )


class StaffChoiceField(forms.ModelChoiceField[User]):
    def label_from_instance(self, obj: User) -> str:
        return obj.get_full_name() or obj.get_username()


class FollowUpAssignForm(forms.Form):
    owner = StaffChoiceField(queryset=User.objects.none(), label=_("Give to"), required=False, empty_label=_("nobody"))

    def __init__(self, *args: Any, assignees: QuerySet[User], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["owner"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = assignees


class FollowUpDoneForm(forms.Form):
    note = forms.CharField(
        label=_("What was done"), max_length=MAX_RESOLUTION_NOTE, widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("A short note, for example: called the mother, the answer was recorded."),
    )  # fmt: skip


class FamilyFindForm(forms.Form):
    q = forms.CharField(
        label=_("Name, phone number, email or identity code"), max_length=100,
        help_text=_("A child's or guardian's name (words in any order), a phone number in any form, or a personal "
                    "identity code."),
    )  # fmt: skip


class ChildChoiceField(forms.ModelChoiceField[Child]):
    def label_from_instance(self, obj: Child) -> str:
        born = obj.birth_date
        return f"{obj.full_name} ({born.day}.{born.month}.{born.year})"


class CallNoteForm(forms.Form):
    """A note of a call or visit; which child it is about is asked only when the family has several."""

    child = ChildChoiceField(
        queryset=Child.objects.none(), label=_("About"), to_field_name="child_id", empty_label=None
    )
    guardian = GuardianChoiceField(
        queryset=Guardian.objects.none(), label=_("Spoke with"), required=False, empty_label=_("someone else")
    )
    channel = forms.ChoiceField(
        label=_("How"), choices=CallChannel.choices, initial=CallChannel.PHONE, widget=forms.RadioSelect
    )
    text = forms.CharField(
        label=_("Note (seen by staff only)"), max_length=MAX_BODY, widget=forms.Textarea(attrs={"rows": 4})
    )

    def __init__(
        self, *args: Any, children: QuerySet[Child], only_child: Child | None, guardians: QuerySet[Guardian],
        **kwargs: Any,
    ) -> None:  # fmt: skip
        super().__init__(*args, **kwargs)
        self.only_child = only_child
        if only_child is not None:
            del self.fields["child"]
        else:
            child = self.fields["child"]
            assert isinstance(child, forms.ModelChoiceField)
            child.queryset = children
        guardian = self.fields["guardian"]
        assert isinstance(guardian, forms.ModelChoiceField)
        guardian.queryset = guardians

    def chosen_child(self) -> Child:
        child = self.only_child or self.cleaned_data["child"]
        assert isinstance(child, Child)
        return child
