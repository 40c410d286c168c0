"""Forms of the message-text pages and of the round's send page: they read input; asti.messaging.texts checks
a text, and the views refuse a send that was not confirmed."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.formats import number_format
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from asti.staff.labels import LANGUAGES


class MessageTextForm(forms.Form):
    subject = forms.CharField(
        label=_("Subject"),
        max_length=300,
        required=False,
        help_text=_("The subject of the email. An SMS has no subject."),
    )
    body = forms.CharField(
        label=_("Text"),
        required=False,
        strip=False,
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text=_("Variables in double braces, e.g. {{ deadline }}, are filled in for each family."),
    )


class TestSendForm(forms.Form):
    recipient = forms.CharField(
        label=_("Phone number or email address"),
        max_length=254,
        help_text=_("Your own. An SMS goes to a phone number, an email to an address."),
    )
    language = forms.ChoiceField(label=_("Language"), choices=[(code, name) for code, name in LANGUAGES.items()])


class RoundSendForm(forms.Form):
    """The planner ticks a box that names the number of messages; the number shown is sent along, so that a send is
    refused when the round changed after the page was loaded."""

    messages = forms.IntegerField(widget=forms.HiddenInput, min_value=0)
    confirm = forms.BooleanField(
        required=True,
        error_messages={"required": _("Tick the box to confirm that you have checked the texts. Nothing was sent.")},
    )

    def __init__(self, *args: Any, count: int, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.count = count
        self.fields["messages"].initial = count
        self.fields["confirm"].label = confirm_label(count)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if "messages" in data and data["messages"] != self.count:
            raise forms.ValidationError(
                _("The round changed after the page was opened: it now sends %(n)s messages. Check the page again.")
                % {"n": number_format(self.count, force_grouping=True)}
            )
        return data


def confirm_label(count: int) -> str:
    return ngettext(
        "I have checked the texts; send %(n)s message",
        "I have checked the texts; send %(n)s messages",
        count,
    ) % {"n": number_format(count, force_grouping=True)}
